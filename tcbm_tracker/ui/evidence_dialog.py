"""The "new evidence" dialog: a document or source, checked field by field as the user types."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.domain.vocabulary import EvidenceType
from tcbm_tracker.services.evidence import EvidenceInput

ValidateEvidence = Callable[[EvidenceInput], object]


def reason_label() -> QLabel:
    """The red one-line reason shown beside a field that is not accepted."""
    label = QLabel()
    label.setObjectName("fieldReason")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    return label


class EvidenceDialog(QDialog):
    def __init__(self, validate: ValidateEvidence, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add new evidence")
        self._validate = validate
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title of the document or source (required)")
        self.symbol = QLineEdit()
        self.symbol.setPlaceholderText("UN document symbol, e.g. A/AC.105/1234")
        self.date = QLineEdit()
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.language = QLineEdit()
        self.language.setPlaceholderText("en, fr, ru…")
        self.evidence_type = QComboBox()
        for t in EvidenceType:
            self.evidence_type.addItem(t.label, t.value)
        self.evidence_type.setCurrentIndex(self.evidence_type.findData(EvidenceType.OTHER.value))
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://…")
        self.pinpoint = QLineEdit()
        self.pinpoint.setPlaceholderText("page, paragraph or section")
        self.file = QLineEdit()
        self.file.setPlaceholderText("optional file to attach (stored in the database)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)

        self.reasons: dict[str, QLabel] = {}
        # A field's reason shows once the user has typed in it (no red "is required" on an empty
        # new form); Add stays disabled meanwhile. Hidden reason rows take no space.
        self.touched: set[str] = set()
        self._reason_rows: dict[str, int] = {}
        form = QFormLayout()
        self.form = form
        for name, label, widget in [
            ("title", "&Title", self.title), ("document symbol", "&Symbol", self.symbol), ("date", "&Date", self.date),
            ("language", "&Language", self.language), ("type", "T&ype", self.evidence_type), ("url", "&URL", self.url),
            ("pinpoint", "&Pinpoint", self.pinpoint), ("file", "&File", file_row),
        ]:
            caption = QLabel(label)
            # A row holding a layout gets no buddy from QFormLayout: Alt+F would do nothing and
            # the "&" would show. The mnemonic goes to the path field.
            caption.setBuddy(widget if isinstance(widget, QWidget) else self.file)
            form.addRow(caption, widget)
            self.reasons[name] = reason_label()
            form.addRow("", self.reasons[name])
            self._reason_rows[name] = form.rowCount() - 1
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for name, w in (("title", self.title), ("document symbol", self.symbol), ("date", self.date),
                        ("language", self.language), ("url", self.url), ("pinpoint", self.pinpoint), ("file", self.file)):
            w.textEdited.connect(lambda _text, name=name: self.touched.add(name))
            w.textChanged.connect(self.revalidate)
        self.evidence_type.currentIndexChanged.connect(self.revalidate)
        self.revalidate()  # first: the height below is that of the form without reason lines
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Attach a file")
        if path:
            self.file.setText(path)

    def value(self) -> EvidenceInput:
        return EvidenceInput(
            title=self.title.text(), symbol=self.symbol.text() or None, date=self.date.text().strip() or None,
            language=self.language.text() or None, evidence_type=self.evidence_type.currentData(),
            url=self.url.text() or None, pinpoint=self.pinpoint.text() or None,
            file=Path(self.file.text().strip()) if self.file.text().strip() else None,
        )

    def errors(self) -> dict[str, str]:
        """Every field's reason at once (domain rules), then the service's check of the whole."""
        errors: dict[str, str] = {}
        checks: list[tuple[str, Callable[[], object]]] = [
            ("title", lambda: v.require_text("title", self.title.text(), max_chars=v.MAX_TITLE_CHARS)),
            ("document symbol", lambda: v.parse_document_symbol(self.symbol.text())),
            ("date", lambda: self.date.text().strip() and v.parse_date("date", self.date.text())),
            ("language", lambda: v.parse_language(self.language.text())),
            ("url", lambda: v.parse_url(self.url.text())),
            ("pinpoint", lambda: v.clean_text("pinpoint", self.pinpoint.text(), max_chars=v.MAX_SHORT_CHARS)),
        ]
        for name, check in checks:
            try:
                check()
            except ValidationError as exc:
                errors[name] = exc.reason
        if not errors:
            try:
                self._validate(self.value())
            except ValidationError as exc:
                errors[exc.field] = exc.reason
        return errors

    def revalidate(self) -> None:
        errors = self.errors()
        for name, label in self.reasons.items():
            shown = name in errors and (name in self.touched or self._filled(name))
            label.setText(errors.get(name, "") if shown else "")
            self.form.setRowVisible(self._reason_rows[name], shown)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not errors)

    def _filled(self, name: str) -> bool:
        """A field given a value some other way (pasted by a program, Browse…) counts as touched."""
        field = {"title": self.title, "document symbol": self.symbol, "date": self.date, "language": self.language,
                 "url": self.url, "pinpoint": self.pinpoint, "file": self.file}.get(name)
        return field is not None and bool(field.text())

    @classmethod
    def ask(cls, parent: QWidget | None, validate: ValidateEvidence) -> EvidenceInput | None:
        dialog = cls(validate, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        value = dialog.value() if accepted else None
        dialog.deleteLater()
        return value
