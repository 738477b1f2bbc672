"""Backups: consistent copies of a live database, hashed, rotated, kept apart per database;
the start-up quick check; restore that verifies first and leaves everything as it was on refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.domain.errors import DamagedDatabaseError, ValidationError
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.backups import backup_before, backup_now, restore, startup_check
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tcbm_tracker.storage.backup import (
    file_sha256,
    folder_for,
    list_backups,
    newest_good_backup,
    quick_check,
    rotate,
)

pytestmark = pytest.mark.file_only  # backups are copies of a database file (a server's: pg_dump)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def statuses(path: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute("SELECT actor_key, measure_key, status FROM assessment ORDER BY id").fetchall()
    finally:
        con.close()


def damage(path: Path) -> None:
    """Overwrite a page in the middle of the file: a b-tree page SQLite's quick check reads."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(b"\xa5" * 4096)


def test_backup_of_a_live_database_is_consistent_and_hashed(tracker: Tracker) -> None:
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
    # Another connection is in the middle of a write: the backup holds only committed data.
    other = sqlite3.connect(tracker.path)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE actor SET name = 'uncommitted' WHERE key = 'FRA'")
    try:
        info = backup_now(tracker.path)
    finally:
        other.rollback()
        other.close()
    assert info.path.parent == folder_for(tracker.path)
    assert info.sha256 == file_sha256(info.path) and info.hash_matches()
    assert (info.path.parent / (info.path.name + ".sha256")).read_text().split() == [info.sha256, info.path.name]
    assert statuses(info.path) == [("FRA", "LTS-A.1", "implemented")]
    assert not Path(f"{info.path}-wal").exists()
    restored = open_tracker(info.path)
    try:
        assert restored.integrity.verify().ok
        assert restored.reference.actors()[0].name != "uncommitted"
    finally:
        restored.close()


def test_backups_of_two_databases_with_the_same_name_do_not_mix(db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / db_path.name
    other.parent.mkdir()
    shutil.copy(db_path, other)
    a, b = backup_now(db_path), backup_now(other)
    assert a.path.parent != b.path.parent
    assert [x.path for x in list_backups(db_path)] == [a.path]
    assert [x.path for x in list_backups(other)] == [b.path]


def test_rotation_keeps_the_newest_n(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCBM_TRACKER_BACKUP_KEEP", "3")
    made = [backup_now(db_path).path for _ in range(5)]
    kept = [b.path for b in list_backups(db_path)]
    assert kept == list(reversed(made[-3:]))
    assert not any(p.exists() or Path(f"{p}.sha256").exists() for p in made[:2])
    assert rotate(db_path, keep=1) == kept[1:]


def test_a_bad_keep_setting_is_a_clear_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCBM_TRACKER_BACKUP_KEEP", "zero")
    with pytest.raises(ValidationError, match="TCBM_TRACKER_BACKUP_KEEP.*'zero'"):
        backup_now(db_path)


def test_startup_backup_at_most_once_a_day(db_path: Path) -> None:
    day = dt.datetime.now(dt.UTC).date()
    first = startup_check(db_path, today=day)
    assert first is not None and first.reason == "daily"
    assert startup_check(db_path, today=day) is None
    assert len(list_backups(db_path)) == 1
    assert startup_check(db_path, today=day + dt.timedelta(days=1)) is not None  # a new day


def test_backup_before_an_import(db_path: Path) -> None:
    info = backup_before(db_path, "import")
    assert info is not None and info.reason == "before-import" and info.hash_matches()


def test_a_damaged_database_is_refused_and_the_newest_good_backup_named(db_path: Path) -> None:
    good = backup_now(db_path)
    damage(db_path)
    assert quick_check(db_path)
    before = sha(db_path)
    with pytest.raises(DamagedDatabaseError, match="is damaged") as caught:
        startup_check(db_path)
    assert str(good.path) in caught.value.message and "restore" in caught.value.message
    assert caught.value.backup is not None and caught.value.backup.path == good.path  # type: ignore[attr-defined]
    assert sha(db_path) == before
    assert [b.path for b in list_backups(db_path)] == [good.path]  # no backup of a damaged file


def test_newest_good_backup_skips_one_whose_hash_does_not_match(db_path: Path) -> None:
    older = backup_now(db_path)
    newer = backup_now(db_path)
    with newer.path.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00")
    found = newest_good_backup(db_path)
    assert found is not None and found.path == older.path


def test_restore_brings_back_the_backup_and_saves_the_current_file(tracker: Tracker) -> None:
    path = tracker.path
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
    good = backup_now(path)
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
    tracker.close()
    result = restore(path, good.path)
    assert statuses(path) == [("FRA", "LTS-A.1", "implemented")]
    assert result.previous_saved_as is not None and statuses(result.previous_saved_as)[-1][2] == "planned"
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    t = open_tracker(path)
    try:
        assert t.integrity.verify().ok
    finally:
        t.close()


def test_restore_over_a_damaged_file_keeps_the_damaged_bytes(db_path: Path) -> None:
    good = backup_now(db_path)
    damage(db_path)
    damaged = db_path.read_bytes()
    result = restore(db_path, good.path)
    assert not quick_check(db_path)
    assert result.previous_saved_as is not None and result.previous_saved_as.read_bytes() == damaged


def _tampered(src: Path, target: Path) -> Path:
    shutil.copy(src, target)
    con = sqlite3.connect(target)
    con.execute("UPDATE actor SET name = 'Tampered' WHERE key = 'FRA'")
    con.commit()
    con.close()
    return target


def _foreign(target: Path) -> Path:
    con = sqlite3.connect(target)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    return target


def _newer(src: Path, target: Path) -> Path:
    shutil.copy(src, target)
    con = sqlite3.connect(target)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    return target


def _damaged(src: Path, target: Path) -> Path:
    shutil.copy(src, target)
    damage(target)
    return target


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda src, d: (d / "text.sqlite").write_text("hello") and d / "text.sqlite", "not an SQLite database file"),
        (lambda src, d: _foreign(d / "other.sqlite"), "not a TCBM Tracker database"),
        (lambda src, d: _tampered(src, d / "tampered.sqlite"), "fails verification"),
        (lambda src, d: _newer(src, d / "newer.sqlite"), "newer version"),
        (lambda src, d: _damaged(src, d / "damaged.sqlite"), "not a good database"),
        (lambda src, d: d / "missing.sqlite", "is not a file"),
    ],
    ids=["text", "foreign", "tampered", "newer", "damaged", "missing"],
)
def test_restore_refuses_a_bad_file_and_changes_nothing(db_path: Path, tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    backup_now(db_path)
    folder = tmp_path / "candidates"
    folder.mkdir()
    candidate = make(db_path, folder)
    before = (sha(db_path), sorted(p.name for p in db_path.parent.iterdir()))
    backups_before = sorted(p.name for p in folder_for(db_path).iterdir())
    with pytest.raises(ValidationError, match=reason):
        restore(db_path, candidate)
    assert (sha(db_path), sorted(p.name for p in db_path.parent.iterdir())) == before
    assert sorted(p.name for p in folder_for(db_path).iterdir()) == backups_before
