"""Core speed benchmark: the read queries at 10,000 and at 1,000,000 assessment rows, side by side.

Two databases are created with the real schema, catalogues and actors
(``services.setup.initialise``), then filled with synthetic history for every actor and every
measure over the last 25 years: assessments, evidence items and the links between them. The
rows are bulk-inserted with plain ``sqlite3`` in one transaction; the change log is not written
for them, because none of the measured queries reads it.

Measured in the same run, several repetitions each, median and minimum reported:

* ``QueryService.matrix()`` (current) and ``matrix(as_of=<10 years ago>)``
* ``QueryService.dossier("FRA")``
* ``AssessmentService.history("FRA", "LTS-B.4")``
* a hand-written raw ``sqlite3`` query returning the same cells as the current matrix (two
  formulations, a correlated latest-row lookup and a window function; the faster is the baseline)

Targets: each query at the large size within 3x of the same query at the small size, and the
current matrix within 2x of the raw baseline.

Run: ``.venv/bin/python benchmarks/bench_core.py`` (``--help`` for sizes, repetitions, ``--keep``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tcbm_tracker.domain.vocabulary import Confidence, EvidenceType, Provenance, Status
from tcbm_tracker.services import mapping
from tcbm_tracker.services.queries import CELL_SQL
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import Tracker, open_tracker

GENERATOR_VERSION = 1  # bump when the synthetic data changes, so that --keep rebuilds
YEARS = 25
SPAN_DAYS = 9131  # 25 years of days
ASSESSMENTS_PER_EVIDENCE = 10  # 1,000,000 rows come with 100,000 evidence items
DOSSIER_ACTOR = "FRA"
HISTORY_CELL = ("FRA", "LTS-B.4")
RATIO_TARGET = 3.0
RAW_TARGET = 2.0

# Status frequencies of a plausible record: most cells somewhere between "planned" and "done".
STATUS_WEIGHTS = {
    Status.NO_INFORMATION: 2,
    Status.NOT_IMPLEMENTED: 2,
    Status.PLANNED: 2,
    Status.PARTIALLY_IMPLEMENTED: 3,
    Status.IMPLEMENTED: 4,
    Status.NOT_APPLICABLE: 1,
}
USERS = ("analyst.a", "analyst.b", "analyst.c", "mission.desk")

# Hand-written baselines for the current matrix, on a plain sqlite3 connection.
# The last tie-break is an assessment's global identity (schema 0005: its uid, or the database id
# and its own id), as in the application, so that copies merged in any order show the same cell:
# a hand-written query for today's picture must answer that same question.
RAW_IDENTITY = "coalesce({t}.uid, (SELECT value FROM tracker_meta WHERE key = 'database_id') || '/' || printf('%012d', {t}.id))"
RAW_CORRELATED_SQL = (
    "SELECT x.key, m.key, a.id, a.status, a.provenance, a.confidence, a.effective_date, a.recorded_at "
    "FROM actor x CROSS JOIN measure m "
    "JOIN assessment a ON a.id = (SELECT b.id FROM assessment b WHERE b.actor_key = x.key AND b.measure_key = m.key "
    "AND b.effective_date <= ? ORDER BY b.effective_date DESC, b.recorded_at DESC, " + RAW_IDENTITY.format(t="b")
    + " DESC LIMIT 1) WHERE m.retired = 0"
)
RAW_WINDOW_SQL = (
    "SELECT actor_key, measure_key, id, status, provenance, confidence, effective_date, recorded_at FROM ("
    "SELECT a.*, row_number() OVER (PARTITION BY a.actor_key, a.measure_key "
    "ORDER BY a.effective_date DESC, a.recorded_at DESC, " + RAW_IDENTITY.format(t="a") + " DESC) AS rn "
    "FROM assessment a JOIN measure m ON m.key = a.measure_key AND m.retired = 0 "
    "JOIN actor x ON x.key = a.actor_key WHERE a.effective_date <= ?) WHERE rn = 1"
)
HISTORY_SQL = (
    f"SELECT {mapping.ASSESSMENT_COLUMNS} FROM assessment a WHERE a.actor_key = :a AND a.measure_key = :m "
    "ORDER BY a.effective_date DESC, a.recorded_at DESC, a.id DESC"
)


# --- synthetic data ---------------------------------------------------------------------------


def _iso_instant(day: dt.date, micros: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` as in domain/clock.py, from a day and microseconds into it."""
    secs, us = divmod(micros, 1_000_000)
    h, rem = divmod(secs, 3600)
    return f"{day.isoformat()}T{h:02d}:{rem // 60:02d}:{rem % 60:02d}.{us:06d}Z"


