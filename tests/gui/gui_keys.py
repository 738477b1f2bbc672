"""Pressing keys as a user does, for the GUI tests: on the focused widget, never through signals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def focused():  # type: ignore[no-untyped-def]
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard"
    return widget


def keyboard_editor(qtbot, script):  # type: ignore[no-untyped-def]
    """An answer that shows the real editor (never exec()), lets ``script(dialog)`` press keys,
    and returns what the dialog returns: its request if the keys accepted it, else None."""
    from PySide6.QtWidgets import QDialog

    from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog

    def answer(parent, context, validate, ask_evidence):  # type: ignore[no-untyped-def]
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog and focused().window() is dialog)
        script(dialog)
        if dialog.isVisible():
            dialog.reject()
        return dialog.request() if dialog.result() == QDialog.DialogCode.Accepted else None

    return answer


def choose_status(qtbot, dialog, status) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.domain.vocabulary import STATUS_ORDER

    qtbot.keyClick(focused(), Qt.Key.Key_S, ALT)
    assert focused() is dialog.status
    qtbot.keyClick(dialog.status, Qt.Key.Key_Home)
    for _ in range(STATUS_ORDER.index(status)):
        qtbot.keyClick(dialog.status, Qt.Key.Key_Down)
    assert dialog.status.currentData() == status.value


def go_to_actor_name(qtbot, window, name: str) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+Home (the first actor's name), then type the name: the grid jumps to it."""
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, CTRL)
    qtbot.keyClicks(table, name)
    assert table.currentIndex().data() == name


def press_menu_key(window) -> None:  # type: ignore[no-untyped-def]
    """The Menu key as Qt delivers it: the platform (xcb, Windows) turns the key into a keyboard
    context-menu event for the window, which Qt forwards to the focused widget. QTest cannot
    press it (no platform plugin behind it offscreen), so the platform's event is sent instead."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent

    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(5, 5), window.mapToGlobal(QPoint(5, 5)))
    QApplication.sendEvent(window.windowHandle(), event)


def record_by_keys(qtbot, window, idle, scripted, cell, status) -> None:  # type: ignore[no-untyped-def]
    def script(dialog):  # type: ignore[no-untyped-def]
        if dialog.asks_mode:
            qtbot.keyClick(focused(), Qt.Key.Key_H, ALT)
            qtbot.waitUntil(dialog.change_mode.isChecked)
        choose_status(qtbot, dialog, status)
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)

    scripted.assessment.append(keyboard_editor(qtbot, script))
    window.matrix_view.select_cells([cell])
    window.matrix_view.table.setFocus()
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Return)
    idle(window)
