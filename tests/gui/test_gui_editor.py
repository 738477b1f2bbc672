"""The assessment and evidence dialogs: validation as the user types, and what they return."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services.dto import EvidenceInfo
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
from tcbm_tracker.ui.edits import EditContext
from tcbm_tracker.ui.evidence_dialog import EvidenceDialog


def context(evidence: tuple[EvidenceInfo, ...] = (), cells=(("FRA", "LTS-B.4"),)) -> EditContext:  # type: ignore[no-untyped-def]
    return EditContext(cells=tuple(cells), actor_names={"FRA": "France", "KEN": "Kenya"},
                       measure_titles={"LTS-B.4": "Perform conjunction assessment", "LTS-B.5": "Debris"},
                       current=None, evidence=evidence, default_effective=dt.date(2024, 3, 1))


@pytest.fixture
def editor(qtbot, tracker: Tracker):  # type: ignore[no-untyped-def]
    ev = tracker.evidence.add(EvidenceInput(title="National space law", symbol="A/AC.105/1"))
    asked: list[str] = []

    def ask_evidence(parent):  # type: ignore[no-untyped-def]
        asked.append("asked")
        return EvidenceInput(title="New decree", date="2023-02-01")

    dialog = AssessmentEditorDialog(context((ev,)), tracker.assessments.validate, ask_evidence)
    qtbot.addWidget(dialog)
    assert not dialog.record_button.isEnabled()  # a cell never assessed: no status until one is chosen
    dialog.status.setCurrentIndex(dialog.status.findData(Status.PLANNED.value))
    dialog.asked = asked  # type: ignore[attr-defined]
    return dialog


def reason(dialog, field: str) -> str:  # type: ignore[no-untyped-def]
    label = dialog.reasons[field]
    return label.text() if not label.isHidden() else ""


def test_effective_date_checked_as_typed(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert editor.record_button.isEnabled()
    editor.effective.clear()
    assert "is required" in reason(editor, "effective date") and not editor.record_button.isEnabled()
    qtbot.keyClicks(editor.effective, "2024-02-30")
    assert "not a real calendar date" in reason(editor, "effective date")
    editor.effective.setText("2999-01-01")
    assert "in the future" in reason(editor, "effective date") and not editor.record_button.isEnabled()
    editor.effective.setText("1950-01-01")
    assert "before 1957-10-04" in reason(editor, "effective date")
    editor.effective.setText("2020-06-30")
    assert reason(editor, "effective date") == "" and editor.record_button.isEnabled()


def test_note_checked_as_typed_independently_of_the_date(editor) -> None:  # type: ignore[no-untyped-def]
    editor.effective.setText("nope")
    editor.note.setPlainText("bad \x07 bell")
    assert "control characters" in reason(editor, "note")
    assert "YYYY-MM-DD" in reason(editor, "effective date")  # both reasons at once
    editor.note.setPlainText("perigee < 500 km\nsecond line")  # markup-like text is fine in a note
    assert reason(editor, "note") == ""


def test_request_carries_every_field_and_new_evidence(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    editor.status.setCurrentIndex(editor.status.findData(Status.PARTIALLY_IMPLEMENTED.value))
    editor.provenance.setCurrentIndex(editor.provenance.findData(Provenance.OFFICIAL_RECORD.value))
    editor.confidence.setCurrentIndex(editor.confidence.findData(Confidence.HIGH.value))
    editor.effective.setText("2023-05-04")
    editor.note.setPlainText("  Reported in the 2023 national report.  ")
    model = editor.evidence_model
    model.setData(model.index(0, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    qtbot.mouseClick(editor.add_evidence_button, Qt.MouseButton.LeftButton)
    assert editor.asked == ["asked"]
    request = editor.request()
    assert request.cells == (("FRA", "LTS-B.4"),)
    assert (request.status, request.provenance, request.confidence) == (
        Status.PARTIALLY_IMPLEMENTED, Provenance.OFFICIAL_RECORD, Confidence.HIGH)
    assert request.effective == dt.date(2023, 5, 4)
    assert request.note == "Reported in the 2023 national report."
    assert request.evidence_ids == (model.rows[0].id,)
    assert [e.title for e in request.new_evidence] == ["New decree"]


def test_bulk_editor_says_how_many_cells(qtbot, tracker: Tracker) -> None:  # type: ignore[no-untyped-def]
    cells = [("FRA", "LTS-B.4"), ("FRA", "LTS-B.5"), ("KEN", "LTS-B.4")]
    dialog = AssessmentEditorDialog(context(cells=cells), tracker.assessments.validate, lambda p: None)
    qtbot.addWidget(dialog)
    assert dialog.record_button.text() == "Record for 3 cells"
    assert dialog.status.currentIndex() == -1 and not dialog.record_button.isEnabled()  # no status chosen for 3 cells
    dialog.status.setCurrentIndex(dialog.status.findData(Status.PLANNED.value))
    assert dialog.record_button.isEnabled()
    assert dialog.request().cells == tuple(cells)


def test_evidence_dialog_reasons_per_field(qtbot, tracker: Tracker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = EvidenceDialog(tracker.evidence.validate)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # a title is required
    qtbot.keyClicks(dialog.title, "Space activities act")
    assert ok.isEnabled()
    qtbot.keyClicks(dialog.symbol, "not a symbol")
    qtbot.keyClicks(dialog.url, "file:///etc/passwd")
    qtbot.keyClicks(dialog.date, "2024-13-01")
    assert "UN document symbol" in reason(dialog, "document symbol")
    assert "http" in reason(dialog, "url")
    assert "calendar date" in reason(dialog, "date")
    assert not ok.isEnabled()
    dialog.symbol.setText("A/AC.105/C.1/2024/CRP.1")
    dialog.url.setText("https://example.org/act")
    dialog.date.setText("2024-01-15")
    dialog.file.setText(str(tmp_path / "missing.pdf"))
    assert "not a readable file" in reason(dialog, "file")  # the service's own check
    attachment = tmp_path / "act.pdf"
    attachment.write_bytes(b"%PDF-1.4 sample")
    dialog.file.setText(str(attachment))
    assert ok.isEnabled()
    value = dialog.value()
    assert (value.title, value.symbol, value.date, value.file) == (
        "Space activities act", "A/AC.105/C.1/2024/CRP.1", "2024-01-15", attachment)


def test_empty_evidence_list_says_how_to_add_some(qtbot, tracker: Tracker) -> None:  # type: ignore[no-untyped-def]
    dialog = AssessmentEditorDialog(context(), tracker.assessments.validate, lambda p: EvidenceInput(title="Decree"))
    qtbot.addWidget(dialog)
    assert "Add new evidence" in dialog.no_evidence.text()
    dialog.add_evidence_button.click()
    assert dialog.no_evidence.text() == ""


def test_every_evidence_field_has_a_working_mnemonic(qtbot, tracker: Tracker) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    dialog = EvidenceDialog(tracker.evidence.validate)
    qtbot.addWidget(dialog)
    captions = {label.text(): label.buddy() for label in dialog.findChildren(QLabel) if "&" in label.text()}
    assert captions["&File"] is dialog.file
    assert captions["&Title"] is dialog.title
    assert all(buddy is not None for buddy in captions.values()), captions


def test_note_reached_from_the_keyboard_is_selected_so_typing_replaces_it(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    editor.note.setPlainText("Earlier finding")
    # The focus event Alt+N (the label's buddy) delivers; Tab delivers TabFocusReason.
    QApplication.sendEvent(editor.note, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.ShortcutFocusReason))
    qtbot.keyClicks(editor.note, "Law adopted")
    assert editor.note.toPlainText() == "Law adopted"
    QApplication.sendEvent(editor.note, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))
    qtbot.keyClicks(editor.note, "Decree")
    assert editor.note.toPlainText() == "Decree"


def test_no_blank_gap_above_a_filled_evidence_list(editor, qtbot) -> None:  # type: ignore[no-untyped-def]
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.no_evidence.height() == 0
