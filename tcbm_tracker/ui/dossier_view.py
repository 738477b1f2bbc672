"""The actor dossier: one actor's assessments across every measure, with coverage at the top."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.dto import ActorInfo, Coverage, Dossier, DossierEntry
from tcbm_tracker.services.figures import coverage_phrase, rate_phrase
from tcbm_tracker.ui.key_picker import KeyPicker
from tcbm_tracker.ui.table_models import ROW_ROLE, DossierTableModel
from tcbm_tracker.ui.table_setup import make_table, on_enter


def coverage_line(c: Coverage) -> str:
    return (f"<b>{c.label}</b>: implementation rate {rate_phrase(c)}; assessment coverage {coverage_phrase(c)}; "
            f"no information {c.count(Status.NO_INFORMATION)}")


class ActorDossierView(QWidget):
    actor_chosen = Signal(str)
    edit_requested = Signal(object)  # list[Cell]
    cell_selected = Signal(str, str)  # actor, measure: the history panel follows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = KeyPicker("Actor", 28)
        self.picker.key_chosen.connect(self.actor_chosen)
        self.title = QLabel("Choose an actor")
        self.title.setObjectName("dossierTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.coverage = QLabel()
        self.coverage.setObjectName("dossierCoverage")
        self.coverage.setWordWrap(True)
        self.coverage.setTextFormat(Qt.TextFormat.RichText)
        self.model = DossierTableModel(self)
        # Catalogue order under group headings is the dossier's reading order: no re-sorting.
        self.table, self.proxy = make_table(self.model, sortable=False)
        self.table.doubleClicked.connect(self._double_clicked)
        on_enter(self.table, self.request_edit)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.dossier: Dossier | None = None
        self.region_labels: dict[str, str] = {}
        self.standing_labels: dict[str, str] = {}

        top = QHBoxLayout()
        caption = QLabel("Ac&tor")  # Alt+T: the picker (Alt+A is the tab)
        caption.setBuddy(self.picker)
        top.addWidget(caption)
        top.addWidget(self.picker)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.coverage)
        layout.addWidget(self.table, 1)

    def set_actors(self, actors: tuple[ActorInfo, ...]) -> None:
        # Aliases ("United States") are part of the label, so the picker's search finds them.
        self.picker.set_items((f"{a.name} ({a.key})" + (f" — also {a.attributes['aliases']}" if a.attributes.get("aliases") else ""), a.key)
                              for a in actors)

    def set_dossier(self, dossier: Dossier) -> None:
        self.dossier = dossier
        a = dossier.actor
        self.picker.select(a.key)
        region = f" · {self.region_labels.get(a.region, a.region)}" if a.region else ""
        standing = a.attributes.get("un_regional_group_standing")
        if standing:  # the UN's own wording of the United States' place in WEOG
            region += f" ({self.standing_labels.get(standing, standing)})"
        self.title.setText(f"{a.name} ({a.key}) — {a.kind.label}{region}")
        lines = [coverage_line(c) for c in dossier.coverage_by_catalog]
        self.coverage.setText(f"As of {dossier.as_of.isoformat()}: " + " &nbsp;&nbsp; ".join(lines))
        self.model.set_entries(dossier.entries, dossier.coverage_by_group)
        self.table.clearSpans()
        for row in self.model.heading_rows():
            self.table.setSpan(row, 0, 1, self.model.columnCount())

    def _double_clicked(self, index: QModelIndex) -> None:
        entry = self.proxy.data(index, ROW_ROLE)
        if self.dossier is not None and isinstance(entry, DossierEntry):
            self.edit_requested.emit([(self.dossier.actor.key, entry.measure.key)])

    def selected_cells(self) -> list[tuple[str, str]]:
        """The cells of the selected rows (group headings left out), else of the current row."""
        if self.dossier is None:
            return []
        rows = sorted({i.row() for i in self.table.selectionModel().selectedIndexes()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        entries = [self.proxy.data(self.proxy.index(r, 0), ROW_ROLE) for r in rows]
        return [(self.dossier.actor.key, e.measure.key) for e in entries if isinstance(e, DossierEntry)]

    def request_edit(self) -> None:
        """Enter or F2: edit the selected rows (several rows are one bulk edit)."""
        cells = self.selected_cells()
        if cells:
            self.edit_requested.emit(cells)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.proxy.data(current, ROW_ROLE) if current.isValid() else None
        if self.dossier is not None and isinstance(entry, DossierEntry):
            self.cell_selected.emit(self.dossier.actor.key, entry.measure.key)
