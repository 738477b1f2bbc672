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

from tcbm_tracker.domain.errors import NewerSchemaError, UninitialisedDatabaseError
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
        assert t.queries.matrix(as_of="2017-01-01").status("FRA", "LTS-B.4") is Status.PLANNED
        assert m.status("BRA", "GGE-IV.1") is Status.NO_INFORMATION
        assert t.reference.actor("ESA").name == "European Space Agency"
    finally:
        t.close()
    # Initialising again changes nothing.
    again = initialise(db)
    assert not again.changed


def write_revision(folder: Path, body: str, rev: str = "0002_test") -> Path:
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


def test_backup_before_migrating(old_db: Path, tmp_path: Path) -> None:
    scripts = write_revision(tmp_path, ADD_COLUMN)
    before = dump(old_db)
    assessments = table_rows(old_db, ASSESSMENTS_SQL)
    db = Database(old_db)
    try:
        result = migrate(db, script_location=scripts)
        assert (result.from_revision, result.to_revision, result.changed) == (head_revision(), "0002_test", True)
        assert current_revision(db) == "0002_test"
        assert check_schema(db, script_location=scripts) == "0002_test"
    finally:
        db.dispose()
    # The backup: in the database's backup folder, hashed, a valid database at the old revision with the same data.
    backup = result.backup
    assert backup is not None and backup.parent == folder_for(old_db) and backup.exists()
    assert backup.name.endswith(f"-before-migration-{head_revision()}.sqlite")
    assert [b.path for b in list_backups(old_db)] == [backup] and list_backups(old_db)[0].hash_matches()
    assert table_rows(backup, "PRAGMA integrity_check") == [("ok",)]
    assert revision_of(backup) == head_revision()
    assert dump(backup) == before
    t = open_tracker(backup)
    assert t.integrity.verify().ok
    t.close()
    # The migrated database: new column, same data.
    assert ("publisher",) in [(r[1],) for r in table_rows(old_db, "PRAGMA table_info(evidence)")]
    assert table_rows(old_db, ASSESSMENTS_SQL) == assessments
    assert table_rows(old_db, "SELECT count(*) FROM evidence WHERE publisher IS NULL") == table_rows(
        backup, "SELECT count(*) FROM evidence")
    # This version of the tracker does not know 0002_test: the migrated file is "from a newer version".
    with pytest.raises(NewerSchemaError, match="0002_test"):
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
