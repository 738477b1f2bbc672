"""Every backup the app makes of a writable database carries a seal of the head it copied, and
``verify`` checks that seal in the copy: a rewrite of the copy's history before it is detected.
A read-only file is copied without one (it cannot hold one), as reports of it are not sealed."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.backups import backup_now, restore, startup_check
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.changelog import GENESIS, entry_hash


def verify(path: Path):  # type: ignore[no-untyped-def]
    t = open_tracker(path)
    try:
        return t.integrity.verify()
    finally:
        t.close()


def seal_rows(path: Path) -> list[tuple[int, str, str]]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT log_seq, head_hash, purpose FROM seal ORDER BY id").fetchall()
    finally:
        con.close()


def head(path: Path) -> tuple[int, str]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        con.close()


def rewrite_history(path: Path, seq: int, user: str) -> None:
    """Re-author entry ``seq`` and re-hash the chain after it (valid for the chain alone)."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT seq, at, user, entity, entity_key, action, payload FROM change_log ORDER BY seq").fetchall()
        prev = GENESIS
        for s, at, who, entity, key, action, payload in rows:
            who = user if s == seq else who
            h = entry_hash(s, at, who, entity, key, action, payload, prev)
            if s >= seq:
                con.execute("UPDATE change_log SET user = ?, prev_hash = ?, hash = ? WHERE seq = ?", (who, prev, h, s))
            prev = h
        con.commit()
    finally:
        con.close()


def test_the_backup_command_seals_the_head_and_verify_checks_the_seal_in_the_copy(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert seal_rows(db_path) == []
    out = tmp_path / "copy.sqlite"
    assert main(["--db", str(db_path), "backup", "--out", str(out)]) == 0
    capsys.readouterr()
    seq, head_hash = head(db_path)
    assert seal_rows(db_path) == [(seq, head_hash, "backup")]
    assert seal_rows(out) == [(seq, head_hash, "backup")]  # the copy carries it
    report = verify(out)
    assert report.ok and report.seals_checked == 1
    assert report.newest_seal is not None and report.newest_seal.head == head_hash and report.newest_seal.purpose == "backup"
    # The seal is checked, not just present: rewriting the copy's history before it is named.
    rewrite_history(out, 3, "someone else")
    found = verify(out).problems
    assert any(p.startswith("seal ") and "the history before the seal was rewritten" in p for p in found), found


def test_a_second_backup_of_an_unchanged_head_uses_the_same_seal(db_path: Path) -> None:
    backup_now(db_path, "manual")
    backup_now(db_path, "manual")
    assert len(seal_rows(db_path)) == 1
    t = open_tracker(db_path, user="tester")
    t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned"))
    t.close()
    backup_now(db_path, "manual")
    rows = seal_rows(db_path)
    assert len(rows) == 2 and rows[-1][:2] == head(db_path)
    assert verify(db_path).seals_checked == 2


def test_the_daily_start_up_backup_and_the_one_before_a_restore_are_sealed(db_path: Path, tmp_path: Path) -> None:
    daily = startup_check(db_path, today=dt.datetime.now(dt.UTC).date())
    assert daily is not None
    assert seal_rows(daily.path) == [(*head(db_path), "daily backup")]
    assert verify(daily.path).seals_checked == 1
    t = open_tracker(db_path, user="tester")
    t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented"))
    t.close()
    before = head(db_path)
    result = restore(db_path, daily.path)
    assert result.previous_saved_as is not None
    assert seal_rows(result.previous_saved_as)[-1] == (*before, "backup before restore")  # the state it replaced, sealed
    assert verify(result.previous_saved_as).seals_checked == 2


def test_a_read_only_file_is_backed_up_without_a_seal(db_path: Path) -> None:
    before = db_path.read_bytes()
    db_path.chmod(0o444)
    try:
        info = backup_now(db_path, "manual")
    finally:
        db_path.chmod(0o644)
    assert db_path.read_bytes() == before  # nothing was written into it
    assert seal_rows(info.path) == []
    assert verify(info.path).ok


def test_restoring_an_older_sealed_backup_verifies_and_still_names_a_deleted_seal(db_path: Path) -> None:
    old = backup_now(db_path, "manual")  # seal 1, in the copy
    t = open_tracker(db_path, user="tester")
    t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented"))
    t.close()
    backup_now(db_path, "manual")  # seal 2: the copy restored below does not hold it
    result = restore(db_path, old.path)  # seal 3 made in the file replaced
    assert result.previous_saved_as is not None
    report = verify(db_path)
    assert report.ok and report.seals_checked == 1, report.problems  # later seals went with the restore
    t = open_tracker(db_path, user="tester")
    t.assessments.record(AssessmentInput("USA", "LTS-B.4", "planned"))
    t.close()
    backup_now(db_path, "manual")  # the restored file seals its new head (id 2 again)
    assert verify(db_path).seals_checked == 2
    con = sqlite3.connect(db_path)
    con.execute("DELETE FROM seal WHERE id = (SELECT max(id) FROM seal)")
    con.commit()
    con.close()
    found = verify(db_path).problems
    assert any("is missing or changed in the file" in p for p in found), found


def test_a_backup_while_another_program_writes_is_made_without_waiting_for_a_seal(db_path: Path) -> None:
    other = sqlite3.connect(db_path)
    other.execute("BEGIN IMMEDIATE")
    try:
        info = backup_now(db_path, "manual")
    finally:
        other.rollback()
        other.close()
    assert info.hash_matches() and seal_rows(info.path) == []
