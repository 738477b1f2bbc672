"""Printing results for people (aligned text) and for programs (``--json``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
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


def stream_json(items: Iterable[Any]) -> None:
    """A JSON array written item by item (the same document ``print_json`` writes, spaced differently)."""
    sys.stdout.write("[")
    for n, item in enumerate(items):
        sys.stdout.write(",\n" if n else "\n")
        sys.stdout.write(json.dumps(jsonable(item), ensure_ascii=False, indent=2))
    sys.stdout.write("\n]\n")


# Zero-width joiner and non-joiner shape Persian, Indic scripts and emoji sequences: kept.
_KEPT_FORMAT = frozenset("\u200c\u200d")


def _escaped(ch: str) -> bool:
    """Characters a terminal would act on or hide: controls, bidi overrides and other invisible
    format characters (a right-to-left override can make a note read as something else)."""
    category = unicodedata.category(ch)
    return category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and ch not in _KEPT_FORMAT)


def terminal_text(text: str) -> str:
    """``text`` safe to print: every control or invisible format character shown as ``[U+XXXX]``."""
    if text.isascii() and text.isprintable():
        return text  # printable ASCII holds none of them: no look-up per character
    if text.isprintable() and not any(_escaped(ch) for ch in text):
        return text
    return "".join(f"[U+{ord(ch):04X}]" if _escaped(ch) else ch for ch in text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for CJK and most emoji, none for combining marks."""
    if text.isascii() and text.isprintable():
        return len(text)  # one column each: the common case, without a table lookup per character
    import wcwidth  # ~20 ms to import: only commands that print tables pay for it

    width = wcwidth.wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth.wcwidth(ch), 0) for ch in text)


def _fit(text: str, max_width: int) -> str:
    """``text`` cut to at most ``max_width`` columns, with an ellipsis when cut."""
    if display_width(text) <= max_width:
        return text
    if text.isascii() and text.isprintable():
        return text[: max_width - 1] + "…"  # one column a character: no look-up per character
    import wcwidth

    out, used = [], 0
    for ch in text:
        w = max(wcwidth.wcwidth(ch), 0)
        if used + w > max_width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def table_cell(v: Any, max_width: int = 60) -> str:
    """One cell of a terminal table: one line, escaped, cut to ``max_width`` columns."""
    text = "" if v is None else str(v)
    text = terminal_text(text.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    return _fit(text, max_width)


def stream_table(headers: Sequence[str], widths: Sequence[int], rows: Iterable[Sequence[Any]], *,
                 max_width: int = 60) -> Iterator[str]:
    """``table`` line by line, for rows too many to hold: the widths of every column but the
    last are given (sized beforehand); the last is never padded, its rule as wide as its header.
    "(none)" when there are no rows, as ``table`` says."""
    widths = [max(w, display_width(h)) for w, h in zip(widths, headers[:-1], strict=True)] + [display_width(headers[-1])]
    first = True
    for row in rows:
        if first:
            yield "  ".join(_pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()
            yield "  ".join("-" * w for w in widths)
            first = False
        yield _stream_line(row, widths, max_width)
    if first:
        yield "(none)"


def _stream_line(row: Sequence[Any], widths: Sequence[int], max_width: int) -> str:
    """One row of ``stream_table``: the cells ``table_cell`` makes, padded to ``widths``.

    Per row, for tables of hundreds of thousands of rows: a cell of printable ASCII that fits
    (nearly all: dates, keys, statuses) is its own text, one column per character, so it skips
    the escaping, cutting and width look-ups ``table_cell`` would find nothing to do for."""
    last = len(widths) - 1
    if all(type(v) is str for v in row):
        # Every cell printable ASCII that fits (the usual row): checked at once, padded in C.
        whole = "".join(row)
        if whole.isascii() and whole.isprintable() and max(map(len, row), default=0) <= max_width:
            return "  ".join([*map(str.ljust, row[:last], widths[:last]), *row[last:]]).rstrip()
    parts = []
    for i, v in enumerate(row):
        text = v if type(v) is str else ("" if v is None else str(v))
        if text.isascii() and text.isprintable() and len(text) <= max_width:
            width = len(text)
        else:
            text = table_cell(text, max_width)
            width = display_width(text)
        parts.append(text if i >= last else text + " " * (widths[i] - width))
    return "  ".join(parts).rstrip()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, max_width: int = 60) -> str:
    """Columns aligned by display width, user text escaped (see ``terminal_text``)."""
    if not rows:
        return "(none)"

    def cell(v: Any) -> str:
        return table_cell(v, max_width)

    body = [[cell(v) for v in r] for r in rows]
    widths = [display_width(h) for h in headers]
    for r in body:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], display_width(c))
    lines = ["  ".join(_pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, widths[i]) for i, c in enumerate(r)).rstrip() for r in body]
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
