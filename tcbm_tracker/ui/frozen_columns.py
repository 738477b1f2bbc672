"""The Actor and Coverage columns stay in view when the matrix is scrolled right.

The classic two-view pattern (Qt's "frozen column" example): a second ``QTableView`` over the
left edge of the grid shows only the first columns, shares the grid's model and selection
model, follows its vertical scrolling and column widths, and never takes the keyboard (the grid
keeps it). The grid itself scrolls so that the current cell never hides under the overlay.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


class FrozenColumnsView(QTableView):
    """Shows the first ``count`` columns of ``grid`` on top of its left edge."""

    def __init__(self, grid: QTableView, count: int) -> None:
        super().__init__(grid)
        self.setObjectName("frozenColumns")
        self.grid = grid
        self.count = count
        self.setModel(grid.model())
        self.setSelectionModel(grid.selectionModel())
        # A click here gives the keyboard to the grid: this view never holds it.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setFocusProxy(grid)
        self.setSelectionMode(grid.selectionMode())
        self.setSelectionBehavior(grid.selectionBehavior())
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(grid.verticalHeader().defaultSectionSize())
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.horizontalHeader().setSortIndicator(grid.horizontalHeader().sortIndicatorSection(),
                                                 grid.horizontalHeader().sortIndicatorOrder())
        self.horizontalHeader().setSectionsClickable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QTableView.Shape.NoFrame)
        # A firm line on the right edge: the frozen part reads as one block over the scrolling grid.
        self.setStyleSheet("QTableView#frozenColumns { border: none; border-right: 2px solid #5b6b7c;"
                           " gridline-color: #d0d0d0; background: palette(base); }")
        grid.viewport().stackUnder(self)

        model = grid.model()
        model.modelReset.connect(self._hide_other_columns)
        model.layoutChanged.connect(self._hide_other_columns)
        model.columnsInserted.connect(self._columns_inserted)
        grid.horizontalHeader().sectionResized.connect(self._section_resized)
        grid.horizontalHeader().geometriesChanged.connect(self.update_geometry)
        grid.horizontalHeader().sortIndicatorChanged.connect(lambda column, order: self.horizontalHeader().setSortIndicator(column, order))
        self.horizontalHeader().sectionClicked.connect(self._header_clicked)
        grid.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(grid.verticalScrollBar().setValue)
        self._hide_other_columns()
        self.update_geometry()

    # --- keeping in step with the grid ---------------------------------------------------------
    def _hide_other_columns(self) -> None:
        for column in range(self.model().columnCount()):
            self.setColumnHidden(column, column >= self.count)
        for column in range(self.count):
            self.setColumnWidth(column, self.grid.columnWidth(column))
        self.update_geometry()

    def _columns_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        for column in range(first, last + 1):
            self.setColumnHidden(column, column >= self.count)

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if column < self.count:
            self.setColumnWidth(column, new)
            self.update_geometry()

    def frozen_width(self) -> int:
        return sum(self.grid.columnWidth(c) for c in range(self.count))

    def update_geometry(self) -> None:
        grid = self.grid
        header = grid.horizontalHeader()
        self.horizontalHeader().setFixedHeight(header.height())
        self.setGeometry(grid.verticalHeader().width() + grid.frameWidth(), grid.frameWidth(),
                         self.frozen_width(), grid.viewport().height() + header.height())

    def _header_clicked(self, column: int) -> None:
        """A click on the frozen header sorts as a click on the grid's header would."""
        header = self.grid.horizontalHeader()
        same = header.sortIndicatorSection() == column
        ascending = Qt.SortOrder.AscendingOrder
        order = (Qt.SortOrder.DescendingOrder if header.sortIndicatorOrder() == ascending else ascending) if same else ascending
        self.grid.sortByColumn(column, order)

    def scrollTo(self, index: QModelIndex | QPersistentModelIndex,
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        # Never scrolls on its own (a current cell far right would shift it sideways): the grid's
        # vertical scrolling moves it.
        return


def keep_clear_of_frozen(grid: QTableView, frozen: FrozenColumnsView, index: QModelIndex | QPersistentModelIndex,
                         scrolled_from: int) -> None:
    """After ``grid.scrollTo(index)``: a frozen cell is in view already, so the grid does not
    scroll sideways for it (clicking a name keeps the columns in view); a cell under the frozen
    columns is scrolled out from under them."""
    if not index.isValid():
        return
    if index.column() < frozen.count:
        grid.horizontalScrollBar().setValue(scrolled_from)
        return
    left = grid.visualRect(index).left()
    width = frozen.frozen_width()
    if left < width:
        bar = grid.horizontalScrollBar()
        bar.setValue(bar.value() - (width - left))
