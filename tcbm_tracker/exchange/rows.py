"""Checking one spreadsheet row against the rules: a parsed row, or the column and the reason.

Pure functions of the cell values and of what the database already knows (actor and measure
keys, evidence keys), passed in; the importer does the database work.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple, TypeVar

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.domain.vocabulary import Confidence, EvidenceType, Provenance, Status
from tcbm_tracker.exchange.layout import evidence_key, split_list
from tcbm_tracker.exchange.sources import Cell, Formula

T = TypeVar("T")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
_KEY = re.compile(r"^[0-9a-f]{16}$")


class RowError(Exception):
    """One cell breaks a rule: ``column`` names it, ``reason`` says why."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


class RowErrors(Exception):
    """Every cell of one row that breaks a rule."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class _Collect:
    """Runs each cell's check, keeping every failure instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def __call__(self, fn: Callable[[], T], fallback: T) -> T:
        try:
            return fn()
        except RowError as exc:
            self.errors.append(exc)
            return fallback

    def done(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


class AssessmentRow(NamedTuple):
    """One checked assessment row (a NamedTuple: built for every imported row, several times
    faster than a frozen dataclass, and as immutable)."""

    actor: str
    measure: str
    effective_date: str
    status: str
    provenance: str
    confidence: str
    note: str | None
    recorded_by: str | None  # None: the importer
    recorded_at: str | None  # None: the moment of the import
    evidence: tuple[str, ...]  # evidence keys or local numbers, as written


@dataclass(frozen=True)
class EvidenceRow:
    key_in_file: str | None
    content_key: str
    symbol: str | None
    title: str
    date: str | None
    language: str | None
    evidence_type: str
    url: str | None
    pinpoint: str | None
    recorded_by: str
    created_at: str


def text_of(column: str, value: Cell) -> str:
    """A cell as text: formulas refused, spreadsheet dates as ISO, numbers without '.0'."""
    if isinstance(value, Formula):
        raise RowError(column, f"holds a formula ({value.text[:40]}); formulas are not computed: type the value itself")
    if value is None:
        return ""
    if isinstance(value, bool):
        raise RowError(column, f"holds a true/false cell ({value}), not text")
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise RowError(column, f"holds a date and time ({value.isoformat()}); expected a date")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise RowError(column, f"holds a {type(value).__name__} cell, not text")


def _rule(column: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        raise RowError(column, exc.reason) from None


def _instant(column: str, text: str, now: str) -> str | None:
    if not text:
        return None
    if not _INSTANT.match(text):
        raise RowError(column, f"{text[:40]!r} is not a UTC instant like 2026-01-31T12:00:00.000000Z")
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        raise RowError(column, f"{text!r} is not a real date and time") from None
    if text > now:
        raise RowError(column, f"{text} is in the future")
    return text


def _actor(cells: Mapping[str, Cell], actors: set[str]) -> str:
    actor = text_of("actor", cells.get("actor")).strip().upper()
    if not actor:
        raise RowError("actor", "is empty")
    if actor not in actors:
        raise RowError("actor", f"unknown actor {actor[:20]!r}")
    return actor


def _measure(cells: Mapping[str, Cell], measures: Mapping[str, bool]) -> str:
    measure = text_of("measure", cells.get("measure")).strip().upper()
    if not measure:
        raise RowError("measure", "is empty")
    if measure not in measures:
        raise RowError("measure", f"unknown measure {measure[:30]!r}")
    if measures[measure]:
        raise RowError("measure", f"{measure} was retired by a newer catalogue version")
    return measure


def _effective(cells: Mapping[str, Cell], today: dt.date) -> str:
    raw = cells.get("effective_date")
    if not (isinstance(raw, (Formula, dt.date, str)) or raw is None):
        raise RowError("effective_date", f"{raw!r} is not a date in the form YYYY-MM-DD")
    day: dt.date = _rule("effective_date", v.parse_effective_date, text_of("effective_date", raw).strip(), today=today)
    return day.isoformat()


def _evidence_refs(cells: Mapping[str, Cell]) -> tuple[str, ...]:
    refs = tuple(split_list(text_of("evidence", cells.get("evidence"))))
    for ref in refs:
        if not (_KEY.match(ref) or ref.isdigit()):
            raise RowError("evidence", f"{ref[:30]!r} is neither an evidence key (16 hex digits) nor an evidence number")
    return refs


def parse_assessment(
    cells: Mapping[str, Cell], actors: set[str], measures: Mapping[str, bool], now: str, today: dt.date
) -> AssessmentRow:
    """One assessment row, or ``RowErrors`` naming every cell that breaks a rule."""
    check = _Collect()
    actor = check(lambda: _actor(cells, actors), "")
    measure = check(lambda: _measure(cells, measures), "")
    effective = check(lambda: _effective(cells, today), "")
    status = check(lambda: _rule("status", v.parse_enum, "status", text_of("status", cells.get("status")), Status).value, "")
    prov = check(lambda: _rule("provenance", v.parse_enum, "provenance",
                               text_of("provenance", cells.get("provenance")).strip() or Provenance.ANALYST_JUDGMENT.value,
                               Provenance).value, "")
    conf = check(lambda: _rule("confidence", v.parse_enum, "confidence",
                               text_of("confidence", cells.get("confidence")).strip() or Confidence.MEDIUM.value,
                               Confidence).value, "")
    note = check(lambda: _rule("note", v.clean_note, text_of("note", cells.get("note"))), None)
    by = check(lambda: _rule("recorded_by", v.clean_text, "recorded by", text_of("recorded_by", cells.get("recorded_by")),
                             max_chars=v.MAX_SHORT_CHARS), None)
    recorded_at = check(lambda: _instant("recorded_at", text_of("recorded_at", cells.get("recorded_at")).strip(), now), None)
    no_refs: tuple[str, ...] = ()
    evidence = check(lambda: _evidence_refs(cells), no_refs)
    check.done()
    return AssessmentRow(actor, measure, effective, status, prov, conf, note, by, recorded_at, evidence)


_CACHE_LIMIT = 100_000
_CODE_COLUMNS = ("actor", "measure", "status", "provenance", "confidence", "recorded_by")


def _ambiguous(raw: Cell) -> bool:
    """1, 1.0 and True (0, 0.0, False) are one dict key, but a true/false cell is refused where 1
    is taken as text: such values are never remembered, so each is checked as itself."""
    return not isinstance(raw, str) and raw in (0, 1)


def _remember(cache: dict[Cell, T], raw: Cell, value: T) -> None:
    if _ambiguous(raw):
        return
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    try:
        cache[raw] = value
    except TypeError:  # an unhashable cell: never remembered
        pass


class AssessmentParser:
    """``parse_assessment`` for many rows: values that repeat (keys, dates, codes, authors) are
    checked once and remembered; a row with any error is parsed again the slow way, which names
    every bad cell."""

    def __init__(self, actors: set[str], measures: Mapping[str, bool], now: str, today: dt.date) -> None:
        self.actors, self.measures, self.now, self.today = actors, measures, now, today
        self.cache: dict[tuple[str, object], object] = {}
        # Raw cell -> checked value, per column: a value found in a row that passed all its checks.
        self.by_column: dict[str, dict[Cell, str | None]] = {c: {} for c in _CODE_COLUMNS}
        self.checks: dict[str, Callable[[Mapping[str, Cell]], object]] = {
            "actor": lambda c: _actor(c, actors),
            "measure": lambda c: _measure(c, measures),
            "effective_date": lambda c: _effective(c, today),
            "status": lambda c: _rule("status", v.parse_enum, "status", text_of("status", c.get("status")), Status).value,
            "provenance": lambda c: _rule("provenance", v.parse_enum, "provenance",
                                          text_of("provenance", c.get("provenance")).strip() or Provenance.ANALYST_JUDGMENT.value,
                                          Provenance).value,
            "confidence": lambda c: _rule("confidence", v.parse_enum, "confidence",
                                          text_of("confidence", c.get("confidence")).strip() or Confidence.MEDIUM.value,
                                          Confidence).value,
            "recorded_by": lambda c: _rule("recorded_by", v.clean_text, "recorded by",
                                           text_of("recorded_by", c.get("recorded_by")), max_chars=v.MAX_SHORT_CHARS),
        }

    def _cached(self, column: str, cells: Mapping[str, Cell]) -> object:
        raw = cells.get(column)
        if _ambiguous(raw):
            return self.checks[column](cells)
        key = (column, raw)
        try:
            return self.cache[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell: never cached
            return self.checks[column](cells)
        value = self.checks[column](cells)
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[key] = value
        return value

    def parse(self, cells: Mapping[str, Cell]) -> AssessmentRow:
        try:
            return self._fast(cells)
        except RowError:
            return parse_assessment(cells, self.actors, self.measures, self.now, self.today)  # raises RowErrors

    def parse_values(self, header: Sequence[str], values: Sequence[Cell]) -> AssessmentRow:
        """``parse`` for a row as read (see ``for_header``, which a loop over a table uses)."""
        return self.for_header(header)(values)

    def for_header(self, header: Sequence[str]) -> Callable[[Sequence[Cell]], AssessmentRow]:
        """A parser of the rows of one table: the same result as ``parse`` of the row's cells by
        column name, with the columns' positions found once. The codes of a row (keys, status,
        provenance, confidence, author) and its date are looked up among the values already found
        in rows that passed; anything else (a new value, an error) goes through ``parse``."""
        header = list(header)
        width = len(header)
        position = {name: i for i, name in enumerate(header)}  # a repeated name: the last, as dict(zip())
        wanted = (*_CODE_COLUMNS, "effective_date", "note", "recorded_at", "evidence")
        # A column the table lacks reads the None appended after the row's cells.
        pick = itemgetter(*(position.get(c, width) for c in wanted))
        complete = all(c in position for c in wanted)
        actors, measures, statuses, provenances, confidences, authors = (self.by_column[c] for c in _CODE_COLUMNS)
        dates: dict[Cell, str] = {}
        note_of, now, today, slow = self._note, self.now, self.today, self._slow
        new_row = tuple.__new__

        def parse_row(values: Sequence[Cell]) -> AssessmentRow:
            if len(values) != width:
                cells = dict(zip(header, values, strict=False))
                raw = tuple(cells.get(c) for c in wanted)
            else:
                raw = pick(values) if complete else pick([*values, None])
            try:
                actor, measure, status = actors[raw[0]], measures[raw[1]], statuses[raw[2]]
                provenance, confidence, by = provenances[raw[3]], confidences[raw[4]], authors[raw[5]]
            except (KeyError, TypeError):  # a value not seen yet in a row that passed, or unhashable
                return slow(header, values, dates)
            try:
                try:
                    effective = dates[raw[6]]
                except (KeyError, TypeError):
                    effective = _effective({"effective_date": raw[6]}, today)
                    _remember(dates, raw[6], effective)
                note = raw[7]
                if note == "":
                    note = None
                elif not (type(note) is str and note.isascii() and note.isprintable() and note.strip() == note
                          and len(note) <= v.MAX_NOTE_CHARS) and note is not None:
                    note = note_of(note)  # anything but plain printable ASCII: the full check
                raw_at = raw[8]
                if raw_at is None or raw_at == "":
                    recorded_at = None
                else:
                    recorded_at = _instant("recorded_at", (raw_at if type(raw_at) is str
                                                           else text_of("recorded_at", raw_at)).strip(), now)
                raw_ev = raw[9]
                evidence: tuple[str, ...] = () if raw_ev is None or raw_ev == "" else _evidence_refs({"evidence": raw_ev})
            except RowError:
                return slow(header, values, dates)
            # tuple.__new__ directly: a NamedTuple's own __new__ is a Python function (per row).
            return new_row(AssessmentRow, (actor, measure, effective, status, provenance, confidence, note, by,
                                           recorded_at, evidence))

        return parse_row

    def _slow(self, header: Sequence[str], values: Sequence[Cell], dates: dict[Cell, str]) -> AssessmentRow:
        """``parse`` (which names every bad cell), remembering the values of a row that passed."""
        cells = dict(zip(header, values, strict=False))
        row = self.parse(cells)
        for column, value in zip(_CODE_COLUMNS, (row.actor, row.measure, row.status, row.provenance, row.confidence,
                                                   row.recorded_by), strict=True):
            _remember(self.by_column[column], cells.get(column), value)
        _remember(dates, cells.get("effective_date"), row.effective_date)
        return row

    @staticmethod
    def _note(raw_note: Cell) -> str | None:
        if raw_note is None or raw_note == "":
            return None
        if (isinstance(raw_note, str) and raw_note.isascii() and raw_note.isprintable() and raw_note.strip() == raw_note
                and len(raw_note) <= v.MAX_NOTE_CHARS):
            return raw_note  # already what clean_note would return
        note: str | None = _rule("note", v.clean_note, text_of("note", raw_note))
        return note

    def _fast(self, cells: Mapping[str, Cell]) -> AssessmentRow:
        c = self._cached
        note = self._note(cells.get("note"))
        raw_at = cells.get("recorded_at")
        recorded_at = None if raw_at is None or raw_at == "" else _instant("recorded_at", text_of("recorded_at", raw_at).strip(), self.now)
        raw_ev = cells.get("evidence")
        evidence: tuple[str, ...] = () if raw_ev is None or raw_ev == "" else _evidence_refs(cells)
        return AssessmentRow(
            str(c("actor", cells)), str(c("measure", cells)), str(c("effective_date", cells)), str(c("status", cells)),
            str(c("provenance", cells)), str(c("confidence", cells)), note,
            c("recorded_by", cells),  # type: ignore[arg-type]
            recorded_at, evidence,
        )


def parse_evidence(cells: Mapping[str, Cell], importer: str, now: str, today: dt.date) -> EvidenceRow:
    title = _rule("title", v.require_text, "title", text_of("title", cells.get("title")), max_chars=v.MAX_TITLE_CHARS)
    symbol = _rule("symbol", v.parse_document_symbol, text_of("symbol", cells.get("symbol")) or None)
    date_text = text_of("date", cells.get("date")).strip()
    date = _rule("date", v.parse_date, "date", date_text, today=today).isoformat() if date_text else None
    language = _rule("language", v.parse_language, text_of("language", cells.get("language")) or None)
    etype = _rule("type", v.parse_enum, "type", text_of("type", cells.get("type")) or EvidenceType.OTHER.value, EvidenceType).value
    url = _rule("url", v.parse_url, text_of("url", cells.get("url")) or None)
    pinpoint = _rule("pinpoint", v.clean_text, "pinpoint", text_of("pinpoint", cells.get("pinpoint")), max_chars=v.MAX_SHORT_CHARS)
    by = _rule("recorded_by", v.clean_text, "recorded by", text_of("recorded_by", cells.get("recorded_by")),
               max_chars=v.MAX_SHORT_CHARS) or importer
    created = _instant("created_at", text_of("created_at", cells.get("created_at")).strip(), now) or now
    content = evidence_key(title, symbol, date, language, etype, url, pinpoint, by, created)
    given = text_of("evidence_key", cells.get("evidence_key")).strip().lower() or None
    if given is not None and given != content:
        raise RowError("evidence_key", f"{given[:20]!r} does not match the row's content (edited after export?); "
                                       "leave it empty for new evidence")
    return EvidenceRow(given, content, symbol, title, date, language, etype, url, pinpoint, by, created)


def cells_by_column(header: Sequence[str], values: Sequence[Cell]) -> tuple[dict[str, Cell], list[int]]:
    """Map values to lower-cased column names; returns also positions of values beyond the header."""
    mapped = {header[i]: values[i] for i in range(min(len(header), len(values))) if header[i]}
    extra = [i for i in range(len(header), len(values)) if values[i] not in (None, "")]
    return mapped, extra
