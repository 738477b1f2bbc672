"""Importing assessments and evidence from CSV and XLSX files: all or nothing.

Every row of every file is checked inside one write transaction (``BEGIN IMMEDIATE`` on a file,
the record's write lock on a server); rows are written
as they pass (in batches, with their change-log entries), and the transaction is committed only
if no row was rejected and this is not a dry run. So a rejected row, a dry run, an exception or
a killed process all leave the database exactly as it was, and the file is read once, as a
stream. Rows already in the database (same cell, date, status, provenance, note, author,
instant and evidence) are counted as already there, so re-importing a file adds nothing.

The SQL is one text for both engines (``storage.driver_sql``). On a file, the command line's
backup is taken just before the commit (``before_commit``); a server has no file to copy (its
administrator backs it up with ``pg_dump``), and there the transaction alone is the guard.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import ReadOnlyDatabaseError, TrackerError
from tcbm_tracker.exchange import layout
from tcbm_tracker.exchange.rows import (
    AssessmentParser,
    AssessmentRow,
    EvidenceRow,
    RowError,
    RowErrors,
    cells_by_column,
    parse_evidence,
)
from tcbm_tracker.exchange.sources import Table, open_tables
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.changelog import entry_hash
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.driver_sql import DriverSql
from tcbm_tracker.storage.recording_time import latest_recording_sql

BATCH = 2_000
# changelog.canonical_json's settings, built once: it runs for every imported row.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
MAX_REMEMBERED = 2_000_000  # dates written by this import, as hashes (about 60 MB at most)
SAMPLES = 50  # rows listed per category in a report; the counts are always complete
MAX_REJECTIONS = 1_000
Progress = Callable[[int, str], None]  # rows read so far, file name; may raise to cancel


@dataclass(frozen=True)
class Rejection:
    source: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}, row {self.row}, column {self.column}: {self.reason}"


@dataclass
class ImportReport:
    files: list[str]
    dry_run: bool
    assessments_added: int = 0
    assessments_present: int = 0
    evidence_added: int = 0
    evidence_present: int = 0
    rejected: int = 0  # problems found (a row may have several)
    rejections: list[Rejection] = field(default_factory=list)
    rejected_rows: set[tuple[str, int]] = field(default_factory=set)
    added: list[str] = field(default_factory=list)  # samples, "source row N: ..."
    present: list[str] = field(default_factory=list)
    applied: bool = False
    batch_id: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    @property
    def rejected_summary(self) -> str:
        rows = len(self.rejected_rows)
        return f"{rows:,} row(s) rejected ({self.rejected:,} problem(s))" if self.rejected else "no row rejected"

    def reject(self, r: Rejection) -> None:
        self.rejected += 1
        self.rejected_rows.add((r.source, r.row))
        if len(self.rejections) < MAX_REJECTIONS:
            self.rejections.append(r)


class ImportRefused(TrackerError):
    """Some rows were rejected: nothing was imported. ``report`` lists them."""

    def __init__(self, report: ImportReport) -> None:
        first = report.rejections[0] if report.rejections else None
        super().__init__(f"{report.rejected_summary}, nothing was imported; first: {first}")
        self.report = report


def _sample(report_list: list[str], line: str) -> None:
    if len(report_list) < SAMPLES:
        report_list.append(line)


def _table_kind(table: Table, sheet_title: str | None) -> str | None:
    if sheet_title is not None and sheet_title.lower() in (layout.ASSESSMENT_SHEET, layout.EVIDENCE_SHEET):
        return sheet_title.lower()
    return layout.kind_of_header(table.header)


class _Run:
    """The state of one import inside its transaction."""

    def __init__(self, conn: DriverSql, importer: str, report: ImportReport, progress: Progress | None) -> None:
        self.conn, self.importer, self.report, self.progress = conn, importer, report, progress
        self.now = conn.now()
        self.log_prefix = f"{self.now}\x1f{importer}\x1fassessment\x1f"  # at, user, entity of an entry_hash
        self.today = dt.date.today()
        self.actors = {r[0] for r in conn.execute("SELECT key FROM actor")}
        self.measures = {r[0]: bool(r[1]) for r in conn.execute("SELECT key, retired FROM measure")}
        last = conn.execute("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()  # changelog.head
        self.seq, self.prev = (int(last[0]), str(last[1])) if last else (0, changelog.GENESIS)
        self.next_assessment = conn.first_free_id("assessment")
        self.next_evidence = conn.first_free_id("evidence")
        self.first_assessment, self.first_evidence = self.next_assessment, self.next_evidence
        self.assessment_rows = array("q")  # source row of each assessment added, in id order
        self.evidence_keys: dict[str, int] | None = None
        latest = conn.execute(latest_recording_sql(conn.connection.dialect.name)).fetchone()[0]
        self.recorded_now = self.now if latest is None or self.now > latest else latest
        self.pending: list[tuple[Any, ...]] = []
        self.pending_links: list[tuple[int, int]] = []
        self.pending_log: list[tuple[Any, ...]] = []
        self.pending_identity: dict[tuple[Any, ...], int] = {}
        self.cells_before = {(r[0], r[1]) for r in conn.execute("SELECT DISTINCT actor_key, measure_key FROM assessment")}
        self.days_written: set[int] = set()

    # --- evidence keys ----------------------------------------------------------------------
    def keys(self) -> dict[str, int]:
        if self.evidence_keys is None:
            self.evidence_keys = {}
            for r in self.conn.execute(
                "SELECT id, title, symbol, date, language, evidence_type, url, pinpoint, recorded_by, created_at FROM evidence"
            ):
                self.evidence_keys.setdefault(layout.evidence_key(*r[1:]), r[0])
        return self.evidence_keys

    def resolve(self, refs: Sequence[str]) -> tuple[int, ...]:
        ids = set()
        for ref in refs:
            if ref.isdigit():
                row = self.conn.execute("SELECT id FROM evidence WHERE id = ?", (int(ref),)).fetchone()
                if row is None:
                    raise RowError("evidence", f"unknown evidence number {ref}")
                ids.add(row[0])
            else:
                found = self.keys().get(ref)
                if found is None:
                    raise RowError("evidence", f"unknown evidence key {ref} (import the evidence first, or in the same run)")
                ids.add(found)
        return tuple(sorted(ids))

    # --- change log -------------------------------------------------------------------------
    def log(self, entity: str, key: str, payload: dict[str, Any]) -> None:
        self.log_body(entity, key, _CANONICAL.encode(payload))

    def log_body(self, entity: str, key: str, body: str) -> None:
        self.seq += 1
        h = entry_hash(self.seq, self.now, self.importer, entity, key, "imported", body, self.prev)
        self.pending_log.append((self.seq, self.now, self.importer, entity, key, "imported", body, self.prev, h))
        self.prev = h

    # --- evidence ---------------------------------------------------------------------------
    def add_evidence(self, source: str, number: int, row: EvidenceRow) -> None:
        keys = self.keys()
        if row.content_key in keys:
            self.report.evidence_present += 1
            _sample(self.report.present, f"{source} row {number}: evidence {row.content_key} is evidence {keys[row.content_key]}")
            return
        eid = self.next_evidence
        self.next_evidence += 1
        values = (eid, row.symbol, row.title, row.date, row.language, row.evidence_type, row.url, row.pinpoint,
                  None, None, None, row.recorded_by, row.created_at)
        self.conn.execute(
            "INSERT INTO evidence (id, symbol, title, date, language, evidence_type, url, pinpoint, file_name, "
            "file_sha256, file_size, recorded_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            values,
        )
        keys[row.content_key] = eid
        # Without the merge columns (schema 0005): they are in a snapshot only for merged rows.
        columns = [c for c in changelog.ENTITY_BY_NAME["evidence"].columns if c not in changelog.MERGE_COLUMNS]
        self.log("evidence", str(eid), dict(zip(columns, values[1:], strict=True)))
        self.report.evidence_added += 1
        _sample(self.report.added, f"{source} row {number}: evidence {row.content_key}: {row.title[:60]}")

    # --- assessments ------------------------------------------------------------------------
    def add_assessment(self, source: str, number: int, row: AssessmentRow) -> None:
        # Runs for every imported row: attributes read once into locals, no per-row helper calls.
        evidence = self.resolve(row.evidence) if row.evidence else ()
        actor, measure, effective, status, provenance, confidence, note, by, recorded_at = row[:9]
        by = by or self.importer
        identity = (actor, measure, effective, recorded_at, status, provenance, confidence, note, by, evidence)
        pending_identity = self.pending_identity
        if identity in pending_identity:
            raise RowError("*", f"duplicates row {pending_identity[identity]} of this import")
        # A date of a cell that had no assessment before and that no earlier row of this import
        # wrote cannot already be there: no query (a hash collision only costs a query).
        day_key = hash((actor, measure, effective))
        days_written = self.days_written
        existing = None
        if day_key in days_written or (actor, measure) in self.cells_before:
            existing = self._existing(row, (status, provenance, confidence, note, by), evidence)
        if len(days_written) < MAX_REMEMBERED:
            days_written.add(day_key)
        else:
            self.cells_before.add((actor, measure))  # too many to remember: query from now on
        report = self.report
        if existing is not None:
            if existing >= self.first_assessment:
                raise RowError("*", f"duplicates row {self.assessment_rows[existing - self.first_assessment]} of this import")
            report.assessments_present += 1
            _sample(report.present, f"{source} row {number}: {actor} {measure} {effective} {status} is assessment #{existing}")
            return
        aid = self.next_assessment
        self.next_assessment = aid + 1
        self.assessment_rows.append(number)
        values = (aid, actor, measure, status, provenance, confidence, note, by, effective, recorded_at or self.recorded_now)
        self.pending.append(values)
        if evidence:
            self.pending_links.extend((aid, e) for e in evidence)
        pending_identity[identity] = number
        # log_body, inlined (once per row); the hash is changelog.entry_hash's, its material
        # built in one f-string (a test checks the two agree, and verify checks every entry)
        seq = self.seq = self.seq + 1
        body, key, prev = _assessment_json(values, evidence), str(aid), self.prev
        h = sha256(f"{seq}\x1f{self.log_prefix}{key}\x1fimported\x1f{body}\x1f{prev}".encode()).hexdigest()
        self.pending_log.append((seq, self.now, self.importer, "assessment", key, "imported", body, prev, h))
        self.prev = h
        report.assessments_added += 1
        if len(report.added) < SAMPLES:
            report.added.append(f"{source} row {number}: {actor} {measure} {effective} {status}")
        if len(self.pending) >= BATCH:
            self.flush()

    def _existing(self, row: AssessmentRow, content: tuple[Any, ...], evidence: tuple[int, ...]) -> int | None:
        sql = ("SELECT a.id, a.status, a.provenance, a.confidence, a.note, a.recorded_by FROM assessment a "
               "WHERE a.actor_key = ? AND a.measure_key = ? AND a.effective_date = ?")
        params: tuple[Any, ...] = (row.actor, row.measure, row.effective_date)
        if row.recorded_at is not None:
            sql += " AND a.recorded_at = ?"
            params += (row.recorded_at,)
        for r in self.conn.execute(sql, params).fetchall():
            # The evidence is read only for a row whose content matches (rare: a re-import).
            if r[1:6] == content and tuple(e for (e,) in self.conn.execute(
                    "SELECT evidence_id FROM assessment_evidence WHERE assessment_id = ? ORDER BY evidence_id", (r[0],))) == evidence:
                return int(r[0])
            if row.recorded_at is not None:
                raise RowError("recorded_at", f"assessment #{r[0]} of this cell was recorded at the same instant "
                                              "with different content")
        return None

    def flush(self) -> None:
        if self.pending:
            self.conn.executemany(
                "INSERT INTO assessment (id, actor_key, measure_key, status, provenance, confidence, note, recorded_by, "
                "effective_date, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                self.pending,
            )
            self.conn.executemany("INSERT INTO assessment_evidence (assessment_id, evidence_id) VALUES (?,?)", self.pending_links)
        if self.pending_log:
            self.conn.executemany(
                "INSERT INTO change_log (seq, at, \"user\", entity, entity_key, action, payload, prev_hash, hash) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                self.pending_log,
            )
        self.pending, self.pending_links, self.pending_log = [], [], []
        self.pending_identity.clear()

    def claim_ids(self) -> None:
        """Tell a server's sequences which ids this import gave its rows (nothing to do on a file)."""
        self.conn.claim_ids("assessment", self.first_assessment, self.next_assessment - 1)
        self.conn.claim_ids("evidence", self.first_evidence, self.next_evidence - 1)


