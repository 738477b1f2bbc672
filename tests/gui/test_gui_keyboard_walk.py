"""The README's keyboard walk, key by key, on the real window and the real dialogs (never exec()).

Search a state, Enter, record with new evidence, bulk edit 4 cells, undo, redo, as of a year
ago, Ctrl+Q. ``packaging/xvfb-e2e.sh`` presses the same keys on the X11 (xcb) platform.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gui_keys import ALT, CTRL, SHIFT, focused
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from tcbm_tracker.domain.vocabulary import STATUS_ORDER, Status
from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
from tcbm_tracker.ui.evidence_dialog import EvidenceDialog


def test_readme_keyboard_walk(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    def key(k: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(focused(), k, modifiers)

    def status(s: Status) -> None:  # Alt+S, Home, Down to the status
        key(Qt.Key.Key_S, ALT)
        key(Qt.Key.Key_Home)
        for _ in range(STATUS_ORDER.index(s)):
            key(Qt.Key.Key_Down)

    def shown(dialog: QDialog) -> None:
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog and focused().window() is dialog)

    def evidence_dialog(parent: Any, validate: Any) -> Any:
        dialog = EvidenceDialog(validate, parent)
        shown(dialog)
        qtbot.keyClicks(focused(), "National space activities act")  # the title has the keyboard
        key(Qt.Key.Key_Return)  # Add
        return dialog.value() if dialog.result() == QDialog.DialogCode.Accepted else None

    def editor(script: Any) -> Any:
        def answer(parent: Any, context: Any, validate: Any, ask_evidence: Any) -> Any:
            dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
            shown(dialog)
            script(dialog)
            qtbot.waitUntil(lambda: not dialog.isVisible())
            return dialog.request() if dialog.result() == QDialog.DialogCode.Accepted else None

        return answer

    def record_with_evidence(dialog: AssessmentEditorDialog) -> None:
        status(Status.PLANNED)
        key(Qt.Key.Key_A, ALT)  # Add new evidence…: the evidence dialog, then back here
        qtbot.waitUntil(lambda: bool(dialog.evidence_model.checked_new()) and focused().window() is dialog)
        key(Qt.Key.Key_Return, CTRL)

    def bulk(dialog: AssessmentEditorDialog) -> None:
        status(Status.IMPLEMENTED)
        key(Qt.Key.Key_Return, CTRL)
        qtbot.waitUntil(lambda: dialog.confirmation is not None and focused().window() is dialog.confirmation)
        assert "4 cells" in dialog.confirmation.text()
        key(Qt.Key.Key_R, ALT)  # Record for 4 cells

    window.dialogs.ask_evidence = evidence_dialog
    scripted.assessment.extend([editor(record_with_evidence), editor(bulk)])
    table = window.matrix_view.table

    # Search a state; Enter goes to its first cell in the grid.
    key(Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(focused(), "Kenya")
    key(Qt.Key.Key_Return)
    assert focused() is table
    # Enter: the editor; record "Planned" with new evidence.
    key(Qt.Key.Key_Return)
    idle(window)
    (first,) = reader.assessments.history("KEN", "GGE-IV.1")
    assert first.status is Status.PLANNED
    assert [reader.evidence.get(e).title for e in first.evidence_ids] == ["National space activities act"]
    # Bulk edit 4 cells: Shift+Right three times, F2, a status, Ctrl+Enter, confirm.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and focused() is table)
    for _ in range(3):
        key(Qt.Key.Key_Right, SHIFT)
    key(Qt.Key.Key_F2)
    idle(window)
    four = ["GGE-IV.1", "GGE-IV.2", "GGE-IV.3", "GGE-IV.4"]
    assert [reader.queries.matrix().status("KEN", m) for m in four] == [Status.IMPLEMENTED] * 4
    # Undo, redo.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and focused() is table)
    key(Qt.Key.Key_Z, CTRL)
    idle(window)
    assert [reader.queries.matrix().status("KEN", m) for m in four] == [Status.PLANNED] + [Status.NOT_ASSESSED] * 3
    assert reader.assessments.history("KEN", "GGE-IV.1")[0].evidence_ids == first.evidence_ids  # restored with its evidence
    key(Qt.Key.Key_Z, CTRL | SHIFT)
    idle(window)
    assert [reader.queries.matrix().status("KEN", m) for m in four] == [Status.IMPLEMENTED] * 4
    # As of a year ago: Alt+O, the year, Enter.
    key(Qt.Key.Key_O, ALT)
    year_ago = window.controller.today().year - 1
    qtbot.keyClicks(focused(), str(year_ago))
    key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.controller.as_of.year == year_ago)
    idle(window)
    assert window.as_of_banner.isVisible()
    assert window.matrix_view.model.statuses[window.matrix_view.model.row_of("KEN")][:4] == [Status.NOT_ASSESSED] * 4
    # Ctrl+Q: the window closes, everything already written.
    key(Qt.Key.Key_Q, CTRL)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert len(reader.assessments.history("KEN", "GGE-IV.2")) == 3  # edit, undo, redo: nothing deleted
    assert reader.queries.matrix(as_of=dt.date(year_ago, 1, 1)).status("KEN", "GGE-IV.2") is Status.NOT_ASSESSED
