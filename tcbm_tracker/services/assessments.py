"""Recording assessments (append-only), a cell's history, and what changed since a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.clock import start_of_day_iso, to_iso
from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services import mapping
from tcbm_tracker.services.dto import AssessmentInfo, Change, ChangeRow
from tcbm_tracker.services.evidence import PreparedEvidence, insert_evidence
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.recording_time import now_and_latest_recording
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:  # the read path of reports never loads sqlmodel (and pydantic)
    from sqlmodel import Session

MAX_BATCH = 100_000
CHANGES_CHUNK = 1_000  # changes held in memory at once while streaming them
# A stored status as a table prints it; a value not in the vocabulary fails, as ``Status`` does.
_STATUS_TEXT = {s.value: s.value for s in Status}
_NOT_ASSESSED = Status.NOT_ASSESSED.value


@dataclass(frozen=True)
class ChangeColumns:
    """The distinct values of the narrow columns of a list of changes (see ``changes_columns_since``)."""

    authors: frozenset[str]
    actors: frozenset[str]
    measures: frozenset[str]
    days: frozenset[dt.date]  # UTC days on which the changes were recorded


def _changes_source(since: dt.date | str, catalog: str | None) -> tuple[str, dict[str, object]]:
    """``FROM ... WHERE ...`` of the changes recorded since a day (in one catalogue), with its parameters."""
    day = v.parse_date("since", since)
    params: dict[str, object] = {"since": start_of_day_iso(day)}
    join = ""
    if catalog:
        join = " JOIN measure m ON m.key = a.measure_key AND m.catalog_key = :cat"
        params["cat"] = v.parse_catalog_key(catalog)
    return f"FROM assessment a{join} WHERE a.recorded_at >= :since", params


def _check_catalog(s: Session, catalog: str | None, params: dict[str, object]) -> None:
    if catalog and s.exec(text("SELECT 1 FROM catalog WHERE key = :k").bindparams(k=params["cat"])).first() is None:  # type: ignore[call-overload]
        raise NotFoundError(f"unknown catalogue {catalog!r}")  # not an empty list: a typo must show
# The status a change replaced: what was in force on its effective date, as recorded before it.
_B_IDENTITY = mapping.IDENTITY_SQL.format(t="b")
_A_IDENTITY = mapping.IDENTITY_SQL.format(t="a")
_PREVIOUS_STATUS_SQL = (
    "SELECT b.status FROM assessment b WHERE b.actor_key = a.actor_key AND b.measure_key = a.measure_key "
    "AND b.effective_date <= a.effective_date AND (b.recorded_at < a.recorded_at OR (b.recorded_at = a.recorded_at "
    f"AND {_B_IDENTITY} < {_A_IDENTITY})) "
    f"ORDER BY b.effective_date DESC, b.recorded_at DESC, {_B_IDENTITY} DESC LIMIT 1"
)


@dataclass(frozen=True)
class AssessmentInput:
    """What a user asks to record for one cell; validated by ``AssessmentService``."""

    actor: str
    measure: str
    status: Status | str
    provenance: Provenance | str = Provenance.ANALYST_JUDGMENT
    confidence: Confidence | str = Confidence.MEDIUM
    note: str | None = None
    effective: dt.date | str | None = None  # None: today
    evidence_ids: Sequence[int] = field(default_factory=tuple)
    # Where in a cited item the claim is found, by evidence id ("p. 21"); each must be cited.
    evidence_pinpoints: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Valid:
    actor: str
    measure: str
    status: Status
    provenance: Provenance
    confidence: Confidence
    note: str | None
    effective: dt.date
    evidence_ids: tuple[int, ...]
    pinpoints: Mapping[int, str] = field(default_factory=dict)


def monotonic_now(session: Session) -> str:
    """Now, but never earlier than the latest recording already stored.

    The latest recording wins among assessments with the same effective date; if the
    computer's clock stepped back (a laptop resynchronising after weeks offline), a new
    correction must still win over what was recorded before it. On a server, "now" is the
    server's clock (``storage.recording_time``).
    """
    now, latest = now_and_latest_recording(session, now=Database.now)
    if latest is None or now > latest:
        return now
    moment = dt.datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC) + dt.timedelta(microseconds=1)
    return to_iso(moment)


class AssessmentService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user

    def validate(self, item: AssessmentInput, *, today: dt.date | None = None) -> _Valid:
        """Apply every rule that needs no database (the GUI calls this as the user types)."""
        status = v.parse_enum("status", item.status, Status)
        if isinstance(item.effective, str) and not item.effective.strip():
            raise ValidationError("effective date", "is empty (leave it out for today)")
        effective = v.parse_effective_date(item.effective or (today or dt.date.today()), today=today)
        ids = []
        for raw in item.evidence_ids:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                raise ValidationError("evidence", f"{raw!r} is not an evidence number") from None
        pins: dict[int, str] = {}
        for raw_id, raw_pin in item.evidence_pinpoints.items():
            try:
                eid = int(raw_id)
            except (TypeError, ValueError):
                raise ValidationError("pinpoint", f"{raw_id!r} is not an evidence number") from None
            if eid not in ids:
                raise ValidationError("pinpoint", f"evidence {eid} has a pinpoint but is not cited")
            pin = v.clean_text("pinpoint", raw_pin, max_chars=v.MAX_SHORT_CHARS)
            if pin:
                pins[eid] = pin
        return _Valid(
            actor=str(item.actor).strip().upper(),
            measure=v.parse_measure_key(item.measure),
            status=status,
            provenance=v.parse_enum("provenance", item.provenance, Provenance),
            confidence=v.parse_enum("confidence", item.confidence, Confidence),
            note=v.clean_note(item.note),
            effective=effective,
            evidence_ids=tuple(sorted(set(ids))),
            pinpoints=pins,
        )

    def record(self, item: AssessmentInput) -> AssessmentInfo:
        return self.record_many([item])[0]

    def record_many(self, items: Sequence[AssessmentInput], *, recorded_by: str | None = None) -> list[AssessmentInfo]:
        """Record several assessments in one transaction: all are kept, or none."""
        return self.record_with_new_evidence(items, (), recorded_by=recorded_by)[0]

    def record_with_new_evidence(
        self,
        items: Sequence[AssessmentInput],
        new_evidence: Sequence[PreparedEvidence],
        *,
        recorded_by: str | None = None,
    ) -> tuple[list[AssessmentInfo], list[int]]:
        """Add new evidence items and record assessments citing them, in one transaction.

        Every item cites the new evidence as well as its own. Returns the assessments and the
        new evidence numbers. A failure anywhere leaves neither: the user is told nothing was
        changed, and nothing was.
        """
        # Table classes cost tens of ms to build: imported on the first write, not at start-up.
        from tcbm_tracker.storage.tables import AssessmentEvidenceRow, AssessmentRow

        if len(items) > MAX_BATCH:
            raise ValidationError("batch", f"{len(items):,} assessments at once; the limit is {MAX_BATCH:,}")
        valid = [self.validate(i) for i in items]
        by = v.require_text("recorded by", recorded_by or self.user or changelog.current_user(), max_chars=v.MAX_SHORT_CHARS)
        recorded: list[AssessmentInfo] = []
        with self.db.write() as s:
            self._check_references(s, valid)
            new_ids = [insert_evidence(s, prepared, by) for prepared in new_evidence]
            now = monotonic_now(s)
            for item in valid:
                row = AssessmentRow(
                    actor_key=item.actor,
                    measure_key=item.measure,
                    status=item.status.value,
                    provenance=item.provenance.value,
                    confidence=item.confidence.value,
                    note=item.note,
                    recorded_by=by,
                    effective_date=item.effective.isoformat(),
                    recorded_at=now,
                )
                s.add(row)
                s.flush()
                assert row.id is not None
                cited = sorted({*item.evidence_ids, *new_ids})
                for eid in cited:
                    s.add(AssessmentEvidenceRow(assessment_id=row.id, evidence_id=eid, pinpoint=item.pinpoints.get(eid)))
                s.flush()
                changelog.record(s, "assessment", str(row.id), "recorded", by)
                # What was written, as ``get_many`` would read it back: no second transaction (on a
                # server, five more round trips) to learn what this one just stored.
                recorded.append(AssessmentInfo(
                    row.id, item.actor, item.measure, item.status, item.provenance, item.confidence, item.note, by,
                    item.effective, now, tuple(cited),
                    {e: pin for e in cited if (pin := item.pinpoints.get(e)) is not None}))
        return recorded, new_ids

    def _check_references(self, s: Session, items: Sequence[_Valid]) -> None:
        actors = {r[0] for r in s.exec(text("SELECT key FROM actor"))}  # type: ignore[call-overload]
        measures = {r[0]: bool(r[1]) for r in s.exec(text("SELECT key, retired FROM measure"))}  # type: ignore[call-overload]
        wanted_evidence = sorted({e for i in items for e in i.evidence_ids})
        known_evidence = set(mapping.evidence_by_ids(s, wanted_evidence))
        for i in items:
            if i.actor not in actors:
                raise NotFoundError(f"unknown actor {i.actor!r}")
            if i.measure not in measures:
                raise NotFoundError(f"unknown measure {i.measure!r}")
            if measures[i.measure]:
                raise ValidationError("measure", f"{i.measure} was retired by a newer catalogue version")
            missing = [e for e in i.evidence_ids if e not in known_evidence]
            if missing:
                raise NotFoundError(f"unknown evidence {', '.join(map(str, missing))}")

    def get_many(self, ids: Sequence[int]) -> list[AssessmentInfo]:
        with self.db.read() as s:
            links, pins = mapping.evidence_links_and_pinpoints(s, ids)
            rows: dict[int, AssessmentInfo] = {}
            for part in mapping.chunks(list(ids)):
                marks = ",".join(str(int(i)) for i in part)
                for r in s.exec(text(f"SELECT {mapping.ASSESSMENT_COLUMNS} FROM assessment a WHERE a.id IN ({marks})")):  # type: ignore[call-overload]
                    rows[r[0]] = mapping.assessment_from_row(r, links.get(r[0], ()), pins.get(r[0]))
        return [rows[i] for i in ids]

    def history(self, actor: str, measure: str) -> list[AssessmentInfo]:
        """Every assessment of a cell, newest first (by effective date, then by recording).

        One query: the evidence numbers come with each row (group_concat), so the cost is an
        index range scan plus a constant per returned row.
        """
        a, m = str(actor).strip().upper(), v.parse_measure_key(measure)
        with self.db.read() as s:
            conn = s.connection()
            known = conn.execute(
                text("SELECT (SELECT 1 FROM actor WHERE key = :a), (SELECT 1 FROM measure WHERE key = :m)"), {"a": a, "m": m}
            ).one()
            if known[0] is None:
                raise NotFoundError(f"unknown actor {actor!r}")
            if known[1] is None:
                raise NotFoundError(f"unknown measure {measure!r}")
            rows = conn.execute(
                text(
                    f"SELECT {mapping.ASSESSMENT_COLUMNS}, (SELECT group_concat(evidence_id) FROM "
                    "(SELECT evidence_id FROM assessment_evidence WHERE assessment_id = a.id ORDER BY evidence_id) AS ev) "
                    "FROM assessment a WHERE a.actor_key = :a AND a.measure_key = :m "
                    f"ORDER BY a.effective_date DESC, a.recorded_at DESC, {_A_IDENTITY} DESC"
                ),
                {"a": a, "m": m},
            ).all()
            pins = mapping.link_pinpoints(s, [r[0] for r in rows])
        return [mapping.assessment_from_row(r, tuple(map(int, r[10].split(","))) if r[10] else (), pins.get(r[0]))
                for r in rows]

    def changes_since(self, since: dt.date | str, *, catalog: str | None = None) -> list[Change]:
        """Assessments recorded on or after a date, oldest first, each with the status it replaced."""
        return list(self.iter_changes_since(since, catalog=catalog))

    def changes_columns_since(self, since: dt.date | str, *, catalog: str | None = None) -> ChangeColumns:
        """The distinct authors, actors, measures and UTC days among ``changes_since`` (one
        statement): what a terminal table needs to size its columns before streaming the rows."""
        source, params = _changes_source(since, catalog)
        sql = (f"SELECT 'by', a.recorded_by {source} UNION SELECT 'actor', a.actor_key {source} "
               f"UNION SELECT 'measure', a.measure_key {source} UNION SELECT 'day', substr(a.recorded_at, 1, 10) {source}")
        found: dict[str, set[str]] = {"by": set(), "actor": set(), "measure": set(), "day": set()}
        with self.db.read() as s:
            _check_catalog(s, catalog, params)
            for what, value in s.exec(text(sql).bindparams(**params)):  # type: ignore[call-overload]
                found[what].add(value)
        days = frozenset(dt.date.fromisoformat(d) for d in found["day"])
        return ChangeColumns(frozenset(found["by"]), frozenset(found["actor"]), frozenset(found["measure"]), days)

    def iter_changes_since(self, since: dt.date | str, *, catalog: str | None = None) -> Iterator[Change]:
        """``changes_since`` streamed: memory bounded by ``CHANGES_CHUNK`` changes, whatever their number.

        One statement reads the changes with the status each replaced: the cell's assessment in
        force on the change's effective date among those recorded before it, found by a
        correlated lookup that SQLite runs as one index seek (``ix_assessment_cell``) per row,
        inside the statement. Each chunk of rows then costs two queries for its evidence. (A
        LAG over the recording order would be wrong here: a back-dated correction replaces what
        was in force on its own date, not the cell's latest row.)
        """
        source, params = _changes_source(since, catalog)
        sql = f"SELECT {mapping.ASSESSMENT_COLUMNS}, ({_PREVIOUS_STATUS_SQL}) {source} ORDER BY a.recorded_at, {_A_IDENTITY}"
        with self.db.read() as s:
            _check_catalog(s, catalog, params)
            result = s.exec(text(sql).bindparams(**params))  # type: ignore[call-overload]
            for rows in result.partitions(CHANGES_CHUNK):
                links, pins = mapping.evidence_links_and_pinpoints(s, [r[0] for r in rows])
                evidence = mapping.evidence_by_ids(s, [e for ids in links.values() for e in ids])
                for r in rows:
                    info = mapping.assessment_from_row(r, links.get(r[0], ()), pins.get(r[0]))
                    previous = mapping.STATUS_BY_VALUE[r[10]] if r[10] is not None else Status.NOT_ASSESSED
                    yield Change(info, previous, tuple(evidence[e] for e in info.evidence_ids))

    def iter_change_rows_since(self, since: dt.date | str, *, catalog: str | None = None) -> Iterator[ChangeRow]:
        """``iter_changes_since`` as the plain text of a table's rows (``ChangeRow``), in the same
        order: the same statement without the columns a table does not print, no object per
        change, and each chunk's evidence labels in one query."""
        source, params = _changes_source(since, catalog)
        sql = (f"SELECT a.id, a.recorded_at, a.recorded_by, a.actor_key, a.measure_key, ({_PREVIOUS_STATUS_SQL}), "
               f"a.status, a.effective_date {source} ORDER BY a.recorded_at, {_A_IDENTITY}")
        status = _STATUS_TEXT
        effective: dict[str, str] = {}  # few distinct dates: each checked and written once
        with self.db.read() as s:
            _check_catalog(s, catalog, params)
            result = s.exec(text(sql).bindparams(**params))  # type: ignore[call-overload]
            for rows in result.partitions(CHANGES_CHUNK):
                labels = mapping.evidence_labels(s, [r[0] for r in rows])
                for aid, at, by, actor, measure, before, now, day in rows:
                    if (day_text := effective.get(day)) is None:
                        day_text = effective[day] = dt.date.fromisoformat(day).isoformat()
                    yield (at, by, actor, measure, _NOT_ASSESSED if before is None else status[before], status[now],
                           day_text, labels.get(aid, ""))