_ESCAPE = json.encoder.encode_basestring  # the C escaper json.dumps uses (ensure_ascii=False)


def _text_json(value: str | None) -> str:
    return "null" if value is None else str(_ESCAPE(value))


def _assessment_json(values: tuple[Any, ...], evidence: tuple[int, ...]) -> str:
    """``changelog.canonical_json`` of an assessment's snapshot, built directly (it runs for every
    imported row); a test checks it against ``canonical_json`` and ``verify`` checks every entry."""
    _id, actor, measure, status, provenance, confidence, note, by, effective, recorded_at = values
    e = _ESCAPE
    return (
        f'{{"actor_key":{e(actor)},"confidence":{e(confidence)},"effective_date":{e(effective)},'
        f'"evidence":[{",".join(map(str, evidence))}],"measure_key":{e(measure)},"note":{_text_json(note)},'
        f'"provenance":{e(provenance)},"recorded_at":{e(recorded_at)},"recorded_by":{e(by)},'
        f'"status":{e(status)}}}'
    )


def _check_header(table: Table, kind: str, report: ImportReport) -> dict[str, str]:
    """Map each header cell to its column; report unknown, missing and repeated columns."""
    known = layout.ASSESSMENT_COLUMNS if kind == layout.ASSESSMENT_SHEET else layout.EVIDENCE_COLUMNS
    required = layout.ASSESSMENT_REQUIRED if kind == layout.ASSESSMENT_SHEET else layout.EVIDENCE_REQUIRED
    seen: dict[str, str] = {}
    for name in table.header:
        col = name.strip().lower()
        if not col:
            continue
        if col in seen.values():
            report.reject(Rejection(table.name, 1, name, "appears twice"))
        elif col not in known:
            close = difflib.get_close_matches(col, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known columns: {', '.join(known)})"
            report.reject(Rejection(table.name, 1, name, "unknown column" + hint))
        seen[name] = col
    for col in sorted(required - set(seen.values())):
        report.reject(Rejection(table.name, 1, col, "required column is missing"))
    return seen


