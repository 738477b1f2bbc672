"""Every key in the keyboard table of docs/desktop.md does what the table says.

The table is read from the document, so that a key documented but not working (or documented
and not tested here) fails: each key is pressed on the focused widget and its effect checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gui_keys import ALT, CTRL, SHIFT, choose_status, focused, go_to_actor_name, keyboard_editor, press_menu_key
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput

DOC = Path(__file__).resolve().parents[2] / "docs" / "desktop.md"
KEY_TOKEN = re.compile(r"\b(?:Ctrl\+Shift\+\w+|Ctrl\+\w+|Alt\+\w+|Shift\+F10|F2|Enter|Esc|Menu)\b")


def documented_keys() -> list[tuple[str, str]]:
    """(row, key) for every key of the Keyboard table: the first column's keys, and keys named
    in the second column ("Ctrl+T back to today")."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Keyboard\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # after the heading and rule
    out: list[tuple[str, str]] = []
    for line in rows:
        keys, does = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if keys == "typing a name in the grid":
            out.append((keys, keys))
            continue
        if (span := re.fullmatch(r"Ctrl\+(\d) \.\.\. Ctrl\+(\d)", keys)) is not None:
            out += [(keys, f"Ctrl+{n}") for n in range(int(span[1]), int(span[2]) + 1)]
        else:
            out += [(keys, k) for k in KEY_TOKEN.findall(keys.split(", then")[0])]
        out += [(keys, k) for k in KEY_TOKEN.findall(does)]
    return out


@dataclass
class Ctx:
    window: Any
    qtbot: Any
    idle: Callable[..., None]
    scripted: Any
    reader: Any


