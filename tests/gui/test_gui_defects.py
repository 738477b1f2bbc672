"""Defects found by driving the window from the keyboard as a user would (issue: wrong data or
broken features). Every test here presses the keys a user presses on the focused widget."""

from __future__ import annotations

import pytest
from gui_keys import ALT, CTRL, SHIFT, choose_status, focused, go_to_actor_name, keyboard_editor, press_menu_key, record_by_keys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


@pytest.mark.parametrize(("key", "tab"), [(Qt.Key.Key_2, 1), (Qt.Key.Key_3, 2), (Qt.Key.Key_4, 3), (Qt.Key.Key_1, 0)])
def test_ctrl_number_shows_its_tab(window, qtbot, idle, key, tab) -> None:  # type: ignore[no-untyped-def]
    if tab == 0:
        window.tabs.setCurrentIndex(3)
        idle(window)
    qtbot.keyClick(focused(), key, CTRL)
    idle(window)
    assert window.tabs.currentIndex() == tab


# --- the editor, driven by keys ---------------------------------------------------------------------
def test_enter_on_an_actor_name_opens_its_dossier(window, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    go_to_actor_name(qtbot, window, "Germany")
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Return)
    idle(window)
    # No editor (the scripted dialogs would have failed) and nothing recorded: the dossier.
    assert window.tabs.currentWidget() is window.dossier_view
    assert window.dossier_view.dossier is not None and window.dossier_view.dossier.actor.key == "DEU"
    assert window.controller.undo_stack.count() == 0


def test_never_assessed_cell_has_no_status_until_one_is_chosen(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.domain.vocabulary import Status

    seen = {}

    def script(dialog):  # type: ignore[no-untyped-def]
        seen["index"] = dialog.status.currentIndex()
        seen["enabled"] = dialog.record_button.isEnabled()
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)  # Ctrl+Enter: nothing to record yet
        seen["still_open"] = dialog.isVisible()
        choose_status(qtbot, dialog, Status.PLANNED)
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)

    scripted.assessment.append(keyboard_editor(qtbot, script))
    window.matrix_view.select_cells([("FRA", "LTS-B.4")])
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Return)
    idle(window)
    assert seen == {"index": -1, "enabled": False, "still_open": True}
    assert [h.status for h in reader.assessments.history("FRA", "LTS-B.4")] == [Status.PLANNED]


def test_bulk_edit_names_the_cells_and_asks_once_more(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.domain.vocabulary import Status

    seen = {}

    def script(dialog):  # type: ignore[no-untyped-def]
        assert dialog.status.currentIndex() == -1 and not dialog.record_button.isEnabled()
        choose_status(qtbot, dialog, Status.IMPLEMENTED)
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
        box = dialog.confirmation
        assert box is not None and dialog.isVisible()  # asked, not recorded
        qtbot.waitUntil(lambda: focused().window() is box)
        seen["text"] = box.text()
        seen["which"] = box.informativeText()
        qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter: "Back to the editor", the default
        seen["back"] = dialog.confirmation is None and dialog.isVisible()
        qtbot.waitUntil(lambda: focused().window() is dialog)
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
        qtbot.waitUntil(lambda: focused().window() is dialog.confirmation)
        qtbot.keyClick(focused(), Qt.Key.Key_R, ALT)  # "Record for 37 cells"
        qtbot.waitUntil(lambda: not dialog.isVisible())  # a mnemonic "clicks" after a short animation

    scripted.assessment.append(keyboard_editor(qtbot, script))
    go_to_actor_name(qtbot, window, "Germany")
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_End, SHIFT)  # the whole row
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_F2)
    idle(window)
    assert seen["text"] == "Record “✓ Implemented” for 37 cells?"
    assert seen["which"].startswith("Germany: 37 measures (GGE-IV.1, ")
    assert seen["back"]
    matrix = reader.queries.matrix()
    assert sum(1 for (a, _), c in matrix.cells.items() if a == "DEU" and c.status is Status.IMPLEMENTED) == 37
    assert len(matrix.cells) == 37