def _required_present(columns: dict[str, str], kind: str) -> bool:
    required = layout.ASSESSMENT_REQUIRED if kind == layout.ASSESSMENT_SHEET else layout.EVIDENCE_REQUIRED
    return required <= set(columns.values())


BeforeCommit = Callable[[Any], Any]  # gets the transaction's driver connection (a file's sqlite3 connection)


def run_import(db: Database, paths: Sequence[Path], *, importer: str, dry_run: bool = False,
               progress: Progress | None = None, before_commit: BeforeCommit | None = None) -> ImportReport:
    """Import the files (evidence before assessments) in one transaction; see the module doc.

    ``before_commit`` runs when every row has passed, just before the commit: the backup taken
    there (through another connection) holds exactly the database as it was before the import.
    It gets the transaction's connection (to add the backup's seal to it) and may return an
    object told whether the import then committed or was rolled back.
    """
    importer = v.require_text("importer", importer, max_chars=v.MAX_SHORT_CHARS)
    if db.read_only:
        # Even a dry run writes (then rolls back) inside its transaction, to check rows in order.
        raise ReadOnlyDatabaseError(f"{db.path} is read-only: nothing can be imported into it (nothing was changed)")
    files = [Path(p) for p in paths]
    try:
        return _run_import(db, files, importer, dry_run, progress, before_commit)
    except Exception as exc:
        translated = db.translate(exc)
        if translated is None:
            raise
        raise translated from None


