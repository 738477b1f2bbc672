"""Reports > Reporter…: who reports with this copy, named on page 1 of every report.

The same two settings as ``tcbm-tracker settings set reporter.name …`` and
``… reporter.organisation …`` (a file in the config folder, ``services.user_settings``), so the
window and the command line print the same name. The dialog is opened without blocking; Save
checks both fields with the command line's rules and, when one is refused, says why on one
line and stores neither.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.services import user_settings


class ReporterDialog(QDialog):
    """Name and organisation of who reports with this copy; ``reporter_saved`` carries the result."""

    reporter_saved = Signal(object)  # user_settings.Reporter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reporter")
        current = user_settings.reporter()
        self.name_edit = QLineEdit(current.name or "")
        self.organisation_edit = QLineEdit(current.organisation or "")
        self.name_edit.setPlaceholderText("e.g. Jane Doe")
        self.organisation_edit.setPlaceholderText("e.g. Ministry of Foreign Affairs")
        intro = QLabel("Every report says on page 1 that its statuses record implementation as reported or assessed "
                       "by the user of this copy, named here; left blank, the user is not named.")
        intro.setWordWrap(True)
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("color: #9A3412")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        name_label, organisation_label = QLabel("&Name:"), QLabel("&Organisation:")
        name_label.setBuddy(self.name_edit)
        organisation_label.setBuddy(self.organisation_edit)
        form.addRow(name_label, self.name_edit)
        form.addRow(organisation_label, self.organisation_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.name_edit.setFocus()

    def accept(self) -> None:
        try:
            saved = user_settings.set_reporter(self.name_edit.text(), self.organisation_edit.text())
        except TrackerError as exc:
            self.error_label.setText(exc.message)  # the dialog stays open; nothing was stored
            return
        self.error_label.setText("")
        self.reporter_saved.emit(saved)
        super().accept()
