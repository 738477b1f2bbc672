"""The keyboard after dialogs: the window is active again, with the focus where the user was.

A real dialog is shown (never exec()), made the active window, then closed: on platforms where
no window manager re-activates the parent (offscreen here, Xvfb, some tiling managers) the main
window would stay inactive and its shortcuts (Ctrl+Z, Ctrl+Q) would do nothing.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tcbm_tracker.domain.errors import ReadOnlyDatabaseError
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here


def test_grid_has_the_keyboard_at_start(window) -> None:  # type: ignore[no-untyped-def]
    assert QApplication.focusWidget() is window.matrix_view.table


def test_focus_and_shortcuts_come_back_after_the_editor(window, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    def answer(parent, context, validate, ask_evidence):  # type: ignore[no-untyped-def]
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitActive(dialog)
        dialog.status.setCurrentIndex(dialog.status.findData(Status.PLANNED.value))
        request = dialog.request()
        dialog.accept()
        return request

    scripted.assessment.append(answer)
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)
    idle(window)
    assert scripted.assessment == []
    assert QApplication.activeWindow() is window
    assert QApplication.focusWidget() is mv.table
    # The window's shortcuts work again at once: Ctrl+Z undoes the edit.
    qtbot.keyClick(mv.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(window)
    assert window.controller.undo_stack.index() == 0


def test_editor_is_active_again_after_adding_evidence(window, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    seen: list[object] = []

    def ask_evidence(parent):  # type: ignore[no-untyped-def]
        # Stands for the evidence dialog: another window takes the activation, then closes.
        other = AssessmentEditorDialog(context, lambda item: None, lambda p: None)
        qtbot.addWidget(other)
        other.show()
        other.activateWindow()
        qtbot.waitActive(other)
        other.close()
        return EvidenceInput(title="Space act", symbol="A/AC.105/2024/1")

    def answer(parent, ctx, validate, _ask):  # type: ignore[no-untyped-def]
        nonlocal context
        context = ctx
        dialog = AssessmentEditorDialog(ctx, validate, ask_evidence, parent)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        qtbot.waitActive(dialog)
        dialog.add_evidence_button.click()
        qtbot.wait(50)  # window activation is delivered through the event queue
        seen.append((QApplication.activeWindow() is dialog, QApplication.focusWidget() is dialog.evidence_list,
                     dialog.evidence_model.checked_new()))
        dialog.reject()
        return None

    context = None
    scripted.assessment.append(answer)
    window.matrix_view.select_cells([("FRA", "LTS-B.4")])
    window.matrix_view.request_edit()
    idle(window)
    assert len(seen) == 1
    active, focused, new = seen[0]
    assert active and focused
    assert [e.title for e in new] == ["Space act"]  # type: ignore[attr-defined]


def test_focus_comes_back_after_an_error_box(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    mv.table.setFocus()
    window.show_error(ReadOnlyDatabaseError("/tmp/x.sqlite is read-only: nothing was changed"))
    box = window.last_error
    box.activateWindow()
    qtbot.waitActive(box)
    box.done(0)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    assert QApplication.focusWidget() is mv.table


def test_ctrl_f_from_the_grid_goes_to_the_search_box(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    mv.table.setFocus()
    mv.table.setCurrentIndex(mv.proxy.index(0, 3))
    qtbot.keyClick(mv.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is mv.search


def test_ctrl_f_from_another_tab_shows_the_matrix_search(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.tabs.setCurrentWidget(window.changes_view)
    window.tabs.setFocus()
    qtbot.keyClick(window.tabs, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.matrix_view
    assert QApplication.focusWidget() is window.matrix_view.search


def test_ctrl_q_quits_on_every_platform(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    # The offscreen platform uses Windows' key scheme, whose standard Quit key list is empty.
    window.matrix_view.table.setFocus()
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_ctrl_shift_z_redoes(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert [k.toString() for k in window.redo_action.shortcuts()].count("Ctrl+Shift+Z") == 1


def _mnemonic(text: str) -> str | None:
    i = text.replace("&&", "").find("&")
    return text.replace("&&", "")[i + 1].lower() if i >= 0 else None


def test_main_window_mnemonics_are_unique_and_reach_the_as_of_date(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    letters = [_mnemonic(a.text()) for a in window.menuBar().actions()]
    letters += [_mnemonic(window.tabs.tabText(i)) for i in range(window.tabs.count())]
    labels = [label for label in window.findChildren(QLabel) if label.isVisible() and _mnemonic(label.text())]
    letters += [_mnemonic(label.text()) for label in labels]
    assert all(label.buddy() is not None for label in labels)
    letters = [x for x in letters if x]
    assert len(letters) == len(set(letters)), sorted(letters)
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.as_of_edit
    qtbot.keyClick(window.as_of_edit, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.matrix_view.catalog_box


def test_focus_comes_back_after_a_progress_dialog(window, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    import threading

    gate = threading.Event()
    mv = window.matrix_view
    mv.table.setFocus()
    job = window.controller.runner.submit("slow", lambda ctx: gate.wait(10))
    window.controller.long_job_started.emit(job, "Working slowly")
    # A job that reports no progress still gets its dialog (with Cancel) after 150 ms, not Qt's 4 s.
    qtbot.waitUntil(lambda: window.progress is not None and window.progress.isVisible(), timeout=2_000)
    window.progress.activateWindow()
    qtbot.waitActive(window.progress)
    gate.set()
    idle(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2_000)
    assert QApplication.focusWidget() is mv.table


def test_as_of_date_typed_in_full_from_the_keyboard(window, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    today = dt.date.today()
    for typed, expected in (("2025-06-01", dt.date(2025, 6, 1)), ("2024-11-25", dt.date(2024, 11, 25))):
        qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # selects the date
        qtbot.keyClicks(window.as_of_edit, typed)
        qtbot.keyClick(window.as_of_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda expected=expected: window.controller.as_of == expected, timeout=3_000)
        idle(window)
        assert window.as_of_banner.isVisible() and expected.isoformat() in window.as_of_banner.text()
        window.matrix_view.table.setFocus()
    # A year alone keeps the month and day.
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(window.as_of_edit, "2023")
    qtbot.keyClick(window.as_of_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.controller.as_of == dt.date(2023, 11, 25), timeout=3_000)
    # Not a date: nothing changes, and the status bar says why.
    window.as_of_edit.selectAll()
    qtbot.keyClicks(window.as_of_edit, "2023-13-01")
    assert window.as_of_edit.date().toPython() == dt.date(2023, 11, 25)
    assert "not a date" in window.statusBar().currentMessage()
    assert window.as_of_edit.text() == "2023-11-25"
    assert today >= window.controller.as_of
