"""The check a report runs before printing: full walk versus the incremental check, side by side.

A database is created with the real schema and reference data (``services.setup.initialise``),
then filled with ``--rows`` synthetic assessments *with* their change-log entries (chained and
hashed exactly as the app writes them, built in Python and bulk-inserted with ``sqlite3``), so
that it verifies. Measured in one run:

* the full verification (``IntegrityService.verify``: SQLite integrity check, whole chain, every
  row against its snapshot), which is what a report would pay each time without the cache;
* ``ReportCheckService.check()`` once a verified position is remembered, after the app has
  recorded a few new assessments (the usual case before printing a report).

Run: ``.venv/bin/python benchmarks/bench_report_check.py --rows 1000000`` (default 200,000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage import changelog

STATUSES = ["implemented", "partially_implemented", "planned", "not_implemented", "no_information"]


def fill(path: Path, n: int, seed: int) -> None:
    """Append ``n`` assessments and their chained log entries, as the app would have written them."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    actors = [r[0] for r in con.execute("SELECT key FROM actor")]
    measures = [r[0] for r in con.execute("SELECT key FROM measure")]
    seq, prev = con.execute("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()
    next_id = (con.execute("SELECT max(id) FROM assessment").fetchone()[0] or 0) + 1
    start = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    rows, log = [], []
    for i in range(n):
        at = (start + dt.timedelta(seconds=600 * i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        values = {"actor_key": rng.choice(actors), "measure_key": rng.choice(measures), "status": rng.choice(STATUSES),
                  "provenance": "analyst_judgment", "confidence": "medium", "note": None, "recorded_by": "bench",
                  "effective_date": at[:10], "recorded_at": at, "evidence": []}
        rows.append((next_id + i, values["actor_key"], values["measure_key"], values["status"], "analyst_judgment",
                     "medium", None, "bench", at[:10], at))
        seq += 1
        payload = changelog.canonical_json(values)
        h = changelog.entry_hash(seq, at, "bench", "assessment", str(next_id + i), "recorded", payload, prev)
        log.append((seq, at, "bench", "assessment", str(next_id + i), "recorded", payload, prev, h))
        prev = h
    with con:
        con.executemany("INSERT INTO assessment (id, actor_key, measure_key, status, provenance, confidence, note, "
                        "recorded_by, effective_date, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        con.executemany("INSERT INTO change_log (seq, at, user, entity, entity_key, action, payload, prev_hash, hash) "
                        "VALUES (?,?,?,?,?,?,?,?,?)", log)
    con.close()


def timed(call: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TCBM_TRACKER_CONFIG_DIR"] = str(Path(tmp) / "config")
        db = Path(tmp) / "tracker.sqlite"
        initialise(db, user="bench")
        t0 = time.perf_counter()
        fill(db, args.rows, seed=1)
        print(f"database: {args.rows:,} assessments with their log entries, built in {time.perf_counter() - t0:.1f} s")
        t = open_tracker(db, user="bench")
        try:
            full = timed(lambda: t.integrity.verify(), args.repeat)
            assert t.integrity.verify().ok, "the synthetic database must verify"
            assert t.report_check.check().full  # remembers the verified position

            def after_new_work() -> None:
                t.assessments.record_many([AssessmentInput("FRA", "LTS-B.4", "implemented") for _ in range(5)])
                t0 = time.perf_counter()
                result = t.report_check.check()
                incremental.append(time.perf_counter() - t0)
                assert result.ok and not result.full

            incremental: list[float] = []
            for _ in range(args.repeat):
                after_new_work()
        finally:
            t.close()
    f, i = statistics.median(full), statistics.median(incremental)
    print(f"full verification (every report without the cache): median {f * 1000:,.0f} ms, min {min(full) * 1000:,.0f} ms")
    print(f"incremental check after 5 new assessments:        median {i * 1000:,.1f} ms, min {min(incremental) * 1000:,.1f} ms")
    print(f"ratio full / incremental: {f / i:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