def press(ctx: Ctx, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    ctx.qtbot.keyClick(focused(), key, modifiers)


def in_editor(ctx: Ctx, script: Callable[[Any], None], cell: tuple[str, str] = ("FRA", "LTS-B.4")) -> None:
    """Open the editor on ``cell`` with Enter, run ``script`` on the shown dialog."""
    ctx.scripted.assessment.append(keyboard_editor(ctx.qtbot, script))
    ctx.window.matrix_view.select_cells([cell])
    ctx.window.matrix_view.table.setFocus()
    press(ctx, Qt.Key.Key_Return)
    ctx.idle(ctx.window)
    assert ctx.scripted.assessment == [], "the editor did not open"
    ctx.qtbot.waitUntil(lambda: QApplication.activeWindow() is ctx.window and QApplication.focusWidget() is not None)


def check_search(ctx: Ctx) -> None:
    press(ctx, Qt.Key.Key_F, CTRL)
    assert focused() is ctx.window.matrix_view.search


def check_search_enter(ctx: Ctx) -> None:
    check_search(ctx)
    ctx.qtbot.keyClicks(focused(), "Kenya")
    press(ctx, Qt.Key.Key_Return)
    assert focused() is ctx.window.matrix_view.table
    assert ctx.window.matrix_view.table.currentIndex().siblingAtColumn(0).data() == "Kenya"


def check_esc_in_grid(ctx: Ctx) -> None:
    mv = ctx.window.matrix_view
    check_search(ctx)
    ctx.qtbot.keyClicks(focused(), "m:debris")
    press(ctx, Qt.Key.Key_Return)
    assert mv.proxy.matching_measures < 37 and focused() is mv.table
    press(ctx, Qt.Key.Key_Escape)
    assert mv.proxy.matching_measures == 37


def check_typing_a_name(ctx: Ctx) -> None:
    go_to_actor_name(ctx.qtbot, ctx.window, "Kenya")


def check_enter(ctx: Ctx) -> None:
    in_editor(ctx, lambda dialog: None)
    go_to_actor_name(ctx.qtbot, ctx.window, "Kenya")
    press(ctx, Qt.Key.Key_Return)
    ctx.idle(ctx.window)
    assert ctx.window.dossier_view.dossier.actor.key == "KEN"


def check_f2(ctx: Ctx) -> None:
    ctx.scripted.assessment.append(keyboard_editor(ctx.qtbot, lambda dialog: None))
    ctx.window.matrix_view.select_cells([("FRA", "LTS-B.4"), ("KEN", "LTS-B.4")])
    ctx.window.matrix_view.table.setFocus()
    press(ctx, Qt.Key.Key_F2)
    ctx.idle(ctx.window)
    assert ctx.scripted.assessment == []


def check_menu(how: str) -> Callable[[Ctx], None]:
    def check(ctx: Ctx) -> None:
        mv = ctx.window.matrix_view
        go_to_actor_name(ctx.qtbot, ctx.window, "Kenya")
        press(ctx, Qt.Key.Key_Right)
        press(ctx, Qt.Key.Key_Right)
        if how == "menu":
            press_menu_key(ctx.window)
        else:
            press(ctx, Qt.Key.Key_F10, SHIFT)
        assert mv.last_menu is not None and mv.last_menu.isVisible()
        assert mv.last_menu.actions()[-1].text() == "Open dossier of Kenya"
        mv.last_menu.close()

    return check


def check_record(ctx: Ctx) -> None:
    def script(dialog: Any) -> None:
        choose_status(ctx.qtbot, dialog, Status.PLANNED)
        press(ctx, Qt.Key.Key_Return, CTRL)
        assert not dialog.isVisible()

    in_editor(ctx, script)
    assert [h.status for h in ctx.reader.assessments.history("FRA", "LTS-B.4")] == [Status.PLANNED]


def check_cancel(ctx: Ctx) -> None:
    def script(dialog: Any) -> None:
        press(ctx, Qt.Key.Key_Escape)
        assert not dialog.isVisible()

    in_editor(ctx, script)
    assert ctx.reader.assessments.history("FRA", "LTS-B.4") == []


def assessed_cell(ctx: Ctx) -> None:
    ctx.reader.assessments.record(AssessmentInput("FRA", "LTS-A.1", Status.PLANNED, effective=dt.date(2020, 1, 1)))
    ctx.window.controller.reload()
    ctx.idle(ctx.window)


def check_act(letter: Qt.Key, attribute: str) -> Callable[[Ctx], None]:
    def check(ctx: Ctx) -> None:
        assessed_cell(ctx)

        def script(dialog: Any) -> None:
            press(ctx, letter, ALT)
            ctx.qtbot.waitUntil(getattr(dialog, attribute).isChecked)

        in_editor(ctx, script, ("FRA", "LTS-A.1"))

    return check


def check_status_field(ctx: Ctx) -> None:
    def script(dialog: Any) -> None:
        dialog.note.setFocus()
        press(ctx, Qt.Key.Key_S, ALT)
        assert focused() is dialog.status

    in_editor(ctx, script)


def check_add_evidence(ctx: Ctx) -> None:
    from tcbm_tracker.services.evidence import EvidenceInput

    def script(dialog: Any) -> None:
        press(ctx, Qt.Key.Key_A, ALT)
        ctx.qtbot.waitUntil(lambda: ctx.scripted.evidence == [])  # the evidence dialog was asked for
        assert [e.title for e in dialog.evidence_model.checked_new()] == ["Decree"]

    ctx.scripted.evidence.append(EvidenceInput(title="Decree"))
    in_editor(ctx, script)


def check_evidence_list(ctx: Ctx) -> None:
    def script(dialog: Any) -> None:
        press(ctx, Qt.Key.Key_V, ALT)
        assert focused() in (dialog.evidence_search, dialog.evidence_list)

    in_editor(ctx, script)


def recorded_edit(ctx: Ctx) -> None:
    from tcbm_tracker.domain.vocabulary import Confidence, Provenance
    from tcbm_tracker.ui.edits import EditRequest

    ctx.window.controller.record(EditRequest((("FRA", "LTS-B.4"),), Status.PLANNED, Provenance.ANALYST_JUDGMENT,
                                             Confidence.MEDIUM, ctx.window.controller.today()))
    ctx.idle(ctx.window)
    ctx.window.matrix_view.table.setFocus()


def check_undo(ctx: Ctx) -> None:
    recorded_edit(ctx)
    press(ctx, Qt.Key.Key_Z, CTRL)
    ctx.idle(ctx.window)
    assert ctx.window.controller.undo_stack.index() == 0


def check_redo(ctx: Ctx) -> None:
    check_undo(ctx)
    press(ctx, Qt.Key.Key_Z, CTRL | SHIFT)
    ctx.idle(ctx.window)
    assert ctx.window.controller.undo_stack.index() == 1


def check_as_of(ctx: Ctx) -> None:
    press(ctx, Qt.Key.Key_O, ALT)
    assert focused().window() is ctx.window and focused() in (ctx.window.as_of_edit, ctx.window.as_of_edit.lineEdit())
    ctx.qtbot.keyClicks(focused(), "2020")
    press(ctx, Qt.Key.Key_Return)
    ctx.qtbot.waitUntil(lambda: ctx.window.controller.as_of.year == 2020)


def check_today(ctx: Ctx) -> None:
    check_as_of(ctx)
    ctx.window.matrix_view.table.setFocus()
    press(ctx, Qt.Key.Key_T, CTRL)
    assert ctx.window.controller.is_today


def check_filter(letter: Qt.Key, box: str) -> Callable[[Ctx], None]:
    def check(ctx: Ctx) -> None:
        press(ctx, letter, ALT)
        assert focused() is getattr(ctx.window.matrix_view, box)

    return check


def check_tab(number: int) -> Callable[[Ctx], None]:
    def check(ctx: Ctx) -> None:
        if number == 1:
            ctx.window.tabs.setCurrentIndex(3)
        press(ctx, getattr(Qt.Key, f"Key_{number}"), CTRL)
        ctx.idle(ctx.window)
        assert ctx.window.tabs.currentIndex() == number - 1

    return check


def check_history(ctx: Ctx) -> None:
    shown = ctx.window.history_dock.isVisible()
    press(ctx, Qt.Key.Key_H, CTRL)
    assert ctx.window.history_dock.isVisible() is not shown


def check_report(ctx: Ctx) -> None:
    asked: list[Any] = []
    ctx.window.dialogs.ask_report_path = lambda parent, request: asked.append(request)
    go_to_actor_name(ctx.qtbot, ctx.window, "Kenya")
    press(ctx, Qt.Key.Key_P, CTRL)
    assert [(r.kind, r.key) for r in asked] == [("actor", "KEN")]


def check_file_dialog(key: Qt.Key) -> Callable[[Ctx], None]:
    def check(ctx: Ctx) -> None:
        ctx.scripted.paths.append(None)  # the user cancels the file dialog
        press(ctx, key, CTRL)
        assert ctx.scripted.paths == []

    return check


def check_quit(ctx: Ctx) -> None:
    press(ctx, Qt.Key.Key_Q, CTRL)
    ctx.qtbot.waitUntil(lambda: not ctx.window.isVisible())


def check_next_tab(ctx: Ctx) -> None:
    tabs = ctx.window.tabs
    for expected in (ctx.window.dossier_view, ctx.window.measure_view):
        press(ctx, Qt.Key.Key_Tab, CTRL)
        ctx.idle(ctx.window)
        assert tabs.currentWidget() is expected


def check_previous_tab(ctx: Ctx) -> None:
    tabs = ctx.window.tabs
    press(ctx, Qt.Key.Key_3, CTRL)  # the Measure tab
    ctx.idle(ctx.window)
    for expected in (ctx.window.dossier_view, ctx.window.matrix_view):
        press(ctx, Qt.Key.Key_Backtab, CTRL | SHIFT)
        ctx.idle(ctx.window)
        assert tabs.currentWidget() is expected


def pick(ctx: Ctx, tab: Qt.Key, letter: Qt.Key, view: Any, typed: str) -> None:
    """Ctrl+<tab>, then Alt+<letter> (the picker), type part of a name, Enter."""
    press(ctx, tab, CTRL)
    ctx.idle(ctx.window)
    press(ctx, letter, ALT)
    picker = view.picker
    assert focused() in (picker, picker.lineEdit())
    picker.lineEdit().selectAll()
    ctx.qtbot.keyClicks(focused(), typed)
    # Typing opens the completer's list; Qt sends the next key to that list, as here.
    ctx.qtbot.keyClick(QApplication.activePopupWidget() or focused(), Qt.Key.Key_Return)
    ctx.idle(ctx.window)


def check_actor_picker(ctx: Ctx) -> None:
    pick(ctx, Qt.Key.Key_2, Qt.Key.Key_T, ctx.window.dossier_view, "Keny")
    assert ctx.window.dossier_view.dossier is not None and ctx.window.dossier_view.dossier.actor.key == "KEN"


def check_measure_picker(ctx: Ctx) -> None:
    pick(ctx, Qt.Key.Key_3, Qt.Key.Key_U, ctx.window.measure_view, "all orbital phases")
    overview = ctx.window.measure_view.overview
    assert overview is not None and overview.measure.key == "LTS-B.4"


def check_picker_enter(ctx: Ctx) -> None:
    """Enter chooses the best match of the typed part (a word in the middle of the name) without
    choosing in the completer's list, and closes that list."""
    pick(ctx, Qt.Key.Key_2, Qt.Key.Key_T, ctx.window.dossier_view, "zeal")
    assert ctx.window.dossier_view.dossier.actor.key == "NZL"
    assert QApplication.activePopupWidget() is None


def actor_at_row(ctx: Ctx, row: int) -> str:
    mv = ctx.window.matrix_view
    return str(mv.model.actor_at(mv.proxy.mapToSource(mv.proxy.index(row, 0)).row()).name)


def check_sort_current_column(ctx: Ctx) -> None:
    """Ctrl+Shift+S sorts by the cursor's column; again reverses (Zimbabwe's one assessment
    goes from below every unassessed actor to the top)."""
    ctx.reader.assessments.record(AssessmentInput("ZWE", "LTS-A.1", Status.IMPLEMENTED))
    ctx.window.controller.reload()
    ctx.idle(ctx.window)
    mv = ctx.window.matrix_view
    go_to_actor_name(ctx.qtbot, ctx.window, "Kenya")
    column = mv.model.column_of("LTS-A.1")
    while mv.table.currentIndex().column() < column:
        press(ctx, Qt.Key.Key_Right)
    header = mv.table.horizontalHeader()
    press(ctx, Qt.Key.Key_S, CTRL | SHIFT)
    assert header.sortIndicatorSection() == column
    first_order = header.sortIndicatorOrder()
    assert actor_at_row(ctx, 0) != "Zimbabwe"
    press(ctx, Qt.Key.Key_S, CTRL | SHIFT)
    assert header.sortIndicatorSection() == column and header.sortIndicatorOrder() != first_order
    assert actor_at_row(ctx, 0) == "Zimbabwe"


def check_copy(ctx: Ctx) -> None:
    from tcbm_tracker.ui.matrix_model import FIRST_MEASURE_COLUMN

    ctx.reader.assessments.record_many([AssessmentInput("AFG", "GGE-IV.2", Status.IMPLEMENTED),
                                        AssessmentInput("ALB", "GGE-IV.1", Status.PLANNED)])
    ctx.window.controller.reload()
    ctx.idle(ctx.window)
    QApplication.clipboard().clear()
    go_to_actor_name(ctx.qtbot, ctx.window, "Afghanistan")
    for _ in range(FIRST_MEASURE_COLUMN):
        press(ctx, Qt.Key.Key_Right)  # Afghanistan, GGE-IV.1
    press(ctx, Qt.Key.Key_Right, SHIFT)
    press(ctx, Qt.Key.Key_Down, SHIFT)  # 2 x 2 cells
    press(ctx, Qt.Key.Key_C, CTRL)
    assert QApplication.clipboard().text() == ("Actor\tGGE-IV.1\tGGE-IV.2\n"
                                               "Afghanistan\tNot assessed\tImplemented\n"
                                               "Albania\tPlanned\tNot assessed\n")


def closed_by_esc(ctx: Ctx, dialog: Any) -> None:
    """Esc closes ``dialog``; the keyboard is back in the grid, where it was."""
    ctx.qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    press(ctx, Qt.Key.Key_Escape)
    ctx.idle(ctx.window)
    assert not dialog.isVisible()
    ctx.qtbot.waitUntil(lambda: QApplication.focusWidget() is ctx.window.matrix_view.table)


def check_import(ctx: Ctx) -> None:
    """Ctrl+Shift+I asks for spreadsheets, checks them and shows the preview, shown without a
    nested event loop (the key returned with it open); Esc closes it and nothing is imported."""
    sheet = Path(ctx.reader.path).parent / "mission.csv"
    sheet.write_text("actor,measure,effective_date,status,note\r\nFRA,LTS-B.4,2019-06-21,implemented,\r\n", encoding="utf-8")
    asked: list[Any] = []
    ctx.window.exchange.questions.ask_import_paths = lambda parent: asked.append(parent) or [sheet]
    press(ctx, Qt.Key.Key_I, CTRL | SHIFT)
    ctx.idle(ctx.window)
    assert asked == [ctx.window]
    preview = ctx.window.exchange.preview
    assert preview is not None and preview.isVisible() and preview.parent() is ctx.window
    assert "1 assessment(s) and 0 evidence item(s) to add" in preview.summary.text()
    closed_by_esc(ctx, preview)
    assert ctx.reader.queries.matrix().cells == {}


def check_export(ctx: Ctx) -> None:
    """Ctrl+Shift+E asks where to export (the system's save dialog, answered here) and writes it."""
    from tcbm_tracker.ui.exchange_actions import ExportChoice

    ctx.reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED, effective=dt.date(2019, 6, 21)))
    out = Path(ctx.reader.path).parent / "record.csv"
    asked: list[Any] = []
    ctx.window.exchange.questions.ask_export = lambda parent: asked.append(parent) or ExportChoice(out, "assessments")
    press(ctx, Qt.Key.Key_E, CTRL | SHIFT)
    ctx.idle(ctx.window)
    assert asked == [ctx.window]
    assert "FRA,LTS-B.4,2019-06-21,implemented" in out.read_text(encoding="utf-8")
    assert f"Wrote {out}" in ctx.window.statusBar().currentMessage()
    assert focused() is ctx.window.matrix_view.table