def test_three_cells_need_no_second_question(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.domain.vocabulary import Status

    def script(dialog):  # type: ignore[no-untyped-def]
        choose_status(qtbot, dialog, Status.PLANNED)
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
        assert dialog.confirmation is None

    scripted.assessment.append(keyboard_editor(qtbot, script))
    window.matrix_view.select_cells([("FRA", "LTS-B.4"), ("FRA", "LTS-B.5"), ("KEN", "LTS-B.4")])
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_F2)
    idle(window)
    assert len(reader.queries.matrix().cells) == 3


def test_correcting_keeps_the_date_and_a_change_takes_a_new_one(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
    from tcbm_tracker.services.assessments import AssessmentInput

    reader.assessments.record(AssessmentInput("FRA", "LTS-A.1", Status.PLANNED, Provenance.SELF_REPORTED, Confidence.HIGH,
                                              "Plan anounced", effective=dt.date(2020, 1, 1)))
    window.controller.reload()
    idle(window)
    seen: dict[str, object] = {}

    def correct(dialog):  # type: ignore[no-untyped-def]
        seen["no act chosen"] = not dialog.record_button.isEnabled()
        qtbot.keyClick(focused(), Qt.Key.Key_R, ALT)  # Correct this assessment
        qtbot.waitUntil(dialog.correct_mode.isChecked)  # a mnemonic "clicks" after a short animation
        seen["date"] = (dialog.effective.text(), dialog.effective.isEnabled())
        seen["unchanged"] = not dialog.record_button.isEnabled()  # nothing changed: nothing to record
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)
        seen["still open"] = dialog.isVisible()
        qtbot.keyClick(focused(), Qt.Key.Key_N, ALT)
        qtbot.keyClicks(focused(), "Plan announced")  # the typo fixed (the note is selected: replaced)
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)

    def change(dialog):  # type: ignore[no-untyped-def]
        qtbot.keyClick(focused(), Qt.Key.Key_H, ALT)  # Record a change
        qtbot.waitUntil(dialog.change_mode.isChecked)
        seen["change date"] = (dialog.effective.text(), dialog.effective.isEnabled())
        seen["change unchanged"] = not dialog.record_button.isEnabled()
        choose_status(qtbot, dialog, Status.IMPLEMENTED)
        qtbot.keyClick(focused(), Qt.Key.Key_E, ALT)
        qtbot.keyClicks(focused(), "2024-05-01")
        qtbot.keyClick(focused(), Qt.Key.Key_Return, CTRL)

    scripted.assessment.extend([keyboard_editor(qtbot, correct), keyboard_editor(qtbot, change)])
    window.matrix_view.select_cells([("FRA", "LTS-A.1")])
    window.matrix_view.table.setFocus()
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Return)
    idle(window)
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Return)
    idle(window)
    assert seen == {"no act chosen": True, "date": ("2020-01-01", False), "unchanged": True, "still open": True,
                    "change date": (window.controller.today().isoformat(), True), "change unchanged": True}
    history = reader.assessments.history("FRA", "LTS-A.1")  # newest first
    assert [(h.status, h.effective_date, h.note, h.provenance) for h in history] == [
        (Status.IMPLEMENTED, dt.date(2024, 5, 1), "Plan announced", Provenance.SELF_REPORTED),
        (Status.PLANNED, dt.date(2020, 1, 1), "Plan announced", Provenance.SELF_REPORTED),  # the correction
        (Status.PLANNED, dt.date(2020, 1, 1), "Plan anounced", Provenance.SELF_REPORTED),
    ]
    assert window.controller.undo_stack.undoText().startswith("Set FRA / LTS-A.1")


