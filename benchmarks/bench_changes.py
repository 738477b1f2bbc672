"""``changes --since`` at 200,000 changes: the service against raw SQL reading the same rows.

One database is built as in ``bench_core.py`` (real schema, catalogues and actors; synthetic
assessments, evidence and links bulk-inserted with ``sqlite3``), then every assessment in it is
read as a change since the first recording day. Measured side by side, alternating, in one run:

* ``AssessmentService.iter_changes_since`` consumed as a stream (``Change`` objects with their
  previous status and evidence items, as the command line and the reports get them);
* raw ``sqlite3``: one statement returning the same rows, the same previous status and each
  row's evidence ids, iterated as tuples (no objects): the floor for reading this data.

Target: the service within 3x of the raw read. Also printed: the number of SQL statements the
service issues (fixed, plus two per 1,000 changes), and the peak Python memory (tracemalloc)
of the stream against building the whole list.

Run: ``.venv/bin/python benchmarks/bench_changes.py`` (``--rows``, ``--repeat``, ``--keep DIR``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import prepare  # noqa: E402

from tcbm_tracker.domain.clock import start_of_day_iso  # noqa: E402
from tcbm_tracker.services import assessments as assessments_module  # noqa: E402
from tcbm_tracker.services import mapping  # noqa: E402
from tcbm_tracker.services.tracker import open_tracker  # noqa: E402

TARGET = 3.0
RAW_SQL = (
    f"SELECT {mapping.ASSESSMENT_COLUMNS}, ({assessments_module._PREVIOUS_STATUS_SQL}), "
    "(SELECT group_concat(l.evidence_id) FROM assessment_evidence l WHERE l.assessment_id = a.id) "
    "FROM assessment a WHERE a.recorded_at >= ? ORDER BY a.recorded_at, a.id"
)


def raw_read(path: Path, since_iso: str) -> int:
    con = sqlite3.connect(path)
    try:
        n = 0
        for _row in con.execute(RAW_SQL, (since_iso,)):
            n += 1
        return n
    finally:
        con.close()


def service_read(path: Path, since: dt.date) -> int:
    t = open_tracker(path, user="benchmark")
    try:
        return sum(1 for _ in t.assessments.iter_changes_since(since))
    finally:
        t.close()


def command_text(path: Path, since: dt.date) -> int:
    """``tcbm-tracker changes --since`` in the terminal layout, in-process, its output discarded."""
    import contextlib
    import os

    from tcbm_tracker.cli import main as cli_main

    with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        return cli_main(["--db", str(path), "changes", "--since", since.isoformat()])


def statements(path: Path, since: dt.date) -> int:
    """SELECT statements SQLite runs while the service streams the changes, counted by SQLite's
    own trace hook on every connection the tracker opens (reads run on sqlite3 directly, ORM
    writes through SQLAlchemy's engine: both connect through ``Database._connect``)."""
    from tcbm_tracker.storage.database import Database

    seen: list[str] = []
    real_connect = Database._connect

    def traced(self: Database, read_only: bool) -> sqlite3.Connection:
        conn = real_connect(self, read_only)
        conn.set_trace_callback(lambda sql: seen.append(sql) if sql.lstrip().upper().startswith("SELECT") else None)
        return conn

    Database._connect = traced  # type: ignore[method-assign]
    try:
        t = open_tracker(path, user="benchmark")
        try:
            seen.clear()  # what opening ran is not part of the streaming
            for _ in t.assessments.iter_changes_since(since):
                pass
            return len(seen)
        finally:
            t.close()
    finally:
        Database._connect = real_connect  # type: ignore[method-assign]


def peak_mb(fn) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20130729)
    ap.add_argument("--keep", type=Path, help="folder to keep the database in and reuse")
    args = ap.parse_args(argv)
    today = dt.date.today()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path, how = prepare(folder, args.rows, args.seed, today, keep=args.keep is not None)
        con = sqlite3.connect(path)
        first = con.execute("SELECT min(recorded_at), count(*) FROM assessment").fetchone()
        con.close()
        since = dt.datetime.fromisoformat(first[0]).astimezone().date()
        since_iso = start_of_day_iso(since)
        print(f"database: {first[1]:,} assessments, {how}; changes since {since} (every row)")

        service_times, raw_times, text_times = [], [], []
        counts = set()
        for _ in range(args.repeat):  # alternating, so all see the same machine load
            start = time.perf_counter()
            assert command_text(path, since) == 0
            text_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            counts.add(("raw", raw_read(path, since_iso)))
            raw_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            counts.add(("service", service_read(path, since)))
            service_times.append(time.perf_counter() - start)
        n_raw = {c for k, c in counts if k == "raw"}
        n_service = {c for k, c in counts if k == "service"}
        assert n_raw == n_service == {first[1]}, (n_raw, n_service)
        raw, service = statistics.median(raw_times), statistics.median(service_times)
        ratio = service / raw
        n_statements = statements(path, since)
        stream_mb = peak_mb(lambda: service_read(path, since))

        def whole_list() -> None:
            t = open_tracker(path, user="benchmark")
            try:
                t.assessments.changes_since(since)
            finally:
                t.close()

        list_mb = peak_mb(whole_list)
        text_mb = peak_mb(lambda: command_text(path, since))
        text = statistics.median(text_times)
        print(f"raw sqlite3, same rows:        {raw:7.2f} s (median of {args.repeat}; min {min(raw_times):.2f} s)")
        print(f"service, streamed:             {service:7.2f} s (median of {args.repeat}; min {min(service_times):.2f} s)")
        print(f"ratio service / raw:           {ratio:7.2f}x   target <= {TARGET:.0f}x: {'met' if ratio <= TARGET else 'MISSED'}")
        print(f"command line, terminal table:  {text:7.2f} s (median of {args.repeat}; min {min(text_times):.2f} s) "
              f"= {text / raw:.2f}x raw; peak Python memory {text_mb:.1f} MB")
        print(f"SQL statements for {first[1]:,} changes: {n_statements}")
        print(f"peak Python memory: streamed {stream_mb:.1f} MB, whole list {list_mb:.1f} MB")
        return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
