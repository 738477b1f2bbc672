"""Importing a package: check it, plan the merge, then back up, seal and merge all of it or none.

The merge is a union (history is append-only): rows new to this copy are added with their global
identity and origin copy, each with a change-log entry of this copy's chain that records where it
came from; rows already here are skipped. Conflicts are resolved by recording a new assessment
per conflicted cell, as the user chose. Everything is written in one write transaction
(``BEGIN IMMEDIATE`` on a file, the record's write lock on a server): a refusal, an exception or a
killed process leaves the database as it was. The SQL is one text for both engines
(``storage.driver_sql``). A file is backed up first; a server has no file to copy (its
administrator backs it up with ``pg_dump``): there the transaction alone is the guard, and merged
rows keep their authors and times because ``server setup``'s triggers accept them only in the
transaction that records the package's import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tcbm_tracker.domain.catalog_format import CatalogSpec, GroupSpec, MeasureSpec
from tcbm_tracker.domain.clock import to_iso
from tcbm_tracker.domain.errors import ReadOnlyDatabaseError, ValidationError
from tcbm_tracker.domain.vocabulary import Provenance
from tcbm_tracker.exchange.packages import layout
from tcbm_tracker.exchange.packages.api import (
    Conflict,
    ConflictsUnresolved,
    ImportPlan,
    ImportResult,
    PackageError,
    Progress,
    Resolution,
    Side,
)
from tcbm_tracker.exchange.packages.identity import database_id
from tcbm_tracker.exchange.packages.plan import Local, Plan, make_plan
from tcbm_tracker.exchange.packages.reader import OpenedPackage, open_package
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.storage import changelog, copy_key
from tcbm_tracker.storage.driver_sql import DriverSql

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
NOTE_LIMIT = 90_000


def _refuse_unknown_signer(package: OpenedPackage, untrusted: bool) -> None:
    s = package.summary
    if not s.trusted and not untrusted:
        raise PackageError(
            f"{package.path.name}: signed by an unknown copy (key {s.exporter.fingerprint}): if you know whose it is, "
            f"`tcbm-tracker trust add {s.exporter.fingerprint}` first, or import with --untrusted (its assessments then "
            "count as third-party); nothing was imported")


def _refuse_same_file(package: OpenedPackage, my_db: str) -> None:
    exporter = package.summary.exporter
    key = copy_key.load_existing()
    if exporter.database_id == my_db and (key is None or key.fingerprint != exporter.fingerprint):
        raise PackageError(
            f"{package.path.name}: comes from another copy of this same database file (database id {my_db[:12]}, signed by "
            f"key {exporter.short}): copies made by copying the file cannot exchange packages; start the other copy "
            "with `tcbm-tracker init` and an --all package instead; nothing was imported")


def _public(package: OpenedPackage, plan: Plan) -> ImportPlan:
    return ImportPlan(package.summary, tuple(plan.added), tuple(plan.present), tuple(plan.conflicts),
                      tuple(plan.rejected), not package.summary.trusted)


def _first_rejection(package: OpenedPackage, plan: Plan) -> PackageError:
    first = plan.rejected[0]
    return PackageError(f"{package.path.name}: {plan.rejected_count} entr{'y' if plan.rejected_count == 1 else 'ies'} "
                        f"refused, nothing was imported; first: {first}")


def _plan_now(tracker: Tracker, package: OpenedPackage, progress: Progress | None = None) -> Plan:
    with tracker.db.read() as s:
        return make_plan(package, Local(DriverSql(s.connection()), database_id(tracker)), progress)


def plan_import(tracker: Tracker, path: Path, *, untrusted: bool = False, progress: Progress | None = None) -> ImportPlan:
    my_db = database_id(tracker)
    with open_package(path) as package:
        _refuse_unknown_signer(package, untrusted)
        _refuse_same_file(package, my_db)
        plan = _plan_now(tracker, package, progress)
        return _public(package, plan)


def _choices(plan: Plan, resolution: Resolution | None, public: ImportPlan) -> dict[str, Side]:
    if not plan.conflicts:
        return {}
    if resolution is None:
        raise ConflictsUnresolved(public)
    if isinstance(resolution, str):
        if resolution not in ("mine", "theirs", "newest"):
            raise ValidationError("prefer", f"{resolution!r} is not mine, theirs or newest")
        return {c.key: (c.newest if resolution == "newest" else resolution) for c in plan.conflicts}
    chosen = dict(resolution)
    keys = {c.key for c in plan.conflicts}
    missing = sorted(keys - set(chosen))
    extra = sorted(set(chosen) - keys)
    if missing:
        raise ValidationError("resolution", f"no choice given for the conflict in {missing[0]} ({len(missing)} missing)")
    if extra:
        raise ValidationError("resolution", f"{extra[0]} is not a conflict of this package")
    bad = [k for k, side in chosen.items() if side not in ("mine", "theirs")]
    if bad:
        raise ValidationError("resolution", f"the choice for {bad[0]} must be mine or theirs")
    return chosen


def _rule(resolution: Resolution | None) -> str | None:
    if resolution is None:
        return None
    return resolution if isinstance(resolution, str) else "chosen per conflict"


def import_package(tracker: Tracker, path: Path, *, resolution: Resolution | None = None, untrusted: bool = False,
                   progress: Progress | None = None) -> ImportResult:
    from tcbm_tracker.services.backups import backup_before

    if tracker.db.read_only:
        raise ReadOnlyDatabaseError(f"{tracker.db.path} is read-only: nothing can be imported into it (nothing was changed)")
    my_db = database_id(tracker)
    with open_package(path) as package:
        _refuse_unknown_signer(package, untrusted)
        _refuse_same_file(package, my_db)
        plan = _plan_now(tracker, package, progress)
        public = _public(package, plan)
        if plan.rejected:
            raise _first_rejection(package, plan)
        _choices(plan, resolution, public)
        if not plan.catalogs and not plan.actors and not plan.evidence and not plan.assessments and not plan.conflicts:
            return ImportResult(public, None, 0, 0, 0, 0, 0, None, None)
        del plan, public  # planned again inside the merge's transaction
        seal = tracker.integrity.seal("package import")
        on_file = tracker.db.dialect == "sqlite"
        backup = backup_before(tracker.db.path, "package-import", seal=False) if on_file else None
        try:
            return _apply(tracker, package, resolution, progress, my_db, seal.short_id, backup.path if backup else None)
        except Exception as exc:
            translated = tracker.db.translate(exc)
            if translated is not None:
                raise translated from None
            raise


class _Log:
    """This copy's chain, extended in memory and written in batches (the merge's own entries)."""

    def __init__(self, conn: DriverSql, s: Any, user: str) -> None:
        self.conn, self.user = conn, user
        seq, self.prev = changelog.head(s)
        self.seq = max(seq, changelog.highest_seq_used(s))
        self.at = conn.now()
        self.pending: list[tuple[Any, ...]] = []

    def add(self, entity: str, key: str, action: str, payload: dict[str, Any]) -> None:
        self.seq += 1
        body = _CANONICAL.encode(payload)
        h = changelog.entry_hash(self.seq, self.at, self.user, entity, key, action, body, self.prev)
        self.pending.append((self.seq, self.at, self.user, entity, key, action, body, self.prev, h))
        self.prev = h
        if len(self.pending) >= 2000:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.conn.executemany("INSERT INTO change_log (seq, at, \"user\", entity, entity_key, action, payload, prev_hash, hash) "
                                  "VALUES (?,?,?,?,?,?,?,?,?)", self.pending)
            self.pending = []


def _catalog_spec(row: dict[str, Any]) -> CatalogSpec:
    groups = tuple(GroupSpec(str(g["key"]), str(g["title"])) for g in row["groups"])
    measures = tuple(MeasureSpec(
        key=str(m["key"]).strip().upper(), group=str(m["group"]), heading=m.get("heading"), title=str(m["title"]),
        description=m.get("description"), source_document=str(m["source_document"]), pinpoint=m.get("pinpoint"),
        pinpoint_confirmed=bool(m.get("pinpoint_confirmed")), pinpoint_note=m.get("pinpoint_note"),
        agreed=m.get("agreed"), sort_order=int(m["sort_order"])) for m in row["measures"])
    return CatalogSpec(str(row["key"]).strip().upper(), int(row["version"]), str(row["title"]), str(row["short_title"]),
                       str(row["source_document"]), row.get("adopted"), row.get("description"), groups, measures)


def _apply(tracker: Tracker, package: OpenedPackage, resolution: Resolution | None, progress: Progress | None,
           my_db: str, seal_id: str, backup: Path | None) -> ImportResult:
    from sqlmodel import Session

    from tcbm_tracker.storage.seeding import load_catalog
    from tcbm_tracker.storage.tables import ActorRow

    user = tracker.user or changelog.current_user()
    with tracker.db.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as connection:
        trans = connection.begin()
        committed = False
        try:
            s = Session(bind=connection)
            conn = DriverSql(connection)
            # Planned again inside the write transaction: nothing can change between plan and merge.
            plan = make_plan(package, Local(conn, my_db))
            public = _public(package, plan)
            if plan.rejected:
                raise _first_rejection(package, plan)
            choices = _choices(plan, resolution, public)
            third_party = not package.summary.trusted
            for row in plan.catalogs:
                load_catalog(s, _catalog_spec(row), builtin=False, user=user)
            for row in plan.actors:
                s.add(ActorRow(key=row["key"], name=row["name"], kind=row["kind"], note=row.get("note"), builtin=False,
                               created_at=row["created_at"]))
                s.flush()
                changelog.record(s, "actor", row["key"], "added", user)  # "added": known-at scoping looks for it
            s.flush()
            summary = package.summary
            values = (conn.now(), user, package.path.name[:500], summary.package_sha256, summary.exporter.fingerprint,
                      summary.exporter.database_id, summary.head_seq, summary.head_hash, not third_party,
                      plan.assessments, len(plan.evidence), len(plan.conflicts), _rule(resolution))
            batch = conn.insert(
                "INSERT INTO package_import (imported_at, imported_by, file_name, package_sha256, signer_fingerprint, "
                "signer_database_id, signer_head_seq, signer_head_hash, trusted, assessments_added, evidence_added, "
                "conflicts, resolution) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", values)
            log = _Log(conn, s, user)
            log.add("package_import", str(batch), "added", dict(zip(changelog.ENTITY_BY_NAME["package_import"].columns, values,
                                                                     strict=True)))
            local = Local(conn, my_db)
            evidence_ids = _merge_evidence(conn, package, plan, local, log, batch)
            total, done = plan.assessments, 0
            for number, row in package.rows(layout.ASSESSMENTS, check=True):
                if number not in plan.assessment_lines:
                    continue
                _merge_assessment(conn, row, local, evidence_ids, log, batch, third_party)
                done += 1
                if progress is not None and done % 5000 == 0:
                    progress(done, total)
            if done != total:
                raise PackageError(f"{package.path.name}: {layout.ASSESSMENTS} changed while it was read (nothing was imported)")
            resolved = _resolve(conn, plan.conflicts, choices, local, evidence_ids, log, user, _rule(resolution) or "")
            log.flush()
            trans.commit()
            committed = True
        finally:
            if not committed:
                trans.rollback()
    if progress is not None:
        progress(1, 1)
    return ImportResult(public, batch, plan.assessments, len(plan.evidence), len(plan.actors), len(plan.catalogs),
                        resolved, backup, seal_id)


EVIDENCE_FIELDS = ("symbol", "title", "date", "language", "evidence_type", "url", "pinpoint", "file_name", "file_sha256",
                   "file_size", "recorded_by", "created_at")


def _merge_evidence(conn: DriverSql, package: OpenedPackage, plan: Plan, local: Local, log: _Log, batch: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    for row in plan.evidence:
        values = [row.get(f) for f in EVIDENCE_FIELDS]
        content = package.file_bytes(row["file_sha256"]) if row.get("file_sha256") else None
        if content is not None and hashlib.sha256(content).hexdigest() != row["file_sha256"]:
            raise PackageError(f"{package.path.name}: files/{row['file_sha256']}: does not match its name (nothing was imported)")
        eid = conn.insert(
            f"INSERT INTO evidence ({', '.join(EVIDENCE_FIELDS)}, uid, origin, package_import_id) "
            f"VALUES ({', '.join('?' * (len(EVIDENCE_FIELDS) + 3))})", (*values, row["uid"], row["origin"], batch))
        ids[row["uid"]] = eid
        if content is not None:
            conn.execute("INSERT INTO evidence_file (evidence_id, content) VALUES (?, ?)", (eid, content))
        log.add("evidence", str(eid), "merged", {**dict(zip(EVIDENCE_FIELDS, values, strict=True)), "uid": row["uid"],
                                                 "origin": row["origin"], "package_import_id": batch})
        if row.get("corrects"):
            corrects = ids.get(row["corrects"]) or local.evidence(row["corrects"])
            conn.execute("INSERT INTO evidence_correction (evidence_id, corrects_id, reason) VALUES (?, ?, ?)",
                         (eid, corrects, row.get("reason")))
            log.add("evidence_correction", str(eid), "merged", {"corrects_id": corrects, "reason": row.get("reason")})
    return ids


ASSESSMENT_FIELDS = ("actor_key", "measure_key", "status", "provenance", "confidence", "note", "recorded_by",
                     "effective_date", "recorded_at")


def _snapshot(values: tuple[Any, ...], links: list[tuple[int, str | None]]) -> dict[str, Any]:
    out: dict[str, Any] = dict(zip(ASSESSMENT_FIELDS, values, strict=True))
    out["evidence"] = sorted(e for e, _ in links)
    pins = {e: p for e, p in links if p is not None}
    if pins:
        out["pinpoints"] = {str(k): pins[k] for k in sorted(pins)}
    return out


def _insert_assessment(conn: DriverSql, values: tuple[Any, ...], links: list[tuple[int, str | None]],
                       merged: tuple[str, str, int] | None) -> int:
    extra = merged or (None, None, None)
    aid = conn.insert(f"INSERT INTO assessment ({', '.join(ASSESSMENT_FIELDS)}, uid, origin, package_import_id) "
                      f"VALUES ({', '.join('?' * (len(ASSESSMENT_FIELDS) + 3))})", (*values, *extra))
    if links:
        conn.executemany("INSERT INTO assessment_evidence (assessment_id, evidence_id, pinpoint) VALUES (?, ?, ?)",
                         [(aid, e, p) for e, p in links])
    return aid


def _merge_assessment(conn: DriverSql, row: dict[str, Any], local: Local, evidence_ids: dict[str, int], log: _Log, batch: int,
                      third_party: bool) -> None:
    provenance = Provenance.THIRD_PARTY.value if third_party else row["provenance"]
    values = (row["actor"], row["measure"], row["status"], provenance, row["confidence"], row.get("note"),
              row["recorded_by"], row["effective_date"], row["recorded_at"])
    links: list[tuple[int, str | None]] = []
    for uid, pin in row["evidence"]:
        eid = evidence_ids.get(uid) or local.evidence(uid)
        assert eid is not None  # the plan checked every citation
        links.append((eid, pin))
    aid = _insert_assessment(conn, values, links, (row["uid"], row["origin"], batch))
    local.assessment_uids[row["uid"]] = aid
    log.add("assessment", str(aid), "merged", {**_snapshot(values, links), "uid": row["uid"], "origin": row["origin"],
                                              "package_import_id": batch})


def _next_instant(conn: DriverSql) -> str:
    """Now, or just after the latest recording (merged ones included), whichever is later."""
    now = conn.now()
    latest = conn.execute("SELECT max(recorded_at) FROM assessment").fetchone()[0]
    if latest is None or now > latest:
        return now
    moment = dt.datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC) + dt.timedelta(microseconds=1)
    return to_iso(moment)


def _resolve(conn: DriverSql, conflicts: list[Conflict], choices: Mapping[str, Side], local: Local, evidence_ids: dict[str, int],
             log: _Log, user: str, rule: str) -> int:
    """One new assessment per conflict: the chosen side's status, in force from the later of the two dates."""
    for c in conflicts:
        side = choices[c.key]
        chosen, other = (c.mine, c.theirs) if side == "mine" else (c.theirs, c.mine)
        source = local.assessment(chosen.uid)
        assert source is not None
        r = conn.execute("SELECT provenance, confidence, note FROM assessment WHERE id = ?", (source,)).fetchone()
        links = [(int(e), p) for e, p in conn.execute(
            "SELECT evidence_id, pinpoint FROM assessment_evidence WHERE assessment_id = ? ORDER BY evidence_id", (source,))]
        whose = "this copy's" if side == "mine" else "the other copy's"
        note = (f"Resolves an exchange conflict ({rule}: {whose}): keeps {chosen.status} recorded by {chosen.recorded_by} "
                f"at {chosen.recorded_at} ({chosen.uid}) over {other.status} recorded by {other.recorded_by} at "
                f"{other.recorded_at} ({other.uid}).")
        if r[2]:
            note += f" Its note: {r[2]}"
        effective = max(c.mine.effective_date, c.theirs.effective_date).isoformat()
        values = (c.actor_key, c.measure_key, chosen.status, r[0], r[1], note[:NOTE_LIMIT], user, effective,
                  _next_instant(conn))
        aid = _insert_assessment(conn, values, links, None)
        log.add("assessment", str(aid), "added", _snapshot(values, links))
    return len(conflicts)
