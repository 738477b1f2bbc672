"""Reports > Reporter Name and Organisation…: typed by the user, stored where the command line
stores them, printed on page 1; a refused value says why and stores nothing."""

from __future__ import annotations

from gui_keys import ALT, focused
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tcbm_tracker.services import user_settings
from tcbm_tracker.storage.user_settings import settings_path
from tcbm_tracker.ui.reporter_dialog import ReporterDialog


def _shown(qtbot) -> ReporterDialog:  # type: ignore[no-untyped-def]
    dialog = ReporterDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog and focused().window() is dialog)
    return dialog


def test_the_reporter_is_typed_and_saved_with_the_keyboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _shown(qtbot)
    assert focused() is dialog.name_edit
    qtbot.keyClicks(focused(), "Jane Doe")
    qtbot.keyClick(focused(), Qt.Key.Key_O, ALT)  # Alt+O: the organisation field
    assert focused() is dialog.organisation_edit
    qtbot.keyClicks(dialog.organisation_edit, "Ministry of Foreign Affairs")
    with qtbot.waitSignal(dialog.reporter_saved):
        qtbot.keyClick(dialog.organisation_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert user_settings.reporter().text == "Jane Doe (Ministry of Foreign Affairs)"
    again = ReporterDialog()  # opens with what was saved
    qtbot.addWidget(again)
    assert (again.name_edit.text(), again.organisation_edit.text()) == ("Jane Doe", "Ministry of Foreign Affairs")


def test_a_refused_value_is_named_and_nothing_is_stored(qtbot) -> None:  # type: ignore[no-untyped-def]
    user_settings.set_reporter("Jane Doe", None)
    before = settings_path().read_bytes()
    dialog = _shown(qtbot)
    qtbot.keyClick(focused(), Qt.Key.Key_O, ALT)
    assert focused() is dialog.organisation_edit
    qtbot.keyClicks(dialog.organisation_edit, "<b>Ministry</b>")
    qtbot.keyClick(dialog.organisation_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "contains markup" in dialog.error_label.text()
    assert settings_path().read_bytes() == before


def test_the_reports_menu_offers_it(window) -> None:  # type: ignore[no-untyped-def]
    texts = [a.text() for a in window.reports_menu.actions()]
    assert "&Reporter Name and Organisation…" in texts