def check_backups(ctx: Ctx) -> None:
    """Ctrl+Shift+B shows the backups list (opening the window made the day's backup); Esc closes it."""
    press(ctx, Qt.Key.Key_B, CTRL | SHIFT)
    ctx.idle(ctx.window)
    dialog = ctx.window.exchange.backups
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Backups"
    assert [info.reason for info, ok in dialog.model.rows] == ["daily"]
    closed_by_esc(ctx, dialog)


def check_exchange_package(ctx: Ctx) -> None:
    """Ctrl+Shift+X shows the Exchange Package window with this copy's fingerprint; Esc closes it."""
    press(ctx, Qt.Key.Key_X, CTRL | SHIFT)
    ctx.idle(ctx.window)
    hub = ctx.window.exchange.packages.hub
    assert hub is not None and hub.isVisible() and hub.windowTitle() == "Exchange Package"
    ctx.qtbot.waitUntil(lambda: len(hub.fingerprint) == 64)
    closed_by_esc(ctx, hub)


def written_report(ctx: Ctx) -> tuple[Path, list[str]]:
    """Kenya's summary written by Ctrl+P (the path answered here); the bar offering to open it
    is shown, its opener replaced by a recorder."""
    out = Path(ctx.reader.path).parent / "kenya.pdf"
    ctx.window.dialogs.ask_report_path = lambda parent, request: out
    bar = ctx.window.reports.done_bar
    opened: list[str] = []
    bar.open_url = lambda url: opened.append(url.toLocalFile())
    go_to_actor_name(ctx.qtbot, ctx.window, "Kenya")
    press(ctx, Qt.Key.Key_P, CTRL)
    ctx.idle(ctx.window, 60_000)
    assert out.exists()
    ctx.qtbot.waitUntil(bar.isVisible)
    ctx.qtbot.waitUntil(lambda: QApplication.activeWindow() is ctx.window)
    return out, opened