def _cell_counts(n_cells: int, n_rows: int, rng: random.Random) -> list[int]:
    """Every cell gets the same depth of history, the remainder spread over random cells."""
    base, extra = divmod(n_rows, n_cells)
    counts = [base] * n_cells
    for i in rng.sample(range(n_cells), extra):
        counts[i] += 1
    return counts


def _assessment_keys(n_cells: int, n_rows: int, rng: random.Random, today_offset: int, now_us: int) -> list[int]:
    """One packed int per assessment (recorded instant, effective day, cell), sorted by recording.

    Ids are then assigned in recording order, as in a real database. Packing into ints keeps a
    million rows in ~50 MB where tuples would take several times that.
    """
    keys: list[int] = []
    for cell, k in enumerate(_cell_counts(n_cells, n_rows, rng)):
        for _ in range(k):
            eff = rng.randrange(today_offset + 1)
            # Most assessments are recorded within weeks of taking effect; one in five is
            # history entered later (back-filled), anywhere up to today.
            delay = rng.randrange(60) if rng.random() < 0.8 else rng.randrange(today_offset - eff + 1)
            rec_us = min((eff + delay) * 86_400_000_000 + rng.randrange(86_400_000_000), now_us - rng.randrange(1, 60_000_000))
            keys.append((rec_us << 27) | (eff << 13) | cell)
    keys.sort()
    return keys