def _run_import(db: Database, files: list[Path], importer: str, dry_run: bool, progress: Progress | None,
                before_commit: BeforeCommit | None) -> ImportReport:
    report = ImportReport([p.name for p in files], dry_run)
    digest = hashlib.sha256()
    committed = False
    after: Any = None
    with db.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as connection:
        trans = connection.begin()
        try:
            # The driver's connection inside the engine's transaction: plain SQL, so an import
            # never loads the ORM (sqlmodel and pydantic: about a quarter of a second).
            conn = DriverSql(connection)
            run = _Run(conn, importer, report, progress)
            ordered = sorted(files, key=_rank)
            for path in ordered:
                digest.update(_file_hash(path).encode())
                _import_file(run, path)
            run.flush()
            run.claim_ids()
            if report.ok and not dry_run and (report.assessments_added or report.evidence_added):
                report.batch_id = _record_batch(run, files, digest.hexdigest())
            if report.ok and not dry_run:
                if before_commit is not None and (report.assessments_added or report.evidence_added):
                    after = before_commit(conn.raw)
                trans.commit()
                committed = True
                report.applied = True
        finally:
            if not committed:
                trans.rollback()
                if after is not None:
                    after.rolled_back()
    if after is not None:
        after.committed()
    if not report.ok:
        raise ImportRefused(report)
    return report


