"""Report speed benchmark: one state summary, the batch of every summary, the full matrix.

A fresh database gets the shipped catalogues and actors and the project's SAMPLE assessments
for all 195 actors (``tests.fixtures.sample_data``: invented, labelled as such). Measured in
the same run:

* one state summary end to end (``build_actor_summary``: query, layout, atomic write),
  against a bare reportlab ``SimpleDocTemplate.build`` of the same flowables (made from the
  same report data beforehand, not timed): target within 1.3x, i.e. gathering the data, the
  page frame and the safe write are not the cost. Also shown: bare build including making the
  flowables.
* all 195 summaries with every core against one core (``build_all_actor_summaries``):
  target at least 1.7x faster on 2 cores. The machine is shared: the load average before and
  after each run is printed beside the figures.
* the full matrix report (195 actors x 37 measures, landscape, paginated).
* the command as a user runs it, in a new process, against a bare reportlab process, with
  where its time goes, and the cost of shaping (an all-Arabic summary against the same in Latin
  script): see ``bench_command.py``.

Run: ``.venv/bin/python benchmarks/bench_reports.py`` (``--help`` for repetitions, ``--keep``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from tcbm_tracker.reports import build_actor_summary, build_all_actor_summaries, build_matrix_report
from tcbm_tracker.reports.actor_summary import actor_summary_flowables
from tcbm_tracker.reports.batch import available_cores
from tcbm_tracker.reports.data import actor_summary_data
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.tracker import Tracker, open_tracker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_command import bench_command, bench_shaping  # noqa: E402
from tests.fixtures.sample_data import populate  # noqa: E402

ACTOR = "FRA"
SUMMARY_TARGET = 1.3
BATCH_TARGET = 1.7


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def bench_summary(t: Tracker, folder: Path, repeat: int) -> None:
    out = folder / "summary.pdf"
    build_actor_summary(t, ACTOR, out)  # warm-up: fonts registered, caches filled
    data = actor_summary_data(t, ACTOR)

    def bare_build() -> float:
        flowables = actor_summary_flowables(data, SafeText())  # made before the clock starts
        doc = SimpleDocTemplate(str(folder / "bare.pdf"), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                topMargin=20 * mm, bottomMargin=20 * mm)
        start = time.perf_counter()
        doc.build(flowables)
        return time.perf_counter() - start

    def bare_with_flowables() -> None:
        flowables = actor_summary_flowables(data, SafeText())
        SimpleDocTemplate(str(folder / "bare.pdf"), pagesize=A4).build(flowables)

    end_to_end, bare, bare_all, gather = [], [], [], []
    for _ in range(repeat):  # interleaved, so that a burst of load hits all alike
        end_to_end += timed(lambda: build_actor_summary(t, ACTOR, out), 1)
        bare.append(bare_build())
        bare_all += timed(bare_with_flowables, 1)
        gather += timed(lambda: actor_summary_data(t, ACTOR), 1)
    e, b, ba = statistics.median(end_to_end), statistics.median(bare), statistics.median(bare_all)
    print(f"state summary {ACTOR} ({build_actor_summary(t, ACTOR, out).pages} pages), median of {repeat}:")
    print(f"  end to end (query + layout + write)  {e * 1000:7.1f} ms   min {min(end_to_end) * 1000:7.1f} ms")
    print(f"  bare reportlab build, same flowables {b * 1000:7.1f} ms   min {min(bare) * 1000:7.1f} ms")
    print(f"  bare build incl. making flowables    {ba * 1000:7.1f} ms   min {min(bare_all) * 1000:7.1f} ms")
    print(f"  gathering the data alone             {statistics.median(gather) * 1000:7.1f} ms   "
          f"min {min(gather) * 1000:7.1f} ms")
    verdict = "meets" if e / b <= SUMMARY_TARGET else "MISSES"
    print(f"  ratio end to end / bare build: {e / b:.2f}x ({verdict} the {SUMMARY_TARGET}x target); "
          f"vs bare incl. flowables: {e / ba:.2f}x")


def bench_batch(t: Tracker, folder: Path, rounds: int) -> None:
    """One core against every core, alternated ``rounds`` times; CPU seconds show the work itself.

    CPU time is this process's for one worker (it renders in-process) and the reaped worker
    processes' for several: if the two are close, the work divides cleanly and any shortfall
    in wall-clock speed-up is other programs competing for the cores.
    """
    cores = available_cores()
    print(f"batch of every summary ({len(t.reference.actors())} actors), {rounds} round(s):")
    wall: dict[int, list[float]] = {1: [], cores: []}
    for n in range(rounds):
        for workers in (1, cores):
            before, cpu0, kids0 = load(), time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            batch = build_all_actor_summaries(t, folder / f"batch-{workers}-{n}", workers=workers)
            elapsed = time.perf_counter() - start
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (time.process_time() - cpu0) + (kids.ru_utime - kids0.ru_utime) + (kids.ru_stime - kids0.ru_stime)
            wall[workers].append(elapsed)
            print(f"  {workers} worker(s): {elapsed:6.1f} s wall, {cpu:6.1f} s CPU  ({len(batch.results)} files, "
                  f"{batch.pages} pages; {before} before, {load()} after)")
    best1, best_n = min(wall[1]), min(wall[cores])
    speedup = best1 / best_n
    verdict = "meets" if speedup >= BATCH_TARGET or cores == 1 else "MISSES"
    print(f"  speed-up with {cores} cores (best runs): {speedup:.2f}x ({verdict} the {BATCH_TARGET}x target on 2 cores); "
          f"medians {statistics.median(wall[1]):.1f} s vs {statistics.median(wall[cores]):.1f} s")


def bench_matrix(t: Tracker, folder: Path, repeat: int) -> None:
    out = folder / "matrix.pdf"
    times = timed(lambda: build_matrix_report(t, out), repeat)
    pages = build_matrix_report(t, out).pages
    print(f"full matrix report (all catalogues, {pages} pages landscape): median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s over {repeat}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7, help="repetitions of the single-summary timing (default 7)")
    parser.add_argument("--keep", type=Path, help="keep the database and PDFs in this folder (reused if present)")
    parser.add_argument("--skip-batch", action="store_true", help="skip the batch (the longest part)")
    parser.add_argument("--skip-command", action="store_true", help="skip the command-in-a-new-process figures")
    parser.add_argument("--batch-rounds", type=int, default=2, help="alternations of one core / every core (default 2)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-reports-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "bench.sqlite"
    print(f"python {platform.python_version()}, {platform.machine()}, {available_cores()} cores available "
          f"(shared machine: {load()})")
    if not db.exists():
        start = time.perf_counter()
        n = populate(db, actors=195, user="benchmark")
        print(f"dataset: {n:,} sample assessments for 195 actors in {time.perf_counter() - start:.1f} s")
    t = open_tracker(db)
    status = 0
    try:
        bench_summary(t, folder, args.repeat)
        bench_shaping(t, folder)
        if not args.skip_command and not bench_command(db, folder, args.repeat):
            status = 1  # the command loaded a module it must not
        bench_matrix(t, folder, 3)
        if not args.skip_batch:
            bench_batch(t, folder, args.batch_rounds)
    finally:
        t.close()
    print(f"files in {folder}" if args.keep else "")
    sys.exit(status)


if __name__ == "__main__":
    main()
