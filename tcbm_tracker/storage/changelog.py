"""The tamper-evident change log.

Every change the application makes (an assessment, an evidence item, a catalogue, an actor)
appends one entry in the same transaction as the change itself. The entry holds a canonical
JSON snapshot of the changed row and is chained to the previous entry by SHA-256, so that:

- editing, deleting or inserting a log entry outside the application breaks the chain, and
- editing, deleting or inserting a data row outside the application makes the row disagree
  with the latest snapshot in the log.

``verify`` checks both. The head hash is the data's fingerprint, printed on reports.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlmodel import Session

from tcbm_tracker.domain.clock import utc_now_iso

if TYPE_CHECKING:
    from tcbm_tracker.storage.tables import ChangeLogRow

GENESIS = "0" * 64


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(seq: int, at: str, user: str, entity: str, key: str, action: str, payload: str, prev: str) -> str:
    # Unit separators keep fields from running into each other ("ab"+"c" != "a"+"bc").
    material = "\x1f".join([str(seq), at, user, entity, key, action, payload, prev])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record something honest
        return "unknown"


def head(session: Session) -> tuple[int, str]:
    row = session.exec(text("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1")).first()  # type: ignore[call-overload]
    return (row[0], row[1]) if row else (0, GENESIS)


def append(
    session: Session,
    *,
    entity: str,
    key: str,
    action: str,
    payload: dict[str, Any],
    user: str | None = None,
    at: str | None = None,
) -> ChangeLogRow:
    """Append one entry; call inside the write transaction that makes the change."""
    # Table classes cost tens of ms to build: imported on the first write, not at start-up.
    from tcbm_tracker.storage.tables import ChangeLogRow

    seq, prev = head(session)
    seq += 1
    at = at or utc_now_iso()
    user = user or current_user()
    body = canonical_json(payload)
    row = ChangeLogRow(
        seq=seq,
        at=at,
        user=user,
        entity=entity,
        entity_key=key,
        action=action,
        payload=body,
        prev_hash=prev,
        hash=entry_hash(seq, at, user, entity, key, action, body, prev),
    )
    session.add(row)
    session.flush()
    return row


# --- Snapshots: what a row looks like in the log. Verification recomputes them from the
# --- tables, so they must be pure functions of the stored columns.


def _row_dict(columns: list[str], row: Any) -> dict[str, Any]:
    return {c: row[i] for i, c in enumerate(columns)}


@dataclass(frozen=True)
class EntityKind:
    name: str
    query: str  # returns (key, column...) with the snapshot columns after the key
    columns: list[str]


def _assessment_evidence_query() -> str:
    return (
        "SELECT CAST(a.id AS TEXT), a.actor_key, a.measure_key, a.status, a.provenance, a.confidence, "
        "a.note, a.recorded_by, a.effective_date, a.recorded_at, "
        "(SELECT group_concat(evidence_id) FROM (SELECT evidence_id FROM assessment_evidence "
        "WHERE assessment_id = a.id ORDER BY evidence_id)) FROM assessment a"
    )


ENTITIES: list[EntityKind] = [
    EntityKind(
        "catalog",
        "SELECT key, key, version, title, short_title, source_document, adopted, description, builtin, loaded_at FROM catalog",
        ["key", "version", "title", "short_title", "source_document", "adopted", "description", "builtin", "loaded_at"],
    ),
    EntityKind(
        "measure_group",
        "SELECT catalog_key || '/' || key, catalog_key, key, title, sort_order FROM measure_group",
        ["catalog_key", "key", "title", "sort_order"],
    ),
    EntityKind(
        "measure",
        "SELECT key, key, catalog_key, group_key, heading, title, description, source_document, pinpoint, "
        "pinpoint_confirmed, pinpoint_note, agreed, sort_order, retired FROM measure",
        [
            "key",
            "catalog_key",
            "group_key",
            "heading",
            "title",
            "description",
            "source_document",
            "pinpoint",
            "pinpoint_confirmed",
            "pinpoint_note",
            "agreed",
            "sort_order",
            "retired",
        ],
    ),
    EntityKind("attribute_def", "SELECT key, key, label, values_json FROM attribute_def", ["key", "label", "values_json"]),
    EntityKind(
        "actor",
        "SELECT key, key, name, kind, note, builtin, created_at FROM actor",
        ["key", "name", "kind", "note", "builtin", "created_at"],
    ),
    EntityKind(
        "actor_attribute",
        "SELECT CAST(id AS TEXT), actor_key, name, value, as_of FROM actor_attribute",
        ["actor_key", "name", "value", "as_of"],
    ),
    EntityKind(
        "evidence",
        "SELECT CAST(e.id AS TEXT), e.symbol, e.title, e.date, e.language, e.evidence_type, e.url, e.pinpoint, "
        "e.file_name, e.file_sha256, e.file_size, e.recorded_by, e.created_at FROM evidence e",
        [
            "symbol",
            "title",
            "date",
            "language",
            "evidence_type",
            "url",
            "pinpoint",
            "file_name",
            "file_sha256",
            "file_size",
            "recorded_by",
            "created_at",
        ],
    ),
    EntityKind(
        "assessment",
        _assessment_evidence_query(),
        [
            "actor_key",
            "measure_key",
            "status",
            "provenance",
            "confidence",
            "note",
            "recorded_by",
            "effective_date",
            "recorded_at",
            "evidence",
        ],
    ),
]
# Tables added by schema 0004 (imports and evidence corrections).
ENTITIES += [
    EntityKind(
        "import_batch",
        "SELECT CAST(id AS TEXT), imported_at, imported_by, file_name, file_sha256, first_assessment_id, "
        "last_assessment_id, first_evidence_id, last_evidence_id FROM import_batch",
        ["imported_at", "imported_by", "file_name", "file_sha256", "first_assessment_id", "last_assessment_id",
         "first_evidence_id", "last_evidence_id"],
    ),
    EntityKind(
        "evidence_correction",
        "SELECT CAST(evidence_id AS TEXT), corrects_id, reason FROM evidence_correction",
        ["corrects_id", "reason"],
    ),
]
ENTITY_BY_NAME = {e.name: e for e in ENTITIES}


def _normalise(kind: EntityKind, values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for flag in ("builtin", "pinpoint_confirmed", "retired"):
        if flag in out and out[flag] is not None:
            out[flag] = bool(out[flag])
    if kind.name == "assessment":
        ev = out.get("evidence")
        if isinstance(ev, str):
            out["evidence"] = [int(x) for x in ev.split(",")] if ev else []
        elif ev is None:
            out["evidence"] = []
    return out


def snapshot(session: Session, entity: str, key: str) -> dict[str, Any]:
    """The current snapshot of one row, exactly as ``verify`` will recompute it."""
    kind = ENTITY_BY_NAME[entity]
    where = {
        "catalog": "key = :k",
        "measure": "key = :k",
        "attribute_def": "key = :k",
        "actor": "key = :k",
        "measure_group": "catalog_key || '/' || key = :k",
        "actor_attribute": "id = CAST(:k AS INTEGER)",
        "evidence": "e.id = CAST(:k AS INTEGER)",
        "assessment": "a.id = CAST(:k AS INTEGER)",
        "import_batch": "id = CAST(:k AS INTEGER)",
        "evidence_correction": "evidence_id = CAST(:k AS INTEGER)",
    }[entity]
    row = session.exec(text(f"{kind.query} WHERE {where}").bindparams(k=key)).one()  # type: ignore[call-overload]
    return _normalise(kind, _row_dict(kind.columns, row[1:]))


def record(session: Session, entity: str, key: str, action: str, user: str | None = None) -> ChangeLogRow:
    """Append a log entry whose payload is the row's current snapshot."""
    return append(session, entity=entity, key=key, action=action, payload=snapshot(session, entity, key), user=user)


