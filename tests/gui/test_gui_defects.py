"""Defects found by driving the window from the keyboard as a user would (issue: wrong data or
broken features). Every test here presses the keys a user presses on the focused widget."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

CTRL = Qt.KeyboardModifier.ControlModifier


def focused():  # type: ignore[no-untyped-def]
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard"
    return widget


@pytest.mark.parametrize(("key", "tab"), [(Qt.Key.Key_2, 1), (Qt.Key.Key_3, 2), (Qt.Key.Key_4, 3), (Qt.Key.Key_1, 0)])
def test_ctrl_number_shows_its_tab(window, qtbot, idle, key, tab) -> None:  # type: ignore[no-untyped-def]
    if tab == 0:
        window.tabs.setCurrentIndex(3)
        idle(window)
    qtbot.keyClick(focused(), key, CTRL)
    idle(window)
    assert window.tabs.currentIndex() == tab
