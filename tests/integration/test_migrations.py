"""Schema migrations: every released schema's fixture migrates to head with its data; a backup
is written before migrating; a failed migration changes nothing; newer and older schemas are
named."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from tcbm_tracker.domain.errors import MigrationError, NewerSchemaError, UninitialisedDatabaseError
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.shipped import migrations_dir
from tcbm_tracker.storage.backup import folder_for, list_backups
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.migrations import _config, check_schema, current_revision, head_revision, migrate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "schemas"
RELEASED = [s.revision for s in ScriptDirectory.from_config(_config(migrations_dir())).walk_revisions()]


def revision_of(path: Path) -> str:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def table_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


ASSESSMENTS_SQL = ("SELECT id, actor_key, measure_key, status, provenance, confidence, note, recorded_by, "
                   "effective_date, recorded_at FROM assessment ORDER BY id")
EVIDENCE_SQL = "SELECT id, symbol, title, date, language, evidence_type, url, pinpoint, file_name, file_sha256 FROM evidence ORDER BY id"
LINKS_SQL = "SELECT assessment_id, evidence_id FROM assessment_evidence ORDER BY 1, 2"


def test_every_released_schema_has_a_fixture() -> None:
    assert RELEASED, "no migration scripts found"
    missing = [rev for rev in RELEASED if not (FIXTURES / f"schema_{rev}.sqlite").is_file()]
    assert missing == [], f"write a fixture with tests/fixtures/schemas/make_fixtures.py for {missing}"


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema_*.sqlite")), ids=lambda p: p.stem)
def test_a_released_schema_migrates_to_head_with_its_data(fixture: Path, tmp_path: Path) -> None:
    rev = fixture.stem.removeprefix("schema_")
    assert revision_of(fixture) == rev
    db = tmp_path / "tracker.sqlite"
    shutil.copyfile(fixture, db)
    assessments, evidence, links = (table_rows(db, ASSESSMENTS_SQL), table_rows(db, EVIDENCE_SQL), table_rows(db, LINKS_SQL))
    # The fixture holds what it is meant to exercise.
    assert len(assessments) >= 5 and len(evidence) >= 2 and links
    assert any(e[9] for e in evidence), "the fixture needs an attached file"

    report = initialise(db)
    assert report.migration.from_revision == rev
    assert report.migration.to_revision == head_revision()
    if rev != head_revision():
        assert report.migration.backup is not None and revision_of(report.migration.backup) == rev
    else:
        assert report.migration.backup is None
    assert table_rows(db, ASSESSMENTS_SQL) == assessments
    assert table_rows(db, EVIDENCE_SQL) == evidence
    assert table_rows(db, LINKS_SQL) == links

    t = open_tracker(db)
    try:
        assert t.integrity.verify().ok, t.integrity.verify().problems
        for row in assessments:
            history = t.assessments.history(str(row[1]), str(row[2]))
            assert row[0] in {a.id for a in history}
        for row in evidence:
            info = t.evidence.get(int(row[0]))  # type: ignore[call-overload]
            if info.file_sha256:
                assert hashlib.sha256(t.evidence.file_content(info.id)).hexdigest() == info.file_sha256
        # The record as it stood, read through today's queries.
        m = t.queries.matrix()
        assert m.status("FRA", "LTS-B.4") is Status.IMPLEMENTED
        # 2017 is before the LTS guidelines were adopted: the earlier status is history, not a cell.
        assert t.queries.matrix(as_of="2017-01-01").not_yet_adopted == {"LTS2019": "2019-06-21"}
        assert [a.status for a in t.assessments.history("FRA", "LTS-B.4")][-1] is Status.PLANNED
        usa = t.queries.dossier("USA", catalog="GGE2013")
        cited = next(e for e in usa.entries if e.measure.key == "GGE-IV.1")
        assert cited.assessment is not None
        # Links made before migration 0003 cite the item's own pinpoint; later ones their own.
        assert cited.assessment.pinpoint_for(cited.evidence[0]) == ("p. 5" if rev < "0003" else "p. 21")
        assert m.status("BRA", "GGE-IV.1") is Status.NO_INFORMATION
        assert t.reference.actor("ESA").name == "European Space Agency"
    finally:
        t.close()
    # Initialising again changes nothing.
    again = initialise(db)
    assert not again.changed


def write_revision(folder: Path, body: str, rev: str = "0900") -> Path:
    """A copy of the shipped migration scripts with one more revision on top of the head."""
    scripts = folder / "migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / f"{rev}.py").write_text(
        f'"""test revision"""\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f"revision = {rev!r}\ndown_revision = {head_revision()!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n{body}\n\n\ndef downgrade() -> None:\n    pass\n",
        encoding="utf-8")
    return scripts


ADD_COLUMN = ("    with op.batch_alter_table('evidence') as batch:\n"
              "        batch.add_column(sa.Column('publisher', sa.String(), nullable=True))\n")


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "tracker.sqlite"
    db.parent.mkdir()
    shutil.copyfile(FIXTURES / f"schema_{head_revision()}.sqlite", db)
    initialise(db)  # WAL on, shipped data current: as a user's database would be
    return db


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


SEALS_SQL = "SELECT log_seq, head_hash, purpose FROM seal ORDER BY id"


def without_seals(lines: list[str]) -> list[str]:
    """A dump without its seal rows (and the seal table's id counter)."""
    return [line for line in lines if not line.startswith(('INSERT INTO "seal"', 'INSERT INTO "sqlite_sequence" VALUES(\'seal\''))]


def test_backup_before_migrating(old_db: Path, tmp_path: Path) -> None:
    scripts = write_revision(tmp_path, ADD_COLUMN)
    before = dump(old_db)
    seals_before = table_rows(old_db, SEALS_SQL)  # the fixture may hold seals of its own
    assessments = table_rows(old_db, ASSESSMENTS_SQL)
    db = Database(old_db)
    try:
        result = migrate(db, script_location=scripts)
        assert (result.from_revision, result.to_revision, result.changed) == (head_revision(), "0900", True)
        assert current_revision(db) == "0900"
        assert check_schema(db, script_location=scripts) == "0900"
    finally:
        db.dispose()
    # The backup: in the database's backup folder, hashed, a valid database at the old revision with the same data.
    backup = result.backup
    assert backup is not None and backup.parent == folder_for(old_db) and backup.exists()
    assert backup.name.endswith(f"-before-migration-{head_revision()}.sqlite")
    assert [b.path for b in list_backups(old_db)] == [backup] and list_backups(old_db)[0].hash_matches()
    assert table_rows(backup, "PRAGMA integrity_check") == [("ok",)]
    assert revision_of(backup) == head_revision()
    # The same data, plus the seal of its head made for this backup (in the migration's transaction).
    assert without_seals(dump(backup)) == without_seals(before)
    seals = table_rows(backup, SEALS_SQL)
    new_seal = table_rows(backup, "SELECT seq, hash, 'backup before migration' FROM change_log ORDER BY seq DESC LIMIT 1")
    assert seals == seals_before + new_seal
    assert table_rows(old_db, SEALS_SQL) == seals  # the migrated file holds it too
    t = open_tracker(backup)
    report = t.integrity.verify()
    assert report.ok and report.seals_checked == 1  # the fixture's own seals were made with another copy's key
    t.close()
    # The migrated database: new column, same data.
    assert ("publisher",) in [(r[1],) for r in table_rows(old_db, "PRAGMA table_info(evidence)")]
    assert table_rows(old_db, ASSESSMENTS_SQL) == assessments
    assert table_rows(old_db, "SELECT count(*) FROM evidence WHERE publisher IS NULL") == table_rows(
        backup, "SELECT count(*) FROM evidence")
    # This version of the tracker does not know 0900 (numbered past its own head): the migrated file is "from a newer version".
    with pytest.raises(NewerSchemaError, match="0900"):
        open_tracker(old_db)


def test_an_older_schema_must_be_upgraded_first(old_db: Path, tmp_path: Path) -> None:
    scripts = write_revision(tmp_path, ADD_COLUMN)
    db = Database(old_db)
    try:
        with pytest.raises(UninitialisedDatabaseError, match=rf"uses an older schema \({head_revision()}\).*tcbm-tracker init"):
            check_schema(db, script_location=scripts)
    finally:
        db.dispose()


def test_a_failed_migration_changes_nothing(old_db: Path, tmp_path: Path) -> None:
    scripts = write_revision(tmp_path, ADD_COLUMN + "    raise RuntimeError('migration step failed')\n")
    before = dump(old_db)
    seals_before = table_rows(old_db, SEALS_SQL)
    db = Database(old_db)
    try:
        with pytest.raises(RuntimeError, match="migration step failed"):
            migrate(db, script_location=scripts)
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
    assert dump(old_db) == before
    assert "publisher" not in [r[1] for r in table_rows(old_db, "PRAGMA table_info(evidence)")]
    assert len(list_backups(old_db)) == 1  # the backup was still made first
    # Its seal was made in the migration's transaction, rolled back with it: the copy drops it too.
    backup = list_backups(old_db)[0]
    assert table_rows(backup.path, SEALS_SQL) == seals_before and backup.hash_matches()


def test_an_up_to_date_database_is_not_backed_up(old_db: Path) -> None:
    beside = sorted(p.name for p in old_db.parent.iterdir())
    db = Database(old_db)
    try:
        result = migrate(db)
    finally:
        db.dispose()
    assert (result.changed, result.backup) == (False, None)
    assert sorted(p.name for p in old_db.parent.iterdir()) == beside
    report = initialise(old_db)
    assert not report.changed and report.migration.backup is None


def test_a_new_database_needs_no_backup(tmp_path: Path) -> None:
    report = initialise(tmp_path / "new.sqlite")
    assert report.created and report.migration.from_revision is None and report.migration.backup is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite"]


def test_head_revision_constant_matches_the_shipped_scripts() -> None:
    """Opening an up-to-date database trusts HEAD_REVISION instead of parsing the scripts."""
    from tcbm_tracker.storage.migrations import HEAD_REVISION, head_revision

    assert head_revision() == HEAD_REVISION


def test_migrating_a_locked_database_is_a_clear_error_and_writes_no_backup(old_db: Path, tmp_path: Path) -> None:
    from tcbm_tracker.domain.errors import DatabaseLockedError

    scripts = write_revision(tmp_path, ADD_COLUMN)
    before = dump(old_db)
    holder = sqlite3.connect(old_db)
    holder.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        db = Database(old_db, busy_timeout_ms=100)
        with pytest.raises(DatabaseLockedError, match="locked by another program"):
            migrate(db, script_location=scripts)
        db.dispose()
    finally:
        holder.rollback()
        holder.close()
    assert dump(old_db) == before
    assert not list_backups(old_db)


# --- Migrations that rebuild a table other tables refer to ---------------------------------

REFERENCED_TABLES = ["evidence", "assessment", "actor", "measure", "catalog"]


@pytest.mark.parametrize("table", REFERENCED_TABLES)
def test_a_migration_may_rebuild_a_referenced_table(old_db: Path, tmp_path: Path, table: str) -> None:
    """Batch mode copies the table and drops the old one: with foreign keys on, the drop fails."""
    body = (f"    with op.batch_alter_table({table!r}, recreate='always') as batch:\n"
            "        batch.add_column(sa.Column('extra', sa.String(), nullable=True))\n")
    scripts = write_revision(tmp_path, body)
    counts = {t: table_rows(old_db, f"SELECT count(*) FROM {t}") for t in REFERENCED_TABLES + ["assessment_evidence"]}
    assessments, evidence, links = (table_rows(old_db, ASSESSMENTS_SQL), table_rows(old_db, EVIDENCE_SQL),
                                    table_rows(old_db, LINKS_SQL))
    db = Database(old_db)
    try:
        migrate(db, script_location=scripts)
        assert current_revision(db) == "0900"
        with db.read() as s:
            # Foreign keys are enforced again afterwards, on the connection that migrated.
            assert s.exec(text("PRAGMA foreign_keys")).one()[0] == 1  # type: ignore[call-overload]
    finally:
        db.dispose()
    assert "extra" in [r[1] for r in table_rows(old_db, f"PRAGMA table_info({table})")]
    assert {t: table_rows(old_db, f"SELECT count(*) FROM {t}") for t in counts} == counts
    assert table_rows(old_db, ASSESSMENTS_SQL) == assessments
    assert table_rows(old_db, EVIDENCE_SQL) == evidence
    assert table_rows(old_db, LINKS_SQL) == links
    assert table_rows(old_db, "PRAGMA foreign_key_check") == []
    # References still point at the rebuilt table by name (not at a temporary copy).
    schema = " ".join(r[0] for r in table_rows(old_db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    assert "_alembic_tmp" not in schema


def test_a_migration_that_breaks_a_reference_is_refused_and_rolled_back(old_db: Path, tmp_path: Path) -> None:
    body = ("    op.execute('DELETE FROM evidence_file')\n"
            "    op.execute('DELETE FROM evidence')\n")
    scripts = write_revision(tmp_path, body)
    before = dump(old_db)
    db = Database(old_db)
    try:
        with pytest.raises(MigrationError, match=r"(assessment_evidence|evidence_correction) row \d+ referring to a missing evidence row"):
            migrate(db, script_location=scripts)
        assert current_revision(db) == head_revision()
        with db.read() as s:
            assert s.exec(text("PRAGMA foreign_keys")).one()[0] == 1  # type: ignore[call-overload]
    finally:
        db.dispose()
    assert dump(old_db) == before


@pytest.mark.parametrize("revision, expected", [
    ("0000", r"uses schema 0000, older than this version's schema \d+ but not one TCBM Tracker ever released"),
    ("a1b2c3", r"uses schema 'a1b2c3', which this version does not know \(a newer version of TCBM Tracker or another build"),
    ("9999", r"was written by a newer version of TCBM Tracker \(schema 9999\)"),
])
def test_an_unknown_schema_is_called_newer_only_when_it_is(old_db: Path, revision: str, expected: str) -> None:
    from tcbm_tracker.domain.errors import StorageError

    con = sqlite3.connect(old_db)
    con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.commit()
    con.close()
    before = dump(old_db)
    for attempt in (lambda: open_tracker(old_db), lambda: initialise(old_db)):
        with pytest.raises(StorageError, match=expected) as info:
            attempt()
        if revision == "0000":
            assert "newer" not in str(info.value)
    assert dump(old_db) == before


def test_schema_0001_upgraded_never_reuses_an_id(tmp_path: Path) -> None:
    """0002 puts AUTOINCREMENT on the chained tables, with each counter past every id used."""
    from tcbm_tracker.services.assessments import AssessmentInput

    db = tmp_path / "tracker.sqlite"
    shutil.copyfile(FIXTURES / "schema_0001.sqlite", db)
    highest = table_rows(db, "SELECT max(id) FROM assessment")[0][0]
    initialise(db)
    for table in ("change_log", "assessment", "evidence", "actor_attribute", "seal"):
        sql = table_rows(db, f"SELECT sql FROM sqlite_master WHERE name = '{table}'")[0][0]
        assert "AUTOINCREMENT" in sql, table
    assert table_rows(db, "SELECT seq FROM sqlite_sequence WHERE name = 'assessment'") == [(highest,)]
    t = open_tracker(db)
    try:
        first = t.assessments.record(AssessmentInput("FRA", "LTS-B.3", "planned"))
    finally:
        t.close()
    assert first.id == highest + 1
    # The newest assessment and its log entry deleted outside the app...
    con = sqlite3.connect(db)
    con.execute(f"DELETE FROM assessment WHERE id = {first.id}")
    con.execute(f"DELETE FROM change_log WHERE entity = 'assessment' AND entity_key = '{first.id}'")
    con.commit()
    con.close()
    t = open_tracker(db)
    try:
        second = t.assessments.record(AssessmentInput("FRA", "LTS-B.3", "implemented"))
        report = t.integrity.verify()
    finally:
        t.close()
    # ...are not papered over by the next recording: a new id, and the gap stays visible.
    assert second.id == first.id + 1
    assert not report.ok and any("missing" in p for p in report.problems), report.problems


def test_schemas_0006_and_0007_change_no_sqlite_index(tmp_path: Path) -> None:
    """0006 and 0007 rebuild the cell index on PostgreSQL only: SQLite's indexes already carry the
    rowid, and its matrix fetches a cell's row by it."""
    db = tmp_path / "tracker.sqlite"
    shutil.copyfile(FIXTURES / "schema_0005.sqlite", db)
    indexes_sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    before = table_rows(db, indexes_sql)
    assert ("ix_assessment_cell_merge",) in [row[:1] for row in before]
    initialise(db)
    assert revision_of(db) >= "0007"
    assert table_rows(db, indexes_sql) == before