# --- Verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _iter_log(session: Session) -> Iterator[tuple[int, str, str, str, str, str, str, str, str]]:
    result = session.exec(
        text(  # type: ignore[call-overload]
            "SELECT seq, at, user, entity, entity_key, action, payload, prev_hash, hash FROM change_log ORDER BY seq"
        )
    )
    yield from result


def verify_chain(session: Session, limit: int = 50) -> tuple[list[Problem], dict[tuple[str, str], str | None], str]:
    """Check the chain; return problems, the latest payload per (entity, key), and the head hash."""
    problems: list[Problem] = []
    latest: dict[tuple[str, str], str | None] = {}
    prev = GENESIS
    expected_seq = 1
    for seq, at, user, entity, key, action, payload, prev_hash, h in _iter_log(session):
        where = f"change log entry {seq}"
        if seq != expected_seq:
            problems.append(Problem(where, f"entries {expected_seq}..{seq - 1} are missing"))
        if prev_hash != prev:
            problems.append(Problem(where, "does not follow the previous entry (chain broken)"))
        if entry_hash(seq, at, user, entity, key, action, payload, prev_hash) != h:
            problems.append(Problem(where, f"was altered ({entity} {key} {action})"))
        latest[(entity, key)] = None if action == "deleted" else payload
        prev = h
        expected_seq = seq + 1
        if len(problems) >= limit:
            break
    return problems, latest, prev


