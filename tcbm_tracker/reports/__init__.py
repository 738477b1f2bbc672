"""PDF compliance summaries (reportlab Platypus): state summary, measure, matrix, changes, batch.

The public API for the CLI and the GUI's background jobs (see ``reports.api`` for the contract:
progress, cancellation, errors, results)::

    from tcbm_tracker.reports import build_actor_summary, ReportCancelled
    result = build_actor_summary(tracker, "FRA", "fra.pdf", as_of="2025-06-01",
                                 progress=lambda done, total: ..., cancelled=lambda: False)
    result.path, result.pages, result.warnings

Layout modules (``actor_summary``, ``measure_report``, ``matrix_report``, ``changes_report``)
are pure functions of the report-data objects in ``reports.model``; ``reports.data`` fills
those from a ``Tracker`` through its services. Nothing here imports Qt or runs SQL.
"""

from __future__ import annotations

from tcbm_tracker.reports.api import (
    build_actor_summary,
    build_changes_report,
    build_matrix_report,
    build_measure_report,
    suggested_file_name,
)
from tcbm_tracker.reports.batch import BatchResult, build_all_actor_summaries
from tcbm_tracker.reports.document import ReportCancelled, ReportOutputError, ReportResult

__all__ = [
    "BatchResult",
    "ReportCancelled",
    "ReportOutputError",
    "ReportResult",
    "build_actor_summary",
    "build_all_actor_summaries",
    "build_changes_report",
    "build_matrix_report",
    "build_measure_report",
    "suggested_file_name",
]
