"""Files the tracker cannot use as asked: each gets a clear error and is left byte-identical.

"Unchanged" is checked on the bytes of the file after every connection to it is closed (so
that nothing can still be waiting in a write-ahead log), and no -wal/-shm file may be left
beside a file the tracker refused.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker.domain.errors import (
    DatabaseLockedError,
    DiskFullError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    StorageError,
    TrackerError,
    UninitialisedDatabaseError,
)
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tcbm_tracker.storage.database import Database, is_read_only_file, translate_error


def fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's SHA-256 and the names of everything beside it."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(p.name for p in path.parent.iterdir())


def refused(action: Callable[[], Any], error: type[TrackerError], *fragments: str) -> str:
    with pytest.raises(error) as info:
        action()
    message = info.value.message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def opened(path: Path, **kwargs: Any) -> Tracker:
    t = open_tracker(path, **kwargs)  # if this raises, nothing is left open
    t.close()
    return t


# --- files that are not tracker databases ----------------------------------------------------

NOT_DATABASES = {
    "text": b"key,status\nFRA,implemented\n",
    "random": b"\x8f\x00\xfe" + bytes(range(256)) * 40,
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
}


@pytest.mark.parametrize("kind", sorted(NOT_DATABASES))
def test_a_file_that_is_not_a_database(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "tracker.sqlite"
    path.write_bytes(NOT_DATABASES[kind])
    before = fingerprint(path)
    refused(lambda: opened(path), NotADatabaseError, str(path), "not an SQLite file")
    refused(lambda: initialise(path), NotADatabaseError, "not an SQLite file")
    assert fingerprint(path) == before


def test_a_damaged_sqlite_file(tmp_path: Path) -> None:
    """An SQLite header followed by garbage is named as damaged, not reported as a bug."""
    path = tmp_path / "tracker.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 32)
    before = fingerprint(path)
    refused(lambda: opened(path), NotADatabaseError, str(path))
    refused(lambda: initialise(path), NotADatabaseError, str(path))
    assert fingerprint(path) == before


def test_a_truncated_tracker_database(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "truncated.sqlite"
    path.write_bytes(db_path.read_bytes()[: 3 * 4096])
    before = fingerprint(path)
    with pytest.raises(StorageError) as info:
        t = open_tracker(path)
        try:
            t.integrity.verify()
        finally:
            t.close()
    assert isinstance(info.value, (NotADatabaseError, UninitialisedDatabaseError)), info.value
    assert fingerprint(path) == before


def test_an_sqlite_database_of_another_program(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.execute("INSERT INTO contacts VALUES ('someone')")
    con.commit()
    con.close()
    before = fingerprint(path)
    refused(lambda: opened(path), UninitialisedDatabaseError, "another program")
    refused(lambda: initialise(path), UninitialisedDatabaseError, "another program")
    assert fingerprint(path) == before


def test_an_empty_file_is_not_changed_by_opening_it(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    before = fingerprint(path)
    refused(lambda: opened(path), UninitialisedDatabaseError, "tcbm-tracker init")
    assert fingerprint(path) == before
    # ... and `init` makes a tracker database of it.
    initialise(path)
    t = open_tracker(path)
    assert len(t.reference.catalogs()) == 2
    t.close()


def test_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    refused(lambda: opened(folder), NotADatabaseError, "is a folder, not a database file")
    refused(lambda: initialise(folder), NotADatabaseError, "is a folder, not a database file")
    assert list(folder.iterdir()) == []


def test_a_missing_file_is_not_created_by_opening(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    refused(lambda: opened(path), UninitialisedDatabaseError, "no tracker database at", "tcbm-tracker init")
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    refused(lambda: initialise(blocker / "tracker.sqlite"), ReadOnlyDatabaseError, "cannot create")
    assert blocker.read_text() == "x"


# --- read-only files -------------------------------------------------------------------------

@pytest.fixture
def read_only_db(db_path: Path) -> Iterator[Path]:
    t = open_tracker(db_path, user="tester")
    t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2020-01-01"))
    t.close()
    os.chmod(db_path, 0o444)
    yield db_path
    os.chmod(db_path, 0o644)


def test_mode_bits_mark_a_file_read_only_even_for_root(read_only_db: Path) -> None:
    assert is_read_only_file(read_only_db)
    assert Database(read_only_db).read_only


def test_a_read_only_file_can_be_read(read_only_db: Path) -> None:
    before = fingerprint(read_only_db)
    t = open_tracker(read_only_db)
    try:
        assert t.queries.matrix().status("FRA", "LTS-B.4").value == "implemented"
        assert len(t.queries.dossier("FRA").entries) == 37
        assert t.integrity.verify().ok
        assert len(t.reference.actors()) == 195
    finally:
        t.close()
    assert fingerprint(read_only_db) == before


def test_a_read_only_file_refuses_every_write(read_only_db: Path, tmp_path: Path) -> None:
    catalogue = tmp_path / "cat.json"
    catalogue.write_text('{"format": "tcbm-tracker/catalog", "format_version": 1, "key": "NAT1", "version": 1, '
                         '"title": "T", "source_document": "S", "groups": [{"key": "P", "title": "P"}], '
                         '"measures": [{"key": "NAT-1", "group": "P", "title": "One"}]}', encoding="utf-8")
    before = fingerprint(read_only_db)
    t = open_tracker(read_only_db, user="tester")
    writes: list[Callable[[], Any]] = [
        lambda: t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented")),
        lambda: t.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", "planned")]),
        lambda: t.evidence.add(EvidenceInput(title="A document")),
        lambda: t.reference.add_organization("ESA", "European Space Agency"),
        lambda: t.reference.set_attribute("FRA", "un_regional_group", "EEG", "2025-06-01"),
        lambda: t.reference.load_catalog_file(catalogue),
    ]
    try:
        for write in writes:
            refused(write, ReadOnlyDatabaseError, str(read_only_db), "read-only", "nothing was changed")
    finally:
        t.close()
    refused(lambda: initialise(read_only_db), ReadOnlyDatabaseError, "read-only")
    assert fingerprint(read_only_db) == before


# --- locked by another program ---------------------------------------------------------------

def test_a_database_locked_by_another_connection(db_path: Path) -> None:
    before = fingerprint(db_path)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        t = open_tracker(db_path, user="tester", busy_timeout_ms=200)
        try:
            assert len(t.queries.matrix().actors) == 195  # WAL: reading goes on
            refused(lambda: t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented")),
                    DatabaseLockedError, str(db_path), "locked by another program")
            refused(lambda: t.evidence.add(EvidenceInput(title="A document")), DatabaseLockedError, "locked")
        finally:
            t.close()
    finally:
        holder.rollback()
        holder.close()
    assert fingerprint(db_path) == before
    # Once the other program has finished, writing works.
    t = open_tracker(db_path, user="tester", busy_timeout_ms=200)
    t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
    assert t.integrity.verify().ok
    t.close()


def test_a_database_locked_by_another_process(db_path: Path) -> None:
    before = fingerprint(db_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\n"
         "print('locked', flush=True)\n"
         "sys.stdin.read()\n"
         "c.rollback()\n", str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        t = open_tracker(db_path, user="tester", busy_timeout_ms=200)
        try:
            refused(lambda: t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented")),
                    DatabaseLockedError, "locked by another program")
        finally:
            t.close()
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    assert fingerprint(db_path) == before


# --- written by a newer version --------------------------------------------------------------

def test_a_database_from_a_newer_version(db_path: Path) -> None:
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    before = fingerprint(db_path)
    refused(lambda: opened(db_path), NewerSchemaError, "newer version of TCBM Tracker", "9999_future")
    refused(lambda: initialise(db_path), NewerSchemaError, "newer version of TCBM Tracker")
    assert fingerprint(db_path) == before  # and no backup copy was written either


# --- translation of SQLite errors ------------------------------------------------------------

@pytest.mark.parametrize("error, expected", [
    (sqlite3.DatabaseError("file is not a database"), NotADatabaseError),
    (sqlite3.DatabaseError("database disk image is malformed"), NotADatabaseError),
    (sqlite3.OperationalError("attempt to write a readonly database"), ReadOnlyDatabaseError),
    (sqlite3.OperationalError("database is locked"), DatabaseLockedError),
    (sqlite3.OperationalError("database table is locked"), DatabaseLockedError),
    (sqlite3.OperationalError("database or disk is full"), DiskFullError),
    (sqlite3.OperationalError("disk I/O error"), StorageError),
])
def test_sqlite_errors_become_user_errors(error: Exception, expected: type[StorageError]) -> None:
    translated = translate_error(error, Path("/data/tracker.sqlite"))
    assert type(translated) is expected
    assert "/data/tracker.sqlite" in translated.message


def test_other_errors_stay_bugs() -> None:
    assert translate_error(sqlite3.OperationalError("no such table: assessment"), Path("x")) is None
    assert translate_error(ValueError("boom"), Path("x")) is None


def test_storage_errors_have_their_own_exit_code() -> None:
    assert StorageError.exit_code == 3 and TrackerError.exit_code == 2
