"""File > Import / Export / Backups / Open Attached File, driven by the keys a user presses."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.backups import backup_now, list_backups
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.exchange_actions import ExportChoice

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
SHEET = ("actor,measure,effective_date,status,note\r\n"
         "FRA,LTS-B.4,2019-06-21,implemented,From the mission's sheet\r\n"
         "DEU,LTS-B.4,2020-01-01,planned,\r\n")


def sha(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def press(qtbot, window, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.matrix_view.table, key, CTRL_SHIFT)


def test_import_shows_the_preview_then_applies_on_enter(qtbot, window, idle, reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "mission.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    window.exchange.questions.ask_import_paths = lambda parent: [sheet]
    press(qtbot, window, Qt.Key.Key_I)
    idle(window)
    preview = window.exchange.preview
    assert preview is not None and preview.isVisible()
    assert "2 assessment(s) and 0 evidence item(s) to add" in preview.summary.text()
    assert "mission.csv row 2: FRA LTS-B.4 2019-06-21 implemented" in preview.details.toPlainText()
    assert reader.queries.matrix().cells == {}  # nothing applied before the user says so
    qtbot.keyClick(preview, Qt.Key.Key_Return)
    idle(window)
    assert not preview.isVisible()
    assert reader.queries.matrix().status("FRA", "LTS-B.4") is Status.IMPLEMENTED
    assert "Imported 2 assessment(s)" in window.statusBar().currentMessage()
    assert any(b.reason == "before-import" for b in list_backups(reader.path))


def test_rejected_rows_are_listed_and_import_is_disabled(qtbot, window, idle, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "bad.csv"
    sheet.write_text(SHEET + "XXX,LTS-B.4,01/02/2020,planned,\r\n", encoding="utf-8")
    before = sha(db_path)
    window.exchange.questions.ask_import_paths = lambda parent: [sheet]
    press(qtbot, window, Qt.Key.Key_I)
    idle(window)
    preview = window.exchange.preview
    assert preview.isVisible() and not preview.import_button.isEnabled()
    text = preview.details.toPlainText()
    assert "bad.csv, row 4, column actor: unknown actor 'XXX'" in text
    assert "bad.csv, row 4, column effective_date: '01/02/2020' is not a date in the form YYYY-MM-DD" in text
    qtbot.keyClick(preview, Qt.Key.Key_Return)  # does nothing: the button is disabled
    qtbot.keyClick(preview, Qt.Key.Key_Escape)
    idle(window)
    assert not preview.isVisible()
    assert sha(db_path) == before


def test_cancelled_import_check_changes_nothing(qtbot, window, idle, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "mission.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    before = sha(db_path)
    gate = threading.Event()
    window.controller.runner.submit("blocker", lambda ctx: gate.wait(10))
    window.exchange.questions.ask_import_paths = lambda parent: [sheet]
    press(qtbot, window, Qt.Key.Key_I)
    progress = window.progress
    assert progress is not None
    qtbot.waitUntil(progress.isVisible)  # shown after 150 ms
    cancel = progress.findChild(QPushButton)
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Space)  # the progress dialog's Cancel
    gate.set()
    idle(window)
    assert window.exchange.preview is None
    assert "Cancelled" in window.statusBar().currentMessage()
    assert sha(db_path) == before


def test_export_workbook(qtbot, window, idle, reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2019-06-21"))
    out = tmp_path / "record.xlsx"
    window.exchange.questions.ask_export = lambda parent: ExportChoice(out)
    press(qtbot, window, Qt.Key.Key_E)
    idle(window)
    rows = list(load_workbook(out, read_only=True)["assessments"].values)
    assert rows[1][:4] == ("FRA", "LTS-B.4", "2019-06-21", "implemented")
    assert f"Wrote {out}" in window.statusBar().currentMessage()


def test_backups_list_back_up_and_restore(qtbot, window, idle, db_path: Path, reader) -> None:  # type: ignore[no-untyped-def]
    # Opening the window made the day's backup, before anything was written.
    assert [b.reason for b in list_backups(db_path)] == ["daily"]
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented"))
    press(qtbot, window, Qt.Key.Key_B)
    idle(window)
    dialog = window.exchange.backups
    assert dialog.isVisible() and dialog.model.rowCount() == 1
    qtbot.waitActive(dialog)
    dialog.backup_button.setFocus()
    qtbot.keyClick(dialog.backup_button, Qt.Key.Key_Space)  # Back Up Now
    idle(window)
    assert dialog.model.rowCount() == 2 and dialog.model.rows[0][0].reason == "manual"
    # Restore the daily backup (made before FRA was assessed): select it, press Restore Selected.
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.selected().reason == "daily"
    dialog.restore_button.setFocus()
    qtbot.keyClick(dialog.restore_button, Qt.Key.Key_Space)
    idle(window)
    assert window.controller.tracker is not None and window.controller.tracker.path == db_path
    assert window.controller.tracker.queries.matrix().cells == {}
    assert "Restored" in window.statusBar().currentMessage()
    assert any(b.reason == "before-restore" for b in list_backups(db_path))


def test_open_attached_file_writes_a_temporary_copy_with_its_extension(qtbot, window, idle, reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "Submission 2023.pdf"
    src.write_bytes(b"%PDF-1.4 attached" * 100)
    e = reader.evidence.add(EvidenceInput(title="Submission", file=src))
    opened = []
    window.exchange.questions.open_url = lambda url: opened.append(url.toLocalFile()) or True
    window.exchange.questions.ask_evidence_number = lambda parent: e.id
    window.exchange.actions["attachment"].setShortcut("Ctrl+Shift+O")
    press(qtbot, window, Qt.Key.Key_O)
    idle(window)
    (path,) = opened
    assert path.endswith(".pdf") and Path(path).read_bytes() == src.read_bytes() and Path(path) != src
    assert "a copy" in window.statusBar().currentMessage()


def test_a_damaged_database_offers_its_newest_good_backup(qtbot, make_window, idle, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = backup_now(db_path)
    size = db_path.stat().st_size
    with db_path.open("r+b") as fh:
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(b"\xa5" * 4096)
    window = make_window(db_path)
    qtbot.waitUntil(lambda: isinstance(window.last_error, QMessageBox) and hasattr(window.exchange, "restore_button"))
    box = window.last_error
    assert box.windowTitle() == "The database is damaged" and str(good.path) in box.text()
    assert window.controller.tracker is None
    button: QPushButton = window.exchange.restore_button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    idle(window)
    assert window.controller.tracker is not None and window.controller.tracker.integrity.verify().ok
