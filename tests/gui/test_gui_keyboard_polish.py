"""The keyboard as a desktop user expects it: Tab leaves tables, Ctrl+Tab switches tabs, pickers
take "type, then Enter", status lists take the status name, sorting and name search by keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import COVERAGE_COLUMN, FIRST_MEASURE_COLUMN

CTRL, SHIFT, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.AltModifier


def current_actor(window: MainWindow) -> str:
    mv = window.matrix_view
    return mv.model.actor_at(mv.proxy.mapToSource(mv.table.currentIndex()).row()).name


def test_tab_and_shift_tab_leave_the_grid(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Backtab, SHIFT)
    assert QApplication.focusWidget() is not table


def test_tab_leaves_the_other_tables(window: MainWindow, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    window.open_actor("FRA")
    idle(window)
    table = window.dossier_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table


def test_ctrl_tab_switches_tabs(window: MainWindow, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab, CTRL)
    idle(window)
    assert window.tabs.currentWidget() is window.dossier_view
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Backtab, CTRL | SHIFT)
    idle(window)
    assert window.tabs.currentWidget() is window.matrix_view


def test_actor_picker_mnemonic_then_type_and_enter(window: MainWindow, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    window.open_actor("AFG")
    idle(window)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_T, ALT)  # Ac&tor
    picker = window.dossier_view.picker
    assert QApplication.focusWidget() in (picker, picker.lineEdit())
    picker.lineEdit().selectAll()
    qtbot.keyClicks(picker.lineEdit(), "Fra")
    qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    idle(window)
    assert window.dossier_view.dossier is not None and window.dossier_view.dossier.actor.key == "FRA"


def test_measure_picker_mnemonic_then_type_and_enter(window: MainWindow, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    window.open_measure("LTS-A.1")
    idle(window)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_U, ALT)  # Meas&ure
    picker = window.measure_view.picker
    assert QApplication.focusWidget() in (picker, picker.lineEdit())
    picker.lineEdit().selectAll()
    qtbot.keyClicks(picker.lineEdit(), "LTS-B.4")
    qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    idle(window)
    assert window.measure_view.overview is not None and window.measure_view.overview.measure.key == "LTS-B.4"


def test_status_lists_take_the_typed_status_name(window: MainWindow, qtbot, tracker) -> None:  # type: ignore[no-untyped-def]
    box = window.matrix_view.status_box
    box.setFocus()
    qtbot.keyClicks(box, "plan")
    assert box.currentData() == Status.PLANNED.value

    from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
    from tests.gui.test_gui_editor import context

    dialog = AssessmentEditorDialog(context(), tracker.assessments.validate, lambda parent: None)
    qtbot.addWidget(dialog)
    dialog.status.setFocus()
    qtbot.keyClicks(dialog.status, "partial")
    assert dialog.status.currentData() == Status.PARTIALLY_IMPLEMENTED.value
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClicks(dialog.status, "not i")
    assert dialog.status.currentData() == Status.NOT_IMPLEMENTED.value


def test_typing_a_name_in_the_grid_jumps_to_that_actor_from_any_column(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    for _ in range(FIRST_MEASURE_COLUMN + 4):
        qtbot.keyClick(table, Qt.Key.Key_Right)
    column = table.currentIndex().column()
    qtbot.keyClicks(table, "germ")
    assert current_actor(window) == "Germany"
    assert table.currentIndex().column() == column  # still the same measure
    qtbot.wait(QApplication.keyboardInputInterval() + 50)
    qtbot.keyClicks(table, "new z")
    assert current_actor(window) == "New Zealand"


def test_view_sort_by_from_the_keyboard(window: MainWindow, qtbot, idle, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record_many([AssessmentInput("ZWE", "LTS-A.1", Status.IMPLEMENTED)])
    window.controller.reload()
    idle(window)
    table = window.matrix_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    col = window.matrix_view.model.column_of("LTS-A.1")
    while table.currentIndex().column() < col:
        qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_S, CTRL | SHIFT)  # View > Sort By > Current Column
    qtbot.keyClick(table, Qt.Key.Key_S, CTRL | SHIFT)  # again: reversed, implemented first
    assert table.horizontalHeader().sortIndicatorSection() == col
    assert current_actor_at(window, 0) == "Zimbabwe"
    # Through the menu: Alt+V, B (Sort By), C (Coverage).
    qtbot.keyClick(table, Qt.Key.Key_V, ALT)
    menu = QApplication.activePopupWidget()
    assert menu is not None
    qtbot.keyClick(menu, Qt.Key.Key_B)
    submenu = QApplication.activePopupWidget()
    assert submenu is not None and submenu is not menu
    qtbot.keyClick(submenu, Qt.Key.Key_C)
    assert table.horizontalHeader().sortIndicatorSection() == COVERAGE_COLUMN
    assert current_actor_at(window, 0) == "Zimbabwe"


def current_actor_at(window: MainWindow, row: int) -> str:
    mv = window.matrix_view
    return mv.model.actor_at(mv.proxy.mapToSource(mv.proxy.index(row, 0)).row()).name
