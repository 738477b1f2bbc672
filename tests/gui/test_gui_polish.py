"""Small things a careful user notices: dialogs without premature errors or gaps, steady toolbar
labels, plurals, the history panel following the tab in view, bidirectional text, a first-start panel."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.evidence_dialog import EvidenceDialog
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import FIRST_MEASURE_COLUMN

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def test_add_evidence_dialog_shows_no_error_before_typing_and_no_gap(qtbot, tracker) -> None:  # type: ignore[no-untyped-def]
    dialog = EvidenceDialog(tracker.evidence.validate)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # a title is still required ...
    assert not any(label.isVisible() for label in dialog.reasons.values())  # ... but not shouted before typing
    # No blank band above the buttons: they follow the last field closely.
    last_field = dialog.file.mapTo(dialog, dialog.file.rect().bottomLeft()).y()
    assert dialog.buttons.geometry().top() - last_field < 40
    dialog.title.setFocus()
    qtbot.keyClicks(dialog.title, "Ac")
    assert ok.isEnabled()
    qtbot.keyClick(dialog.title, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.title, Qt.Key.Key_Backspace)
    assert dialog.reasons["title"].isVisible() and "required" in dialog.reasons["title"].text()


def test_undo_and_redo_keep_their_labels_and_the_toolbar_does_not_jump(window: MainWindow, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QToolBar

    from tests.gui.test_gui_editing import fill_editor

    toolbar = window.findChild(QToolBar, "mainToolbar")
    undo_button = toolbar.widgetForAction(window.undo_action)
    edit_button = toolbar.widgetForAction(window.edit_action)
    x_before = edit_button.x()
    scripted.assessment.append(fill_editor(Status.IMPLEMENTED, "Law adopted"))
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    for _ in range(FIRST_MEASURE_COLUMN):
        qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    idle(window)
    assert window.controller.undo_stack.count() == 1
    assert undo_button.text() == "Undo" and window.undo_action.isEnabled()
    assert window.undo_action.toolTip().startswith("Undo ") and len(window.undo_action.toolTip()) > len("Undo ")
    qtbot.wait(10)
    assert edit_button.x() == x_before  # the buttons after Undo/Redo stay where they were
    qtbot.keyClick(table, Qt.Key.Key_Z, CTRL)
    idle(window)
    assert toolbar.widgetForAction(window.redo_action).text() == "Redo"
    assert window.redo_action.toolTip().startswith("Redo ")
    assert edit_button.x() == x_before


def test_one_actor_is_not_one_actors(qtbot, tracker) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
    from tests.gui.test_gui_editor import context

    dialog = AssessmentEditorDialog(context(cells=[("FRA", "LTS-B.4"), ("FRA", "LTS-B.5")]), tracker.assessments.validate,
                                    lambda parent: None)
    qtbot.addWidget(dialog)
    assert "(1 actor × 2 measures)" in dialog._heading()


def test_cell_history_follows_the_row_of_the_tab_in_view(window: MainWindow, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    window.history_dock.show()
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)  # Afghanistan, whatever was current
    for _ in range(FIRST_MEASURE_COLUMN):
        qtbot.keyClick(table, Qt.Key.Key_Right)  # its first measure
    idle(window)
    first = window.matrix_view.model.measures[0].key
    assert window.history_view.caption.text().startswith(f"History of AFG / {first}")
    window.open_actor("FRA")
    idle(window)
    dossier = window.dossier_view.table
    dossier.setFocus()
    qtbot.keyClick(dossier, Qt.Key.Key_Down)
    qtbot.keyClick(dossier, Qt.Key.Key_Down)  # the first measure row under its group heading
    idle(window)
    assert window.history_view.caption.text().startswith("History of FRA / ")
    qtbot.keyClick(dossier, Qt.Key.Key_Backtab, CTRL | SHIFT)  # back to the Matrix tab
    idle(window)
    assert window.tabs.currentWidget() is window.matrix_view
    assert window.history_view.caption.text().startswith(f"History of AFG / {first}")


def test_an_arabic_title_followed_by_a_date_is_isolated(qtbot, tracker) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.ui.bidi import FSI, PDI
    from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
    from tests.gui.test_gui_editor import context

    title = "التقرير الوطني عن الأنشطة الفضائية"
    ev = tracker.evidence.add(EvidenceInput(title=title, date="2024-03-01"))
    latin = tracker.evidence.add(EvidenceInput(title="National report", date="2024-03-02"))
    dialog = AssessmentEditorDialog(context((ev, latin)), tracker.assessments.validate, lambda parent: None)
    qtbot.addWidget(dialog)
    shown = [dialog.evidence_proxy.index(r, 0).data() for r in range(dialog.evidence_proxy.rowCount())]
    assert f"{FSI}{title}{PDI} (2024-03-01)" in shown
    assert "National report (2024-03-02)" in shown  # Latin text carries no invisible characters
    # Searching by a word of the title still finds it (QTest cannot type Arabic: pasted text).
    dialog.evidence_search.setText("الأنشطة")
    assert dialog.evidence_proxy.rowCount() == 1


def test_screenshot_size_is_honoured_or_refused_with_the_reason(db_path, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import struct

    from tcbm_tracker.cli import main

    small = tmp_path / "small.png"
    assert main(["--db", str(db_path), "screenshot", "--out", str(small), "--size", "640x480"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tcbm-tracker: error: size: 640x480 is smaller than the window can be; use at least ")
    assert not small.exists()  # no picture of another size written in its place
    laptop = tmp_path / "laptop.png"
    assert main(["--db", str(db_path), "screenshot", "--out", str(laptop), "--size", "1366x768"]) == 0
    assert struct.unpack(">II", laptop.read_bytes()[16:24]) == (1366, 768)


def test_an_empty_database_shows_where_to_start_until_the_first_assessment(window: MainWindow, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.test_gui_editing import fill_editor

    panel = window.matrix_view.start_panel
    assert panel.isVisible() and "Start here" in panel.text()
    scripted.assessment.append(fill_editor(Status.PLANNED, "First one"))
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    for _ in range(FIRST_MEASURE_COLUMN):
        qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    idle(window)
    assert not panel.isVisible()
