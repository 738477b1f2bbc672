"""The assessment editor: one cell, or many at once (bulk edit), recorded as one change.

Values are checked as the user types by ``AssessmentService.validate`` (the rules the CLI and
importers apply), one field at a time so that each reason appears beside its own field; Record
stays disabled while anything is refused, while no status is chosen (a cell never assessed and a
bulk edit start with none, so that Enter alone records nothing) and while nothing differs from
the assessment in force. Editing an assessed cell is one of two acts, chosen explicitly:
*correct this assessment* (same in-force date, recorded now) or *record a change* (from a new
date). A bulk edit of more than ``CONFIRM_ABOVE`` cells names them and asks once more, in a
non-blocking box. ``ask()`` returns an ``EditRequest`` or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.domain.vocabulary import STATUS_ORDER, Confidence, Provenance, Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.edits import EditContext, EditRequest
from tcbm_tracker.ui.evidence_dialog import reason_label
from tcbm_tracker.ui.evidence_picker import EvidencePickerModel, EvidenceSearchProxyModel
from tcbm_tracker.ui.keyboard import TypeToSelectCombo
from tcbm_tracker.ui.status_style import status_text
from tcbm_tracker.ui.wording import count

ValidateAssessment = Callable[[AssessmentInput], object]
_NO_EVIDENCE = "No evidence in this database yet: “Add new evidence…” records a document or source."
AskEvidence = Callable[[QWidget], EvidenceInput | None]
# A bulk edit of more cells than this says which cells and asks once more before recording.
CONFIRM_ABOVE = 3
# How many actors, and measures per actor, the confirmation names before "and N more".
_LISTED_ACTORS = 8
_LISTED_MEASURES = 6


class NoteEdit(QPlainTextEdit):
    """The note: reached by Tab or Alt+N its text is selected, as in a one-line field, so that
    typing replaces the note carried over from the current assessment instead of prefixing it."""

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                              Qt.FocusReason.ShortcutFocusReason):
            self.selectAll()


class AssessmentEditorDialog(QDialog):
    def __init__(self, context: EditContext, validate: ValidateAssessment, ask_evidence: AskEvidence,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._validate = validate
        self._ask_evidence = ask_evidence
        single = len(context.cells) == 1
        self.setWindowTitle("Edit assessment" if single else f"Edit {len(context.cells):,} cells")
        current = context.current

        heading = QLabel(self._heading())
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.RichText)

        self.status = TypeToSelectCombo()  # "imp" selects "✓ Implemented"
        for s in STATUS_ORDER:
            self.status.addItem(status_text(s), s.value)
        self.status.setPlaceholderText("Choose a status…")
        self.provenance = QComboBox()
        for p in Provenance:
            self.provenance.addItem(p.label, p.value)
        self.confidence = QComboBox()
        for c in Confidence:
            self.confidence.addItem(c.label, c.value)
        self.effective = QLineEdit(context.default_effective.isoformat())
        self.effective.setPlaceholderText("YYYY-MM-DD")
        self.effective.setToolTip("The date from which this status holds")
        self.note = NoteEdit()
        self.note.setPlaceholderText("What the assessment rests on, in a sentence or two")
        self.note.setTabChangesFocus(True)
        # Grows with the dialog (size grip in the corner); starts taller for a long note.
        self.note.setMinimumHeight(80)
        self.note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setSizeGripEnabled(True)
        if current is not None and single:
            self.status.setCurrentIndex(self.status.findData(current.status.value))
            self.provenance.setCurrentIndex(self.provenance.findData(current.provenance.value))
            self.confidence.setCurrentIndex(self.confidence.findData(current.confidence.value))
            self.note.setPlainText(current.note or "")
        else:
            # No status chosen for the user: a cell never assessed (or many cells) gets the one
            # they pick, and Record waits for it.
            self.status.setCurrentIndex(-1)
            self.provenance.setCurrentIndex(self.provenance.findData(Provenance.ANALYST_JUDGMENT.value))
            self.confidence.setCurrentIndex(self.confidence.findData(Confidence.MEDIUM.value))
        # Two different acts on an assessed cell; neither is chosen for the user (see module docstring).
        self.correct_mode = QRadioButton("Co&rrect this assessment", self)
        self.change_mode = QRadioButton("Record a c&hange", self)
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.correct_mode)
        self.mode_group.addButton(self.change_mode)
        self.mode_hint = QLabel(self)
        self.mode_hint.setWordWrap(True)
        self.mode_hint.setStyleSheet("color: #555;")
        self.asks_mode = single and current is not None
        if self.asks_mode:
            self.effective.setEnabled(False)
            self.effective.setText("")
            self.effective.setPlaceholderText("choose: correct, or record a change")
        else:  # nothing to correct: one act only, and no choice shown
            for widget in (self.correct_mode, self.change_mode, self.mode_hint):
                widget.hide()

        self.evidence_model = EvidencePickerModel(context.evidence, current.evidence_ids if current else (), self)
        self.evidence_proxy = EvidenceSearchProxyModel(self)
        self.evidence_proxy.setSourceModel(self.evidence_model)
        self.evidence_search = QLineEdit()
        self.evidence_search.setPlaceholderText("Search evidence by symbol or title")
        self.evidence_search.setClearButtonEnabled(True)
        self.evidence_search.textChanged.connect(self.evidence_proxy.setFilterFixedString)
        self.evidence_list = QListView()
        self.evidence_list.setModel(self.evidence_proxy)
        self.evidence_list.setMinimumHeight(110)
        self.evidence_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.evidence_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.evidence_list.setUniformItemSizes(True)
        self.add_evidence_button = QPushButton("&Add new evidence…")
        self.add_evidence_button.clicked.connect(self.add_evidence)
        evidence_box = QVBoxLayout()
        search_row = QHBoxLayout()
        search_row.addWidget(self.evidence_search, 1)
        search_row.addWidget(self.add_evidence_button)
        evidence_box.addLayout(search_row)
        self.no_evidence = QLabel()
        self.no_evidence.setWordWrap(True)
        self.no_evidence.setStyleSheet("color: #5a5a5a;")
        evidence_box.addWidget(self.no_evidence)
        evidence_box.addWidget(self.evidence_list)
        self._show_evidence_state()
        self.evidence_model.rowsInserted.connect(self._show_evidence_state)

        self.reasons = {"effective date": reason_label(), "note": reason_label(), "evidence": reason_label()}
        form = QFormLayout()
        if self.asks_mode:
            modes = QHBoxLayout()
            modes.addWidget(self.correct_mode)
            modes.addWidget(self.change_mode)
            modes.addStretch(1)
            form.addRow("Act", modes)
            form.addRow("", self.mode_hint)
        form.addRow("&Status", self.status)
        form.addRow("&Provenance", self.provenance)
        form.addRow("&Confidence", self.confidence)
        form.addRow("&Effective date", self.effective)
        form.addRow("", self.reasons["effective date"])
        form.addRow("&Note", self.note)
        form.addRow("", self.reasons["note"])
        evidence_label = QLabel("E&vidence")
        evidence_label.setBuddy(self.evidence_search)
        form.addRow(evidence_label, evidence_box)
        form.addRow("", self.reasons["evidence"])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.record_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.record_button.setText("Record" if single else f"Record for {len(context.cells):,} cells")
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        self.confirmation: QMessageBox | None = None
        # Ctrl+Enter records from anywhere, the note included (where Enter is a new line).
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self._accept_if_valid)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        self._hint_text = "Recorded at once, as a new entry in the cell's history; Ctrl+Z undoes it."
        self.hint = QLabel(self._hint_text)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.hint)
        # Another writer's change to a cell being edited, said before saving (both are kept).
        self.changed_elsewhere = QLabel(self)
        self.changed_elsewhere.setObjectName("changedElsewhere")
        self.changed_elsewhere.setWordWrap(True)
        self.changed_elsewhere.setStyleSheet("background: #fde2c8; color: #5a2a00; padding: 4px;")
        self.changed_elsewhere.hide()
        layout.addWidget(self.changed_elsewhere)
        layout.addWidget(self.buttons)
        self.effective.textChanged.connect(self.revalidate)
        self.note.textChanged.connect(self.revalidate)
        for box in (self.status, self.provenance, self.confidence):
            box.currentIndexChanged.connect(self.revalidate)
        self.correct_mode.toggled.connect(self._mode_chosen)
        self.change_mode.toggled.connect(self._mode_chosen)
        self.evidence_model.dataChanged.connect(self.revalidate)
        self.evidence_model.rowsInserted.connect(self.revalidate)
        long_note = current is not None and current.note is not None and len(current.note) > 300
        self.resize(620, self.sizeHint().height() + (160 if long_note else 0))
        self.status.setFocus()
        self._mode_chosen()

    def note_changed_elsewhere(self, cell: tuple[str, str], who: str, when: str) -> bool:
        """Say that someone else changed one of these cells while this editor was open."""
        if cell not in self.context.cells:
            return False
        actor, measure = cell
        where = "" if len(self.context.cells) == 1 else f"{self.context.actor_names.get(actor, actor)} · {measure} "
        self.changed_elsewhere.setText(
            f"{where}changed by {who} at {when} while you were editing. Recording keeps both: "
            "yours is added after theirs in the cell's history.")
        self.changed_elsewhere.show()
        return True

    def _heading(self) -> str:
        c = self.context
        if len(c.cells) == 1:
            actor, measure = c.cells[0]
            now = (f"Currently {status_text(c.current.status)}, in force from {c.current.effective_date.isoformat()}"
                   if c.current else "Not assessed yet")
            return (f"<b>{_esc(c.actor_names[actor])}</b> — <b>{measure}</b> {_esc(c.measure_titles[measure])}"
                    f"<br><span style='color:#555'>{now}</span>")
        actors, measures = {a for a, _ in c.cells}, {m for _, m in c.cells}
        return (f"<b>Bulk edit: {len(c.cells):,} cells</b> ({count(len(actors), 'actor')} × {count(len(measures), 'measure')})"
                "<br><span style='color:#555'>Every selected cell gets the same assessment, recorded as one change.</span>")

    # --- the two acts -----------------------------------------------------------------------------
    def _mode_chosen(self, _checked: bool = False) -> None:
        current = self.context.current
        if not self.asks_mode or current is None:
            self.revalidate()
            return
        since = current.effective_date.isoformat()
        if self.correct_mode.isChecked():
            self.effective.setText(since)
            self.effective.setEnabled(False)
            self.mode_hint.setText(f"Fixes the assessment in force from {since}: same date, recorded now "
                                   "(the earlier wording stays in the history).")
        elif self.change_mode.isChecked():
            if not self.effective.isEnabled():
                self.effective.setText(self.context.default_effective.isoformat())
            self.effective.setEnabled(True)
            self.mode_hint.setText(f"A new assessment from the effective date below; the one in force from "
                                   f"{since} stays as it was before that date.")
        else:
            self.mode_hint.setText("Alt+R corrects the assessment in force (same date); Alt+H records a change "
                                   "from a new date.")
        self.revalidate()

    def unchanged(self) -> bool:
        """True when recording would repeat the assessment in force (nothing to record)."""
        current = self.context.current
        if current is None or len(self.context.cells) != 1:
            return False
        return (self.status.currentData() == current.status.value
                and self.provenance.currentData() == current.provenance.value
                and self.confidence.currentData() == current.confidence.value
                and (self.note.toPlainText().strip() or None) == (current.note or None)
                and set(self.evidence_model.checked_ids()) == set(current.evidence_ids)
                and not self.evidence_model.checked_new())

    def blocker(self) -> str:
        """Why Record is disabled other than a refused value ("" when nothing blocks it)."""
        if self.asks_mode and not (self.correct_mode.isChecked() or self.change_mode.isChecked()):
            return "Choose: correct this assessment (Alt+R) or record a change (Alt+H)"
        if self.status.currentIndex() < 0:
            return "Choose a status (Alt+S)"
        if self.unchanged():
            return "Nothing changed yet: change the status, note or evidence to record"
        return ""

    # --- values ----------------------------------------------------------------------------------
    def _input(self, *, effective: str | None, note: str | None) -> AssessmentInput:
        actor, measure = self.context.cells[0]
        # Until a status is chosen the other fields are still checked (with a stand-in status).
        status = self.status.currentData() or Status.NOT_ASSESSED.value
        return AssessmentInput(actor=actor, measure=measure, status=status,
                               provenance=self.provenance.currentData(), confidence=self.confidence.currentData(),
                               note=note, effective=effective, evidence_ids=self.evidence_model.checked_ids())

    def errors(self) -> dict[str, str]:
        """Each free-text field checked on its own, so that every reason shows at once."""
        errors: dict[str, str] = {}
        text = self.effective.text().strip()
        checks = [("note", self._input(effective=None, note=self.note.toPlainText()))]
        if text:
            checks.append(("effective date", self._input(effective=text, note=None)))
        elif not self.effective.isEnabled():
            pass  # the act is not chosen yet: the date comes with it
        else:
            errors["effective date"] = "is required: the date from which the status holds (YYYY-MM-DD)"
        for field, item in checks:
            try:
                self._validate(item)
            except ValidationError as exc:
                errors[exc.field if exc.field in self.reasons else field] = exc.reason
        return errors

    def revalidate(self) -> None:
        errors = self.errors()
        for name, label in self.reasons.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
        blocker = self.blocker()
        self.record_button.setEnabled(not errors and not blocker)
        self.record_button.setToolTip(blocker)
        self.hint.setText(blocker or self._hint_text)

    def _accept_if_valid(self) -> None:
        if not self.record_button.isEnabled():
            return
        if len(self.context.cells) > CONFIRM_ABOVE:
            self._confirm()
        else:
            self.accept()

    def _confirm(self) -> None:
        """Say how many cells and which, and ask once more; "Back" is the default (Enter, Esc)."""
        cells = self.context.cells
        status = status_text(Status(self.status.currentData()))
        box = QMessageBox(QMessageBox.Icon.Question, f"Record for {len(cells):,} cells?",
                          f"Record “{status}” for {len(cells):,} cells?", QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(describe_cells(cells, self.context.actor_names))
        box.setDetailedText("\n".join(f"{self.context.actor_names.get(a, a)} ({a}) — {m}" for a, m in cells))
        self.confirm_button = box.addButton(f"&Record for {len(cells):,} cells", QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton("&Back to the editor", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.finished.connect(lambda _result: self._confirmed(box))
        self.confirmation = box
        box.open()

    def _confirmed(self, box: QMessageBox) -> None:
        self.confirmation = None
        box.deleteLater()
        if box.clickedButton() is self.confirm_button:
            self.accept()
        else:
            self.activateWindow()  # back in the editor, with the keyboard (see add_evidence)
            self.record_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_evidence_state(self) -> None:
        # Text rather than visibility: showing or hiding children of a dialog that is not on
        # screen yet can take the application's focus away from the window underneath.
        empty = self.evidence_model.rowCount() == 0
        self.no_evidence.setText(_NO_EVIDENCE if empty else "")
        # An empty label still takes a line of height: collapse it, or a blank gap sits above the list.
        self.no_evidence.setMaximumHeight(16_777_215 if empty else 0)

    def add_evidence(self) -> None:
        item = self._ask_evidence(self)
        # Back from the evidence dialog: this dialog must be active again, else (with no window
        # manager re-activating it) the keyboard goes nowhere and Ctrl+Enter or Esc do nothing.
        self.activateWindow()
        if item is not None:
            index = self.evidence_model.add_new(item)
            self.evidence_search.clear()
            proxy_index = self.evidence_proxy.mapFromSource(index)
            self.evidence_list.scrollTo(proxy_index)
            self.evidence_list.setCurrentIndex(proxy_index)
            self.evidence_list.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.add_evidence_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def request(self) -> EditRequest:
        """The accepted values (call when Record is enabled)."""
        return EditRequest(
            cells=self.context.cells,
            status=Status(self.status.currentData()),
            provenance=Provenance(self.provenance.currentData()),
            confidence=Confidence(self.confidence.currentData()),
            effective=dt.date.fromisoformat(self.effective.text().strip()),
            note=self.note.toPlainText().strip() or None,
            evidence_ids=self.evidence_model.checked_ids(),
            new_evidence=self.evidence_model.checked_new(),
            # A citation kept from the current assessment keeps where it points ("p. 21").
            evidence_pinpoints=dict(self.context.current.evidence_pinpoints) if self.context.current else {},
            correction=self.asks_mode and self.correct_mode.isChecked(),
        )

    @classmethod
    def ask(cls, parent: QWidget | None, context: EditContext, validate: ValidateAssessment,
            ask_evidence: AskEvidence) -> EditRequest | None:
        dialog = cls(context, validate, ask_evidence, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        result = dialog.request() if accepted else None
        dialog.deleteLater()
        return result


def describe_cells(cells: tuple[tuple[str, str], ...], names: dict[str, str]) -> str:
    """Which cells, by actor: "France: LTS-B.4, LTS-B.5" one line each, long lists cut with a count."""
    by_actor: dict[str, list[str]] = {}
    for actor, measure in cells:
        by_actor.setdefault(actor, []).append(measure)
    lines = []
    for actor, measures in list(by_actor.items())[:_LISTED_ACTORS]:
        shown = ", ".join(measures[:_LISTED_MEASURES])
        more = f" and {len(measures) - _LISTED_MEASURES} more" if len(measures) > _LISTED_MEASURES else ""
        lines.append(f"{names.get(actor, actor)}: {len(measures)} measure{'s' if len(measures) != 1 else ''} ({shown}{more})")
    if len(by_actor) > _LISTED_ACTORS:
        lines.append(f"and {len(by_actor) - _LISTED_ACTORS} more actors (Show Details lists every cell)")
    return "\n".join(lines)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
