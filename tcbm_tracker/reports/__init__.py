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

import sys
from typing import TYPE_CHECKING, Any

if "reportlab.pdfbase.ttfonts" not in sys.modules and "uharfbuzz" not in sys.modules:
    # reportlab imports HarfBuzz for its own per-word shaping, which reports never switch on
    # (text.py shapes the runs that need it, loading HarfBuzz then): keep it out of reportlab,
    # so a report without Arabic does not load it.
    sys.modules["uharfbuzz"] = None  # type: ignore[assignment]
    try:
        import reportlab.pdfbase.ttfonts  # noqa: F401
    finally:
        del sys.modules["uharfbuzz"]

from tcbm_tracker.reports.api import (
    build_actor_summary,
    build_changes_report,
    build_matrix_report,
    build_measure_report,
    suggested_file_name,
)
from tcbm_tracker.reports.document import ReportCancelled, ReportOutputError, ReportResult

if TYPE_CHECKING:
    from tcbm_tracker.reports.batch import BatchResult, build_all_actor_summaries


def __getattr__(name: str) -> Any:
    """The batch (multiprocessing, process pools) loads only when asked for: one report does not need it."""
    if name in ("BatchResult", "build_all_actor_summaries"):
        from tcbm_tracker.reports import batch

        return getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
