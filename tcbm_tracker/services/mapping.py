"""Turning stored rows into DTOs, and the SQL shared by several services."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tcbm_tracker.domain.vocabulary import ActorKind, Confidence, Provenance, Status
from tcbm_tracker.services.dto import (
    ActorInfo,
    AssessmentInfo,
    EvidenceInfo,
    MeasureInfo,
    evidence_label,
)
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:  # the read path of reports never loads sqlmodel (and pydantic)
    from sqlmodel import Session

MEASURE_SQL = (
    "SELECT m.key, m.catalog_key, m.group_key, g.title, m.heading, m.title, m.description, m.source_document, "
    "m.pinpoint, m.pinpoint_confirmed, m.pinpoint_note, m.agreed, m.sort_order, m.retired "
    "FROM measure m JOIN measure_group g ON g.catalog_key = m.catalog_key AND g.key = m.group_key "
    "JOIN catalog c ON c.key = m.catalog_key"
)
MEASURE_ORDER = " ORDER BY c.key, g.sort_order, m.sort_order"

ASSESSMENT_COLUMNS = (
    "a.id, a.actor_key, a.measure_key, a.status, a.provenance, a.confidence, a.note, a.recorded_by, "
    "a.effective_date, a.recorded_at"
)

EVIDENCE_COLUMNS = (
    "e.id, e.symbol, e.title, e.date, e.language, e.evidence_type, e.url, e.pinpoint, e.file_name, "
    "e.file_sha256, e.file_size, e.recorded_by, e.created_at"
)

# An assessment's global identity (schema 0005): a row merged from another copy keeps the one it
# came with; a row recorded here is "<database id>/<id, 12 digits>", which orders like its id.
# The last tie-break of "which assessment is in force" is this identity, never the local id, so
# that copies holding the same rows pick the same one whatever order they were merged in.
IDENTITY_SQL = (
    "coalesce({t}.uid, coalesce((SELECT value FROM tracker_meta WHERE key = 'database_id'), '') "
    "|| '/' || substr('000000000000' || CAST({t}.id AS TEXT), length(CAST({t}.id AS TEXT)) + 1))"
)

# The assessment in force for one cell on a date, as known at an instant. The ORDER BY's first
# keys match the cell index, so this is one index seek whatever the size of the history (the
# identity is only compared between rows of the same date and instant).
# A row merged from another copy was known here from its import on, not from when it was recorded
# there. ix_assessment_cell_merge (schema 0005) holds every column read here: no table look-up.
LATEST_FROM_SQL = (
    "FROM assessment b WHERE b.actor_key = {actor} AND b.measure_key = {measure} "
    "AND b.effective_date <= :as_of AND b.recorded_at <= :known_at AND (b.package_import_id IS NULL OR "
    "(SELECT p.imported_at FROM package_import p WHERE p.id = b.package_import_id) <= :known_at) "
    "ORDER BY b.effective_date DESC, b.recorded_at DESC, " + IDENTITY_SQL.format(t="b") + " DESC LIMIT 1"
)
LATEST_ID_SQL = "SELECT b.id " + LATEST_FROM_SQL

FAR_FUTURE = "9999-12-31T23:59:59.999999Z"

# Stored value -> enum member. ``Status(value)`` goes through ``EnumMeta.__call__`` (about a
# microsecond a call), which was the largest cost of building a full matrix's cells.
STATUS_BY_VALUE: dict[str, Status] = {s.value: s for s in Status}
PROVENANCE_BY_VALUE: dict[str, Provenance] = {p.value: p for p in Provenance}
CONFIDENCE_BY_VALUE: dict[str, Confidence] = {c.value: c for c in Confidence}


def measure_from_row(r: Sequence[Any]) -> MeasureInfo:
    return MeasureInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]), r[10], r[11], r[12], bool(r[13]))


def assessment_from_row(r: Sequence[Any], evidence_ids: tuple[int, ...] = (),
                        pinpoints: dict[int, str] | None = None) -> AssessmentInfo:
    return AssessmentInfo(
        id=r[0],
        actor_key=r[1],
        measure_key=r[2],
        status=STATUS_BY_VALUE[r[3]],
        provenance=PROVENANCE_BY_VALUE[r[4]],
        confidence=CONFIDENCE_BY_VALUE[r[5]],
        note=r[6],
        recorded_by=r[7],
        effective_date=dt.date.fromisoformat(r[8]),
        recorded_at=r[9],
        evidence_ids=evidence_ids,
        evidence_pinpoints=pinpoints or {},
    )


def evidence_from_row(r: Sequence[Any]) -> EvidenceInfo:
    return EvidenceInfo(*r)


# The assessments of a FROM clause (aliased ``a``) with their evidence links and items, in one
# statement: on a server every statement is a round trip. An assessment citing nothing comes once
# with NULLs; one citing several comes once per link, in evidence id order.
WITH_EVIDENCE_COLUMNS = f"{ASSESSMENT_COLUMNS}, l.evidence_id, l.pinpoint, {EVIDENCE_COLUMNS}"
# Where a row's evidence item ends: a statement may add columns of its own after these.
_EVIDENCE_END = 12 + EVIDENCE_COLUMNS.count(",") + 1
WITH_EVIDENCE_JOIN = (" LEFT JOIN assessment_evidence l ON l.assessment_id = a.id LEFT JOIN evidence e ON e.id = l.evidence_id"
                      " ORDER BY a.id, l.evidence_id")


def assessments_with_evidence(rows: Iterable[Sequence[Any]]) -> tuple[dict[int, AssessmentInfo], dict[int, EvidenceInfo]]:
    """The assessments of rows read with ``WITH_EVIDENCE_COLUMNS`` and ``WITH_EVIDENCE_JOIN``
    (by id), and the evidence items they cite (by id)."""
    first: dict[int, Sequence[Any]] = {}
    links: dict[int, list[int]] = {}
    pins: dict[int, dict[int, str]] = {}
    evidence: dict[int, EvidenceInfo] = {}
    for r in rows:
        aid, eid = r[0], r[10]
        first.setdefault(aid, r)
        if eid is None:
            continue
        if r[12] is None:
            raise KeyError(eid)  # a link to a missing item fails as ``evidence_by_ids``'s look-up does
        links.setdefault(aid, []).append(eid)
        if r[11] is not None:
            pins.setdefault(aid, {})[eid] = r[11]
        if eid not in evidence:
            evidence[eid] = evidence_from_row(r[12:_EVIDENCE_END])
    infos = {aid: assessment_from_row(r, tuple(links.get(aid, ())), pins.get(aid)) for aid, r in first.items()}
    return infos, evidence


def chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def evidence_links(session: Session, assessment_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
    links: dict[int, list[int]] = {}
    for part in chunks(list(assessment_ids)):
        marks = ",".join(str(int(i)) for i in part)
        for aid, eid in session.exec(
            text(  # type: ignore[call-overload]
                f"SELECT assessment_id, evidence_id FROM assessment_evidence WHERE assessment_id IN ({marks}) "
                "ORDER BY assessment_id, evidence_id"
            )
        ):
            links.setdefault(aid, []).append(eid)
    return {k: tuple(v) for k, v in links.items()}


def evidence_links_and_pinpoints(
    session: Session, assessment_ids: Sequence[int]
) -> tuple[dict[int, tuple[int, ...]], dict[int, dict[int, str]]]:
    """``evidence_links`` and ``link_pinpoints`` in one query per chunk."""
    links: dict[int, list[int]] = {}
    pins: dict[int, dict[int, str]] = {}
    for part in chunks(list(assessment_ids)):
        marks = ",".join(str(int(i)) for i in part)
        for aid, eid, pin in session.exec(text(  # type: ignore[call-overload]
                f"SELECT assessment_id, evidence_id, pinpoint FROM assessment_evidence WHERE assessment_id IN ({marks}) "
                "ORDER BY assessment_id, evidence_id")):
            links.setdefault(aid, []).append(eid)
            if pin is not None:
                pins.setdefault(aid, {})[eid] = pin
    return {k: tuple(v) for k, v in links.items()}, pins


def evidence_labels(session: Session, assessment_ids: Sequence[int]) -> dict[int, str]:
    """Each assessment's evidence labels joined by ", ", in evidence id order (only those citing any)."""
    labels: dict[int, list[str]] = {}
    for part in chunks(list(assessment_ids)):
        marks = ",".join(str(int(i)) for i in part)
        for aid, eid, symbol, title in session.exec(text(  # type: ignore[call-overload]
                "SELECT l.assessment_id, l.evidence_id, e.symbol, e.title FROM assessment_evidence l "
                f"LEFT JOIN evidence e ON e.id = l.evidence_id WHERE l.assessment_id IN ({marks}) "
                "ORDER BY l.assessment_id, l.evidence_id")).all():  # fetched at once: no call per row
            if title is None:
                raise KeyError(eid)  # a link to a missing item fails as ``evidence_by_ids``'s look-up does
            labels.setdefault(aid, []).append(evidence_label(symbol, title))
    return {k: ", ".join(v) for k, v in labels.items()}