def _assessment_rows(
    keys: list[int], cells: list[tuple[str, str]], days: list[dt.date], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    statuses = [s.value for s in STATUS_WEIGHTS]
    weights = list(STATUS_WEIGHTS.values())
    provenances = [p.value for p in Provenance]
    confidences = [c.value for c in Confidence]
    for i, key in enumerate(keys, start=1):
        cell = key & 0x1FFF
        eff = (key >> 13) & 0x3FFF
        rec_day, rec_in_day = divmod(key >> 27, 86_400_000_000)
        actor, measure = cells[cell]
        note = f"Synthetic note {i}" if rng.random() < 0.2 else None
        yield (
            i,
            actor,
            measure,
            rng.choices(statuses, weights)[0],
            rng.choice(provenances),
            rng.choice(confidences),
            note,
            rng.choice(USERS),
            days[eff].isoformat(),
            _iso_instant(days[rec_day], rec_in_day),
        )


def _evidence_rows(n: int, days: list[dt.date], today_offset: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    types = [t.value for t in EvidenceType]
    for i in range(1, n + 1):
        day = rng.randrange(today_offset + 1)
        yield (
            i,
            f"A/AC.105/{1000 + i}" if rng.random() < 0.6 else None,
            f"Synthetic evidence item {i}",
            days[day].isoformat(),
            "en",
            rng.choice(types),
            f"https://example.org/documents/{i}" if rng.random() < 0.5 else None,
            "para. 3" if rng.random() < 0.3 else None,
            None,
            None,
            None,
            rng.choice(USERS),
            _iso_instant(days[day], rng.randrange(86_400_000_000)),
        )


def _link_rows(n_assessments: int, n_evidence: int, rng: random.Random) -> Iterator[tuple[int, int]]:
    """Half the assessments cite nothing, a third cite one item, the rest two."""
    for aid in range(1, n_assessments + 1):
        r = rng.random()
        k = 0 if r < 0.5 else 1 if r < 0.85 else 2
        for eid in sorted(rng.sample(range(1, n_evidence + 1), k)):
            yield aid, eid


def build_database(path: Path, n_rows: int, seed: int, today: dt.date) -> float:
    """Create and fill one database; returns the seconds spent bulk-inserting."""
    initialise(path, user="benchmark")
    n_evidence = max(1, n_rows // ASSESSMENTS_PER_EVIDENCE)
    rng = random.Random(seed)
    start = time.perf_counter()
    con = sqlite3.connect(path, isolation_level=None)
    try:
        # A scratch file: no crash safety needed while loading, so no WAL, no fsync.
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -262144")
        actors = [r[0] for r in con.execute("SELECT key FROM actor ORDER BY key")]
        measures = [r[0] for r in con.execute("SELECT key FROM measure WHERE retired = 0 ORDER BY key")]
        cells = [(a, m) for a in actors for m in measures]
        assert len(cells) < 0x2000, "cell index must fit the packed key"
        first_day = today - dt.timedelta(days=SPAN_DAYS)
        days = [first_day + dt.timedelta(days=d) for d in range(SPAN_DAYS + 2)]
        clock = dt.datetime.now(dt.UTC)  # nothing is recorded after the moment of the build
        now_us = SPAN_DAYS * 86_400_000_000 + (clock.hour * 3600 + clock.minute * 60 + clock.second) * 1_000_000
        con.execute("BEGIN")
        # Indexes are dropped and rebuilt from the schema's own SQL: the standard bulk-load path.
        index_sql = [
            r[0]
            for r in con.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('assessment', 'assessment_evidence')"
            )
        ]
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('assessment', 'assessment_evidence')"
        ).fetchall():
            con.execute(f"DROP INDEX {name}")
        con.executemany(
            "INSERT INTO evidence (id, symbol, title, date, language, evidence_type, url, pinpoint, "
            "file_name, file_sha256, file_size, recorded_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            _evidence_rows(n_evidence, days, SPAN_DAYS, rng),
        )
        keys = _assessment_keys(len(cells), n_rows, rng, SPAN_DAYS, now_us)
        con.executemany(
            "INSERT INTO assessment (id, actor_key, measure_key, status, provenance, confidence, note, "
            "recorded_by, effective_date, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            _assessment_rows(keys, cells, days, rng),
        )
        del keys
        con.executemany(
            "INSERT INTO assessment_evidence (assessment_id, evidence_id) VALUES (?, ?)", _link_rows(n_rows, n_evidence, rng)
        )
        for sql in index_sql:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode = WAL")  # as the application leaves its files
    finally:
        con.close()
    return time.perf_counter() - start


def prepare(directory: Path, n_rows: int, seed: int, today: dt.date, keep: bool) -> tuple[Path, str]:
    """The database for ``n_rows``: built now, or reused from ``--keep`` when built the same way
    (the same generator, and the schema of this version: one kept under an older one is not used)."""
    from tcbm_tracker.storage.migrations import HEAD_REVISION

    path = directory / f"bench-{n_rows}-seed{seed}-{today.isoformat()}-v{GENERATOR_VERSION}-schema{HEAD_REVISION}.sqlite"
    if keep and path.exists():
        return path, "reused (--keep)"
    partial = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    seconds = build_database(partial, n_rows, seed, today)
    partial.rename(path)  # only a complete build gets the final name
    return path, f"generated in {seconds:.1f} s"


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Timing:
    median: float
    minimum: float

    def text(self) -> str:
        return f"{self.median * 1000:9.2f} ms ({self.minimum * 1000:8.2f})"


def time_round_robin(calls: dict[str, Callable[[], Any]], repeat: int) -> dict[str, Timing]:
    """Time every call once per round, ``repeat`` rounds, after one warm-up call each.

    Taking turns means that load from other processes on a shared machine falls on all the
    calls alike, so that ratios between them stay meaningful even when absolute times drift.
    """
    for fn in calls.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, fn in calls.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {name: Timing(statistics.median(ts), min(ts)) for name, ts in samples.items()}


def _window_rows(con: sqlite3.Connection, day: str) -> list[Any]:
    return con.execute(RAW_WINDOW_SQL, (day,)).fetchall()


def plan(con: sqlite3.Connection, sql: str, params: dict[str, str]) -> list[str]:
    return [r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, params)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="assessment rows of the small database")
    parser.add_argument("--large", type=int, default=1_000_000, help="assessment rows of the large database")
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions of each query")
    parser.add_argument("--seed", type=int, default=20130729, help="random seed of the synthetic data")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the databases in DIR and reuse them next time")
    args = parser.parse_args(argv)
    today = dt.datetime.now(dt.UTC).date()
    as_of_past = today - dt.timedelta(days=3652)

    with tempfile.TemporaryDirectory(prefix="tcbm-bench-") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        print(
            f"TCBM Tracker core benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, Python {sys.version.split()[0]}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.machine()} x {os.cpu_count()} CPUs"
        )
        print(f"Seed {args.seed}; {args.repeat} timed rounds after one warm-up, all calls taking turns in each round.")
        print("Synthetic rows are bulk-inserted without change-log entries: none of the measured queries reads the log.")
        paths: dict[str, Path] = {}
        for label, n in (("small", args.small), ("large", args.large)):
            paths[label], how = prepare(directory, n, args.seed, today, args.keep is not None)
            size_mb = paths[label].stat().st_size / 1e6
            con = sqlite3.connect(paths[label])
            counts = [
                con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("actor", "measure", "assessment", "evidence", "assessment_evidence")
            ]
            con.close()
            print(
                f"  {label}: {counts[2]:,} assessments, {counts[3]:,} evidence items, {counts[4]:,} links, "
                f"{counts[0]} actors x {counts[1]} measures, {size_mb:.0f} MB, {how}"
            )

        trackers: dict[str, Tracker] = {k: open_tracker(p, user="benchmark") for k, p in paths.items()}
        raws = {k: sqlite3.connect(p) for k, p in paths.items()}
        try:
            return report(trackers, raws, args.repeat, today, as_of_past, args.small, args.large)
        finally:
            for t in trackers.values():
                t.close()
            for c in raws.values():
                c.close()


