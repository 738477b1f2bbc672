"""Every command, run in-process, ends with the database closed: no connection left open and
no ``-wal``/``-shm`` left beside the file.

A connection left open (a tracker opened twice by one command, the second never closed) or a
read-only connection closing last (it cannot remove the WAL files) leaves ``-wal``/``-shm``
behind; a file copied, mailed or put in a read-only folder afterwards then carries them, and a
later unprivileged reader of that folder cannot open it.
"""

from __future__ import annotations

import gc
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.cli import main


def _open_connections() -> list[sqlite3.Connection]:
    """sqlite3 connections still open (no collection first: a command must close its own)."""
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, sqlite3.Connection):
            try:
                obj.execute("SELECT 1")
            except sqlite3.ProgrammingError:  # closed
                continue
            found.append(obj)
    return found


COMMANDS = [
    ["show", "FRA"],
    ["show", "FRA", "--json"],
    ["matrix"],
    ["history", "FRA", "LTS-B.4"],
    ["changes", "--since", "2000-01-01"],
    ["verify"],
    ["seal"],
    ["assess", "FRA", "LTS-B.4", "planned"],
    ["evidence", "add", "--title", "A document"],
    ["backup"],
    ["report", "actor", "FRA", "--out", "{out}/fra.pdf"],
    ["export", "--out", "{out}/all.csv"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(a).replace("{out}/", "") for a in COMMANDS])
def test_a_command_leaves_nothing_open_beside_the_file(argv: list[str], db_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    gc.collect()
    before = {id(c) for c in _open_connections()}
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--db", str(db_path), *[a.format(out=out) for a in argv]]) == 0, capsys.readouterr()
    left = [c for c in _open_connections() if id(c) not in before]
    beside = sorted(p.name for p in db_path.parent.iterdir() if p.name.startswith(db_path.name))
    for c in left:
        c.close()
    assert left == [], "the command left sqlite3 connections open"
    assert beside == [db_path.name], "the command left files beside the database"
