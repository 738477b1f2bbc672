"""The tamper-evident change log.

Every change the application makes (an assessment, an evidence item, a catalogue, an actor)
appends one entry in the same transaction as the change itself. The entry holds a canonical
JSON snapshot of the changed row and is chained to the previous entry by SHA-256, so that:

- editing, deleting or inserting a log entry outside the application breaks the chain, and
- editing, deleting or inserting a data row outside the application makes the row disagree
  with the latest snapshot in the log.

``storage.chain_check`` verifies both. The head hash is the data's fingerprint, printed on
reports.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tcbm_tracker.storage.recording_time import recording_now
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:  # sqlmodel (and pydantic) load only where a write needs them
    from sqlmodel import Session

    from tcbm_tracker.storage.tables import ChangeLogRow

GENESIS = "0" * 64


# One encoder, built once: verify encodes every row's snapshot.
CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(payload: Any) -> str:
    return CANONICAL.encode(payload)


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


# The head's hash as a column of another statement (NULL for an empty log: ``head_hash`` reads
# it as GENESIS), so that a read learns where the log stands without a round trip of its own.
HEAD_HASH_SQL = "(SELECT hash FROM change_log ORDER BY seq DESC LIMIT 1)"


def head_hash(value: str | None) -> str:
    return value or GENESIS


def highest_seq_used(session: Session) -> int:
    """The highest log position ever handed out (SQLite's AUTOINCREMENT counter), 0 if none.

    On a server the log's rows cannot be deleted (``server setup``'s triggers and privileges),
    so its last row is the highest position ever used: 0 here, and ``head`` decides.
    """
    if session.connection().dialect.name != "sqlite":
        return 0
    row = session.exec(text("SELECT seq FROM sqlite_sequence WHERE name = 'change_log'")).first()  # type: ignore[call-overload]
    return int(row[0]) if row and row[0] is not None else 0


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
    # The log's AUTOINCREMENT counter remembers the highest position ever used: after a deleted
    # last entry the next one takes a new position, so the gap stays visible to ``verify``.
    seq = max(seq, highest_seq_used(session)) + 1
    at = at or recording_now(session)
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
        "WHERE assessment_id = a.id ORDER BY evidence_id) AS ev), "
        "(SELECT json_group_object(evidence_id, pinpoint) FROM assessment_evidence "
        "WHERE assessment_id = a.id AND pinpoint IS NOT NULL), a.uid, a.origin, a.package_import_id FROM assessment a"
    )


# Schema 0005: where a row merged from another copy came from. Each is in a snapshot only when
# set, so that the entries of rows recorded in this copy (all of them before 0005) still match.
MERGE_COLUMNS = ("uid", "origin", "package_import_id")

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
        "e.file_name, e.file_sha256, e.file_size, e.recorded_by, e.created_at, e.uid, e.origin, e.package_import_id "
        "FROM evidence e",
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
            *MERGE_COLUMNS,
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
            "pinpoints",
            *MERGE_COLUMNS,
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
# Schema 0005: applied exchange packages.
ENTITIES.append(EntityKind(
    "package_import",
    "SELECT CAST(id AS TEXT), imported_at, imported_by, file_name, package_sha256, signer_fingerprint, "
    "signer_database_id, signer_head_seq, signer_head_hash, trusted, assessments_added, evidence_added, conflicts, "
    "resolution FROM package_import",
    ["imported_at", "imported_by", "file_name", "package_sha256", "signer_fingerprint", "signer_database_id",
     "signer_head_seq", "signer_head_hash", "trusted", "assessments_added", "evidence_added", "conflicts", "resolution"],
))
ENTITY_BY_NAME = {e.name: e for e in ENTITIES}


def normaliser(kind: EntityKind) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The function that turns a row's stored values into its snapshot (changed in place).

    Built once per kind: ``verify`` calls it for every row of the file.
    """
    flags = [f for f in ("builtin", "pinpoint_confirmed", "retired", "trusted") if f in kind.columns]
    evidence = kind.name == "assessment"
    merged = "uid" in kind.columns

    def normalise(out: dict[str, Any]) -> dict[str, Any]:
        for flag in flags:
            if out[flag] is not None:
                out[flag] = bool(out[flag])
        if merged:
            for column in MERGE_COLUMNS:  # each only when set: setting any on a row is then seen
                if out.get(column) is None:
                    out.pop(column, None)
        if evidence:
            ev = out["evidence"]
            if isinstance(ev, str):
                out["evidence"] = [int(x) for x in ev.split(",")] if ev else []
            elif ev is None:
                out["evidence"] = []
            # Citation pinpoints (migration 0003) are in the snapshot only when there are any, so
            # entries logged before them still match their rows.
            pins = json.loads(out.pop("pinpoints", None) or "{}")
            if pins:
                out["pinpoints"] = {str(k): pins[k] for k in sorted(pins, key=int)}
        return out

    return normalise


def _normalise(kind: EntityKind, values: dict[str, Any]) -> dict[str, Any]:
    return normaliser(kind)(values)


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
        "package_import": "id = CAST(:k AS INTEGER)",
    }[entity]
    row = session.exec(text(f"{kind.query} WHERE {where}").bindparams(k=key)).one()  # type: ignore[call-overload]
    return _normalise(kind, _row_dict(kind.columns, row[1:]))


def record(session: Session, entity: str, key: str, action: str, user: str | None = None) -> ChangeLogRow:
    """Append a log entry whose payload is the row's current snapshot."""
    return append(session, entity=entity, key=key, action=action, payload=snapshot(session, entity, key), user=user)
