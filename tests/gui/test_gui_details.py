"""Long notes and evidence can be read: the detail pane, short tooltips, a note box that grows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.tooltips import MAX_LINES, WIDTH

LONG_NOTE = "\n".join(f"Paragraph {i}: " + "the national regulation requires a conjunction assessment " * 12
                      for i in range(10))  # ~6,400 characters


def go_to_cell(qtbot, window: MainWindow, actor: str, measure: str) -> None:  # type: ignore[no-untyped-def]
    """Move the grid's cursor with the arrow keys to (actor, measure)."""
    mv = window.matrix_view
    table = mv.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    row = mv.proxy.mapFromSource(mv.model.index(mv.model.row_of(actor), 0)).row()
    column = mv.proxy.mapFromSource(mv.model.index(0, mv.model.column_of(measure))).column()
    for _ in range(row):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    for _ in range(column):
        qtbot.keyClick(table, Qt.Key.Key_Right)
    assert table.currentIndex().row() == row and table.currentIndex().column() == column


def test_detail_pane_shows_the_whole_note_and_clickable_evidence(window: MainWindow, qtbot, idle, reader) -> None:  # type: ignore[no-untyped-def]
    web = reader.evidence.add(EvidenceInput(title="Décret relatif aux opérations spatiales", symbol="A/AC.105/C.2/2024/CRP.9",
                                            url="https://www.unoosa.org/oosa/en/ourwork/spacelaw/nationalspacelaw.html",
                                            pinpoint="art. 5", date="2024-02-01"))
    paper = reader.evidence.add(EvidenceInput(title="Loi n° 2008-518 & rapport \"A < B\"", url=None))
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED, note=LONG_NOTE,
                                              effective=dt.date(2024, 3, 1), evidence_ids=(web.id, paper.id)))
    window.controller.reload()
    idle(window)
    window.history_dock.show()
    go_to_cell(qtbot, window, "FRA", "LTS-B.4")
    idle(window)
    details = window.history_view.details
    shown = details.toPlainText()
    assert " ".join(LONG_NOTE.split()) in " ".join(shown.split())  # every word of the note
    assert "A/AC.105/C.2/2024/CRP.9" in shown and "art. 5" in shown and "Loi n° 2008-518 & rapport \"A < B\"" in shown
    assert details.lineWrapMode() != details.LineWrapMode.NoWrap
    # The link opens from the keyboard: Tab to it, Enter.
    opened: list[str] = []
    details._open_url = lambda url: opened.append(url.toString())  # the browser is not started in tests
    details.setFocus()
    qtbot.keyClick(details, Qt.Key.Key_Tab)
    qtbot.keyClick(details, Qt.Key.Key_Return)
    assert opened == ["https://www.unoosa.org/oosa/en/ourwork/spacelaw/nationalspacelaw.html"]


def test_only_http_links_are_offered() -> None:
    from tcbm_tracker.ui.detail_pane import safe_link

    assert safe_link("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_link("javascript:alert(1)") is None
    assert safe_link("file:///etc/passwd") is None
    assert safe_link("http://") is None


def test_tooltips_of_long_notes_are_wrapped_and_cut(window: MainWindow, idle, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED, note=LONG_NOTE))
    window.controller.load_history("FRA", "LTS-B.4")
    idle(window)
    model = window.history_view.model
    tip = model.data(model.index(0, model.columnCount() - 1), Qt.ItemDataRole.ToolTipRole)
    lines = tip.split("\n")
    assert len(lines) <= MAX_LINES and max(len(line) for line in lines) <= WIDTH
    assert "full" in lines[-1]  # says where the rest is


def test_editor_note_box_grows_with_the_dialog(qtbot, tracker) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
    from tests.gui.test_gui_editor import context

    dialog = AssessmentEditorDialog(context(), tracker.assessments.validate, lambda parent: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.note.height()
    dialog.resize(dialog.width(), dialog.height() + 300)
    qtbot.waitUntil(lambda: dialog.note.height() > before + 100)
    assert dialog.isSizeGripEnabled()


def test_an_attached_file_opens_from_the_detail_pane(window: MainWindow, qtbot, idle, reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "Décret 2024.pdf"
    src.write_bytes(b"%PDF-1.4 national regulation" * 50)
    filed = reader.evidence.add(EvidenceInput(title="Décret relatif aux opérations spatiales", file=src))
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED, effective=dt.date(2024, 3, 1),
                                              evidence_ids=(filed.id,)))
    window.controller.reload()
    idle(window)
    window.history_dock.show()
    go_to_cell(qtbot, window, "FRA", "LTS-B.4")
    idle(window)
    details = window.history_view.details
    assert "Open the attached file" in details.toPlainText() and "Décret 2024.pdf" in details.toPlainText()
    opened: list[str] = []
    window.exchange.questions.open_url = lambda url: opened.append(url.toLocalFile()) or True  # no viewer in tests
    # The link is the only one in the pane: Tab to it, Enter; a copy of the file opens.
    details.setFocus()
    qtbot.keyClick(details, Qt.Key.Key_Tab)
    qtbot.keyClick(details, Qt.Key.Key_Return)
    idle(window)
    (path,) = opened
    assert path.endswith(".pdf") and Path(path).read_bytes() == src.read_bytes() and path != str(src)