# --- undo ------------------------------------------------------------------------------------------
def test_failed_undo_leaves_the_undo_stack_as_it_was(make_window, db_path, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from tcbm_tracker.domain.vocabulary import Status

    window = make_window(db_path, busy_timeout_ms=200)
    record_by_keys(qtbot, window, idle, scripted, ("FRA", "LTS-B.4"), Status.PLANNED)
    stack = window.controller.undo_stack
    assert (stack.count(), stack.index()) == (1, 1)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Z, CTRL)
        idle(window)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert window.last_error is not None and window.last_error.windowTitle() == "The database is busy"
    # Nothing was written, and the edit can still be undone: the stack is where it was.
    assert (stack.count(), stack.index(), stack.undoText()) == (1, 1, "Set FRA / LTS-B.4 to Planned")
    assert [h.status for h in reader.assessments.history("FRA", "LTS-B.4")] == [Status.PLANNED]
    window.last_error.done(0)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(focused(), Qt.Key.Key_Z, CTRL)
    idle(window)
    assert stack.index() == 0
    assert [h.status for h in reader.assessments.history("FRA", "LTS-B.4")] == [Status.NOT_ASSESSED, Status.PLANNED]
    qtbot.keyClick(focused(), Qt.Key.Key_Z, CTRL | SHIFT)  # redo
    idle(window)
    assert stack.index() == 1
    assert reader.assessments.history("FRA", "LTS-B.4")[0].status is Status.PLANNED


