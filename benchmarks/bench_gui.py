"""Desktop application speed: start-up against a bare PySide6 floor, and matrix filtering.

Measured side by side in one run:

* **Start-up**: wall time from launching a process to the main window painted with the full
  matrix (195 actors x 37 measures, with history), against a *floor*: a process that imports
  the same libraries (PySide6 widgets, SQLAlchemy, SQLModel, platformdirs) and paints
  a bare ``QMainWindow`` with a ``QTableView`` of the same size. Both run alternately, several
  times, on the same Qt platform; medians are compared. Target: within 1.5x of the floor.
* **GUI-thread actions**: each filter and search, sorting by the actor, coverage and measure
  columns, and PageDown / Ctrl+Home in the grid, each followed by the repaint it causes, at
  195 x 37 (every action < 50 ms) and on a synthetic 2,000-actor database (~110,000
  assessments: filters, search and sorting < 100 ms, PageDown < 50 ms). The slowest action is
  printed, every missed target gets a ``TARGET MISSED`` line and the exit status is 1.

The databases are built with the real schema and catalogues (``initialise``), then filled with
synthetic assessments by plain ``sqlite3`` bulk inserts (each assessed cell has one to three
assessments over the last ten years). The 2,000-actor database adds 1,805 synthetic actors.

Run: ``.venv/bin/python benchmarks/bench_gui.py`` (``--help`` for options). Uses the offscreen
platform unless ``--platform xcb`` is given (then a display, e.g. ``xvfb-run``, is needed);
``--skip-startup`` times only the GUI-thread actions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ["no_information", "not_implemented", "planned", "partially_implemented", "implemented", "not_applicable"]
PROVENANCES = ["self_reported", "official_record", "third_party", "analyst_judgment"]
CONFIDENCES = ["high", "medium", "low"]
REGIONS = ["AFRICA", "APG", "EEG", "GRULAC", "WEOG"]


# --- databases -----------------------------------------------------------------------------------------
def build_database(path: Path, n_actors: int, seed: int = 7) -> int:
    """Initialise ``path`` and fill it with synthetic history; returns the number of assessments."""
    from tcbm_tracker.services.setup import initialise

    initialise(path, user="benchmark")
    rng = random.Random(seed)
    today = dt.date.today()
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA synchronous = OFF")
        con.execute("BEGIN")
        actors = [r[0] for r in con.execute("SELECT key FROM actor ORDER BY key")]
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for i in range(max(0, n_actors - len(actors))):
            key = f"SYN{i:04d}"
            con.execute("INSERT INTO actor (key, name, kind, note, builtin, created_at) VALUES (?,?,?,?,?,?)",
                        (key, f"Synthetic actor {i:04d}", "organization", "benchmark data", 0, now))
            con.execute("INSERT INTO actor_attribute (actor_key, name, value, as_of) VALUES (?,?,?,?)",
                        (key, "un_regional_group", REGIONS[i % 5], "2020-01-01"))
            actors.append(key)
        measures = [r[0] for r in con.execute("SELECT key FROM measure WHERE retired = 0")]
        rows = []
        for a in actors:
            for m in measures:
                if rng.random() < 0.25:
                    continue
                for _ in range(rng.randint(1, 3)):
                    eff = today - dt.timedelta(days=rng.randint(1, 3650))
                    rec = f"{(eff + dt.timedelta(days=rng.randint(0, 30))).isoformat()}T12:00:00.{rng.randint(0, 999999):06d}Z"
                    if rec[:10] > today.isoformat():
                        rec = f"{today.isoformat()}T00:00:00.000000Z"
                    rows.append((a, m, rng.choice(STATUSES), rng.choice(PROVENANCES), rng.choice(CONFIDENCES),
                                 "benchmark data", "benchmark", eff.isoformat(), rec))
        con.executemany("INSERT INTO assessment (actor_key, measure_key, status, provenance, confidence, note, "
                        "recorded_by, effective_date, recorded_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode = WAL")
    finally:
        con.close()
    return len(rows)


# --- child processes for the start-up race -----------------------------------------------------------------
FLOOR_CHILD = r"""
import sys, time
import sqlalchemy, sqlmodel, platformdirs  # the libraries the app imports at start-up (Alembic only to migrate)
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication(sys.argv[:1])
window = QMainWindow()
model = QStandardItemModel(195, 39)
view = QTableView()
view.setModel(model)
window.setCentralWidget(view)
window.resize(1400, 860)
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("PAINTED", flush=True)
            app.quit()
        return False
