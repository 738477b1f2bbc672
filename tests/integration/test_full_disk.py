"""A full disk: a write says "the disk is full" with the path and leaves the data as it was;
an ``init`` that fills the disk says so and leaves no half-made file.

The disk is "full" through SQLite's ``max_page_count`` (the file may not grow past its pages),
set on every connection the tracker opens, so no special file system is needed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.domain.errors import DiskFullError
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage import database
from tcbm_tracker.storage.backup import list_backups


@pytest.fixture
def disk_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int | None]]:
    """Connections the tracker opens may grow the file to ``limit["pages"]`` (None: as it is now)."""
    limit: dict[str, int | None] = {"pages": None}
    real_connect = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        con = real_connect(*args, **kwargs)
        pages = limit["pages"]
        if pages is None:
            pages = con.execute("PRAGMA page_count").fetchone()[0]
        con.execute(f"PRAGMA max_page_count = {int(pages)}")
        return con

    class FullDiskSqlite:
        def __getattr__(self, name: str) -> Any:
            return connect if name == "connect" else getattr(sqlite3, name)

    monkeypatch.setattr(database, "sqlite3", FullDiskSqlite())
    yield limit


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_a_write_on_a_full_disk_says_so_and_changes_nothing(db_path: Path, disk_pages: dict[str, int | None],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = dump(db_path)
    note = "Conjunction assessment for every operator. " * 2000  # ~90 kB: needs new pages
    t = open_tracker(db_path)
    try:
        with pytest.raises(DiskFullError, match=rf"cannot write {db_path}: the disk is full; nothing was changed"):
            t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", note=note))
        # Reading still works.
        assert t.reference.actor("FRA").name == "France"
    finally:
        t.close()
    assert dump(db_path) == before
    # The same through the command line: one line, exit code of a storage error.
    note_file = db_path.parent / "note.txt"
    note_file.write_text(note, encoding="utf-8")
    code = main(["--db", str(db_path), "assess", "FRA", "LTS-B.4", "implemented", "--note-file", str(note_file)])
    err = capsys.readouterr().err
    assert code == 3 and err == (f"tcbm-tracker: error: cannot write {db_path}: the disk is full; nothing was changed "
                                 "(free some space and try again)\n")
    assert main(["--db", str(db_path), "show", "FRA"]) == 0
    assert dump(db_path) == before


def test_init_on_a_disk_it_fills_says_so_and_leaves_no_file(tmp_path: Path, disk_pages: dict[str, int | None],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    disk_pages["pages"] = 40  # room for the schema, not for the shipped catalogues and actors
    path = tmp_path / "tracker.sqlite"
    code = main(["--db", str(path), "init"])
    err = capsys.readouterr().err
    assert code == 3 and err == (f"tcbm-tracker: error: cannot write {path}: the disk is full; nothing was changed "
                                 "(free some space and try again)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_upgrading_on_a_full_disk_says_so_and_keeps_the_old_file(tmp_path: Path, disk_pages: dict[str, int | None]) -> None:
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "schemas" / "schema_0001.sqlite"
    path = tmp_path / "tracker.sqlite"
    path.write_bytes(fixture.read_bytes())
    before = dump(path)
    disk_pages["pages"] = 1  # the tracker's connections may not grow the file at all
    with pytest.raises(DiskFullError, match=f"cannot write {path}: the disk is full"):
        initialise(path)
    assert dump(path) == before
    # The copy made before migrating is whole (it is written by its own connection, into the
    # backup folder) and hashed.
    [backup] = list_backups(path)
    assert backup.hash_matches() and dump(backup.path) == before


def test_reading_works_when_the_disk_is_too_full_to_open_for_writing(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """With no room for the WAL index, SQLite fails to open the file for writing ("disk I/O
    error"); the tracker reads through a read-only connection instead. Simulated: the
    writable open fails as it does on a full disk, and the free space reads as none."""
    real_connect = sqlite3.connect

    def connect(target: Any, *args: Any, uri: bool = False, **kwargs: Any) -> sqlite3.Connection:
        if not uri:  # the writable open, by path
            raise sqlite3.OperationalError("disk I/O error")
        return real_connect(target, *args, uri=uri, **kwargs)

    class FullDiskSqlite:
        def __getattr__(self, name: str) -> Any:
            return connect if name == "connect" else getattr(sqlite3, name)

    monkeypatch.setattr(database, "sqlite3", FullDiskSqlite())
    monkeypatch.setattr(database.shutil, "disk_usage", lambda _p: type("U", (), {"free": 0})())
    before = dump(db_path)
    assert main(["--db", str(db_path), "show", "FRA"]) == 0
    assert "France" in capsys.readouterr().out
    assert main(["--db", str(db_path), "matrix", "--catalog", "LTS2019"]) == 0
    capsys.readouterr()
    code = main(["--db", str(db_path), "assess", "FRA", "LTS-B.4", "implemented"])
    assert code == 3 and capsys.readouterr().err == (
        f"tcbm-tracker: error: cannot write {db_path}: the disk is full; nothing was changed (free some space and try again)\n")
    assert dump(db_path) == before