def verify_schema_objects(session: Session) -> list[Problem]:
    """The application creates no triggers or views: any found was planted outside it.

    A trigger could rewrite a row as it is saved (so that the log records the rewritten
    value); a view could shadow what a reader sees. Neither shows up in row comparisons.
    """
    found = session.exec(  # type: ignore[call-overload]
        text("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY type, name")
    ).all()
    return [Problem(f"{kind} {name}", "was not created by TCBM Tracker (added outside the app)") for kind, name in found]


def verify_rows(
    session: Session, latest: dict[tuple[str, str], str | None], limit: int = 50, on_entity: Callable[[str], None] | None = None
) -> list[Problem]:
    """Compare every row of every logged table with its latest snapshot in the log."""
    problems: list[Problem] = []
    for kind in ENTITIES:
        if on_entity:
            on_entity(kind.name)
        seen: set[str] = set()
        for row in session.exec(text(kind.query)):  # type: ignore[call-overload]
            key = str(row[0])
            seen.add(key)
            logged = latest.get((kind.name, key))
            if logged is None:
                problems.append(Problem(f"{kind.name} {key}", "is not in the change log (added outside the app)"))
            else:
                current = _normalise(kind, _row_dict(kind.columns, row[1:]))
                if canonical_json(current) != logged:
                    problems.append(Problem(f"{kind.name} {key}", "differs from the change log (edited outside the app)"))
            if len(problems) >= limit:
                return problems
        for (entity, key), payload in latest.items():
            if entity == kind.name and payload is not None and key not in seen:
                problems.append(Problem(f"{kind.name} {key}", "is in the change log but missing (deleted outside the app)"))
                if len(problems) >= limit:
                    return problems
    # Attached files: the stored bytes must still hash to the recorded SHA-256.
    files = session.exec(  # type: ignore[call-overload]
        text(
            "SELECT e.id, e.file_sha256, f.content FROM evidence e LEFT JOIN evidence_file f ON f.evidence_id = e.id "
            "WHERE e.file_sha256 IS NOT NULL OR f.evidence_id IS NOT NULL"
        )
    )
    for eid, sha, content in files:
        if content is None or sha is None or hashlib.sha256(content).hexdigest() != sha:
            problems.append(Problem(f"evidence {eid}", "attached file is missing or does not match its SHA-256"))
    return problems
