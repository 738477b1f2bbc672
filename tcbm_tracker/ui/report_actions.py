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

from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.ui.controller import TrackerController
from tcbm_tracker.ui.jobs import Job, JobCancelled, JobContext

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