def _rank(path: Path) -> int:
    """Evidence files first, so that assessments in another file can cite what they add."""
    if path.suffix.lower() != ".csv":
        return 1
    try:
        with open_tables(path) as tables:
            return 0 if layout.kind_of_header(tables[0].header) == layout.EVIDENCE_SHEET else 1
    except TrackerError:
        return 1  # reported when the file is read in turn


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _import_file(run: _Run, path: Path) -> None:
    with open_tables(path) as tables:
        suffix = path.suffix.lower()
        ordered = sorted(tables, key=lambda t: 0 if _table_kind(t, _sheet(t, suffix)) == layout.EVIDENCE_SHEET else 1)
        for table in ordered:
            sheet = _sheet(table, suffix)
            if sheet is not None and sheet.lower() == layout.ABOUT_SHEET:
                continue
            if sheet is not None and sheet.lower() not in (layout.ASSESSMENT_SHEET, layout.EVIDENCE_SHEET):
                run.report.reject(Rejection(table.name, 1, "*", "is not a sheet of the exchange layout (assessments, "
                                            "evidence, about); a readable workbook cannot be imported"))
                continue
            kind = _table_kind(table, sheet)
            if kind is None:
                run.report.reject(Rejection(table.name, 1, "*", "the first row must name the columns: "
                                            f"{', '.join(layout.ASSESSMENT_COLUMNS)} (or the evidence columns)"))
                continue
            columns = _check_header(table, kind, run.report)
            if not _required_present(columns, kind):
                continue  # rows without their key columns would only repeat the header's rejection
            header = [columns.get(h, "") for h in table.header]
            parse = AssessmentParser(run.actors, run.measures, run.now, run.today).for_header(header)
            rows_read = 0
            for number, values in table.rows:
                rows_read += 1
                if run.progress is not None and rows_read % 1000 == 0:
                    run.progress(rows_read, table.name)
                try:
                    if len(values) > len(header):
                        extra = [i for i in range(len(header), len(values)) if values[i] not in (None, "")]
                        if extra:
                            raise RowError(f"column {extra[0] + 1}", "holds a value but has no name in the first row")
                    if kind == layout.EVIDENCE_SHEET:
                        cells, _ = cells_by_column(header, values)
                        run.add_evidence(table.name, number, parse_evidence(cells, run.importer, run.now, run.today))
                    else:
                        run.add_assessment(table.name, number, parse(values))
                except RowErrors as errors:
                    for exc in errors.errors:
                        run.report.reject(Rejection(table.name, number, exc.column, exc.reason))
                except RowError as exc:
                    run.report.reject(Rejection(table.name, number, exc.column, exc.reason))


def _sheet(table: Table, suffix: str) -> str | None:
    return None if suffix == ".csv" else table.sheet


def _record_batch(run: _Run, files: Sequence[Path], file_hash: str) -> int:
    names = ", ".join(p.name for p in files)[:500]
    added_a = run.report.assessments_added
    added_e = run.report.evidence_added
    values = (
        run.now, run.importer, names, file_hash,
        run.first_assessment if added_a else None, run.first_assessment + added_a - 1 if added_a else None,
        run.first_evidence if added_e else None, run.first_evidence + added_e - 1 if added_e else None,
    )
    batch = run.conn.insert(
        "INSERT INTO import_batch (imported_at, imported_by, file_name, file_sha256, first_assessment_id, "
        "last_assessment_id, first_evidence_id, last_evidence_id) VALUES (?,?,?,?,?,?,?,?)",
        values,
    )
    run.log("import_batch", str(batch), dict(zip(changelog.ENTITY_BY_NAME["import_batch"].columns, values, strict=True)))
    run.flush()
    return batch


def import_provenance(db: Database, assessment_id: int) -> str | None:
    """'imported by X from FILE on DATE' for an assessment added by an import, else None."""
    with db.read() as s:
        row = s.exec(text(  # type: ignore[call-overload]
            "SELECT imported_by, file_name, imported_at FROM import_batch "
            "WHERE :a BETWEEN first_assessment_id AND last_assessment_id"
        ).bindparams(a=int(assessment_id))).first()
    return f"imported by {row[0]} from {row[1]} at {row[2]}" if row else None
