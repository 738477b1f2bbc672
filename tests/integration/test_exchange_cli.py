"""`export` and `import` from the command line: the dry-run listing, rejections, exit codes."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def sha(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_then_dry_run_then_import(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db_path, "assess", "FRA", "LTS-B.4", "implemented", "--effective", "2019-06-21")[0] == 0
    code, out, _ = run(capsys, "--db", db_path, "export", "--out", tmp_path / "a.csv")
    assert code == 0 and "1 assessment(s)" in out
    other = tmp_path / "other.sqlite"
    assert run(capsys, "--db", other, "init")[0] == 0
    before = sha(other)
    code, out, _ = run(capsys, "--db", other, "import", tmp_path / "a.csv", "--dry-run")
    assert code == 0 and "would add 1 assessment(s)" in out and "a.csv row 2: FRA LTS-B.4 2019-06-21 implemented" in out
    assert "dry run: nothing was changed" in out and sha(other) == before
    code, out, _ = run(capsys, "--db", other, "--user", "hq", "import", tmp_path / "a.csv")
    assert code == 0 and "added 1 assessment(s)" in out and "by hq, from a.csv" in out
    code, out, _ = run(capsys, "--db", other, "import", tmp_path / "a.csv")
    assert code == 0 and "added 0 assessment(s)" in out and "already there: 1 assessment(s)" in out


def test_rejections_are_listed_and_nothing_changes(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("actor,measure,effective_date,status\r\nFRA,LTS-B.4,2019-06-21,implemented\r\nFRA,LTS-B.4,21.6.2019,implemented\r\n",
                   encoding="utf-8")
    before = sha(db_path)
    code, out, err = run(capsys, "--db", db_path, "import", bad)
    assert code == 2
    assert "rejected: bad.csv, row 3, column effective_date: '21.6.2019' is not a date in the form YYYY-MM-DD" in err
    assert err.splitlines()[-1] == "tcbm-tracker: error: 1 row(s) rejected (1 problem(s)); nothing was imported"
    assert sha(db_path) == before


def test_export_readable_and_unknown_catalogue(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", db_path, "export", "--readable", "--out", tmp_path / "r.xlsx", "--as-of", "2020-01-01")
    assert code == 0 and (tmp_path / "r.xlsx").exists()
    code, _, err = run(capsys, "--db", db_path, "export", "--catalog", "NOPE", "--out", tmp_path / "x.csv")
    assert code != 0 and "NOPE" in err and not (tmp_path / "x.csv").exists()
    code, _, err = run(capsys, "--db", db_path, "export", "--readable", "--out", tmp_path / "r.csv")
    assert code == 2 and "name the file .xlsx" in err


def test_history_says_where_imported_rows_came_from(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "mission.csv"
    sheet.write_text("actor,measure,effective_date,status,recorded_by\r\nFRA,LTS-B.4,2019-06-21,implemented,ana\r\n",
                     encoding="utf-8")
    assert run(capsys, "--db", db_path, "--user", "hq", "import", sheet)[0] == 0
    assert run(capsys, "--db", db_path, "--user", "hq", "assess", "FRA", "LTS-B.4", "planned")[0] == 0
    code, out, _ = run(capsys, "--db", db_path, "history", "FRA", "LTS-B.4")
    assert code == 0 and "  ana" in out
    assert "#1: imported by hq from mission.csv at " in out and "#2:" not in out
