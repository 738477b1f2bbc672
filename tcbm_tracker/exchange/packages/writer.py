"""Writing a signed ``.tcbm`` package of a copy's changes.

The change-log head is sealed first; then one read transaction takes the data, so the package
is a consistent snapshot. Members are streamed into a zip written under a temporary name beside
the target, each hashed as it is written; the manifest (with every member's SHA-256) is signed
with the copy's key, and the finished file is renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from tcbm_tracker import __version__
from tcbm_tracker.domain.clock import start_of_day_iso, utc_now_iso
from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.exchange.packages import layout
from tcbm_tracker.exchange.packages.api import FORMAT_VERSION, SUFFIX, CopyIdentity, ExportResult, PackageError, Progress
from tcbm_tracker.exchange.packages.identity import uid_of
from tcbm_tracker.services import mapping
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.storage import changelog, copy_key, meta
from tcbm_tracker.storage.driver_sql import DriverSql

# The assessment at the head of a cell: in force at the end of time, with everything recorded.
HEAD_SQL = mapping.LATEST_ID_SQL.replace(":as_of", "'9999-12-31'").replace(":known_at", f"'{mapping.FAR_FUTURE}'")
_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# "INSERT OR IGNORE" in the form both engines read; SQLite needs a WHERE before an upsert's ON
# CONFLICT after a SELECT (else it reads ON CONFLICT as a join's ON), hence "WHERE true" where none.
_OR_IGNORE = "ON CONFLICT DO NOTHING"


def _cites_json(conn: DriverSql) -> str:
    """A JSON array of [evidence id, pinpoint] pairs, as text: SQLite's JSON functions, or PostgreSQL's."""
    return "json_agg(json_build_array(evidence_id, pinpoint))::text" if conn.on_server else \
        "json_group_array(json_array(evidence_id, pinpoint))"


class _Member:
    """One member being written: hashed and counted as it goes."""

    def __init__(self, zf: zipfile.ZipFile, name: str, members: dict[str, dict[str, Any]], *, compress: bool = True) -> None:
        info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self.fh: IO[bytes] = zf.open(info, "w", force_zip64=True)
        self.name, self.members = name, members
        self.digest = hashlib.sha256()
        self.size = 0
        self.buffer: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.fh.write(data)

    def line(self, obj: dict[str, Any]) -> None:
        self.buffer.append(_JSON.encode(obj).encode("utf-8") + b"\n")
        if len(self.buffer) >= 1000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.write(b"".join(self.buffer))
            self.buffer = []

    def close(self) -> None:
        self.flush()
        self.fh.close()
        self.members[self.name] = {"sha256": self.digest.hexdigest(), "size": self.size}


def _rows(conn: Any, sql: str, params: Iterable[Any] = ()) -> Iterable[Any]:
    cur = conn.execute(sql, tuple(params))
    while True:
        block = cur.fetchmany(2000)
        if not block:
            return
        yield from block


def export_package(tracker: Tracker, out: Path, *, since: dt.date | None = None, progress: Progress | None = None) -> ExportResult:
    out = Path(out).expanduser()
    if out.suffix.lower() != SUFFIX:
        raise ValidationError("out", f"{out.name} must end in {SUFFIX}")
    if not out.parent.is_dir():
        raise ValidationError("out", f"the folder {out.parent} does not exist")
    key = copy_key.load_or_create()
    # The head the package carries is sealed first; a read-only file (like its backups) goes
    # unsealed, and so does a server login that may only read (it adds nothing, not even a seal).
    seal_id = tracker.integrity.seal("package").short_id if tracker.db.can_write else None
    fd, tmp_name = tempfile.mkstemp(prefix=".tcbm-", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = _write(tracker, tmp, key, since, progress, seal_id)
        os.replace(tmp, out)
    except OSError as exc:
        raise PackageError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
    digest = hashlib.sha256()
    with out.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return ExportResult(path=out, sha256=digest.hexdigest(), **{**result, "seal": seal_id})


def _write(tracker: Tracker, tmp: Path, key: copy_key.CopyKey, since: dt.date | None, progress: Progress | None,
           seal_id: str | None) -> dict[str, Any]:
    members: dict[str, dict[str, Any]] = {}
    counts = {"assessments": 0, "evidence": 0, "evidence_files": 0, "actors": 0, "catalogs": 0}
    with tracker.db.read() as s, zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        conn = DriverSql(s.connection())
        db_id = meta.get(s, meta.DATABASE_ID) or ""
        seq, head_hash = changelog.head(s)
        since_iso = start_of_day_iso(since) if since else ""
        # The assessments: those recorded since, and the head of every cell they touch even when it was
        # recorded before (the receiving copy needs both heads to tell a conflict from an update).
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS pkg_assessment (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM pkg_assessment")
        conn.execute("INSERT INTO pkg_assessment SELECT id FROM assessment WHERE recorded_at >= ?", (since_iso,))
        if since is not None:
            head_of = HEAD_SQL.format(actor="c.actor_key", measure="c.measure_key")
            conn.execute(f"INSERT INTO pkg_assessment SELECT ({head_of}) FROM (SELECT DISTINCT a.actor_key, "
                         f"a.measure_key FROM assessment a JOIN pkg_assessment p ON p.id = a.id) c WHERE true {_OR_IGNORE}")
        total = conn.execute("SELECT count(*) FROM pkg_assessment").fetchone()[0]

        # Catalogues of the users' own (the shipped ones every copy has), with groups and measures.
        m = _Member(zf, layout.CATALOGS, members)
        for c in conn.execute("SELECT key, version, title, short_title, source_document, adopted, description "
                              "FROM catalog WHERE NOT builtin ORDER BY key").fetchall():
            groups = [{"key": g[0], "title": g[1]} for g in conn.execute(
                "SELECT key, title FROM measure_group WHERE catalog_key = ? ORDER BY sort_order, key", (c[0],))]
            measures = [dict(zip(("key", "group", "heading", "title", "description", "source_document", "pinpoint",
                                  "pinpoint_confirmed", "pinpoint_note", "agreed", "sort_order", "retired"), r, strict=True))
                        for r in conn.execute("SELECT key, group_key, heading, title, description, source_document, pinpoint, "
                                              "pinpoint_confirmed, pinpoint_note, agreed, sort_order, retired FROM measure "
                                              "WHERE catalog_key = ? ORDER BY sort_order, key", (c[0],))]
            for measure in measures:
                measure["pinpoint_confirmed"], measure["retired"] = bool(measure["pinpoint_confirmed"]), bool(measure["retired"])
            m.line({**dict(zip(("key", "version", "title", "short_title", "source_document", "adopted", "description"), c,
                               strict=True)), "groups": groups, "measures": measures})
            counts["catalogs"] += 1
        m.close()

        # Actors added by users (intergovernmental organizations); the shipped states every copy has.
        m = _Member(zf, layout.ACTORS, members)
        for r in conn.execute("SELECT key, name, kind, note, created_at FROM actor WHERE NOT builtin ORDER BY key"):
            m.line(dict(zip(("key", "name", "kind", "note", "created_at"), r, strict=True)))
            counts["actors"] += 1
        m.close()

        # Evidence: what was recorded since, what the exported assessments cite, and what those correct.
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS pkg_evidence (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM pkg_evidence")
        conn.execute(f"INSERT INTO pkg_evidence SELECT id FROM evidence WHERE created_at >= ? {_OR_IGNORE}", (since_iso,))
        conn.execute("INSERT INTO pkg_evidence SELECT l.evidence_id FROM assessment_evidence l "
                     f"JOIN pkg_assessment p ON p.id = l.assessment_id WHERE true {_OR_IGNORE}")
        while conn.execute("INSERT INTO pkg_evidence SELECT c.corrects_id FROM evidence_correction c "
                           f"JOIN pkg_evidence p ON p.id = c.evidence_id WHERE true {_OR_IGNORE}").rowcount:
            pass
        uids: dict[int, str] = {}
        m = _Member(zf, layout.EVIDENCE, members)
        files: list[tuple[int, str]] = []
        for r in _rows(conn, "SELECT e.id, e.uid, e.origin, e.symbol, e.title, e.date, e.language, e.evidence_type, e.url, "
                             "e.pinpoint, e.file_name, e.file_sha256, e.file_size, e.recorded_by, e.created_at, "
                             "c.corrects_id, c.reason, f.evidence_id IS NOT NULL FROM evidence e JOIN pkg_evidence p ON p.id = e.id "
                             "LEFT JOIN evidence_correction c ON c.evidence_id = e.id "
                             "LEFT JOIN evidence_file f ON f.evidence_id = e.id ORDER BY e.id"):
            uid = uid_of(r[1], db_id, r[0])
            uids[r[0]] = uid
            corrects = r[15]
            if corrects is not None and corrects not in uids:
                found = conn.execute("SELECT uid FROM evidence WHERE id = ?", (corrects,)).fetchone()
                uids[corrects] = uid_of(found[0] if found else None, db_id, corrects)
            m.line({"uid": uid, "origin": r[2] or key.fingerprint,
                    **dict(zip(("symbol", "title", "date", "language", "evidence_type", "url", "pinpoint", "file_name",
                                "file_sha256", "file_size", "recorded_by", "created_at"), r[3:15], strict=True)),
                    "corrects": uids[corrects] if corrects is not None else None, "reason": r[16]})
            if r[17] and r[11]:
                files.append((r[0], r[11]))
            counts["evidence"] += 1
        m.close()
        written: set[str] = set()
        for eid, sha in files:
            if sha in written:
                continue
            content = conn.execute("SELECT content FROM evidence_file WHERE evidence_id = ?", (eid,)).fetchone()[0]
            if hashlib.sha256(content).hexdigest() != sha:
                raise PackageError(f"evidence {eid}: its attached file does not match its SHA-256 (run `tcbm-tracker verify`); "
                                   "no package was written")
            f = _Member(zf, f"files/{sha}", members, compress=False)
            f.write(content)
            f.close()
            written.add(sha)
            counts["evidence_files"] += 1

        # Assessments with their citations (by the evidence's global identity) and pinpoints.
        m = _Member(zf, layout.ASSESSMENTS, members)
        cells: set[tuple[str, str]] = set()
        done = 0
        for r in _rows(conn, "SELECT a.id, a.uid, a.origin, a.actor_key, a.measure_key, a.status, a.provenance, a.confidence, "
                             "a.note, a.recorded_by, a.effective_date, a.recorded_at, "
                             f"(SELECT {_cites_json(conn)} FROM "
                             "(SELECT evidence_id, pinpoint FROM assessment_evidence WHERE assessment_id = a.id ORDER BY evidence_id) "
                             "AS l) "
                             "FROM assessment a JOIN pkg_assessment p ON p.id = a.id "
                             f"ORDER BY a.recorded_at, {mapping.IDENTITY_SQL.format(t='a')}"):
            cites = [[uids[e], pin] for e, pin in json.loads(r[12] or "[]")]
            m.line({"uid": uid_of(r[1], db_id, r[0]), "origin": r[2] or key.fingerprint,
                    **dict(zip(("actor", "measure", "status", "provenance", "confidence", "note", "recorded_by",
                                "effective_date", "recorded_at"), r[3:12], strict=True)), "evidence": cites})
            cells.add((r[3], r[4]))
            counts["assessments"] += 1
            done += 1
            if progress is not None and done % 5000 == 0:
                progress(done, total)
        m.close()

        # For each cell the package touches: what this copy holds of it, and which assessment is its head,
        # so that the receiving copy can tell a conflict (both changed it) from an update.
        m = _Member(zf, layout.CELLS, members)
        latest = HEAD_SQL.format(actor="?", measure="?")
        for actor, measure_key in sorted(cells):
            head_id = conn.execute(latest, (actor, measure_key)).fetchone()[0]
            known = [uid_of(u, db_id, i) for i, u in conn.execute(
                "SELECT id, uid FROM assessment WHERE actor_key = ? AND measure_key = ?", (actor, measure_key))]
            head_uid = conn.execute("SELECT uid FROM assessment WHERE id = ?", (head_id,)).fetchone()[0]
            m.line({"actor": actor, "measure": measure_key, "head": uid_of(head_uid, db_id, head_id), "known": sorted(known)})
        m.close()
        if progress is not None:
            progress(total, total)

        manifest: dict[str, Any] = {
            "format": layout.FORMAT, "format_version": FORMAT_VERSION, "app_version": __version__,
            "exporter": {"fingerprint": key.fingerprint, "public_key": key.public_key_bytes.hex(), "database_id": db_id},
            "exported_at": utc_now_iso(), "exported_by": tracker.user or changelog.current_user(),
            "since": since.isoformat() if since else None, "head": {"seq": seq, "hash": head_hash}, "seal": seal_id,
            "counts": counts, "members": members,
        }
        manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8")
        zf.writestr(zipfile.ZipInfo(layout.MANIFEST, date_time=(2000, 1, 1, 0, 0, 0)), manifest_bytes, zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo(layout.SIGNATURE, date_time=(2000, 1, 1, 0, 0, 0)),
                    key.sign(layout.signed_message(manifest_bytes)).hex() + "\n")
    return {"exporter": CopyIdentity(key.fingerprint, db_id), "head_seq": seq, "head_hash": head_hash, **counts}
