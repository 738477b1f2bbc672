"""The import preview and the backups list: window-modal dialogs the File menu opens with open()
(no nested event loop; the rest of the application keeps running).

``ImportPreviewDialog`` shows what a dry run found (to add, already there, rejected with row,
column and reason) before anything is applied; its Import button is enabled only when every
row passed. ``BackupsDialog`` lists the database's backups, makes one, and restores one.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tcbm_tracker.exchange.importer import ImportReport
from tcbm_tracker.services.backups import BackupInfo
from tcbm_tracker.ui.table_models import Column, DtoTableModel


def preview_text(report: ImportReport) -> str:
    lines: list[str] = []
    if report.rejections:
        lines.append(f"Rejected: {report.rejected_summary}:")
        lines += [f"  {r}" for r in report.rejections]
    if report.added:
        lines.append(f"To add ({report.assessments_added + report.evidence_added:,}):")
        lines += [f"  {a}" for a in report.added]
    if report.present:
        lines.append(f"Already there ({report.assessments_present + report.evidence_present:,}):")
        lines += [f"  {p}" for p in report.present]
    return "\n".join(lines) or "The files hold no rows."


class ImportPreviewDialog(QDialog):
    """What an import would do; ``import_confirmed`` when the user presses Import."""

    import_confirmed = Signal()

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import preview — nothing has been changed yet")
        self.report = report
        summary = (f"{', '.join(report.files)}: {report.assessments_added:,} assessment(s) and "
                   f"{report.evidence_added:,} evidence item(s) to add; already there: "
                   f"{report.assessments_present + report.evidence_present:,}; {report.rejected_summary}.")
        if report.rejected:
            summary += " Correct the rejected rows and import again: nothing is imported while any row is rejected."
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit(preview_text(report))
        self.details.setReadOnly(True)
        buttons = QDialogButtonBox()
        self.import_button = QPushButton("&Import")
        self.import_button.setEnabled(report.ok and bool(report.assessments_added or report.evidence_added))
        self.import_button.setDefault(self.import_button.isEnabled())
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(760, 460)

    def _confirm(self) -> None:
        if self.import_button.isEnabled():
            self.accept()
            self.import_confirmed.emit()


def backup_model(parent: QWidget | None = None) -> DtoTableModel[tuple[BackupInfo, bool]]:
    """The backups as a table; each row is a backup and whether its SHA-256 still matches."""
    Backup = Column[tuple[BackupInfo, bool]]
    return DtoTableModel([
        Backup("Made (UTC)", lambda r: r[0].made_at.strftime("%Y-%m-%d %H:%M:%S")),
        Backup("Why", lambda r: r[0].reason),
        Backup("Size", lambda r: f"{r[0].size:,} bytes"),
        Backup("Check", lambda r: "SHA-256 ok" if r[1] else "DAMAGED or no hash"),
        Backup("File", lambda r: r[0].path.name),
    ], parent)


class BackupsDialog(QDialog):
    """The backups of the open database; ``backup_requested`` / ``restore_requested(BackupInfo)``."""

    backup_requested = Signal()
    restore_requested = Signal(object)

    def __init__(self, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Backups")
        self.model = backup_model(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.where = QLabel(f"Kept in {folder}. The newest are kept; each is checked against its SHA-256.")
        self.where.setWordWrap(True)
        self.backup_button = QPushButton("&Back Up Now")
        self.restore_button = QPushButton("&Restore Selected")
        self.restore_button.setToolTip("The database is backed up first, and the backup is verified before it replaces it")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.backup_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.backup_button.clicked.connect(self.backup_requested.emit)
        self.restore_button.clicked.connect(self._restore)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 360)

    def set_backups(self, rows: list[tuple[BackupInfo, bool]]) -> None:
        self.model.set_rows(rows)
        self.restore_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()][0] if rows else None

    def _restore(self) -> None:
        info = self.selected()
        if info is not None:
            self.restore_requested.emit(info)
