"""The measure view: one measure across all actors, with its official source and status counts."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from tcbm_tracker.domain.vocabulary import STATUS_ORDER
from tcbm_tracker.services.dto import MeasureInfo, MeasureOverview
from tcbm_tracker.services.figures import coverage_of, coverage_phrase, member_states, rate_phrase
from tcbm_tracker.ui.key_picker import KeyPicker
from tcbm_tracker.ui.status_style import STYLES
from tcbm_tracker.ui.table_models import ROW_ROLE, MeasureOverviewTableModel
from tcbm_tracker.ui.table_setup import make_table, on_enter


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def source_html(m: MeasureInfo) -> str:
    """The citation, saying plainly whether the paragraph number has been checked."""
    if not m.pinpoint:
        pin = "<i>no pinpoint recorded</i>"
    elif m.pinpoint_confirmed:
        pin = f"{_esc(m.pinpoint)} <span style='color:#006b4f'>(pinpoint confirmed)</span>"
    else:
        note = f": {_esc(m.pinpoint_note)}" if m.pinpoint_note else ""
        pin = f"{_esc(m.pinpoint)} <span style='color:#a34400'>(pinpoint not confirmed{note})</span>"
    agreed = f" · agreed {m.agreed}" if m.agreed else ""
    return f"Source: <b>{_esc(m.source_document)}</b>, {pin}{agreed}"


class MeasureView(QWidget):
    measure_chosen = Signal(str)
    edit_requested = Signal(object)  # list[Cell]
    cell_selected = Signal(str, str)  # actor, measure: the history panel follows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = KeyPicker("Measure", 30)
        self.picker.key_chosen.connect(self.measure_chosen)
        self.title = QLabel("Choose a measure")
        self.title.setObjectName("measureTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.source = QLabel()
        self.source.setObjectName("measureSource")
        self.source.setTextFormat(Qt.TextFormat.RichText)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.counts = QLabel()
        self.counts.setObjectName("measureCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.model = MeasureOverviewTableModel(parent=self)
        self.table, self.proxy = make_table(self.model)
        on_enter(self.table, self.request_edit)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.overview: MeasureOverview | None = None

        top = QHBoxLayout()
        caption = QLabel("Meas&ure")  # Alt+U: the picker (Alt+S is the tab)
        caption.setBuddy(self.picker)
        top.addWidget(caption)
        top.addWidget(self.picker)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(top)
        for w in (self.title, self.source, self.description, self.counts):
            layout.addWidget(w)
        layout.addWidget(self.table, 1)

    def set_measures(self, measures: tuple[MeasureInfo, ...], region_labels: dict[str, str]) -> None:
        self.model.region_labels = region_labels
        self.picker.set_items((f"{m.key} — {m.title}", m.key) for m in measures)

    def set_overview(self, overview: MeasureOverview) -> None:
        self.overview = overview
        m = overview.measure
        self.picker.select(m.key)
        heading = f"{m.heading}: " if m.heading else ""
        self.title.setText(f"{m.key} — {heading}{m.title}")
        self.source.setText(source_html(m))
        self.description.setText(m.description or "")
        self.description.setVisible(bool(m.description))
        chips = []
        for s in STATUS_ORDER:
            st = STYLES[s]
            chips.append(f"<span style='background:{st.background.name()}; color:{st.foreground.name()};'>"
                         f"&nbsp;{st.symbol}&nbsp;</span>&nbsp;{s.label}: <b>{overview.coverage.count(s)}</b>")
        members = member_states(e.actor for e in overview.entries)
        keys = {a.key for a in members}
        cov = coverage_of("members", (e.status for e in overview.entries if e.actor.key in keys))
        self.counts.setText(f"As of {overview.as_of.isoformat()}, {overview.coverage.total} actors: &nbsp; "
                            + " &nbsp;&nbsp; ".join(chips)
                            + f"<br/>UN member states ({len(members)}): implementation rate {rate_phrase(cov)}; "
                            f"assessment coverage {coverage_phrase(cov)}")
        self.model.set_rows(overview.entries)

    def _double_clicked(self, index: QModelIndex) -> None:
        entry = self.proxy.data(index, ROW_ROLE)
        if self.overview is not None and entry is not None:
            self.edit_requested.emit([(entry.actor.key, self.overview.measure.key)])

    def selected_cells(self) -> list[tuple[str, str]]:
        """The cells of the selected rows, else of the current row."""
        if self.overview is None:
            return []
        rows = sorted({i.row() for i in self.table.selectionModel().selectedIndexes()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        entries = [self.proxy.data(self.proxy.index(r, 0), ROW_ROLE) for r in rows]
        return [(e.actor.key, self.overview.measure.key) for e in entries if e is not None]

    def request_edit(self) -> None:
        """Enter or F2: edit the selected rows (several rows are one bulk edit)."""
        cells = self.selected_cells()
        if cells:
            self.edit_requested.emit(cells)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.proxy.data(current, ROW_ROLE) if current.isValid() else None
        if self.overview is not None and entry is not None:
            self.cell_selected.emit(entry.actor.key, self.overview.measure.key)
