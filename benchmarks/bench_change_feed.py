"""What a live-update poll costs next to the full reload it replaces.

Side by side in one run, on one generated database (195 actors x 37 measures with history, and
a change log padded to ``--log-rows`` entries): a poll that finds nothing (``ChangeFeed.since``
at the head: one range query on the log's key), a poll that finds one changed cell and reads it
again (what the window does for another writer's edit), and the full matrix read a reload
would need. Medians of ``--repeat`` runs; ratios to the full read.

Run: ``.venv/bin/python benchmarks/bench_change_feed.py [--log-rows 200000] [--repeat 50]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_gui import build_database  # noqa: E402


def pad_log(path: Path, rows: int) -> None:
    """Old log entries (the feed reads only past the head, so their content does not matter)."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("BEGIN")
        start = con.execute("SELECT coalesce(max(seq), 0) FROM change_log").fetchone()[0]
        con.executemany(
            'INSERT INTO change_log (seq, at, "user", entity, entity_key, action, payload, prev_hash, hash) '
            "VALUES (?, '2020-01-01T00:00:00Z', 'benchmark', 'assessment', ?, 'recorded', "
            "'{\"actor_key\":\"FRA\",\"measure_key\":\"LTS-B.4\"}', '', '')",
            ((start + i + 1, str(i)) for i in range(rows)),
        )
        con.execute("COMMIT")
    finally:
        con.close()


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log-rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    from tcbm_tracker.services.assessments import AssessmentInput
    from tcbm_tracker.services.change_feed import ChangeFeed
    from tcbm_tracker.services.tracker import open_tracker

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        build_database(path, 195)
        pad_log(path, args.log_rows)
        tracker = open_tracker(path, user="benchmark")
        try:
            tracker.assessments.record(AssessmentInput(actor="FRA", measure="LTS-B.4", status="implemented"))
            feed = ChangeFeed(tracker.db)
            head = feed.head()
            today = dt.date.today()

            def one_cell() -> None:
                batch = feed.since(head - 1)
                for actor, measure in batch.cells:
                    tracker.assessments.history(actor, measure)

            idle = median_ms(lambda: feed.since(head), args.repeat)
            cell = median_ms(one_cell, args.repeat)
            full = median_ms(lambda: tracker.queries.matrix(as_of=today), max(5, args.repeat // 10))
        finally:
            tracker.close()
    print(f"change log entries: {head:,}")
    print(f"poll, nothing changed:        {idle:8.3f} ms  ({idle / full:.4f} of a full read)")
    print(f"poll, one cell changed+read:  {cell:8.3f} ms  ({cell / full:.4f} of a full read)")
    print(f"full matrix read (a reload):  {full:8.3f} ms")


if __name__ == "__main__":
    main()
