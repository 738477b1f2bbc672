"""The exchange layout: which columns a file holds, and how values are written.

Values are raw (actor and measure keys, ISO dates, status codes, UTC instants) so that an export
re-imports to the identical record. An assessment cites evidence by its *evidence key*: a hash
of the evidence item's own content (title, symbol, date, who recorded it and when...), the same
in every database that holds the item, so that evidence and assessment files can be imported
separately, in either database, any number of times.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "actor",
    "measure",
    "effective_date",
    "status",
    "provenance",
    "confidence",
    "note",
    "recorded_by",
    "recorded_at",
    "evidence",
    "evidence_pinpoints",
)
ASSESSMENT_REQUIRED = frozenset({"actor", "measure", "effective_date", "status"})
# Written for readers of the file; their content follows from other columns and is not imported.
ASSESSMENT_INFORMATIVE = frozenset({"evidence_pinpoints"})

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "evidence_key",
    "symbol",
    "title",
    "date",
    "language",
    "type",
    "url",
    "pinpoint",
    "recorded_by",
    "created_at",
    "file_name",
    "file_sha256",
    "file_size",
)
EVIDENCE_REQUIRED = frozenset({"title", "type"})
EVIDENCE_INFORMATIVE = frozenset({"file_name", "file_sha256", "file_size"})

ASSESSMENT_SHEET = "assessments"
EVIDENCE_SHEET = "evidence"
ABOUT_SHEET = "about"
LIST_SEPARATOR = ";"

# OWASP: a cell starting with one of these may be read as a formula by a spreadsheet program.
# Text that already starts with quotes before such a character gets one more, so that
# ``unneutralise`` (which removes exactly one) gives back every text exactly.
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """Prefix a single quote to text a spreadsheet program would run as a formula (CSV)."""
    return "'" + value if _NEEDS_QUOTE.match(value) else value


def unneutralise(value: str) -> str:
    """Undo ``neutralise`` on import, so that a note starting with '=' survives a round trip."""
    return value[1:] if _QUOTED.match(value) else value


def evidence_key(
    title: str,
    symbol: str | None,
    date: str | None,
    language: str | None,
    evidence_type: str,
    url: str | None,
    pinpoint: str | None,
    recorded_by: str,
    created_at: str,
) -> str:
    """A stable identity of an evidence item across databases (16 hex digits)."""
    material = json.dumps(
        [title, symbol, date, language, evidence_type, url, pinpoint, recorded_by, created_at],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def join_list(items: Sequence[str]) -> str:
    return LIST_SEPARATOR.join(items)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def kind_of_header(header: Sequence[str]) -> str | None:
    """``assessments`` or ``evidence`` from a header row; None if it is neither."""
    names = {h.strip().lower() for h in header}
    if ASSESSMENT_REQUIRED & names and {"actor", "measure"} & names:
        return ASSESSMENT_SHEET
    if "title" in names or "evidence_key" in names:
        return EVIDENCE_SHEET
    return None
