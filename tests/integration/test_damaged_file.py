"""A damaged file is named as damaged, not reported as a missing row: with the actor index
damaged, ``show FRA`` used to say "unknown actor 'FRA'" while ``actors`` listed France."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.storage.locations import backup_dir


def damage_actor_index(path: Path) -> None:
    """Change the key FRA inside the actor table's primary-key index page (the row is intact)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    pages = [r[0] for r in con.execute("SELECT pageno FROM dbstat WHERE name = 'sqlite_autoindex_actor_1'")]
    con.close()
    data = bytearray(path.read_bytes())
    for page in pages:
        start = (page - 1) * page_size
        at = data.find(b"FRA", start, start + page_size)
        if at >= 0:
            data[at:at + 3] = b"FRB"
            path.write_bytes(bytes(data))
            return
    raise AssertionError("FRA not found in the index")


@pytest.mark.parametrize("command", [["show", "FRA"], ["history", "FRA", "LTS-B.4"], ["assess", "FRA", "LTS-B.4", "planned"]])
def test_a_lookup_in_a_damaged_file_says_the_file_is_damaged(db_path: Path, command: list[str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    damage_actor_index(db_path)
    assert main(["--db", str(db_path), "actors"]) == 0
    assert "France" in capsys.readouterr().out  # the row is there
    code = main(["--db", str(db_path), *command])
    err = capsys.readouterr().err
    assert code != 0
    assert "unknown actor" not in err
    assert err.startswith(f"tcbm-tracker: error: {db_path} is damaged (SQLite's integrity check: ")
    assert f"restore a backup copy ({backup_dir()}, or a tracker.backup-* file beside it)" in err
    assert len(err.splitlines()) == 1


def test_a_typo_in_a_sound_file_is_still_a_typo(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "show", "FRX"]) != 0
    assert "unknown actor 'FRX'" in capsys.readouterr().err