def check_open_report(ctx: Ctx) -> None:
    out, opened = written_report(ctx)
    press(ctx, Qt.Key.Key_P, ALT)  # a mnemonic clicks after a short animation
    ctx.qtbot.waitUntil(lambda: opened == [str(out)])
    assert focused() is ctx.window.matrix_view.table


def check_show_folder(ctx: Ctx) -> None:
    out, opened = written_report(ctx)
    press(ctx, Qt.Key.Key_D, ALT)
    ctx.qtbot.waitUntil(lambda: opened == [str(out.parent)])
    assert focused() is ctx.window.matrix_view.table


CHECKS: dict[tuple[str, str], Callable[[Ctx], None]] = {
    ("Ctrl+F", "Ctrl+F"): check_search,
    ("Ctrl+F", "Enter"): check_search_enter,
    ("Esc", "Esc"): check_esc_in_grid,
    ("typing a name in the grid", "typing a name in the grid"): check_typing_a_name,
    ("Enter", "Enter"): check_enter,
    ("F2", "F2"): check_f2,
    ("Menu, Shift+F10", "Menu"): check_menu("menu"),
    ("Menu, Shift+F10", "Shift+F10"): check_menu("shift+f10"),
    ("Ctrl+Enter, Esc", "Ctrl+Enter"): check_record,
    ("Ctrl+Enter, Esc", "Esc"): check_cancel,
    ("Alt+R, Alt+H", "Alt+R"): check_act(Qt.Key.Key_R, "correct_mode"),
    ("Alt+R, Alt+H", "Alt+H"): check_act(Qt.Key.Key_H, "change_mode"),
    ("Alt+S", "Alt+S"): check_status_field,
    ("Alt+A, Alt+V", "Alt+A"): check_add_evidence,
    ("Alt+A, Alt+V", "Alt+V"): check_evidence_list,
    ("Ctrl+Z, Ctrl+Shift+Z", "Ctrl+Z"): check_undo,
    ("Ctrl+Z, Ctrl+Shift+Z", "Ctrl+Shift+Z"): check_redo,
    ("Alt+O, then Up/Down or a year", "Alt+O"): check_as_of,
    ("Alt+O, then Up/Down or a year", "Ctrl+T"): check_today,
    ("Alt+T, Alt+G, Alt+I, Alt+U", "Alt+T"): check_filter(Qt.Key.Key_T, "catalog_box"),
    ("Alt+T, Alt+G, Alt+I, Alt+U", "Alt+G"): check_filter(Qt.Key.Key_G, "group_box"),
    ("Alt+T, Alt+G, Alt+I, Alt+U", "Alt+I"): check_filter(Qt.Key.Key_I, "region_box"),
    ("Alt+T, Alt+G, Alt+I, Alt+U", "Alt+U"): check_filter(Qt.Key.Key_U, "status_box"),
    **{("Ctrl+1 ... Ctrl+4", f"Ctrl+{n}"): check_tab(n) for n in range(1, 5)},
    ("Ctrl+1 ... Ctrl+4", "Ctrl+H"): check_history,
    ("Ctrl+P", "Ctrl+P"): check_report,
    ("Ctrl+O, Ctrl+N, Ctrl+Q", "Ctrl+O"): check_file_dialog(Qt.Key.Key_O),
    ("Ctrl+O, Ctrl+N, Ctrl+Q", "Ctrl+N"): check_file_dialog(Qt.Key.Key_N),
    ("Ctrl+O, Ctrl+N, Ctrl+Q", "Ctrl+Q"): check_quit,
    ("Ctrl+Tab, Ctrl+Shift+Tab", "Ctrl+Tab"): check_next_tab,
    ("Ctrl+Tab, Ctrl+Shift+Tab", "Ctrl+Shift+Tab"): check_previous_tab,
    ("Alt+T, Alt+U", "Alt+T"): check_actor_picker,
    ("Alt+T, Alt+U", "Alt+U"): check_measure_picker,
    ("Alt+T, Alt+U", "Enter"): check_picker_enter,
    ("Ctrl+Shift+S", "Ctrl+Shift+S"): check_sort_current_column,
    ("Ctrl+C", "Ctrl+C"): check_copy,
    ("Ctrl+Shift+I, Ctrl+Shift+E, Ctrl+Shift+B", "Ctrl+Shift+I"): check_import,
    ("Ctrl+Shift+I, Ctrl+Shift+E, Ctrl+Shift+B", "Ctrl+Shift+E"): check_export,
    ("Ctrl+Shift+I, Ctrl+Shift+E, Ctrl+Shift+B", "Ctrl+Shift+B"): check_backups,
    ("Ctrl+Shift+X", "Ctrl+Shift+X"): check_exchange_package,
    ("Alt+P, Alt+D", "Alt+P"): check_open_report,
    ("Alt+P, Alt+D", "Alt+D"): check_show_folder,
}


def test_the_table_is_read_and_every_check_is_for_a_documented_key() -> None:
    keys = documented_keys()
    assert len(keys) >= 25
    assert set(CHECKS) <= set(keys), f"checks for keys the document no longer lists: {set(CHECKS) - set(keys)}"


@pytest.mark.parametrize(("row", "key"), documented_keys(), ids=lambda v: v)
def test_documented_key_does_what_the_table_says(window, qtbot, idle, scripted, reader, row, key) -> None:  # type: ignore[no-untyped-def]
    check = CHECKS.get((row, key))
    assert check is not None, f"docs/desktop.md documents {key!r} ({row}) but no test presses it"
    window.matrix_view.table.setFocus()
    assert QApplication.focusWidget() is window.matrix_view.table
    check(Ctx(window, qtbot, idle, scripted, reader))
