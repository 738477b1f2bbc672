"""Common set-up of the read-only tables (dossier, measure, history, changes)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from tcbm_tracker.ui.table_models import SORT_ROLE, DtoTableModel


class SortInModelProxyModel(QSortFilterProxyModel):
    """Hands sorting to the ``DtoTableModel`` (a Python sort with one key per row) instead of
    comparing rows through ``data()``; the proxy itself keeps the model's order."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, DtoTableModel):
            source.sort(column, order)
        else:
            super().sort(column, order)


def make_table(model: DtoTableModel, *, sortable: bool = True, sort_column: int = 0,
               order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = SortInModelProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView()
    view.setModel(proxy)
    if sortable:
        view.sortByColumn(sort_column, order)  # before enabling, or Qt picks its own (descending) order
    view.setSortingEnabled(sortable)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab and Shift+Tab leave the table, as in any form
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    for i, col in enumerate(model.columns):
        if col.width:
            header.resizeSection(i, col.width)
    return view, proxy


def on_enter(view: QTableView, slot: Callable[[], None]) -> QAction:
    """Enter (either key) on the table runs ``slot``: the keyboard twin of a double-click.

    Scoped to the table, so that Enter in the tab's other widgets keeps its own meaning.
    """
    action = QAction(view)
    action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(slot)
    view.addAction(action)
    return action
