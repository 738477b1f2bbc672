"""Sorting the matrix: the model puts its own rows in order, by a header click or the keyboard."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, COVERAGE_COLUMN, FIRST_MEASURE_COLUMN


def visible_keys(window: MainWindow) -> list[str]:
    mv = window.matrix_view
    return [mv.model.actor_at(mv.proxy.mapToSource(mv.proxy.index(r, 0)).row()).key for r in range(mv.proxy.rowCount())]


def click_header(qtbot, window: MainWindow, column: int) -> None:  # type: ignore[no-untyped-def]
    header = window.matrix_view.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_header_click_sorts_in_the_model_and_keeps_the_current_cell(window: MainWindow, qtbot, idle, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record_many([
        AssessmentInput("ZWE", "LTS-A.1", Status.IMPLEMENTED),
        AssessmentInput("KEN", "LTS-A.1", Status.IMPLEMENTED),
        AssessmentInput("KEN", "LTS-A.2", Status.IMPLEMENTED),
        AssessmentInput("FRA", "LTS-A.1", Status.NOT_IMPLEMENTED),
    ])
    window.controller.reload()
    idle(window)
    mv = window.matrix_view
    before = visible_keys(window)
    assert before[:3] == ["AFG", "ALB", "DZA"]  # by name, as the service gives them
    fra = before.index("FRA")
    mv.table.setCurrentIndex(mv.proxy.index(fra, FIRST_MEASURE_COLUMN + 3))

    click_header(qtbot, window, COVERAGE_COLUMN)
    assert mv.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    keys = visible_keys(window)
    assert keys[:3] == ["AFG", "ALB", "DZA"]  # nothing assessed first, ties in name order
    assert keys[-3:] == ["FRA", "ZWE", "KEN"]  # 0%, then 1 of 37, then 2 of 37
    click_header(qtbot, window, COVERAGE_COLUMN)  # the second click reverses
    assert mv.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    keys = visible_keys(window)
    assert keys[:6] == ["KEN", "ZWE", "FRA", "AFG", "ALB", "DZA"]  # ties keep the name order
    # The model itself is in that order: the proxy compares nothing (no data() per comparison).
    assert mv.proxy.sortColumn() == -1
    assert [a.key for a in mv.model.actors] == keys
    # The keyboard's place follows France to its new row.
    current = mv.table.currentIndex()
    assert mv.model.actor_at(mv.proxy.mapToSource(current).row()).key == "FRA"
    assert current.column() == FIRST_MEASURE_COLUMN + 3

    click_header(qtbot, window, ACTOR_COLUMN)
    assert visible_keys(window) == before  # by name again


def test_sorted_matrix_stays_sorted_after_an_edit_and_a_filter(window: MainWindow, idle, reader) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    col = mv.model.column_of("LTS-A.1")
    mv.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    reader.assessments.record_many([AssessmentInput("ZWE", "LTS-A.1", Status.IMPLEMENTED)])
    window.controller.reload()
    idle(window)
    assert visible_keys(window)[0] == "ZWE"  # moved up on reload, as a sorting proxy would
    mv.catalog_box.setCurrentIndex(mv.catalog_box.findData("LTS2019"))
    mv.table.sortByColumn(FIRST_MEASURE_COLUMN, Qt.SortOrder.DescendingOrder)  # LTS-A.1 is the first shown now
    assert visible_keys(window)[0] == "ZWE"