def report(
    trackers: dict[str, Tracker],
    raws: dict[str, sqlite3.Connection],
    repeat: int,
    today: dt.date,
    as_of_past: dt.date,
    n_small: int,
    n_large: int,
) -> int:
    day = today.isoformat()
    actor, measure = HISTORY_CELL

    # Sizes of what each query returns, so that the ratios can be read fairly.
    shape = {}
    for k, t in trackers.items():
        shape[k] = (
            len(t.queries.matrix().cells),
            len(t.queries.matrix(as_of=as_of_past).cells),
            sum(e.assessment is not None for e in t.queries.dossier(DOSSIER_ACTOR).entries),
            len(t.assessments.history(actor, measure)),
        )

    queries: dict[str, Callable[[Tracker], Any]] = {
        "matrix() current": lambda t: t.queries.matrix(),
        f"matrix(as_of={as_of_past})": lambda t: t.queries.matrix(as_of=as_of_past),
        f"dossier('{DOSSIER_ACTOR}')": lambda t: t.queries.dossier(DOSSIER_ACTOR),
        f"history('{actor}','{measure}')": lambda t: t.assessments.history(actor, measure),
    }
    raw: dict[str, Callable[[sqlite3.Connection], Any]] = {
        "raw sqlite3, correlated lookup": lambda c: c.execute(RAW_CORRELATED_SQL, (day,)).fetchall(),
        # The rows history() returns, without links, DTOs or SQLAlchemy: how much of its growth
        # is simply the longer history there is to return.
        "raw sqlite3, history rows": lambda c: c.execute(HISTORY_SQL, {"a": actor, "m": measure}).fetchall(),
    }
    calls: dict[str, Callable[[], Any]] = {}
    for size in ("small", "large"):
        for name, fn in queries.items():
            calls[f"{name}|{size}"] = partial(fn, trackers[size])
        for name, rfn in raw.items():
            calls[f"{name}|{size}"] = partial(rfn, raws[size])
    timed = time_round_robin(calls, repeat)
    # The window function reads every row (seconds at the large size): timed on its own, after
    # the others, so that its big sort does not disturb the caches of the calls taking turns.
    window = time_round_robin(
        {f"w|{size}": partial(_window_rows, raws[size], day) for size in ("small", "large")}, max(3, repeat // 3)
    )
    results = {name: (timed[f"{name}|small"], timed[f"{name}|large"]) for name in queries}
    raw_results = {name: (timed[f"{name}|small"], timed[f"{name}|large"]) for name in raw}
    raw_results["raw sqlite3, window function"] = (window["w|small"], window["w|large"])

    small_label, large_label = f"{n_small:,} rows", f"{n_large:,} rows"
    print()
    print(
        f"{'query':34} {small_label + ' median (min)':>28} {large_label + ' median (min)':>28} "
        f"{'ratio':>7} {'(mins)':>7}  target  result"
    )
    failures = 0
    for name in queries:
        ts, tl = results[name]
        ratio = tl.median / ts.median
        ok = ratio <= RATIO_TARGET
        failures += not ok
        print(
            f"{name:34} {ts.text():>28} {tl.text():>28} {ratio:6.2f}x {tl.minimum / ts.minimum:6.2f}x"
            f"  <={RATIO_TARGET:.0f}x    {'PASS' if ok else 'MISS'}"
        )
    for name, (ts, tl) in raw_results.items():
        print(
            f"{name:34} {ts.text():>28} {tl.text():>28} {tl.median / ts.median:6.2f}x {tl.minimum / ts.minimum:6.2f}x  (reference)"
        )
    print("PASS / MISS judge the ratio of medians; the ratio of minima shows the same with less noise from other load.")
    print()
    print(
        "Rows returned (small / large): "
        f"current matrix {shape['small'][0]:,} / {shape['large'][0]:,} cells; "
        f"as-of matrix {shape['small'][1]:,} / {shape['large'][1]:,} cells; "
        f"dossier {shape['small'][2]} / {shape['large'][2]} assessed entries; "
        f"history {shape['small'][3]} / {shape['large'][3]} assessments"
    )

    print()
    print("Current matrix against the hand-written raw query (same run, same database):")
    for size, label in (("small", small_label), ("large", large_label)):
        which = 0 if size == "small" else 1
        best_name, best = min(((n, r[which]) for n, r in raw_results.items() if "history" not in n), key=lambda x: x[1].median)
        app = results["matrix() current"][which]
        ratio = app.median / best.median
        ok = ratio <= RAW_TARGET
        failures += not ok
        cells = trackers[size].queries.matrix().cells
        got = {(k[0], k[1], c.status.value) for k, c in cells.items()}
        correlated = {(r[0], r[1], r[3]) for r in raws[size].execute(RAW_CORRELATED_SQL, (day,))}
        window = {(r[0], r[1], r[3]) for r in raws[size].execute(RAW_WINDOW_SQL, (day,))}
        same = got == correlated == window
        same_ids = {c.assessment_id for c in cells.values()} == {r[2] for r in raws[size].execute(RAW_CORRELATED_SQL, (day,))}
        failures += not (same and same_ids)
        print(
            f"  {label:>16}: matrix() {app.median * 1000:8.2f} ms vs {best_name} {best.median * 1000:8.2f} ms "
            f"= {ratio:4.2f}x (target <={RAW_TARGET:.0f}x) {'PASS' if ok else 'MISS'}; minima {app.minimum * 1000:.2f} vs "
            f"{best.minimum * 1000:.2f} ms = {app.minimum / best.minimum:4.2f}x"
        )
        print(
            f"  {'':>16}  same (actor, measure, status) rows in matrix(), correlated and window queries: "
            f"{'yes' if same else 'NO'} ({len(got):,} rows); same assessment ids: {'yes' if same_ids else 'NO'}"
        )

    print()
    print("Query plans on the large database (EXPLAIN QUERY PLAN; no ANALYZE statistics, as in the application):")
    con = raws["large"]
    params = {"as_of": day, "known_at": mapping.FAR_FUTURE, "a": actor, "m": measure}
    for title, sql in (("matrix cell lookup (queries.CELL_SQL)", CELL_SQL), ("history", HISTORY_SQL)):
        lines = plan(con, sql, params)
        uses = any("ix_assessment_cell" in line for line in lines)
        failures += not uses
        print(f"  {title}: {'uses ix_assessment_cell' if uses else 'DOES NOT use ix_assessment_cell'}")
        for line in lines:
            print(f"    {line}")
    print()
    print("All targets met." if not failures else f"{failures} target(s) or check(s) missed: see MISS / NO above.")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
