"""The backups taken before a write are sealed too, each seal naming what it was made for:
the command line's daily backup, the one inside an import, the one before a migration
(tests/integration/test_migrations.py), as ``backup`` and the desktop's daily one are
(tests/integration/test_backup_seals.py).

Such a write may yet be refused, and a refused write leaves the file byte for byte as it was;
so the seal is made inside the write's own transaction, just before it commits, and goes into
the copy with the same id. Each seal is noted in the ledger beside the key, like any other."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.backup import list_backups
from tcbm_tracker.storage.seals import ledger_path


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def seals(path: Path) -> list[tuple[object, ...]]:
    return rows(path, "SELECT id, log_seq, head_hash, purpose FROM seal ORDER BY id")


def head(path: Path) -> tuple[object, ...]:
    return rows(path, "SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1")[0]


def ledger() -> list[dict[str, object]]:
    target = ledger_path()
    return [json.loads(line) for line in target.read_text().splitlines()] if target.exists() else []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verified(path: Path) -> tuple[bool, int]:
    t = open_tracker(path)
    try:
        report = t.integrity.verify()
        return report.ok, report.seals_checked
    finally:
        t.close()


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_lines_daily_backup_is_sealed_with_the_first_change(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before_head = head(db_path)
    code, _, err = run(capsys, "--db", db_path, "assess", "FRA", "LTS-B.4", "planned")
    assert code == 0, err
    [daily] = list_backups(db_path)
    assert daily.reason == "daily" and daily.hash_matches()
    # The copy holds the state before the change, and its seal; the database holds the same seal.
    assert head(daily.path) == before_head != head(db_path)
    assert seals(daily.path) == seals(db_path) == [(1, *before_head, "daily backup")]
    assert [(e["seal"], e["log_seq"], e["head_hash"]) for e in ledger()] == [(1, *before_head)]
    assert verified(daily.path) == (True, 1)
    assert verified(db_path) == (True, 1)
    # One a day: the next write makes none.
    assert run(capsys, "--db", db_path, "assess", "FRA", "LTS-B.5", "planned")[0] == 0
    assert len(list_backups(db_path)) == 1 and len(seals(db_path)) == 1


def test_a_refused_write_makes_no_backup_and_leaves_the_file_as_it_was(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha(db_path)
    code, _, err = run(capsys, "--db", db_path, "assess", "FRA", "LTS-Z.9", "planned")
    assert code != 0 and "LTS-Z.9" in err
    assert sha(db_path) == before and list_backups(db_path) == [] and ledger() == []


def test_the_backup_inside_an_import_is_sealed_and_a_refused_import_leaves_no_seal(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("actor,measure,effective_date,status\nFRA,LTS-B.4,2019-06-21,implemented\nFRA,LTS-B.4,21.6.2019,planned\n",
                   encoding="utf-8")
    before = sha(db_path)
    assert run(capsys, "--db", db_path, "import", bad)[0] != 0
    assert sha(db_path) == before and seals(db_path) == [] and ledger() == []

    good = tmp_path / "good.csv"
    good.write_text("actor,measure,effective_date,status\nFRA,LTS-B.4,2019-06-21,implemented\n", encoding="utf-8")
    before_head = head(db_path)
    code, _, err = run(capsys, "--db", db_path, "import", good)
    assert code == 0, err
    [copy] = [b for b in list_backups(db_path) if b.reason == "before-import"]
    assert copy.hash_matches()
    assert head(copy.path) == before_head != head(db_path)
    assert ("backup before import" in [s[3] for s in seals(copy.path)]) and seals(copy.path)[-1][1:3] == before_head
    assert seals(copy.path)[-1] in seals(db_path)  # the same seal, with the same id, in both files
    assert {e["seal"] for e in ledger()} == {s[0] for s in seals(db_path)}
    assert verified(copy.path)[0] and verified(db_path) == (True, len(seals(db_path)))


def test_a_backup_whose_write_was_cut_short_can_still_be_restored(db_path: Path) -> None:
    """A process killed between the copy and the commit: the copy holds a seal the database never
    got, and the database later gives that number to a new seal. The copy is still a good backup."""
    from tcbm_tracker.services.backups import restore, sealed_backup_in

    live = sqlite3.connect(db_path, isolation_level=None)
    live.execute("BEGIN IMMEDIATE")
    pending = sealed_backup_in(live, db_path, "import")
    assert pending is not None
    live.execute("ROLLBACK")  # killed: neither committed() nor rolled_back() runs
    live.close()
    copy = pending.backup.path
    assert seals(copy)[-1][0] == 1 and seals(db_path) == []
    t = open_tracker(db_path, user="tester")
    try:
        from tcbm_tracker.services.assessments import AssessmentInput

        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned"))
        t.integrity.seal()  # seal 1 of the database: another head, same number
    finally:
        t.close()
    assert seals(db_path)[0][0] == 1 and seals(db_path)[0][1:3] != seals(copy)[0][1:3]
    result = restore(db_path, copy)
    assert result.restored_from == copy and verified(db_path)[0]
