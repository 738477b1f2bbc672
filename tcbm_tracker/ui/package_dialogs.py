"""File > Exchange Package… and File > Trusted Copies…: the two windows of signed packages.

``ExchangePackageDialog`` shows this copy's key fingerprint (to give to the copies it exchanges
with), exports a package (all changes, or those since a date) and starts an import.
``TrustedCopiesDialog`` lists the copies whose packages are accepted, adds one (a fingerprint
typed or pasted, a public-key file or a package it signed) and removes one. Both only emit what
the user asked for; ``package_actions`` runs the work as background jobs.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tcbm_tracker.exchange.packages.api import TrustedCopy
from tcbm_tracker.ui.date_field import IsoDateEdit
from tcbm_tracker.ui.package_preview import grouped
from tcbm_tracker.ui.table_models import Column, DtoTableModel


def _fingerprint_label() -> QLabel:
    label = QLabel("(reading this copy's key…)")
    label.setFont(QFont("monospace"))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setWordWrap(True)
    return label


class ExchangePackageDialog(QDialog):
    """Export and import of signed packages; ``export_requested(since or None)``,
    ``import_requested``, ``trusted_requested``."""

    export_requested = Signal(object)
    import_requested = Signal()
    trusted_requested = Signal()

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exchange Package")
        self.fingerprint = ""
        layout = QVBoxLayout(self)

        own = QGroupBox("This copy")
        own_layout = QVBoxLayout(own)
        own_layout.addWidget(QLabel("Its key fingerprint, which the copies you exchange with compare before trusting "
                                    "its packages:"))
        self.fingerprint_label = _fingerprint_label()
        own_layout.addWidget(self.fingerprint_label)
        row = QHBoxLayout()
        self.copy_button = QPushButton("Cop&y Fingerprint")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self._copy)
        self.trusted_button = QPushButton("&Trusted Copies…")
        self.trusted_button.clicked.connect(self.trusted_requested.emit)
        row.addWidget(self.copy_button)
        row.addWidget(self.trusted_button)
        row.addStretch(1)
        own_layout.addLayout(row)
        layout.addWidget(own)

        export = QGroupBox("Export: a signed package of this copy's record, for another copy")
        form = QVBoxLayout(export)
        self.all_radio = QRadioButton("&All changes (the whole record)")
        self.since_radio = QRadioButton("Changes recorded &since:")
        self.since = IsoDateEdit()
        self.since.setDate(QDate(today.year - 1, today.month, min(today.day, 28)))  # about a year ago
        self.since.setEnabled(False)
        self.since_radio.toggled.connect(self.since.setEnabled)
        self.all_radio.setChecked(True)
        since_row = QHBoxLayout()
        since_row.addWidget(self.since_radio)
        since_row.addWidget(self.since)
        since_row.addStretch(1)
        form.addWidget(self.all_radio)
        form.addLayout(since_row)
        self.export_button = QPushButton("E&xport Package…")
        self.export_button.clicked.connect(self._export)
        form.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(export)

        imp = QGroupBox("Import: merge a package from another copy")
        imp_layout = QVBoxLayout(imp)
        note = QLabel("The package is checked first (signature, contents) and a preview shows what it would add, what "
                      "is already here and any conflicts, which you resolve before anything is written.")
        note.setWordWrap(True)
        imp_layout.addWidget(note)
        self.import_button = QPushButton("&Import Package…")
        self.import_button.clicked.connect(self.import_requested.emit)
        imp_layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(imp)

        # What the last export or import did (also in the status bar, hidden behind this window).
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 480)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.fingerprint_label.setText(grouped(fingerprint))
        self.copy_button.setEnabled(True)

    def since_date(self) -> dt.date | None:
        if self.all_radio.isChecked():
            return None
        d = self.since.date()
        return dt.date(d.year(), d.month(), d.day())

    def _export(self) -> None:
        self.export_requested.emit(self.since_date())

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.fingerprint)


def trusted_model(parent: QWidget | None = None) -> DtoTableModel[TrustedCopy]:
    """The trust list as a table: name, fingerprint in groups (the whole one as its tooltip), since when."""
    return DtoTableModel([
        Column[TrustedCopy]("Name", lambda c: c.name or "(no name)"),
        Column[TrustedCopy]("Key fingerprint", lambda c: grouped(c.fingerprint), tooltip=lambda c: c.fingerprint),
        Column[TrustedCopy]("Trusted since (UTC)", lambda c: c.added_at[:16].replace("T", " ")),
    ], parent)


class _TrustedTable(QTableView):
    """Delete removes the selected copy."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class TrustedCopiesDialog(QDialog):
    """The trust list. ``add_requested(source, name or None)``, ``remove_requested(fingerprint)``,
    ``browse_requested`` (pick a key file or package), ``save_key_requested``."""

    add_requested = Signal(str, object)
    remove_requested = Signal(str)
    browse_requested = Signal()
    save_key_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trusted Copies")
        self.fingerprint = ""
        layout = QVBoxLayout(self)
        intro = QLabel("Packages signed by these copies are imported as they recorded them. A package from any other "
                       "copy is refused, or imported as third-party information if you choose so. Trust a copy only "
                       "after comparing its fingerprint with the one it shows, by telephone or in person.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        own = QGroupBox("This copy's fingerprint (for the other copies' lists)")
        own_layout = QHBoxLayout(own)
        self.fingerprint_label = _fingerprint_label()
        own_layout.addWidget(self.fingerprint_label, 1)
        self.copy_button = QPushButton("Cop&y")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.fingerprint))
        self.save_key_button = QPushButton("Save Public &Key…")
        self.save_key_button.clicked.connect(self.save_key_requested.emit)
        own_layout.addWidget(self.copy_button)
        own_layout.addWidget(self.save_key_button)
        layout.addWidget(own)

        self.model = trusted_model(self)
        self.table = _TrustedTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.delete_pressed.connect(self._remove)
        trusted_label = QLabel("&Trusted copies (Delete removes the selected one):")
        trusted_label.setBuddy(self.table)
        layout.addWidget(trusted_label)
        layout.addWidget(self.table, 1)

        add = QGroupBox("Add a copy")
        form = QFormLayout(add)
        self.source = QLineEdit()
        self.source.setPlaceholderText("64 hex digits, or a public-key file or .tcbm package it signed")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.clicked.connect(self.browse_requested.emit)
        source_row = QHBoxLayout()
        source_row.addWidget(self.source, 1)
        source_row.addWidget(self.browse_button)
        form.addRow("&Fingerprint or file:", source_row)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Mission in Nairobi (optional)")
        form.addRow("&Name:", self.name)
        self.add_button = QPushButton("&Add")
        self.add_button.clicked.connect(self._add)
        self.source.returnPressed.connect(self._add)
        self.name.returnPressed.connect(self._add)
        self.remove_button = QPushButton("&Remove Selected")
        self.remove_button.clicked.connect(self._remove)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        form.addRow(row)
        layout.addWidget(add)
        # Label buddies for the form's mnemonics (QFormLayout made the labels).
        for field in (self.source, self.name):
            label = form.labelForField(field if field is self.name else source_row)
            if isinstance(label, QLabel):
                label.setBuddy(field)

        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.set_trusted([])
        self.resize(760, 520)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the two fields adds; elsewhere it must not close the dialog (no default button).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.fingerprint_label.setText(grouped(fingerprint))
        self.copy_button.setEnabled(True)

    def set_trusted(self, rows: list[TrustedCopy]) -> None:
        self.model.set_rows(rows)
        self.remove_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def selected(self) -> TrustedCopy | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _add(self) -> None:
        source = self.source.text().strip()
        if not source:
            self.show_message("Type or paste a fingerprint, or choose a key file or package with Browse.")
            self.source.setFocus()
            return
        self.add_requested.emit(source, self.name.text().strip() or None)

    def _remove(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.remove_requested.emit(chosen.fingerprint)
