"""`backup`, `backup list`, `restore` and the start-up check, from the command line."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.storage.backup import list_backups


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_list_and_restore(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A command that writes makes the day's automatic backup first, once.
    assert run(capsys, "--db", db_path, "assess", "FRA", "LTS-A.1", "planned")[0] == 0
    assert run(capsys, "--db", db_path, "assess", "FRA", "LTS-A.2", "planned")[0] == 0
    assert [b.reason for b in list_backups(db_path)] == ["daily"]
    made = list_backups(db_path)
    code, out, err = run(capsys, "--db", db_path, "backup")
    assert code == 0, err
    manual = list_backups(db_path)[0]
    assert manual.reason == "manual" and f"backup: {manual.path}" in out and f"sha256: {manual.sha256}" in out
    code, out, _ = run(capsys, "--db", db_path, "backup", "--out", tmp_path / "mine.sqlite")
    assert code == 0 and (tmp_path / "mine.sqlite.sha256").exists()
    mine = sha(tmp_path / "mine.sqlite")
    code, out, err = run(capsys, "--db", db_path, "backup", "--out", tmp_path / "mine.sqlite")
    assert code == 2 and "already exists" in err and sha(tmp_path / "mine.sqlite") == mine  # never overwritten
    code, out, _ = run(capsys, "--db", db_path, "backup", "list")
    assert code == 0 and "daily" in out and "manual" in out and " ok " in out
    code, out, err = run(capsys, "--db", db_path, "restore", made[0].path)
    assert code == 0, err
    assert "verified" in out and "backed up first" in out
    code, out, _ = run(capsys, "--db", db_path, "history", "FRA", "LTS-A.1")
    assert "no assessment recorded" in out


def test_restore_of_a_bad_file_is_one_line_and_changes_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"PK\x03\x04 not a database")
    before = sha(db_path)
    code, out, err = run(capsys, "--db", db_path, "restore", bogus)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "bogus.sqlite is not an SQLite database file; nothing was changed" in err
    assert sha(db_path) == before and list_backups(db_path) == []


def test_a_damaged_database_is_not_written_and_the_backup_is_named(db_path: Path) -> None:
    good = subprocess.run([sys.executable, "-m", "tcbm_tracker", "--db", str(db_path), "backup"],
                          capture_output=True, text=True, check=True)
    assert "backup:" in good.stdout
    size = db_path.stat().st_size
    with db_path.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(b"\xa5" * 4096)
    before = sha(db_path)
    r = subprocess.run([sys.executable, "-m", "tcbm_tracker", "--db", str(db_path), "assess", "FRA", "LTS-A.1", "planned"],
                       capture_output=True, text=True)
    assert r.returncode == 3 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "is damaged" in r.stderr and str(list_backups(db_path)[0].path) in r.stderr and "restore" in r.stderr
    assert sha(db_path) == before
