"""History panels: every assessment of the current cell, and the changes since a date."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from tcbm_tracker.ui.controller import CellHistory, ChangesSince
from tcbm_tracker.ui.date_field import IsoDateEdit
from tcbm_tracker.ui.detail_pane import DetailPane
from tcbm_tracker.ui.table_models import ROW_ROLE, ChangesTableModel, HistoryTableModel
from tcbm_tracker.ui.table_setup import make_table


class CellHistoryView(QWidget):
    """The current cell's assessments, newest first, and beside them the chosen one in full."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel("Select a cell of the matrix to see its history.")
        self.caption.setObjectName("historyCaption")
        self.model = HistoryTableModel(self)
        self.table, self.proxy = make_table(self.model, sortable=False)
        self.details = DetailPane()
        self.history: CellHistory | None = None
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show_row(current.row()))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.splitter, 1)

    def sizeHint(self) -> QSize:
        # A short panel under the matrix; the user can drag it taller.
        return QSize(800, 170)

    def set_history(self, history: CellHistory) -> None:
        n = len(history.entries)
        what = "no assessment recorded yet" if n == 0 else f"{n} assessment{'s' if n != 1 else ''}, newest first"
        self.caption.setText(f"History of {history.actor} / {history.measure}: {what} (nothing is ever deleted)")
        self.history = history
        self.model.set_rows(history.entries)
        self._show_row(0)  # the newest first: the one in force today

    def _show_row(self, row: int) -> None:
        h = self.history
        if h is None:
            self.details.clear_details()
            return
        entry = self.proxy.data(self.proxy.index(row, 0), ROW_ROLE) if 0 <= row < self.proxy.rowCount() else None
        cited = [h.evidence[i] for i in entry.evidence_ids if i in h.evidence] if entry is not None else []
        self.details.show_assessment(f"{h.actor} / {h.measure}", entry, cited)


class ChangesView(QWidget):
    since_changed = Signal(object)  # dt.date

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.since = IsoDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.since.setMaximumDate(QDate(today.year, today.month, today.day))
        start = today - dt.timedelta(days=30)
        self.since.setDate(QDate(start.year, start.month, start.day))
        self.since.dateChanged.connect(lambda d: self.since_changed.emit(d.toPython()))
        self.caption = QLabel()
        self.caption.setObjectName("changesCaption")
        self.model = ChangesTableModel(parent=self)
        self.table, self.proxy = make_table(self.model, order=Qt.SortOrder.DescendingOrder)  # newest first
        top = QHBoxLayout()
        top.addWidget(QLabel("Changes recorded since"))
        top.addWidget(self.since)
        top.addWidget(self.caption, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def since_date(self) -> dt.date:
        return self.since.date().toPython()  # type: ignore[no-any-return]

    def set_changes(self, changes: ChangesSince, actor_names: dict[str, str]) -> None:
        self.model.actor_names = actor_names
        n = len(changes.changes)
        self.caption.setText(f"  {n:,} change{'s' if n != 1 else ''} since {changes.since.isoformat()}")
        self.model.set_rows(changes.changes)
