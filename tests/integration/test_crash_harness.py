"""Crash harness: real processes writing to the database are killed (SIGKILL) at random moments
after start-up; after each kill ``verify`` passes and the interrupted operation is wholly there
or wholly absent.

The writes: ``tcbm-tracker assess`` (one assessment), ``tcbm-tracker catalogs --load`` (a
catalogue of 150 measures, one transaction), ``tcbm-tracker init`` on a new file, a bulk
edit of 300 cells through the services in a Python process (the path the desktop
application's multi-cell edit takes; the command line has no bulk command), and
``tcbm-tracker import`` of a CSV file of 200 new assessments (checked, backed up, sealed and
recorded with its import batch in one transaction). "After start-up"
is observed, not guessed: a ``tcbm-tracker`` process creates its log file once its arguments
are parsed, just before the command runs; the bulk writer prints ``READY``. Each operation is
first run to its end (it must then be wholly present), which measures how long it runs after
start-up; each kill then comes at a random moment in that span (and up to 10% beyond it).

Both outcomes are reached by construction, not by luck of timing (on a loaded machine a process
can run several times slower, or faster, than the run that measured its span, so kills drawn
from that span alone can all land on one side): every fourth round of kills waits for a second
progress marker, the operation's commit as another connection sees it, and kills the writer then
(it must stay wholly present); and if no random kill cut an operation off, up to
``TOP_UP_KILLS`` more kills land at the start-up marker itself until one does. 20 kills in the
default run, 200 with ``-m slow``; the seed is printed with every failure (set
``TCBM_CRASH_SEED`` to replay one).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker

MEASURES_PER_CATALOGUE = 150
BULK_CELLS = 300
IMPORT_ROWS = 200
LAST_RUN = [0.0]
TOP_UP_KILLS = 10  # bound on the extra kills at start-up when no random kill cut an operation off
LATE_ROUND = 4  # every fourth round of kills comes after the commit marker

BULK_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tcbm_tracker.services.assessments import AssessmentInput
    from tcbm_tracker.services.tracker import open_tracker
    t = open_tracker(Path(sys.argv[1]), user="bulk")
    actors = [a.key for a in t.reference.actors()][:60]
    measures = [m.key for m in t.reference.measures("LTS2019")][:5]
    items = [AssessmentInput(a, m, "planned", note=sys.argv[2]) for a in actors for m in measures]
    print("READY", flush=True)
    t.assessments.record_many(items)
    t.close()
    print("DONE", flush=True)
""")


def _env(log_dir: Path) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", TCBM_TRACKER_LOG_DIR=str(log_dir))


def _kill_after_start(proc: subprocess.Popen[bytes], started: Callable[[], bool], delay: float | None,
                      committed: Callable[[], bool] | None = None) -> bool:
    """Wait for the start-up marker, then SIGKILL; True if the process was still running.

    The kill comes ``delay`` seconds after the marker or, with ``committed`` given, as soon as
    ``committed()`` sees the operation's commit. With neither, the process is left to finish; the
    time it took after start-up is recorded in ``LAST_RUN`` (the kill moments are drawn from it)."""
    deadline = time.monotonic() + 60
    while not started() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    began = time.monotonic()
    if committed is not None:
        while proc.poll() is None and not committed() and time.monotonic() < deadline + 120:
            time.sleep(0.002)
        alive = proc.poll() is None
        if alive:
            os.kill(proc.pid, signal.SIGKILL)
    elif delay is None:
        proc.wait(timeout=120)
        LAST_RUN[0] = time.monotonic() - began
        alive = False
    else:
        time.sleep(delay)
        alive = proc.poll() is None
        if alive:
            os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    if proc.stdout is not None:
        proc.stdout.close()
    return alive


def _committed(db: Path, sql: str, *params: object, want: int = 1) -> Callable[[], bool]:
    """A probe for the commit marker: ``sql`` counts ``want`` rows, read through a read-only
    connection (WAL: it never waits for the writer, and sees only committed rows)."""
    def probe() -> bool:
        try:
            con = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True, timeout=0.2)
        except sqlite3.Error:
            return False
        try:
            return int(con.execute(sql, params).fetchone()[0]) >= want
        except sqlite3.Error:  # not created yet, or mid-creation
            return False
        finally:
            con.close()
    return probe


