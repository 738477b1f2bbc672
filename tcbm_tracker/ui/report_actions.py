"""Exporting PDF reports from the window, as background jobs with progress and cancel.

The reports package does the work (``tcbm_tracker.reports.api`` and ``.batch``); this module
asks where to save, runs the build on the job thread, and tells the user what was written.
A cancelled build leaves no file behind (the reports package guarantees it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QWidget

from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.ui.controller import TrackerController
from tcbm_tracker.ui.jobs import Job, JobCancelled, JobContext
from tcbm_tracker.ui.matrix_model import MatrixFilter
from tcbm_tracker.ui.report_done_bar import ReportDoneBar

if TYPE_CHECKING:
    from tcbm_tracker.reports.batch import BatchResult
    from tcbm_tracker.reports.document import ReportResult

# The reports package (reportlab) is imported when a report is first asked for, not at start-up:
# it would add about a third of a second to every launch for a feature used now and then.


@dataclass(frozen=True)
class ReportRequest:
    """Which report, for what, as of when; ``key`` is the actor, measure or (for changes) unused."""

    kind: str  # "actor", "measure", "matrix", "changes", "all-actors"
    key: str | None = None
    as_of: dt.date | None = None
    since: dt.date | None = None
    catalog: str | None = None
    group: str | None = None
    region: str | None = None

    def title(self) -> str:
        return {
            "actor": f"Compliance summary of {self.key}",
            "measure": f"Report on {self.key}",
            "matrix": "Matrix report",
            "changes": f"Changes since {self.since}",
            "all-actors": "Compliance summaries of every actor",
        }[self.kind]

    def suggested_name(self) -> str:
        from tcbm_tracker.reports.api import suggested_file_name

        if self.kind == "all-actors":
            return "compliance-summaries"
        key = self.since.isoformat() if self.kind == "changes" and self.since else (self.catalog if self.kind == "matrix" else self.key)
        return suggested_file_name(self.kind, key, as_of=self.as_of if self.kind != "changes" else None)


def build(tracker: Tracker, request: ReportRequest, out: Path, ctx: JobContext) -> ReportResult | BatchResult:
    """Run the report build for ``request`` (on the job thread)."""
    from tcbm_tracker.reports.api import build_actor_summary, build_changes_report, build_matrix_report, build_measure_report
    from tcbm_tracker.reports.batch import build_all_actor_summaries
    from tcbm_tracker.reports.document import ReportCancelled

    def progress(done: int, total: int) -> None:
        ctx.progress(done, total, check=False)  # cancelling is the report's job: it cleans up

    common: dict[str, Any] = {"progress": progress, "cancelled": lambda: ctx.cancelled}
    try:
        if request.kind == "actor":
            return build_actor_summary(tracker, request.key or "", out, as_of=request.as_of, catalog=request.catalog, **common)
        if request.kind == "measure":
            return build_measure_report(tracker, request.key or "", out, as_of=request.as_of, **common)
        if request.kind == "matrix":
            return build_matrix_report(tracker, out, catalog=request.catalog, group=request.group, region=request.region,
                                       as_of=request.as_of, **common)
        if request.kind == "changes":
            return build_changes_report(tracker, request.since or dt.date.today(), out, catalog=request.catalog, **common)
        if request.kind == "all-actors":
            return build_all_actor_summaries(tracker, out, as_of=request.as_of, catalog=request.catalog, **common)
    except ReportCancelled:
        raise JobCancelled() from None
    raise ValueError(f"unknown report kind {request.kind!r}")


class ReportExporter(QObject):
    """Starts report jobs; ``report_written`` carries the result for the window to announce."""

    report_written = Signal(object)  # ReportResult | BatchResult

    def __init__(self, controller: TrackerController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller

    def export(self, request: ReportRequest, out: Path) -> Job | None:
        tracker = self.controller.tracker
        if tracker is None:
            return None
        runner = self.controller.runner
        job = runner.submit(f"report {request.kind}", lambda ctx: build(tracker, request, out, ctx),
                            self.report_written.emit, self.controller.error_occurred.emit)
        self.controller.long_job_started.emit(job, request.title())
        return job


AskSavePath = Callable[[Any, ReportRequest], Path | None]


@dataclass(frozen=True)
class ReportSubjects:
    """Where the report actions read what the user is looking at (callables the window gives)."""

    actor: Callable[[], str | None]
    measure: Callable[[], str | None]
    matrix_filter: Callable[[], MatrixFilter]
    changes_since: Callable[[], dt.date]


class ReportMenu(QObject):
    """The Reports menu's actions: build a request from what is on screen, ask where, export."""

    def __init__(self, exporter: ReportExporter, subjects: ReportSubjects, *, ask_path: AskSavePath,
                 show_message: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.exporter = exporter
        self.subjects = subjects
        self._ask_path = ask_path
        self._show_message = show_message
        self._parent = parent
        self.last_result: ReportResult | BatchResult | None = None
        self.last_warning_box: QMessageBox | None = None
        self.done_bar = ReportDoneBar(parent)  # the window places it
        exporter.report_written.connect(self._written)
        self.actions: dict[str, QAction] = {}
        for kind, text, shortcut, tip in [
            ("actor", "&Compliance Summary of the Current Actor…", "Ctrl+P",
             "A PDF summary of the actor viewed last (a dossier opened, or a cell or row of that actor)"),
            ("measure", "Report on the Current &Measure…", None, ""),
            ("matrix", "Matri&x Report (as filtered)…", None, "The matrix with the catalogue, group and region chosen"),
            ("changes", "C&hanges Report…", None, "Everything recorded since the date chosen on the Changes tab"),
            ("all-actors", "Summaries of &Every Actor…", None, "One compliance summary per actor, into a folder"),
        ]:
            action = QAction(text, parent)
            if shortcut:
                action.setShortcut(shortcut)
            action.setStatusTip(tip)
            action.triggered.connect(lambda checked=False, kind=kind: self.export(kind))
            self.actions[kind] = action
        self.reporter_dialog: QDialog | None = None
        self.actions["reporter"] = QAction("&Reporter Name and Organisation…", parent)
        self.actions["reporter"].setStatusTip("Who reports with this copy: named on page 1 of every report")
        self.actions["reporter"].triggered.connect(self.edit_reporter)

    def fill_menu(self, menu: QMenu) -> None:
        for kind in ("actor", "measure", "matrix", "changes"):
            menu.addAction(self.actions[kind])
        menu.addSeparator()
        menu.addAction(self.actions["all-actors"])
        menu.addSeparator()
        menu.addAction(self.actions["reporter"])

    def edit_reporter(self) -> None:
        """Open the reporter dialog without blocking (the settings the command line sets too)."""
        from tcbm_tracker.ui.reporter_dialog import ReporterDialog

        dialog = ReporterDialog(self._parent)
        dialog.reporter_saved.connect(
            lambda r: self._show_message(f"Reports will name {r.text}" if r.text else "Reports will not name the user"))
        self.reporter_dialog = dialog
        dialog.open()

    def request(self, kind: str) -> ReportRequest | None:
        """The report the user means, or None when there is no actor or measure to report on."""
        controller = self.exporter.controller
        as_of = None if controller.is_today else controller.as_of
        if kind in ("actor", "measure"):
            key = self.subjects.actor() if kind == "actor" else self.subjects.measure()
            return ReportRequest(kind, key, as_of=as_of) if key else None
        if kind == "matrix":
            flt = self.subjects.matrix_filter()
            return ReportRequest("matrix", as_of=as_of, catalog=flt.catalog, group=flt.group,
                                 region=flt.region if flt.region != "NONE" else None)
        if kind == "changes":
            return ReportRequest("changes", since=self.subjects.changes_since())
        return ReportRequest("all-actors", as_of=as_of)

    def export(self, kind: str) -> None:
        if self.exporter.controller.tracker is None:
            return
        request = self.request(kind)
        if request is None:
            what = "an actor" if kind == "actor" else "a measure"
            self._show_message(f"Select {what} first (a cell of the matrix, or open its view)")
            return
        out = self._ask_path(self._parent, request)
        if out is not None:
            self.exporter.export(request, out)

    def _written(self, result: ReportResult | BatchResult) -> None:
        batch = isinstance(result, _batch_result_type())
        where = result.folder if batch else result.path  # type: ignore[union-attr]
        count = f"{len(result.results)} files, " if hasattr(result, "results") else ""
        self._show_message(f"Wrote {where} ({count}{result.pages} pages)")
        self.last_result = result
        # Offer to open what was written, without blocking: the user may carry on working.
        self.done_bar.offer(f"Wrote {where} ({count}{result.pages} pages)", None if batch else Path(where),
                            Path(where) if batch else Path(where).parent)
        if result.warnings:
            # Characters the PDF fonts cannot show: say which, without blocking.
            box = QMessageBox(QMessageBox.Icon.Information, "Report written with warnings", f"Wrote {where}.",
                              QMessageBox.StandardButton.Ok, self._parent)
            box.setDetailedText("\n".join(result.warnings))
            box.open()
            self.last_warning_box = box


def _batch_result_type() -> type:
    from tcbm_tracker.reports.batch import BatchResult

    return BatchResult
