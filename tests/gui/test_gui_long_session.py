"""A long session in one process (``python -m pytest -m slow -k long_session``): a main window
on a database answers 1,000,000 cheap Qt calls and 10,000 writes through the app's own edit
path (edits, each undone and redone on the undo stack behind Ctrl+Z / Ctrl+Shift+Z, a sample of
them by pressing those keys); the process survives, every write is in the file, ``verify``
passes, and the resident memory grows less than 10% between a warm-up point and the end."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEventLoop, Qt

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.ui.controller import UNDO_LIMIT
from tcbm_tracker.ui.edits import EditRequest
from tcbm_tracker.ui.main_window import MainWindow

WRITES = 10_000
QT_CALLS = 1_000_000
KEYS_EVERY = 50  # one cycle in 50 presses the real keys instead of moving the stack itself
CELLS = (("FRA", "LTS-B.4"), ("USA", "GGE-IV.1"), ("CHN", "LTS-A.1"), ("KEN", "LTS-B.5"))


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def settle(window: MainWindow) -> None:
    """Run the event loop until the write and the reload it queues are done (no fixed sleeps)."""
    runner = window.controller.runner
    deadline = time.monotonic() + 30
    while runner.busy:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        assert time.monotonic() < deadline, "a job did not finish in 30 s"
    QCoreApplication.processEvents()


def cheap_qt_calls(window: MainWindow, n: int) -> int:
    """``n`` calls through the matrix model: index() and data(), as painting does (every cell shows something)."""
    m = window.matrix_view.model
    rows, cols = m.rowCount(), m.columnCount()
    seen = 0
    for i in range(n // 2):
        index = m.index((i // cols) % rows, i % cols)
        seen += m.data(index, Qt.ItemDataRole.DisplayRole) is not None
    assert seen == n // 2, (seen, n)
    return seen


@pytest.mark.slow
def test_long_session_survives_and_memory_stays_flat(window: MainWindow, qtbot, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    stack = window.controller.undo_stack
    table = window.matrix_view.table
    cycles = WRITES // 3  # an edit, its undo, its redo: three writes each
    calls_per_cycle = QT_CALLS // cycles
    warm_at = cycles // 10
    warm = 0
    pressed = 0
    statuses = (Status.PLANNED, Status.IMPLEMENTED, Status.PARTIALLY_IMPLEMENTED)
    for n in range(cycles):
        cell = CELLS[n % len(CELLS)]
        status = statuses[(n // len(CELLS)) % len(statuses)]
        window.controller.record(EditRequest((cell,), status, Provenance.ANALYST_JUDGMENT, Confidence.MEDIUM,
                                             dt.date.today(), note=f"edit {n}"))
        settle(window)
        if n % KEYS_EVERY == 0:
            table.setFocus()
            qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z
            settle(window)
            qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
            settle(window)
            pressed += 1
        else:
            stack.undo()
            settle(window)
            stack.redo()
            settle(window)
        # The key presses moved the stack too; it holds the newest UNDO_LIMIT edits (bounded history).
        assert stack.index() == stack.count() == min(n + 1, UNDO_LIMIT)
        assert cheap_qt_calls(window, calls_per_cycle) > 0
        if n == warm_at:
            warm = rss_kib()
    end = rss_kib()
    assert pressed == len(range(0, cycles, KEYS_EVERY))
    t = open_tracker(db_path)
    try:
        written = sum(len(t.assessments.history(a, m)) for a, m in CELLS)
        assert t.integrity.verify().ok
    finally:
        t.close()
    # Every write is in the file: an edit, its undo and its redo per cycle (history lists a
    # "not assessed" start for a cell first assessed by an edit; count recorded rows instead).
    con_rows = _assessment_rows(db_path)
    assert con_rows == 3 * cycles, (con_rows, written)
    growth = (end - warm) / warm
    print(f"\nlong session: {cycles:,} edits x (edit, undo, redo) = {3 * cycles:,} writes, "
          f"{calls_per_cycle * cycles:,} Qt calls, {pressed} key-pressed undo/redo pairs; "
          f"RSS {warm:,} KiB at warm-up -> {end:,} KiB at the end ({growth:+.1%})")
    assert growth < 0.10, f"memory grew {growth:.1%} (from {warm:,} to {end:,} KiB)"


def _assessment_rows(path: Path) -> int:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM assessment").fetchone()[0])
    finally:
        con.close()
