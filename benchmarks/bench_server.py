"""Server speed benchmark: the read queries on PostgreSQL and on SQLite, side by side, same data.

One SQLite database is built as ``bench_core`` builds it (real schema, catalogues and actors,
synthetic history for every cell over 25 years), and the same rows are copied into a PostgreSQL
database made by ``init`` (COPY, then VACUUM ANALYZE). Then, in one run, taking turns:

* ``QueryService.matrix()`` (current) and ``matrix(as_of=<10 years ago>)``
* ``QueryService.dossier("FRA")``, and the dossiers of all 195 actors one after another (what
  ``report actor --all`` reads)

on both engines, median and minimum, and the ratio PostgreSQL / SQLite (target: 2x or less over
a local socket). Then write throughput: 8 client processes recording at once on the server
against one process recording on the SQLite file, the same number of assessments in all, one
transaction each; timed from the first writer's first timed write to the last one's end (process
start-up excluded; the whole runs are printed beside).

The server: ``--url postgresql://...`` (an empty database the benchmark may fill), or by default
a throwaway cluster started as in the tests (tests/server/pg_cluster.py: needs the PostgreSQL
binaries, and root to run it as the ``tcbm_pg`` user or an ordinary user).

Run: ``.venv/bin/python benchmarks/bench_server.py --rows 100000`` (``--help`` for options; ``--keep DIR``
builds the SQLite file once and reuses it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "server"))

from bench_core import prepare, time_round_robin  # noqa: E402

from tcbm_tracker.services.setup import initialise  # noqa: E402
from tcbm_tracker.services.tracker import open_tracker  # noqa: E402

TABLES = {
    "evidence": "id, symbol, title, date, language, evidence_type, url, pinpoint, file_name, file_sha256, file_size, "
    "recorded_by, created_at",
    "assessment": "id, actor_key, measure_key, status, provenance, confidence, note, recorded_by, effective_date, recorded_at",
    "assessment_evidence": "assessment_id, evidence_id",
}

# Each writer opens its tracker and records one assessment first (imports, connection), then
# prints the wall-clock instants around its timed writes: the run's write time is from the first
# writer's start to the last one's end, without process start-up.
WRITER = """
import sys, time
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import open_tracker
target, actor, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = open_tracker(target, user="bench")
try:
    t.assessments.record(AssessmentInput(actor, "LTS-A.2", "planned"))
    start = time.time()
    for i in range(n):
        t.assessments.record(AssessmentInput(actor, "LTS-A.1", ("planned", "implemented")[i % 2]))
    print(start, time.time())
finally:
    t.close()
"""
WRITER_ACTORS = ("FRA", "DEU", "JPN", "BRA", "IND", "ZAF", "USA", "CHN")


def copy_to_server(sqlite_path: Path, url: str) -> float:
    """The SQLite file's history into the server database (after ``init``); seconds spent."""
    import psycopg
    from sqlalchemy.engine import make_url

    initialise(url, user="benchmark")
    u = make_url(url)
    conninfo = {"dbname": u.database, "user": u.username, "host": u.host or u.query.get("host"),
                "port": u.port or u.query.get("port")}
    start = time.perf_counter()
    src = sqlite3.connect(sqlite_path)
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}) as conn:  # type: ignore[arg-type]
        for table, columns in TABLES.items():
            rows = src.execute(f"SELECT {columns} FROM {table}")
            with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        for table in ("evidence", "assessment"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.autocommit = True
        # VACUUM as well: it sets the visibility map, which a server's autovacuum sets soon after
        # a bulk load; without it every index-only look-up would still visit the table.
        conn.execute("VACUUM ANALYZE")
    src.close()
    return time.perf_counter() - start


def writers(target: str, processes: int, each: int) -> tuple[float, float]:
    """Seconds from start to end with process start-up, and of the writes alone (see WRITER)."""
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, target, WRITER_ACTORS[i % 8], str(each)],
                              stdout=subprocess.PIPE, text=True) for i in range(processes)]
    outputs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit(f"a writer failed: exit codes {[p.returncode for p in procs]}")
    instants = [tuple(map(float, out.split())) for out in outputs]
    return time.perf_counter() - start, max(end for _, end in instants) - min(begin for begin, _ in instants)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="assessment rows (default 100,000; the issue's figure is 1,000,000)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--writes", type=int, default=160, help="assessments recorded in the write test (default 160)")
    ap.add_argument("--url", help="an empty PostgreSQL database to fill (default: a throwaway cluster)")
    ap.add_argument("--keep", type=Path, metavar="DIR",
                    help="build the SQLite file in DIR and reuse it next time (each run works on a copy of it)")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="tcbm-bench-server-"))
    cluster = None
    try:
        url = args.url
        if url is None:
            from pg_cluster import find_bindir, start_cluster

            bindir = find_bindir()
            if bindir is None:
                raise SystemExit("no PostgreSQL binaries found: install postgresql, or pass --url")
            cluster = start_cluster(bindir)
            url = cluster.url(cluster.new_database("bench"))
        today = dt.date.today()
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
        path, how = prepare(args.keep or work, args.rows, 1, today, args.keep is not None)
        if args.keep is not None:  # the write test adds to the file: a kept one is copied, never used itself
            path = Path(shutil.copyfile(path, work / "bench.sqlite"))
        copied = copy_to_server(path, url)
        print(f"{args.rows:,} assessment rows: SQLite {how}, copied to PostgreSQL in {copied:.1f} s")

        past = (today - dt.timedelta(days=3653)).isoformat()
        lite, server = open_tracker(path, user="bench"), open_tracker(url)
        try:
            calls = {}
            actor_keys = [a.key for a in lite.queries.matrix().actors]
            for name, t in (("sqlite", lite), ("postgresql", server)):
                calls[f"matrix current   {name}"] = t.queries.matrix
                calls[f"matrix as of {past} {name}"] = lambda t=t: t.queries.matrix(as_of=past)
                calls[f"dossier FRA      {name}"] = lambda t=t: t.queries.dossier("FRA")
                calls[f"195 dossiers     {name}"] = lambda t=t: [t.queries.dossier(k) for k in actor_keys]
            timings = time_round_robin(calls, args.repeat)
        finally:
            lite.close()
            server.close()
        print(f"\nmedian (minimum) of {args.repeat} rounds, taking turns:")
        for query in ("matrix current  ", f"matrix as of {past}", "dossier FRA     ", "195 dossiers    "):
            a, b = timings[f"{query} sqlite"], timings[f"{query} postgresql"]
            ratio = b.median / a.median
            print(f"  {query.strip():<24} SQLite {a.text()}   PostgreSQL {b.text()}   ratio {ratio:5.2f}x "
                  f"({'within' if ratio <= 2 else 'OVER'} the 2x target)")

        each = max(1, args.writes // 8)
        n = each * 8
        one, one_writes = writers(str(path), 1, n)
        eight, eight_writes = writers(url, 8, each)
        print(f"\nwrites: {n} assessments, one transaction each (start-up and a first write excluded; whole runs in brackets)")
        print(f"  1 process on SQLite:              {one_writes:6.2f} s = {n / one_writes:5.0f}/s   ({one:.2f} s)")
        print(f"  8 processes at once on PostgreSQL: {eight_writes:6.2f} s = {n / eight_writes:5.0f}/s   ({eight:.2f} s)"
              f"   ratio of throughputs PostgreSQL/SQLite {one_writes / eight_writes:.2f}x")
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.base, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
