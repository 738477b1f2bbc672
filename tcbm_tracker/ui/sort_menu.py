"""View > Sort By: the matrix sorted from the keyboard (a header click needs the mouse).

"Current Column" sorts by the column of the grid's cursor (a measure: by status, "done" last;
pressed again it reverses), so that a column can be sorted without leaving the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, COVERAGE_COLUMN
from tcbm_tracker.ui.matrix_view import MatrixView

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


class SortMenu(QObject):
    def __init__(self, view: MatrixView, show_matrix: Callable[[], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.view = view
        self._show_matrix = show_matrix
        self.menu = QMenu("Sort &By", parent)
        self.menu.setObjectName("sortMenu")
        self.by_name = self._add("&Actor Name", lambda: self.sort(ACTOR_COLUMN, ASC))
        self.by_coverage = self._add("&Coverage, Highest First", lambda: self.sort(COVERAGE_COLUMN, DESC))
        self.by_current = self._add("C&urrent Column", self.sort_current, "Ctrl+Shift+S",
                                    "Sort the matrix by the column of the cursor; again to reverse")
        self.reverse = self._add("&Reverse Order", self.reverse_order)

    def _add(self, text: str, slot: Callable[[], None], shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.menu)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def sort(self, column: int, order: Qt.SortOrder) -> None:
        self._show_matrix()
        self.view.table.sortByColumn(column, order)

    def sort_current(self) -> None:
        table = self.view.table
        column = table.currentIndex().column() if table.currentIndex().isValid() else ACTOR_COLUMN
        header = table.horizontalHeader()
        order = DESC if header.sortIndicatorSection() == column and header.sortIndicatorOrder() == ASC else ASC
        self.sort(column, order)

    def reverse_order(self) -> None:
        header = self.view.table.horizontalHeader()
        column = header.sortIndicatorSection()
        if column < 0 or column >= self.view.proxy.columnCount():
            column = ACTOR_COLUMN
        self.sort(column, DESC if header.sortIndicatorOrder() == ASC else ASC)
