"""What stays readable on screen: frozen actor names, the measure strip, the window's size."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QPoint, Qt

from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, FIRST_MEASURE_COLUMN


def test_actor_names_stay_in_view_when_the_grid_scrolls_right(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.resize(900, 600)
    mv = window.matrix_view
    table, frozen = mv.table, mv.frozen
    assert frozen is not None
    qtbot.waitUntil(lambda: table.viewport().width() < table.horizontalHeader().length())
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_End)  # to the last measure: the grid scrolls right
    current = table.currentIndex()
    assert current.column() == mv.proxy.columnCount() - 1
    assert table.horizontalScrollBar().value() > 0
    # The grid's own Actor column has scrolled out of its viewport ...
    assert table.columnViewportPosition(ACTOR_COLUMN) < 0
    # ... but the frozen view over its left edge shows the current row's name.
    assert frozen.isVisible()
    assert frozen.geometry().left() <= table.viewport().geometry().left()
    y = frozen.visualRect(frozen.model().index(current.row(), ACTOR_COLUMN)).center().y()
    shown = frozen.indexAt(QPoint(10, y))
    assert shown.data() == mv.model.actor_at(mv.proxy.mapToSource(current).row()).name == "Albania"
    # The current cell is never hidden under the frozen columns, going right or left.
    assert table.visualRect(current).left() >= frozen.width()
    qtbot.keyClick(table, Qt.Key.Key_Home)
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert table.currentIndex().column() == FIRST_MEASURE_COLUMN
    assert table.visualRect(table.currentIndex()).left() >= frozen.width() - 1
    # The keyboard stays with the grid.
    assert window.focusWidget() is table


def test_strip_names_the_current_columns_measure_as_the_cursor_moves(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    table = mv.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)  # Afghanistan's row, the Actor column
    assert "Afghanistan" in mv.strip.text() and mv.strip.measure_key == ""
    for _ in range(FIRST_MEASURE_COLUMN):
        qtbot.keyClick(table, Qt.Key.Key_Right)
    first = mv.model.measures[0]
    assert mv.strip.measure_key == first.key
    assert first.key in mv.strip.text() and escape(first.title) in mv.strip.text()
    qtbot.keyClick(table, Qt.Key.Key_End)
    last = mv.model.measures[-1]
    assert mv.strip.measure_key == last.key
    assert escape(last.title) in mv.strip.text()  # the full title, not a header's few characters
    assert mv.strip.isVisible()