def test_undo_restores_the_evidence_and_provenance_of_what_it_restores(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
    from tcbm_tracker.services.assessments import AssessmentInput
    from tcbm_tracker.services.evidence import EvidenceInput

    law = reader.evidence.add(EvidenceInput(title="Space operations act", symbol="A/AC.105/2018/1"))
    reader.assessments.record(AssessmentInput("KEN", "LTS-B.4", Status.PLANNED, Provenance.OFFICIAL_RECORD, Confidence.HIGH,
                                              "Plan announced", effective=dt.date(2020, 1, 1), evidence_ids=(law.id,)))
    window.controller.reload()
    idle(window)
    record_by_keys(qtbot, window, idle, scripted, ("KEN", "LTS-B.4"), Status.IMPLEMENTED)
    qtbot.keyClick(focused(), Qt.Key.Key_Z, CTRL)
    idle(window)
    restored = reader.assessments.history("KEN", "LTS-B.4")[0]
    assert (restored.status, restored.provenance, restored.confidence, restored.note, restored.evidence_ids) == (
        Status.PLANNED, Provenance.OFFICIAL_RECORD, Confidence.HIGH, "Plan announced", (law.id,))
    assert restored.effective_date == window.controller.today()  # the undone change's date


def test_status_bar_counts_only_cells_currently_assessed(window, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.domain.vocabulary import Status

    cells = len(window.matrix_view.model.actors) * len(window.matrix_view.model.measures)
    record_by_keys(qtbot, window, idle, scripted, ("FRA", "LTS-B.4"), Status.PLANNED)
    assert window.counts_label.text().endswith(f"· 1 of {cells:,} cells assessed")
    qtbot.keyClick(focused(), Qt.Key.Key_Z, CTRL)  # the cell is "not assessed" again (a new row says so)
    idle(window)
    assert window.counts_label.text().endswith(f"· 0 of {cells:,} cells assessed")


# --- the keyboard context menu ------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["menu key", "shift+f10"])
@pytest.mark.parametrize("row", [0, 2])  # 2 is the last row
def test_keyboard_context_menu_acts_on_the_current_row(window, qtbot, idle, how, row) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(focused(), "Arab")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # to the grid, first match
    assert focused() is mv.table
    names = [mv.proxy.index(r, 0).data() for r in range(mv.proxy.rowCount())]
    assert names == ["Saudi Arabia", "Syrian Arab Republic", "United Arab Emirates"]
    for _ in range(row):
        qtbot.keyClick(mv.table, Qt.Key.Key_Down)
    if how == "menu key":
        press_menu_key(window)
    else:
        qtbot.keyClick(mv.table, Qt.Key.Key_F10, SHIFT)
    menu = mv.last_menu
    assert menu is not None and menu.isVisible()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[-1] == f"Open dossier of {names[row]}"
    assert texts[-2] == "Open measure GGE-IV.1"
    # Choose the last item from the keyboard: the dossier of the current row opens.
    qtbot.keyClick(menu, Qt.Key.Key_Up)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    idle(window)
    assert window.tabs.currentWidget() is window.dossier_view
    assert window.dossier_view.dossier.actor.name == names[row]


# --- search ---------------------------------------------------------------------------------------------
def test_searching_a_state_never_filters_measures(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from tcbm_tracker.domain.vocabulary import Status
    from tcbm_tracker.services.assessments import AssessmentInput

    reader.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", Status.IMPLEMENTED, effective=dt.date(2020, 1, 1)),
                                    AssessmentInput("FRA", "GGE-IV.1", Status.NOT_IMPLEMENTED, effective=dt.date(2020, 1, 1))])
    window.controller.reload()
    idle(window)
    mv = window.matrix_view
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(focused(), "Fra")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert [mv.proxy.index(r, 0).data() for r in range(mv.proxy.rowCount())] == ["France"]
    assert mv.proxy.matching_measures == 37  # "frameworks" in two guideline titles does not matter
    # Over all 37 measures: 1 implemented of the 2 assessed (the rate is over assessed cells).
    assert mv.proxy.index(0, 1).data() == "50% · 1/2"
    assert mv.model.coverage[mv.model.row_of("FRA")].in_scope == 37
    assert mv.measure_banner.isHidden()
    # Measures only when asked, and then said plainly.
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(focused(), "m:frameworks")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert 0 < mv.proxy.matching_measures < 37
    assert mv.measure_banner.isVisible()
    assert mv.measure_banner.text().startswith(f"Measures filtered by “frameworks”: {mv.proxy.matching_measures} of 37 shown")
    assert focused() is mv.table
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # one key, from the grid
    assert mv.proxy.matching_measures == 37 and mv.measure_banner.isHidden() and mv.search.text() == ""
    qtbot.keyClick(focused(), Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(focused(), "m:debris")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # and from the search box
    assert mv.proxy.matching_measures == 37 and mv.measure_banner.isHidden()


# --- Ctrl+P ---------------------------------------------------------------------------------------------
def test_ctrl_p_reports_on_the_actor_viewed_last_and_names_it(window, qtbot, idle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    asked = []
    window.dialogs.ask_report_path = lambda parent, request: asked.append(request) or None  # Cancel in the file dialog
    action = window.reports.actions["actor"]
    # A cell of Japan made current in the matrix...
    go_to_actor_name(qtbot, window, "Japan")
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Right)
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Right)
    assert action.text() == "&Compliance Summary of Japan…"
    # ...then France's dossier, chosen in the Actor tab's picker, then back to the matrix.
    qtbot.keyClick(focused(), Qt.Key.Key_2, CTRL)
    idle(window)
    picker = window.dossier_view.picker
    qtbot.mouseClick(picker.lineEdit(), Qt.MouseButton.LeftButton)
    picker.lineEdit().selectAll()
    qtbot.keyClicks(picker.lineEdit(), "France (FRA)")
    qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    idle(window)
    assert window.dossier_view.dossier.actor.key == "FRA"
    qtbot.keyClick(focused(), Qt.Key.Key_1, CTRL)
    idle(window)
    assert window.tabs.currentWidget() is window.matrix_view
    assert action.text() == "&Compliance Summary of France…"
    qtbot.keyClick(focused(), Qt.Key.Key_P, CTRL)
    idle(window)
    assert [(r.kind, r.key) for r in asked] == [("actor", "FRA")]


def test_right_click_still_opens_the_menu_of_the_cell_clicked(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    go_to_actor_name(qtbot, window, "Kenya")  # the current cell is elsewhere
    index = mv.proxy.mapFromSource(mv.model.index(mv.model.row_of("FRA"), mv.model.column_of("LTS-B.4")))
    mv.table.scrollTo(index)
    # Through the window, as the platform delivers a click: Qt makes the context-menu event from it.
    where = mv.table.viewport().mapTo(window, mv.table.visualRect(index).center())
    qtbot.mouseClick(window.windowHandle(), Qt.MouseButton.RightButton, pos=where)
    qtbot.waitUntil(lambda: mv.last_menu is not None and mv.last_menu.isVisible())
    texts = [a.text() for a in mv.last_menu.actions() if not a.isSeparator()]
    assert texts[-2:] == ["Open measure LTS-B.4", "Open dossier of France"]
    mv.last_menu.close()
