"""Desktop conventions: Copy as tab-separated text, Help pages, About, icon, file dialog folders,
and an offer to open a report once written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from tcbm_tracker import __version__
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import FIRST_MEASURE_COLUMN

CTRL, SHIFT, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier


def test_ctrl_c_copies_the_selected_cells_with_headers(window: MainWindow, qtbot, idle, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record_many([AssessmentInput("AFG", "GGE-IV.2", Status.IMPLEMENTED),
                                    AssessmentInput("ALB", "GGE-IV.1", Status.PLANNED)])
    window.controller.reload()
    idle(window)
    QApplication.clipboard().clear()
    table = window.matrix_view.table
    table.setFocus()
    # Ctrl+Home, not Down: Down lands on the first or the second row depending on whether the
    # grid already has a current cell when the keys arrive (the test failed about half the time).
    qtbot.keyClick(table, Qt.Key.Key_Home, CTRL)
    for _ in range(FIRST_MEASURE_COLUMN):
        qtbot.keyClick(table, Qt.Key.Key_Right)  # Afghanistan, GGE-IV.1
    qtbot.keyClick(table, Qt.Key.Key_Right, SHIFT)
    qtbot.keyClick(table, Qt.Key.Key_Down, SHIFT)  # 2 x 2 cells
    qtbot.keyClick(table, Qt.Key.Key_C, CTRL)
    assert QApplication.clipboard().text() == ("Actor\tGGE-IV.1\tGGE-IV.2\n"
                                               "Afghanistan\tNot assessed\tImplemented\n"
                                               "Albania\tPlanned\tNot assessed\n")


def test_ctrl_c_in_the_search_box_still_copies_its_text(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    search = window.matrix_view.search
    search.setFocus()
    qtbot.keyClicks(search, "Kenya")
    search.selectAll()
    qtbot.keyClick(search, Qt.Key.Key_C, CTRL)
    assert QApplication.clipboard().text() == "Kenya"


def test_help_pages_open_from_the_keyboard(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F1)
    guide = window.extras.last_page
    assert guide is not None and guide.isVisible() and not guide.isModal()
    text = guide.browser.toPlainText()
    assert "The desktop application" in text and "Keyboard" in text
    qtbot.keyClick(guide.browser, Qt.Key.Key_Escape)
    assert not guide.isVisible()

    window.activateWindow()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Slash, CTRL)
    keys = window.extras.last_page
    assert keys is not None and keys is not guide
    text = keys.browser.toPlainText()
    assert "Ctrl+Z" in text and "Editing" not in text  # the keyboard section only


def test_about_says_version_data_location_catalogues_and_licences(window: MainWindow, qtbot, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    window.extras.locations = {"Logs": "/somewhere/logs"}
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_H, ALT)
    menu = QApplication.activePopupWidget()
    assert menu is not None
    qtbot.keyClick(menu, Qt.Key.Key_A)
    about = window.extras.last_page
    assert about is not None and about.isVisible()
    text = about.browser.toPlainText()
    assert __version__ in text and str(db_path) in text and "/somewhere/logs" in text
    assert "GGE2013" in text and "LTS2019" in text and "version 2" in text
    assert "MIT" in text and "LGPL" in text


def test_window_icon_and_desktop_file_name(window: MainWindow) -> None:
    from tcbm_tracker.app import _application

    assert not window.windowIcon().isNull()
    _application()
    assert QGuiApplication.desktopFileName() == "tcbm-tracker"
    assert not QGuiApplication.windowIcon().isNull()


def test_file_dialogs_start_in_the_database_folder_then_the_last_used(window: MainWindow, db_path: Path, tmp_path: Path, idle) -> None:  # type: ignore[no-untyped-def]
    assert window.extras.dialog_folder() == str(db_path.parent)
    reports = tmp_path / "reports"
    reports.mkdir()
    window.open_actor("FRA")
    idle(window)
    window.dialogs.ask_report_path = lambda parent, request: reports / "fra.pdf"
    window.reports.export("actor")
    idle(window, 60_000)
    assert window.extras.dialog_folder() == str(reports.resolve())


def test_a_written_report_offers_to_open_it_or_its_folder(window: MainWindow, qtbot, idle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "fra.pdf"
    window.dialogs.ask_report_path = lambda parent, request: out
    window.open_actor("FRA")
    idle(window)
    bar = window.reports.done_bar
    opened: list[str] = []
    bar.open_url = lambda url: opened.append(url.toLocalFile())
    table = window.dossier_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_P, CTRL)
    idle(window, 60_000)
    assert out.exists()
    qtbot.waitUntil(bar.isVisible)
    assert str(out) in bar.label.text()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    focus = QApplication.focusWidget()
    qtbot.keyClick(focus, Qt.Key.Key_D, ALT)  # Show Fol&der (a mnemonic clicks after a short animation)
    qtbot.waitUntil(lambda: opened == [str(tmp_path)])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, ALT)  # Open Re&port
    qtbot.waitUntil(lambda: opened == [str(tmp_path), str(out)])
    assert QApplication.focusWidget() is focus  # nothing took the keyboard away
