"""One call per report, from a ``Tracker`` to a finished PDF: what the CLI and the GUI jobs use.

Each ``build_*`` function gathers the report data through the tracker's services, lays it out
and writes the file atomically. It is safe to call from a worker thread (it never touches Qt)
and reports back through two optional callables:

- ``progress(done, total)``: called as work advances. ``total`` is 0 while the amount of work is
  not yet known (show a busy indicator), then the number of layout steps; ``done`` only grows.
- ``cancelled() -> bool``: polled between steps; when it returns True the build stops, raises
  ``ReportCancelled`` and leaves no file behind (an existing file at ``out_path`` is untouched).

Errors a user can fix raise ``TrackerError`` subclasses with a one-line ``.message``: unknown
actor, measure or catalogue (``NotFoundError``), a bad date (``ValidationError``), an output path
that cannot be written (``ReportOutputError``), data that fails verification
(``UnverifiedDataError``; ``allow_unverified=True`` prints it with a "DATA FAILED VERIFICATION"
stamp on every page instead). Anything else is a bug.

Each returns a ``ReportResult``: ``path``, ``pages``, ``title``, ``fingerprint`` (the change-log
head the data came from) and ``warnings`` (characters the font could not show, printed as
``[U+XXXX]`` in the PDF; show them to the user).

Run one build at a time per process (reportlab keeps some global state), e.g. on the GUI's
single report worker thread. ``reports.batch.build_all_actor_summaries`` (one summary per actor,
in worker processes, same progress/cancel contract) returns a ``BatchResult``;
``suggested_file_name`` proposes a name for a save dialog.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tcbm_tracker.reports import data as collect
from tcbm_tracker.reports.actor_summary import render_actor_summary
from tcbm_tracker.reports.document import Cancelled, Progress, ReportCancelled, ReportResult, check_output_path
from tcbm_tracker.services.tracker import Tracker

D = TypeVar("D")
DateLike = dt.date | str | None


def _layout(module: str, name: str) -> Callable[..., ReportResult]:
    """A report kind's renderer, imported when that kind is asked for: a process that writes one
    compliance summary does not load the matrix, measure and changes layouts."""
    import importlib

    return getattr(importlib.import_module(f"tcbm_tracker.reports.{module}"), name)  # type: ignore[no-any-return]


def _run(
    tracker: Tracker,
    gather: Callable[[], D],
    render: Callable[..., ReportResult],
    out_path: Path | str,
    progress: Progress | None,
    cancelled: Cancelled | None,
    invariant: bool | None,
    allow_unverified: bool,
) -> ReportResult:
    if cancelled is not None and cancelled():
        raise ReportCancelled()
    # A path that cannot be written is refused before the data is read and sealed: a refused
    # report leaves the database as it was.
    check_output_path(out_path)
    if progress is not None:
        progress(0, 0)
    # The data is checked first: a report from data that fails verification is refused, or
    # printed with a stamp on every page when the caller asks for it.
    check = tracker.report_check.require(allow_unverified=allow_unverified)
    report_data = gather()
    if not check.ok:
        ctx = report_data.context  # type: ignore[attr-defined]  # every report data has one
        report_data = dataclasses.replace(report_data, context=dataclasses.replace(ctx, unverified=True))  # type: ignore[type-var]

    def layout_progress(done: int, total: int) -> None:
        if progress is not None:
            progress(done + 1, total + 1)  # gathering the data counts as the first step

    return render(report_data, out_path, progress=layout_progress, cancelled=cancelled, invariant=invariant)


def build_actor_summary(
    tracker: Tracker,
    actor: str,
    out_path: Path | str,
    *,
    as_of: DateLike = None,
    known_at: DateLike = None,
    catalog: str | None = None,
    since: DateLike = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    invariant: bool | None = None,
    now: dt.datetime | None = None,
    allow_unverified: bool = False,
) -> ReportResult:
    """A state's (or organization's) compliance summary, e.g. ``build_actor_summary(t, "FRA", "fra.pdf")``.

    ``as_of``: statuses in force on that date (default today); ``known_at``: only what had been
    recorded by the end of that date; ``catalog``: one catalogue only (``"LTS2019"``); ``since``: start
    of page 1's "what changed" (default: 12 months before ``as_of``);
    ``invariant``: reproducible bytes (tests); ``now``: the "generated" time printed.
    """
    return _run(tracker, lambda: collect.actor_summary_data(tracker, actor, as_of=as_of, known_at=known_at, catalog=catalog,
                                                   since=since, now=now),
                render_actor_summary, out_path, progress, cancelled, invariant, allow_unverified)


def build_measure_report(
    tracker: Tracker,
    measure: str,
    out_path: Path | str,
    *,
    as_of: DateLike = None,
    known_at: DateLike = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    invariant: bool | None = None,
    now: dt.datetime | None = None,
    allow_unverified: bool = False,
) -> ReportResult:
    """One measure across every actor, e.g. ``build_measure_report(t, "LTS-B.4", "b4.pdf")``."""
    return _run(tracker, lambda: collect.measure_report_data(tracker, measure, as_of=as_of, known_at=known_at, now=now),
                _layout("measure_report", "render_measure_report"), out_path, progress, cancelled, invariant, allow_unverified)


def build_matrix_report(
    tracker: Tracker,
    out_path: Path | str,
    *,
    catalog: str | None = None,
    group: str | None = None,
    region: str | None = None,
    as_of: DateLike = None,
    known_at: DateLike = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    invariant: bool | None = None,
    now: dt.datetime | None = None,
    allow_unverified: bool = False,
) -> ReportResult:
    """The landscape heat map of actors x measures.

    ``group``: one group of measures (``"B"`` or ``"LTS2019/B"``); ``region``: actors of one UN
    regional group (``"WEOG"``). The other options are as for ``build_actor_summary``.
    """
    return _run(tracker, lambda: collect.matrix_report_data(tracker, catalog=catalog, group=group, region=region, as_of=as_of,
                                                   known_at=known_at, now=now),
                _layout("matrix_report", "render_matrix_report"), out_path, progress, cancelled, invariant, allow_unverified)


def build_changes_report(
    tracker: Tracker,
    since: dt.date | str,
    out_path: Path | str,
    *,
    catalog: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    invariant: bool | None = None,
    now: dt.datetime | None = None,
    allow_unverified: bool = False,
) -> ReportResult:
    """Every assessment recorded on or after ``since``, with who recorded it and the evidence."""
    return _run(tracker, lambda: collect.changes_report_data(tracker, since, catalog=catalog, now=now),
                _layout("changes_report", "render_changes_report"), out_path, progress, cancelled, invariant, allow_unverified)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def suggested_file_name(kind: str, key: str | None = None, *, as_of: dt.date | None = None) -> str:
    """A file name to propose in a save dialog: ``FRA-compliance-summary-2025-06-01.pdf``.

    ``kind`` is ``"actor"``, ``"measure"``, ``"matrix"`` or ``"changes"``; ``key`` the actor or
    measure key, the catalogue for a matrix, the start date for changes.
    """
    words = {"actor": "compliance-summary", "measure": "measure-report", "matrix": "matrix", "changes": "changes-since"}
    if kind not in words:
        raise ValueError(f"unknown report kind {kind!r}")
    parts = [key, words[kind]] if kind in ("actor", "measure") else [words[kind], key]
    if as_of is not None:
        parts.append(as_of.isoformat())
    name = "-".join(_UNSAFE.sub("-", p).strip("-") for p in parts if p)
    return f"{name}.pdf"