watch = Painted()
view.viewport().installEventFilter(watch)
window.show()
app.exec()
"""

APP_CHILD = r"""
import sys
from pathlib import Path
import tcbm_tracker.services.tracker  # the database stack before Qt, in the order tcbm_tracker.app.run uses
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from tcbm_tracker.app import build_window
window = build_window(settings_path=Path(sys.argv[2]), db_path=Path(sys.argv[1]))  # as tcbm_tracker.app.run does
table = window.matrix_view.table
class Painted(QObject):
    def eventFilter(self, obj, event):
        # The first paint of the matrix once every actor and measure is in it.
        if event.type() == QEvent.Type.Paint and window.matrix_view.model.rowCount() >= 195:
            print("PAINTED", flush=True)
            app.quit()
        return False
watch = Painted()
table.viewport().installEventFilter(watch)
window.show()
app.exec()
window.close()
"""


def time_child(code: str, args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=60)
    proc.stdout.close()
    if not line.startswith("PAINTED"):
        raise RuntimeError(f"child did not paint (exit {proc.returncode})")
    return elapsed


def startup(db: Path, runs: int, env: dict[str, str], settings: Path) -> tuple[list[float], list[float]]:
    floor, app = [], []
    time_child(FLOOR_CHILD, [], env)  # warm the file cache for both
    time_child(APP_CHILD, [str(db), str(settings)], env)
    for _ in range(runs):
        floor.append(time_child(FLOOR_CHILD, [], env))
        app.append(time_child(APP_CHILD, [str(db), str(settings)], env))
    return floor, app


# --- actions on the GUI thread in this process -------------------------------------------------------------
def gui_timings(db: Path, settings: Path, repeat: int) -> dict[str, list[float]]:
    """Each action as the user makes it, then the repaint it causes, timed on the GUI thread."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from tcbm_tracker.app import build_window, wait_until_idle
    from tcbm_tracker.domain.vocabulary import Status
    from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, COVERAGE_COLUMN, FIRST_MEASURE_COLUMN

    window = build_window(settings_path=settings)
    window.resize(1400, 860)
    window.show()
    window.controller.open_database(db)
    wait_until_idle(window)
    mv = window.matrix_view
    table = mv.table
    asc, desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
    last = FIRST_MEASURE_COLUMN + len(mv.model.measures) - 1

    def page_down() -> None:
        table.setFocus()
        QTest.keyClick(table, Qt.Key.Key_PageDown)

    def page_up_to_top() -> None:
        table.setFocus()
        QTest.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)

    steps = {
        "search actor 'fra'": lambda: mv.search.setText("fra"),
        "search measure 'm:debris'": lambda: mv.search.setText("m:debris"),
        "clear search": lambda: mv.search.setText(""),
        "catalogue LTS2019": lambda: mv.catalog_box.setCurrentIndex(mv.catalog_box.findData("LTS2019")),
        "region WEOG": lambda: mv.region_box.setCurrentIndex(mv.region_box.findData("WEOG")),
        "status implemented": lambda: mv.status_box.setCurrentIndex(mv.status_box.findData(Status.IMPLEMENTED.value)),
        "clear catalogue": lambda: mv.catalog_box.setCurrentIndex(0),
        "clear region": lambda: mv.region_box.setCurrentIndex(0),
        "clear status": lambda: mv.status_box.setCurrentIndex(0),
        "sort coverage desc": lambda: table.sortByColumn(COVERAGE_COLUMN, desc),
        "sort first measure": lambda: table.sortByColumn(FIRST_MEASURE_COLUMN, asc),
        "sort last measure desc": lambda: table.sortByColumn(last, desc),
        "sort actor desc": lambda: table.sortByColumn(ACTOR_COLUMN, desc),
        "sort actor asc": lambda: table.sortByColumn(ACTOR_COLUMN, asc),
        "PageDown": page_down,
        "PageDown again": page_down,
        "Ctrl+Home": page_up_to_top,
    }
    # The search box filters after a pause in typing (its timer calls apply_filter); a filter box
    # filters at once when its choice changes.
    searches = {name for name in steps if "search" in name}
    table.setCurrentIndex(mv.proxy.index(0, FIRST_MEASURE_COLUMN))
    out: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            app.processEvents()
            start = time.perf_counter()
            step()
            if name in searches:
                mv.apply_filter()  # what the search box's pause timer would call
            app.processEvents()  # the repaint of the result
            out[name].append(time.perf_counter() - start)
    rows = mv.model.rowCount()
    window.close()
    out["_rows"] = [rows]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs of each process (default 5)")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions of each filter step (default 7)")
    parser.add_argument("--platform", default="offscreen", help="Qt platform: offscreen (default) or xcb")
    parser.add_argument("--skip-startup", action="store_true", help="time only the GUI-thread actions")
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = args.platform
    sys.path.insert(0, str(ROOT))
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        small_n = build_database(folder / "states.sqlite", 195)
        large_n = build_database(folder / "large.sqlite", 2000)
        print(f"databases built in {time.perf_counter() - t0:.1f} s: 195 actors / {small_n:,} assessments; "
              f"2,000 actors / {large_n:,} assessments; platform {args.platform}, Python {sys.version.split()[0]}")
        import PySide6

        print(f"PySide6 {PySide6.__version__}, {os.cpu_count()} CPUs\n")
        if not args.skip_startup:
            floor, app = startup(folder / "states.sqlite", args.runs, env, folder / "startup.ini")
            f_med, a_med = statistics.median(floor), statistics.median(app)
            print("Start-up to the first paint of the full matrix (195 x 37), seconds:")
            print(f"  floor (bare window + table, same imports)  median {f_med:.3f}  min {min(floor):.3f}")
            print(f"  TCBM Tracker                               median {a_med:.3f}  min {min(app):.3f}")
            verdict = "meets" if a_med <= 1.5 * f_med else "MISSES"
            print(f"  ratio {a_med / f_med:.2f}x (target 1.5x: {verdict})")
            large = [time_child(APP_CHILD, [str(folder / "large.sqlite"), str(folder / "startup.ini")], env)
                     for _ in range(max(1, args.runs // 2))]
            print(f"  (for scale: the 2,000-actor database, median {statistics.median(large):.3f})\n")
        missed: list[str] = []
        for label, db, targets in (("195 actors x 37 measures", "states.sqlite", {"filter": 0.050, "sort": 0.050, "page": 0.050}),
                                   ("2,000 actors x 37 measures", "large.sqlite", {"filter": 0.100, "sort": 0.100, "page": 0.050})):
            timings = gui_timings(folder / db, folder / "filters.ini", args.repeat)
            rows = timings.pop("_rows")[0]
            print(f"GUI-thread actions with repaint, {label} ({int(rows):,} rows), milliseconds (median / max; target):")
            slowest = ("", 0.0)
            for name, values in timings.items():
                kind = "sort" if name.startswith("sort") else "page" if name.startswith(("Page", "Ctrl")) else "filter"
                med, target = statistics.median(values), targets[kind]
                if med > slowest[1]:
                    slowest = (name, med)
                flag = "" if med < target else "   <-- MISSES"
                print(f"  {name:<26} {1000 * med:7.1f} / {1000 * max(values):7.1f}   < {1000 * target:.0f}{flag}")
                if med >= target:
                    missed.append(f"{label}: {name} {1000 * med:.1f} ms (target < {1000 * target:.0f} ms)")
            print(f"  slowest GUI-thread action: {slowest[0]} {1000 * slowest[1]:.1f} ms (median)\n")
        if missed:
            for line in missed:
                print(f"TARGET MISSED: {line}")
            return 1
        print("Every GUI-thread action meets its target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
