"""Live repaint benchmark: from one client's commit on the server to another window's repaint
of that cell, with LISTEN/NOTIFY and with the one-second poll alone, side by side.

Two real windows (offscreen) are connected to one PostgreSQL database: in one, live updates hear
the server's notifications (the default on a server); in the other the listener is stopped, so
that only its one-second poll finds changes (the fallback, and what a file gets). A separate
client then records N assessments, one at a time, each to a cell both windows show, with a
random pause between them (so that the poll's phase varies as it would). For each edit the
time runs from the moment the client's commit returned to the first paint of the table after
the cell's new value reached the window's model.

Target: every repaint with LISTEN/NOTIFY under 1 s (the median is printed beside the poll's).

The server: ``--url postgresql://...`` (an initialised database the benchmark may write to), or
by default a throwaway cluster started as in the tests (tests/server/pg_cluster.py).

Run: ``.venv/bin/python benchmarks/bench_live_repaint.py --edits 40``. Exit status 0 when the
target is met.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "server"))

from PySide6.QtCore import QEvent, QObject, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tcbm_tracker.services.assessments import AssessmentInput  # noqa: E402
from tcbm_tracker.services.setup import initialise  # noqa: E402
from tcbm_tracker.services.tracker import open_tracker  # noqa: E402
from tcbm_tracker.ui.controller import TrackerController  # noqa: E402
from tcbm_tracker.ui.jobs import JobRunner  # noqa: E402
from tcbm_tracker.ui.main_window import MainWindow  # noqa: E402
from tcbm_tracker.ui.matrix_model import STATUS_ROLE  # noqa: E402
from tcbm_tracker.ui.settings import WindowSettings  # noqa: E402

TARGET_S = 1.0
STATUSES = ("implemented", "planned", "partially_implemented", "not_implemented")
VISIBLE_ROWS, VISIBLE_COLUMNS = 8, 4  # cells in the top-left corner: on screen, so repainted


class RepaintWatch(QObject):
    """Times one window: when the watched cell's new value reaches its model, the next paint of
    the table counts as its repaint."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.cell: tuple[int, int] | None = None
        self.status = ""
        self.changed = False
        self.painted_at: float | None = None
        model = window.matrix_view.model
        model.dataChanged.connect(self._data_changed)
        window.matrix_view.table.viewport().installEventFilter(self)

    def expect(self, row: int, column: int, status: str) -> None:
        self.cell, self.status, self.changed, self.painted_at = (row, column), status, False, None

    def _data_changed(self, top_left: Any, bottom_right: Any, roles: Any = ()) -> None:
        if self.cell is None or self.changed:
            return
        row, column = self.cell
        if top_left.row() <= row <= bottom_right.row() and top_left.column() <= column <= bottom_right.column():
            model = self.window.matrix_view.model
            self.changed = model.data(model.index(row, column), STATUS_ROLE) == self.status

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and self.changed and self.painted_at is None:
            self.painted_at = time.perf_counter()
        return False


def make_window(app: QApplication, url: str, settings_dir: Path, name: str) -> MainWindow:
    controller = TrackerController(JobRunner(), user="bench")
    window = MainWindow(controller, WindowSettings(QSettings(str(settings_dir / f"{name}.ini"), QSettings.Format.IniFormat)))
    controller.setParent(window)
    controller.runner.setParent(window)
    window.resize(1440, 900)
    window.show()
    controller.open_server(url)
    wait(app, lambda: controller.tracker is not None and window.live.live._cursor is not None, 60)
    return window


def wait(app: QApplication, done: Any, timeout_s: float) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True


def measure(app: QApplication, url: str, edits: int, seed: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as settings_dir:
        notified = make_window(app, url, Path(settings_dir), "notified")
        polled = make_window(app, url, Path(settings_dir), "polled")
        polled.live.live._stop_listening()  # its one-second timer alone
        assert notified.live.live.listener is not None, "the window on a server listens for notifications"
        watches = {"LISTEN/NOTIFY": RepaintWatch(notified), "poll (1 s)": RepaintWatch(polled)}
        model = notified.matrix_view.model
        cells = [(model.actors[r].key, model.measures[c].key) for r in range(VISIBLE_ROWS) for c in range(VISIBLE_COLUMNS)]
        rng = random.Random(seed)
        writer = open_tracker(url)
        times: dict[str, list[float]] = {name: [] for name in watches}
        missed: dict[str, int] = dict.fromkeys(watches, 0)
        try:
            for i in range(edits):
                actor, measure_key = cells[i % len(cells)]
                status = STATUSES[(i // len(cells)) % len(STATUSES)]
                for watch in watches.values():
                    m = watch.window.matrix_view.model
                    watch.expect(m.row_of(actor), m.column_of(measure_key), status)
                writer.assessments.record(AssessmentInput(actor=actor, measure=measure_key, status=status))
                committed = time.perf_counter()
                wait(app, lambda: all(w.painted_at is not None for w in watches.values()), 5.0)
                for name, watch in watches.items():
                    if watch.painted_at is None:
                        missed[name] += 1
                    else:
                        times[name].append(watch.painted_at - committed)
                pause = rng.uniform(0.1, 0.6)
                wait(app, lambda: False, pause)  # the windows keep running meanwhile
        finally:
            writer.close()
            for window in (notified, polled):
                window.close()
            app.processEvents()
        for name, count in missed.items():
            if count:
                print(f"  {name}: {count} edit(s) not repainted within 5 s")
        return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=40, help="assessments recorded by the other client (default 40)")
    ap.add_argument("--seed", type=int, default=20130729)
    ap.add_argument("--url", help="an initialised PostgreSQL database to write to (default: a throwaway cluster)")
    args = ap.parse_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    cluster = None
    url = args.url
    if url is None:
        from pg_cluster import find_bindir, start_cluster

        bindir = find_bindir()
        if bindir is None:
            print("no PostgreSQL binaries (initdb, pg_ctl) found: give --url", file=sys.stderr)
            return 2
        cluster = start_cluster(bindir)
        url = cluster.url(cluster.new_database("bench"))
        initialise(url, user="bench")
    try:
        times = measure(app, url, args.edits, args.seed)
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.base, ignore_errors=True)
    print(f"commit -> repaint of that cell in another window, {args.edits} edits:")
    for name, values in times.items():
        if values:
            print(f"  {name:<14} median {statistics.median(values) * 1000:7.1f} ms   "
                  f"max {max(values) * 1000:7.1f} ms   (n={len(values)})")
    listen = times["LISTEN/NOTIFY"]
    poll = times["poll (1 s)"]
    if listen and poll:
        print(f"  median ratio poll / LISTEN: {statistics.median(poll) / statistics.median(listen):.1f}x")
    ok = len(listen) == args.edits and max(listen) < TARGET_S
    print(f"target: every repaint under {TARGET_S:.0f} s with LISTEN/NOTIFY: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
