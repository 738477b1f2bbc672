"""Every kind of error gets its dialog, shown without blocking, and nothing is lost or changed."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.ui.edits import EditRequest
from tcbm_tracker.ui.errors import BugReportDialog, install_excepthook
from tcbm_tracker.ui.main_window import MainWindow


def request(*cells: tuple[str, str]) -> EditRequest:
    return EditRequest(tuple(cells), Status.IMPLEMENTED, Provenance.OFFICIAL_RECORD, Confidence.HIGH, dt.date.today())


def shown_box(window: MainWindow) -> QMessageBox:
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible()  # shown with open(): the test was never blocked
    return box


def test_locked_database_on_write(idle, db_path: Path, make_window, reader) -> None:  # type: ignore[no-untyped-def]
    window = make_window(db_path, busy_timeout_ms=200)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        window.controller.record(request(("FRA", "LTS-B.4")))
        idle(window)
    finally:
        other.execute("ROLLBACK")
        other.close()
    box = shown_box(window)
    assert box.windowTitle() == "The database is busy"
    assert "locked" in box.text() and "try again" in box.informativeText().lower()
    assert reader.assessments.history("FRA", "LTS-B.4") == []
    assert window.controller.undo_stack.count() == 0
    # Once the other program is done, the same edit goes through.
    window.controller.record(request(("FRA", "LTS-B.4")))
    idle(window)
    assert len(reader.assessments.history("FRA", "LTS-B.4")) == 1


def test_read_only_database_opens_for_reading_and_refuses_writes(make_window, idle, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    db_path.chmod(0o444)
    try:
        window = make_window(db_path)
        assert window.matrix_view.model.rowCount() == 195  # still readable
        # Said from the start, in the title and the status bar.
        assert window.windowTitle().startswith(f"{db_path.name} (read-only)")
        assert "read-only" in window.path_label.text()
        window.controller.record(request(("FRA", "LTS-B.4")))
        idle(window)
        box = shown_box(window)
        assert box.windowTitle() == "The database is read-only"
        assert "writable" in box.informativeText()
    finally:
        db_path.chmod(0o644)


def test_corrupt_file(make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "damaged.sqlite"
    bad.write_bytes(b"this is not a database at all" * 100)
    window = make_window(bad)
    box = shown_box(window)
    assert box.windowTitle() == "The file cannot be opened"
    assert "backup" in box.informativeText()
    assert window.controller.tracker is None
    assert bad.read_bytes().startswith(b"this is not")  # untouched


def test_newer_version_database(make_window, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    with sqlite3.connect(db_path) as con:
        con.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    window = make_window(db_path)
    box = shown_box(window)
    assert box.windowTitle() == "The database is from a newer version"
    assert "newer version" in box.text()


def test_failed_write_keeps_the_previous_database_open(make_window, idle, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(db_path)
    window.controller.open_database(tmp_path / "missing.sqlite")  # a file that is not there
    idle(window)
    box = shown_box(window)
    assert box.windowTitle() == "The file is not ready to use"
    assert window.controller.tracker is not None and window.controller.tracker.path == db_path


def test_unexpected_error_shows_copyable_details(window, idle, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("matrix exploded")

    monkeypatch.setattr(window.controller.tracker.queries, "matrix", broken)
    window.controller.reload()
    idle(window)
    dialog = window.last_error
    assert isinstance(dialog, BugReportDialog) and dialog.isVisible()
    assert "RuntimeError: matrix exploded" in dialog.details.toPlainText()
    assert "Traceback" in dialog.details.toPlainText()
    dialog.copy_button.click()
    assert "matrix exploded" in QGuiApplication.clipboard().text()


def test_excepthook_shows_bugs_escaping_slots(window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook(lambda: window)
    try:
        raise ValueError("from a slot")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    dialogs = [d for d in window.findChildren(BugReportDialog) if d.isVisible()]
    assert dialogs and "ValueError: from a slot" in dialogs[-1].details.toPlainText()
    for d in dialogs:
        d.close()


@pytest.mark.parametrize("bad_date", ["2999-01-01"])
def test_invalid_value_is_a_user_error(window, idle, reader, bad_date) -> None:  # type: ignore[no-untyped-def]
    req = EditRequest((("FRA", "LTS-B.4"),), Status.IMPLEMENTED, Provenance.OFFICIAL_RECORD, Confidence.HIGH,
                      dt.date.fromisoformat(bad_date))
    window.controller.record(req)
    idle(window)
    box = shown_box(window)
    assert box.windowTitle() == "That value is not accepted" and "future" in box.text()
    assert reader.assessments.history("FRA", "LTS-B.4") == []


def test_opening_another_file_can_be_cancelled(window, idle, tmp_path: Path, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import threading

    from PySide6.QtWidgets import QPushButton

    other = tmp_path / "other.sqlite"
    shutil.copy(db_path, other)
    gate = threading.Event()
    window.controller.runner.submit("blocker", lambda ctx: gate.wait(10))
    window.controller.open_database(other)
    window.progress.findChild(QPushButton).click()
    gate.set()
    idle(window)
    assert window.controller.tracker.path == db_path  # still on the first file
    assert "Cancelled" in window.statusBar().currentMessage()
