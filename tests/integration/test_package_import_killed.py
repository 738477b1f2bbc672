"""A process killed (SIGKILL) in the middle of ``package import`` leaves none of the merge: the
database passes ``verify`` and holds no merged row and no record of the import (or, killed after
the commit, all of them). ``TCBM_CRASH_SEED`` replays the random kill moments of a failure."""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tcbm_tracker.exchange.packages import api
from tcbm_tracker.exchange.service import ExchangeService
from tcbm_tracker.services.tracker import open_tracker
from tests.unit.exchange.package_copies import make_copy

ROWS = 25_000
ATTEMPTS = 5


def _import_committed(db: Path) -> bool:
    """The import's record, as another connection sees it (WAL: only committed rows)."""
    con = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True, timeout=5)
    try:
        return int(con.execute("SELECT count(*) FROM package_import").fetchone()[0]) > 0
    finally:
        con.close()


def _kill_inside_merge(db: Path, config: Path, package: Path, err: Path) -> bool:
    """Run ``package import`` into ``db`` and SIGKILL it inside the merge's transaction.

    False (the process left to finish) when the poll first saw the process after its commit."""
    wal = Path(f"{db}-wal")
    env = dict(os.environ, TCBM_TRACKER_CONFIG_DIR=str(config))
    with err.open("wb") as err_fh:
        proc = subprocess.Popen([sys.executable, "-m", "tcbm_tracker", "--db", str(db), "package", "import",
                                 str(package), "--untrusted"], stdout=subprocess.DEVNULL, stderr=err_fh, env=env)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists() and wal.stat().st_size > 2 * 1024 * 1024:
                break
            time.sleep(0.01)
        if proc.poll() is not None:
            assert proc.returncode == 0, err.read_text()
            return False
        os.kill(proc.pid, signal.SIGSTOP)  # frozen: what another connection sees now is what the kill leaves
        if _import_committed(db):
            os.kill(proc.pid, signal.SIGCONT)
            assert proc.wait(120) == 0, err.read_text()
            return False
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT count(*) FROM assessment").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM package_import").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM change_log WHERE action = 'merged'").fetchone() == (0,)
    finally:
        con.close()
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_package_import_leaves_nothing(_seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_copy(_seeded_template, tmp_path / "hq", "hq", monkeypatch)
    with source.open() as t:
        actors = [a.key for a in t.reference.actors()]
        measures = [m.key for m in t.reference.measures()]
        cells = [(a, m) for a in actors for m in measures]
        sheet = tmp_path / "history.csv"
        with sheet.open("w", newline="", encoding="utf-8") as fh:  # the quickest way to a long history
            w = csv.writer(fh)
            w.writerow(["actor", "measure", "effective_date", "status", "note"])
            for i in range(ROWS):
                actor, measure = cells[i % len(cells)]
                w.writerow([actor, measure, f"{2000 + i // len(cells)}-01-01", "implemented", f"row {i} " + "x" * 60])
        ExchangeService(t).import_files([sheet])
        package = api.export_package(t, tmp_path / "hq.tcbm").path
    # Kill once the merge's transaction has spilled pages into the write-ahead log (the seal
    # made before it is one small page). On a loaded machine the poll can first see the big log
    # only after the commit: the writer is stopped (SIGSTOP) before the kill and its commit is
    # looked for from another connection, so the kill is known to land inside the transaction;
    # a run that was too quick for the poll is let finish and tried again on a fresh copy.
    for attempt in range(ATTEMPTS):
        target = make_copy(_seeded_template, tmp_path / f"mission-{attempt}", "mission", monkeypatch)
        if _kill_inside_merge(target.path, target.config, package, tmp_path / f"stderr-{attempt}.txt"):
            break
    else:
        pytest.fail(f"in {ATTEMPTS} attempts the import never was caught inside its merge transaction")
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(target.config))
    t = open_tracker(target.path)
    try:
        report = t.integrity.verify()
        assert report.ok, report.problems
        # Once the process may finish, all of it arrives.
        result = api.import_package(t, package, untrusted=True)
        assert result.assessments_added == ROWS and t.integrity.verify().ok
    finally:
        t.close()


KILLS = 6
SMALL = 3_000


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_package_import_killed_at_random_moments_is_all_or_nothing(
    _seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kills drawn over the whole run after start-up (checks, backup, seal, merge, and a little
    beyond): each time the merge is wholly there or wholly absent, and ``verify`` passes."""
    seed = int(os.environ.get("TCBM_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    source = make_copy(_seeded_template, tmp_path / "hq", "hq", monkeypatch)
    with source.open() as t:
        actors = [a.key for a in t.reference.actors()]
        sheet = tmp_path / "rows.csv"
        with sheet.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["actor", "measure", "effective_date", "status"])
            for i in range(SMALL):
                w.writerow([actors[i % len(actors)], "LTS-B.4", f"{2000 + i // len(actors)}-01-01", "planned"])
        ExchangeService(t).import_files([sheet])
        package = api.export_package(t, tmp_path / "hq.tcbm").path
    span = 0.0
    outcomes = []
    for run in range(KILLS + 1):
        target = make_copy(_seeded_template, tmp_path / f"target-{run}", "mission", monkeypatch)
        logs = tmp_path / f"logs-{run}"
        env = dict(os.environ, TCBM_TRACKER_CONFIG_DIR=str(target.config), TCBM_TRACKER_LOG_DIR=str(logs))
        proc = subprocess.Popen([sys.executable, "-m", "tcbm_tracker", "--db", str(target.path), "package", "import",
                                 str(package), "--untrusted"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 60
        while not (logs / "tcbm-tracker.log").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)  # the log file appears once the arguments are parsed: start-up is over
        began = time.monotonic()
        if run == 0:  # the first run goes to its end: it measures the span the kills are drawn from
            assert proc.wait(120) == 0
            span = time.monotonic() - began
        else:
            time.sleep(rng.uniform(0, span * 1.1))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(60)
        con = sqlite3.connect(target.path)
        try:
            merged = con.execute("SELECT count(*) FROM assessment WHERE uid IS NOT NULL").fetchone()[0]
            imports = con.execute("SELECT count(*) FROM package_import").fetchone()[0]
        finally:
            con.close()
        where = f"run {run} (TCBM_CRASH_SEED={seed})"
        assert (merged, imports) in ((0, 0), (SMALL, 1)), (where, merged, imports)
        assert run > 0 or imports == 1, where
        monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(target.config))
        t = open_tracker(target.path)
        try:
            report = t.integrity.verify()
            assert report.ok, (where, report.problems)
        finally:
            t.close()
        outcomes.append(imports == 1)
    print("package imports complete when killed:", f"{sum(outcomes[1:])}/{KILLS}", "seed", seed)
