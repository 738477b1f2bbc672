"""Printing results for people (aligned text) and for programs (``--json``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services import figures
from tcbm_tracker.services.dto import Coverage, Matrix

# One character per status for the text matrix; the legend is printed with it.
STATUS_SYMBOLS: dict[Status, str] = {
    Status.NOT_ASSESSED: ".",
    Status.NO_INFORMATION: "?",
    Status.NOT_IMPLEMENTED: "x",
    Status.PLANNED: "p",
    Status.PARTIALLY_IMPLEMENTED: "~",
    Status.IMPLEMENTED: "#",
    Status.NOT_APPLICABLE: "-",
}


def coverage_dict(c: Coverage) -> dict[str, Any]:
    """Coverage with its denominators spelled out: the figures a reader must be able to check.

    ``implementation_rate`` is implemented / ``assessed`` (null when nothing is assessed, never 0);
    ``assessment_coverage`` is ``assessed`` / ``in_scope`` (see ``services.figures``).
    """
    return {
        "label": c.label,
        "total": c.total,
        "not_applicable": c.not_applicable,
        "in_scope": c.in_scope,
        "assessed": c.assessed,
        "implemented": c.implemented,
        "implementation_rate": c.implementation_rate,
        "implementation_rate_text": figures.rate_phrase(c),
        "assessment_coverage": c.assessment_coverage,
        "counts": {s.value: c.count(s) for s in Status},
    }


def jsonable(value: Any) -> Any:
    if isinstance(value, Coverage):
        return coverage_dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(jsonable(k)) if not isinstance(k, tuple) else "/".join(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    json.dump(jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, max_width: int = 60) -> str:
    if not rows:
        return "(none)"
    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        text = text.replace("\n", " ")
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    body = [[cell(v) for v in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in body:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in body]
    return "\n".join(lines)


def compact_matrix(matrix: Matrix) -> str:
    """Actors down, measures across with their keys written vertically, one symbol per cell.

    37 measures fit in 80 columns this way; a coverage column closes each row.
    """
    keys = [m.key.split("-", 1)[-1] for m in matrix.measures]
    height = max((len(k) for k in keys), default=0)
    label_width = max([len(a.key) for a in matrix.actors] + [5])
    lines = []
    for row in range(height):
        chars = [k.rjust(height)[row] for k in keys]
        lines.append(" " * (label_width + 2) + " ".join(chars))
    for a in sorted(matrix.actors, key=lambda actor: actor.key):  # rows are labelled by key
        statuses = [matrix.status(a.key, m.key) for m in matrix.measures]
        cov = figures.coverage_of(a.key, statuses)
        cells = " ".join(STATUS_SYMBOLS[s] for s in statuses)
        lines.append(f"{a.key.ljust(label_width)}  {cells}  implemented: {figures.rate_phrase(cov)}")
    return "\n".join(lines)
