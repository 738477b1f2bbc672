"""A process killed (SIGKILL) in the middle of an import leaves none of it: the database passes
``verify`` and holds no imported row."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tcbm_tracker.services.tracker import open_tracker


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_import_leaves_nothing(db_path: Path, tmp_path: Path) -> None:
    t = open_tracker(db_path)
    actors = [a.key for a in t.reference.actors()]
    measures = [m.key for m in t.reference.measures()]
    t.close()
    big = tmp_path / "big.csv"
    with big.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["actor", "measure", "effective_date", "status", "note"])
        for i in range(300_000):
            w.writerow([actors[i % len(actors)], measures[(i // len(actors)) % len(measures)],
                        f"{2000 + i % 25}-01-{1 + (i // 7215) % 28:02d}", "implemented", f"imported row {i} " + "x" * 40])
    wal = Path(f"{db_path}-wal")
    err = tmp_path / "stderr.txt"
    with err.open("wb") as err_fh:
        proc = subprocess.Popen([sys.executable, "-m", "tcbm_tracker", "--db", str(db_path), "import", str(big)],
                                stdout=subprocess.DEVNULL, stderr=err_fh)
    deadline = time.monotonic() + 120
    try:
        # Kill once the import's transaction has spilled pages into the write-ahead log.
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists() and wal.stat().st_size > 2 * 1024 * 1024:
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"the import ended before it could be killed: {err.read_text()!r}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("SELECT count(*) FROM assessment").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM import_batch").fetchone() == (0,)
    finally:
        con.close()
    t = open_tracker(db_path)
    try:
        report = t.integrity.verify()
        assert report.ok, report.problems
    finally:
        t.close()
