"""What stays readable on screen: frozen actor names, the measure strip, the window's size."""

from __future__ import annotations

from html import escape

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt

from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, COVERAGE_COLUMN, FIRST_MEASURE_COLUMN
from tcbm_tracker.ui.settings import WindowSettings


def test_actor_names_stay_in_view_when_the_grid_scrolls_right(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.resize(900, 600)
    mv = window.matrix_view
    table, frozen = mv.table, mv.frozen
    assert frozen is not None
    qtbot.waitUntil(lambda: table.viewport().width() < table.horizontalHeader().length())
    table.setFocus()
    # From the first cell, whatever was current before (a window that was activated once, as
    # after a progress dialog, already has a current cell; one never activated has none).
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
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
    assert "Actor" in mv.strip.text() and mv.strip.measure_key == ""
    qtbot.keyClick(table, Qt.Key.Key_Right)
    explained = mv.model.headerData(COVERAGE_COLUMN, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert explained and escape(explained) in mv.strip.text()  # the Coverage column says what it counts
    qtbot.keyClick(table, Qt.Key.Key_Right)
    first = mv.model.measures[0]
    assert mv.strip.measure_key == first.key
    assert first.key in mv.strip.text() and escape(first.title) in mv.strip.text()
    qtbot.keyClick(table, Qt.Key.Key_End)
    last = mv.model.measures[-1]
    assert mv.strip.measure_key == last.key
    assert escape(last.title) in mv.strip.text()  # the full title, not a header's few characters
    assert mv.strip.isVisible()


@pytest.mark.parametrize("available", [QRect(0, 0, 1366, 728),  # a 1366x768 laptop, task bar at the bottom
                                       QRect(0, 27, 1280, 693),  # 1920x1080 at 150%: 1280x720, a top panel
                                       QRect(0, 0, 1024, 600)])  # a small netbook screen
def test_first_window_fits_the_screen_it_opens_on(make_window, db_path, monkeypatch, available: QRect) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.ui import window_fit

    monkeypatch.setattr(window_fit, "available_geometry", lambda window: available)
    window = make_window(db_path)
    geometry = window.geometry()
    # Inside the free area, with room left for a title bar and borders.
    assert available.contains(geometry.adjusted(-8, -32, 8, 8)), (geometry, available)
    assert window.minimumSizeHint().width() <= geometry.width()
    assert window.minimumSizeHint().height() <= geometry.height()
    # The status bar and the grid's scroll bar are on screen, in the window.
    bar = window.statusBar()
    assert bar.isVisible() and bar.geometry().bottom() <= window.height()
    table = window.matrix_view.table
    assert table.horizontalScrollBar().isVisible()  # 39 columns do not fit: the bar is there to use


def test_a_remembered_window_larger_than_the_screen_is_brought_inside(make_window, db_path, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.ui import window_fit

    settings = WindowSettings(QSettings(str(tmp_path / "big.ini"), QSettings.Format.IniFormat))
    first = make_window(db_path, window_settings=settings)
    first.setGeometry(QRect(0, 0, 790, 780))
    first.close()
    available = QRect(0, 0, 1024, 600)
    monkeypatch.setattr(window_fit, "available_geometry", lambda window: available)
    second = make_window(window_settings=settings)
    assert available.contains(second.geometry().adjusted(-8, -32, 8, 8))
    assert second.height() == 600 - window_fit.FRAME_HEIGHT  # as tall as fits, not the remembered 780
