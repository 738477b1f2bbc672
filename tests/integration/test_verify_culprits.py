"""``verify`` fails on what it must see (a planted view, a broken reference, a damaged page),
prints one line per problem with a count that matches, and never calls an older fingerprint
the current state."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import open_tracker


def run_verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, list[str]]:
    code = main(["--db", str(path), "verify", *extra])
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def tamper(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    try:
        for sql in statements:
            con.execute(sql)
        con.commit()
    finally:
        con.close()


def assert_failed_with(lines: list[str], *expected: str) -> None:
    """Every expected text on a line of its own, and a summary that counts the lines printed."""
    assert lines, "verify printed nothing"
    for e in expected:
        assert any(e in line for line in lines[:-1]), (e, lines)
    assert lines[-1] == f"tcbm-tracker: error: verification failed with {len(lines) - 1} problem(s)"


def test_a_planted_view_fails_verify(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(db_path, "CREATE VIEW latest AS SELECT * FROM assessment")
    code, out, lines = run_verify(db_path, capsys)
    assert code == 1 and out == ""
    assert_failed_with(lines, "view latest: was not created by TCBM Tracker (added outside the app)")


def test_a_broken_reference_fails_verify(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # sqlite3 has foreign keys off unless asked: a row pointing at a missing actor goes in.
    tamper(db_path, "UPDATE actor_attribute SET actor_key = 'ZZZ' WHERE id = 1")
    code, _, lines = run_verify(db_path, capsys)
    assert code == 1
    assert_failed_with(lines, "actor_attribute row 1: refers to a missing actor row")


def test_a_damaged_page_fails_verify(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes of one index page changed on disk: the data still reads, but SQLite's check fails."""
    t = open_tracker(db_path, user="tester")
    t.evidence.add(EvidenceInput(title="National submission", symbol="A/AC.105/2023/CRP.9"))
    t.close()
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_evidence_symbol'").fetchone()[0]
    con.close()
    data = bytearray(db_path.read_bytes())
    start = (root - 1) * page_size
    at = data.index(b"A/AC.105/2023/CRP.9", start, start + page_size)
    data[at:at + 1] = b"Z"  # the index now holds a key its row does not have
    db_path.write_bytes(bytes(data))
    code, _, lines = run_verify(db_path, capsys)
    assert code == 1
    assert_failed_with(lines, "SQLite integrity check: ")
    assert any("ix_evidence_symbol" in line for line in lines)


def test_names_with_line_breaks_are_printed_on_one_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(db_path, 'CREATE TRIGGER "a\nb: was not created by TCBM Tracker" AFTER INSERT ON actor BEGIN SELECT 1; END')
    code, _, lines = run_verify(db_path, capsys)
    assert code == 1
    assert lines == ["trigger a\\u000ab: was not created by TCBM Tracker: was not created by TCBM Tracker (added outside the app)",
                     "tcbm-tracker: error: verification failed with 1 problem(s)"]


def test_more_problems_than_shown_are_said_to_be_more(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(db_path, "UPDATE actor SET name = name || '!'")  # 195 rows edited outside the app
    code, _, lines = run_verify(db_path, capsys)
    assert code == 1 and len(lines) == 51
    assert lines[-1] == "tcbm-tracker: error: verification failed with 50 problem(s) (the first ones; there may be more)"


def test_an_older_fingerprint_is_not_the_current_state(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    con = sqlite3.connect(db_path)
    older = con.execute("SELECT hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()[0]
    con.close()
    code, out, _ = run_verify(db_path, capsys, "--fingerprint", older[:16])
    assert code == 0 and f"fingerprint {older[:16]}: " in out and out.rstrip().endswith("it is the current state")
    assert main(["--db", str(db_path), "assess", "FRA", "LTS-B.4", "implemented"]) == 0
    assert main(["--db", str(db_path), "assess", "FRA", "LTS-B.3", "planned"]) == 0
    capsys.readouterr()
    code, out, _ = run_verify(db_path, capsys, "--fingerprint", older[:16])
    assert code == 0
    assert "it is the current state" not in out
    assert out.rstrip().endswith("; 2 change(s) recorded since")
    t = open_tracker(db_path)
    try:
        match = t.integrity.find_fingerprint(older)
    finally:
        t.close()
    assert match is not None and not match.is_head and match.later_entries == 2