def link_pinpoints(session: Session, assessment_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """Citation pinpoints by assessment, then evidence id (only links that have one)."""
    out: dict[int, dict[int, str]] = {}
    for part in chunks(list(assessment_ids)):
        marks = ",".join(str(int(i)) for i in part)
        for aid, eid, pin in session.exec(text(  # type: ignore[call-overload]
                f"SELECT assessment_id, evidence_id, pinpoint FROM assessment_evidence WHERE assessment_id IN ({marks}) "
                "AND pinpoint IS NOT NULL")):
            out.setdefault(aid, {})[eid] = pin
    return out


def evidence_by_ids(session: Session, ids: Iterable[int]) -> dict[int, EvidenceInfo]:
    wanted = sorted(set(ids))
    out: dict[int, EvidenceInfo] = {}
    for part in chunks(wanted):
        marks = ",".join(str(int(i)) for i in part)
        for r in session.exec(text(f"SELECT {EVIDENCE_COLUMNS} FROM evidence e WHERE e.id IN ({marks})")):  # type: ignore[call-overload]
            out[r[0]] = evidence_from_row(r)
    return out


def actors(session: Session, as_of: dt.date, keys: Sequence[str] | None = None) -> list[ActorInfo]:
    """The actors (all, or those of ``keys``) with their attribute values in force on ``as_of``.

    The value of an attribute on a date is the latest one recorded as of that date; before the
    earliest record, the earliest known value is taken to have held (the shipped list records
    memberships as of its publication date, and they predate it).
    """
    day = as_of.isoformat()
    # One statement, the attributes joined to their actor: on a server each statement is a round
    # trip, and a dossier needs one actor's rows only (every row read travels over the connection).
    where, params = _key_filter("x.key", keys)
    rows = session.exec(text(  # type: ignore[call-overload]
        "SELECT x.key, x.name, x.kind, x.note, t.name, t.value, t.as_of FROM actor x "
        f"LEFT JOIN actor_attribute t ON t.actor_key = x.key{where} ORDER BY x.key, t.name, t.as_of"
    ).bindparams(**params))
    found: dict[str, tuple[str, str, str | None]] = {}
    values: dict[str, dict[str, str | None]] = {}
    chosen: dict[tuple[str, str], str] = {}
    for key, name, kind, note, attribute, value, when in rows:
        if key not in found:
            found[key] = (name, kind, note)
            values[key] = {}
        if attribute is None:
            continue  # an actor without attributes: its one row, joined to nothing
        slot = (key, attribute)
        if slot not in chosen or when <= day:
            chosen[slot] = when
            values[key][attribute] = value
    return sorted(
        (ActorInfo(key, name, ActorKind(kind), note, {n: v for n, v in values[key].items() if v is not None})
         for key, (name, kind, note) in found.items()),
        key=lambda a: sort_key(a.name),
    )


def _key_filter(column: str, keys: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    """`` WHERE column IN (...)`` and its parameters for ``keys``; nothing for all keys (None)."""
    if keys is None:
        return "", {}
    if not keys:
        return " WHERE 1 = 0", {}
    return f" WHERE {column} IN (" + ",".join(f":k{i}" for i in range(len(keys))) + ")", {f"k{i}": k for i, k in enumerate(keys)}


def sort_key(name: str) -> str:
    """Alphabetical order as people expect it: "Côte d'Ivoire" among the Cs, case ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass(frozen=True)
class Scope:
    """Which measures and actors a picture of the past contains.

    ``in_force_until``: the instant the picture stands at (None: today, the current
    catalogue). A measure retired by a catalogue upgrade after that instant still belongs to
    it, so a past meeting's coverage is rebuilt with the measures it had. ``known_at``: when
    set, measures and actors first recorded after it are left out, as they were not yet known.
    """

    in_force_until: str | None
    known_at: str | None


def _first_logged(session: Session, entity: str) -> dict[str, str]:
    rows = session.exec(text(  # type: ignore[call-overload]
        "SELECT entity_key, min(at) FROM change_log WHERE entity = :e AND action = 'added' GROUP BY entity_key"
    ).bindparams(e=entity))
    return {key: at for key, at in rows}


def measures_in_scope(session: Session, measures: list[MeasureInfo], scope: Scope) -> list[MeasureInfo]:
    if scope.in_force_until is None:
        return measures
    retired_at = {
        key: at
        for key, at in session.exec(text(  # type: ignore[call-overload]
            "SELECT entity_key, max(at) FROM change_log WHERE entity = 'measure' AND action = 'retired' GROUP BY entity_key"))
    }
    added_at = _first_logged(session, "measure") if scope.known_at else {}
    kept = []
    for m in measures:
        if m.retired and retired_at.get(m.key, "") <= scope.in_force_until:
            continue  # retired before the date: not part of that picture
        if scope.known_at and added_at.get(m.key, "") > scope.known_at:
            continue  # loaded after the cut-off
        kept.append(m)
    return kept


def in_scope(session: Session, actors: list[ActorInfo], scope: Scope) -> list[ActorInfo]:
    """Actors as of a cut-off: those added to the database later were not yet known."""
    if scope.known_at is None:
        return actors
    added_at = _first_logged(session, "actor")
    return [a for a in actors if added_at.get(a.key, "") <= scope.known_at]


@dataclass(frozen=True)
class Adoption:
    """When catalogues and their measures took effect, read from the change log's snapshots;
    and which catalogues the record holds.

    ``catalog_first``: the adoption date of each catalogue's first loaded version.
    ``measure_since``: for each measure, the adoption date of the catalogue version that
    introduced it (a guideline added by version 2 does not count before version 2 was adopted).
    A version without an adoption date sets no limit.
    """

    catalog_first: dict[str, str]
    measure_since: dict[str, str]
    catalog_keys: tuple[str, ...] = ()  # every catalogue of the record, in key order

    def measure_in_force(self, key: str, day: str) -> bool:
        since = self.measure_since.get(key)
        return since is None or since <= day

    def not_yet_adopted(self, catalog_keys: Iterable[str], day: str) -> dict[str, str]:
        """Catalogue key -> adoption date, for those adopted after ``day``."""
        return {k: self.catalog_first[k] for k in catalog_keys if self.catalog_first.get(k, "") > day}


def adoption(session: Session) -> Adoption:
    # Catalogue entries are logged before the measures a load adds, so each measure's "added"
    # entry follows the snapshot of the catalogue version that brought it. The catalogue keys come
    # in the same statement (after the log's rows): one round trip fewer on a server.
    rows = session.exec(text(  # type: ignore[call-overload]
        "SELECT 0, seq, entity, action, payload FROM change_log WHERE entity IN ('catalog', 'measure') "
        "AND action IN ('added', 'upgraded') UNION ALL SELECT 1, 0, 'catalog', 'held', key FROM catalog ORDER BY 1, 2, 5"))
    current: dict[str, str | None] = {}
    first: dict[str, str] = {}
    since: dict[str, str] = {}
    keys: list[str] = []
    for part, _, entity, action, payload in rows:
        if part == 1:
            keys.append(payload)
            continue
        snap = json.loads(payload)
        if entity == "catalog":
            current[snap["key"]] = snap.get("adopted")
            if action == "added" and snap.get("adopted"):
                first.setdefault(snap["key"], snap["adopted"])
        elif action == "added":
            adopted = current.get(snap.get("catalog_key", ""))
            if adopted:
                since.setdefault(snap["key"], adopted)
    return Adoption(first, since, tuple(keys))