def _catalogue(path: Path, key: str) -> Path:
    doc = {"format": "tcbm-tracker/catalog", "format_version": 1, "key": key, "version": 1, "title": f"Crash test {key}",
           "source_document": "A/1/1", "groups": [{"key": "P", "title": "Policy"}],
           "measures": [{"key": f"{key}-{j}", "group": "P", "title": f"Measure {j}"} for j in range(MEASURES_PER_CATALOGUE)]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _csv(path: Path, note: str, db: Path) -> Path:
    """``IMPORT_ROWS`` new assessments (60 actors x 5 guidelines, less the last 100), each with ``note``."""
    t = open_tracker(db)
    try:
        actors = [a.key for a in t.reference.actors()][:60]
        measures = [m.key for m in t.reference.measures("LTS2019")][5:10]
    finally:
        t.close()
    cells = [(a, m) for a in actors for m in measures][:IMPORT_ROWS]
    lines = ["actor,measure,effective_date,status,note"] + [f"{a},{m},2021-03-01,implemented,{note}" for a, m in cells]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _verify(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", str(db), "verify"])
    out, err = capsys.readouterr()
    assert code == 0, (out, err)


def _scalar(db: Path, sql: str, **params: object) -> int:
    from sqlalchemy import text

    t = open_tracker(db)
    try:
        with t.db.read() as s:
            return int(s.exec(text(sql).bindparams(**params)).one()[0])  # type: ignore[call-overload]
    finally:
        t.close()


def _record(outcome: dict[str, list[bool]], span: dict[str, float], op: str, kill_no: int | None, present: bool) -> None:
    if kill_no is None:
        assert present, f"{op} run to its end left nothing"
        span[op] = LAST_RUN[0]
    else:
        outcome[op].append(present)


@pytest.mark.parametrize("kills", [pytest.param(20, id="20-kills"), pytest.param(200, id="200-kills", marks=pytest.mark.slow)])
def test_killed_writes_are_all_or_nothing(kills: int, db_path: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    seed = int(os.environ.get("TCBM_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    operations = ["assess", "catalogue", "bulk", "init", "import"]
    outcome: dict[str, list[bool]] = {op: [] for op in operations}
    span: dict[str, float] = {}  # how long each operation runs after start-up, measured first
    # (operation, kill number or None for the measuring run, when: "random", "commit" or "start")
    runs: list[tuple[str, int | None, str]] = [(op, None, "end") for op in operations]
    runs += [(operations[i % len(operations)], i,
              "commit" if (i // len(operations)) % LATE_ROUND == LATE_ROUND - 1 else "random") for i in range(kills)]
    top_ups = 0
    i = 0
    while i < len(runs) or (not any(x is False for r in outcome.values() for x in r) and top_ups < TOP_UP_KILLS):
        if i >= len(runs):  # no random kill cut an operation off: kill at the start-up marker itself
            runs.append((operations[top_ups % len(operations)], kills + top_ups, "start"))
            top_ups += 1
        op, kill_no, when = runs[i]
        _one_run(op, kill_no, when, i, rng, seed, span, outcome, db_path, tmp_path, capsys)
        i += 1
    print("operations complete when killed:", {op: f"{sum(r)}/{len(r)}" for op, r in outcome.items()},
          "extra kills at start-up:", top_ups, "seed", seed)
    done = [x for results in outcome.values() for x in results]
    assert len(done) == kills + top_ups, (seed, outcome)
    # The kills landed on both sides: some operations were cut off, some had completed.
    assert not all(done) and any(done), (seed, outcome)


def _one_run(op: str, kill_no: int | None, when: str, i: int, rng: random.Random, seed: int,
             span: dict[str, float], outcome: dict[str, list[bool]], db_path: Path, tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> None:
    """Start operation ``op``, kill it as ``when`` says, check it is wholly there or wholly absent."""
    logs = tmp_path / f"logs-{i}"
    log_file = logs / "tcbm-tracker.log"
    # Uniform over the operation's whole run, and a little beyond (some kills come too late).
    delay = None if kill_no is None else rng.uniform(0, span[op] * 1.1) if when == "random" else 0.0
    where = f"run {i} ({op}, kill {kill_no} {when} at {(delay or 0) * 1000:.0f} ms after start-up; TCBM_CRASH_SEED={seed})"

    def kill(proc: subprocess.Popen[bytes], started: Callable[[], bool], committed: Callable[[], bool]) -> bool:
        return _kill_after_start(proc, started, delay, committed if when == "commit" else None)

    tracker_cmd = [sys.executable, "-m", "tcbm_tracker"]
    if op == "assess":
        note = f"crash-note-{i}"
        proc = subprocess.Popen([*tracker_cmd, "--db", str(db_path), "--user", "crash", "assess", "FRA", "LTS-A.1",
                                 rng.choice(["planned", "implemented", "no_information"]), "--note", note],
                                env=_env(logs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = kill(proc, log_file.exists, _committed(db_path, "SELECT count(*) FROM assessment WHERE note = ?", note))
        n = _scalar(db_path, "SELECT count(*) FROM assessment WHERE note = :n", n=note)
        assert n in (0, 1), where
        assert (killed and when != "commit") or n == 1, where  # finished, or killed after its commit: it is there
        _record(outcome, span, op, kill_no, n == 1)
    elif op == "catalogue":
        key = f"KILL{i:04d}"
        file = _catalogue(tmp_path / f"{key}.json", key)
        proc = subprocess.Popen([*tracker_cmd, "--db", str(db_path), "catalogs", "--load", str(file)],
                                env=_env(logs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = kill(proc, log_file.exists, _committed(db_path, "SELECT count(*) FROM catalog WHERE key = ?", key))
        measures = _scalar(db_path, "SELECT count(*) FROM measure WHERE catalog_key = :k", k=key)
        catalogs = _scalar(db_path, "SELECT count(*) FROM catalog WHERE key = :k", k=key)
        assert (catalogs, measures) in ((0, 0), (1, MEASURES_PER_CATALOGUE)), (where, catalogs, measures)
        assert (killed and when != "commit") or catalogs == 1, where
        _record(outcome, span, op, kill_no, catalogs == 1)
    elif op == "bulk":
        note = f"crash-bulk-{i}"
        proc = subprocess.Popen([sys.executable, "-c", BULK_SCRIPT, str(db_path), note], env=_env(logs),
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout is not None
        ready = proc.stdout.readline().strip() == b"READY"
        killed = kill(proc, lambda: ready,
                      _committed(db_path, "SELECT count(*) FROM assessment WHERE note = ?", note, want=BULK_CELLS))
        n = _scalar(db_path, "SELECT count(*) FROM assessment WHERE note = :n", n=note)
        assert n in (0, BULK_CELLS), (where, n)
        assert (killed and when != "commit") or n == BULK_CELLS, where
        _record(outcome, span, op, kill_no, n == BULK_CELLS)
    elif op == "import":
        note = f"crash-import-{i}"
        file = _csv(tmp_path / f"{note}.csv", note, db_path)
        proc = subprocess.Popen([*tracker_cmd, "--db", str(db_path), "--user", "crash", "import", str(file)],
                                env=_env(logs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = kill(proc, log_file.exists,
                      _committed(db_path, "SELECT count(*) FROM import_batch WHERE file_name = ?", file.name))
        n = _scalar(db_path, "SELECT count(*) FROM assessment WHERE note = :n", n=note)
        batches = _scalar(db_path, "SELECT count(*) FROM import_batch WHERE file_name = :f", f=file.name)
        assert (n, batches) in ((0, 0), (IMPORT_ROWS, 1)), (where, n, batches)
        assert (killed and when != "commit") or n == IMPORT_ROWS, where
        _record(outcome, span, op, kill_no, n == IMPORT_ROWS)
    else:  # init on a new file
        fresh = tmp_path / f"fresh-{i}.sqlite"
        proc = subprocess.Popen([*tracker_cmd, "--db", str(fresh), "init"], env=_env(logs),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        complete = _committed(fresh, "SELECT count(*) FROM tracker_meta WHERE key = 'init_complete'")
        killed = kill(proc, log_file.exists, complete)
        finished = complete()
        assert (killed and when != "commit") or finished, where
        _record(outcome, span, op, kill_no, finished)
        if fresh.exists():
            # Whatever the kill left, running init again completes it: nothing half-loaded stays.
            initialise(fresh, user="crash")
            _verify(fresh, capsys)
            assert _scalar(fresh, "SELECT count(*) FROM actor") == 195, where
            assert _scalar(fresh, "SELECT count(*) FROM measure WHERE retired = 0") == 37, where
    _verify(db_path, capsys)


TWO_WRITERS = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tcbm_tracker.services.assessments import AssessmentInput
    from tcbm_tracker.services.tracker import open_tracker
    t = open_tracker(Path(sys.argv[1]), user=sys.argv[2])
    print("READY", flush=True)
    sys.stdin.readline()  # both start writing at the same moment
    for i in range(40):
        t.assessments.record(AssessmentInput(sys.argv[3], "LTS-A.1", ["planned", "implemented"][i % 2], note=f"{sys.argv[2]} {i}"))
    t.close()
""")


def test_two_instances_writing_at_once_lose_nothing(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", TWO_WRITERS, str(db_path), user, actor], env=_env(tmp_path / user),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for user, actor in (("first", "FRA"), ("second", "DEU"))]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "READY"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    for user in ("first", "second"):
        assert _scalar(db_path, "SELECT count(*) FROM assessment WHERE recorded_by = :u", u=user) == 40
    _verify(db_path, capsys)
