"""Live updates: two trackers on one file, a write through one reaches the other window's cells."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.change_feed import ChangeFeed
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import STATUS_ROLE


def cell_status(window: MainWindow, actor: str, measure: str) -> str:
    m = window.matrix_view.model
    return m.data(m.index(m.row_of(actor), m.column_of(measure)), STATUS_ROLE)


def write_elsewhere(path: Path, actor: str, measure: str, status: str, user: str = "alice") -> None:
    other = open_tracker(path, user=user)
    try:
        other.assessments.record(AssessmentInput(actor=actor, measure=measure, status=status))
    finally:
        other.close()


def test_a_write_through_another_tracker_repaints_only_that_cell(window, qtbot, db_path) -> None:  # type: ignore[no-untyped-def]
    model = window.matrix_view.model
    qtbot.waitUntil(lambda: window.live.live._cursor is not None, timeout=5000)  # the first poll took its position
    changed: list[tuple[int, int, int, int]] = []
    resets: list[str] = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), a.column(), b.row(), b.column())))
    model.modelReset.connect(lambda: resets.append("reset"))
    model.layoutChanged.connect(lambda *a: resets.append("layout"))
    write_elsewhere(db_path, "FRA", "LTS-B.4", "implemented")
    qtbot.waitUntil(lambda: cell_status(window, "FRA", "LTS-B.4") == "implemented", timeout=3000)
    row, col = model.row_of("FRA"), model.column_of("LTS-B.4")
    # The cell itself and its row's coverage figure, which it moves; nothing else, no reload.
    assert sorted(set(changed)) == sorted({(row, col, row, col), (row, 1, row, 1)})
    assert resets == []
    assert "alice recorded" in window.live.last_message and "LTS-B.4" in window.live.last_message
    assert "alice recorded" in window.statusBar().currentMessage()


def test_an_open_cell_history_is_read_again(window, qtbot, idle, db_path) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Right)
    qtbot.keyClick(mv.table, Qt.Key.Key_Left)
    idle(window)
    history = window.history_view.history
    assert history is not None and (history.actor, history.measure) == ("FRA", "LTS-B.4")
    assert history.entries == ()
    write_elsewhere(db_path, "FRA", "LTS-B.4", "partially_implemented")
    qtbot.waitUntil(lambda: len(window.history_view.history.entries) == 1, timeout=3000)
    assert window.history_view.history.entries[0].recorded_by == "alice"


def test_an_open_editor_says_the_cell_changed_while_editing(window, qtbot, idle, db_path, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, Any] = {}

    def answer(parent, context, validate, ask_evidence):  # type: ignore[no-untyped-def]
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        dialog.show()
        dialog.status.setCurrentIndex(dialog.status.findData(Status.IMPLEMENTED.value))
        write_elsewhere(db_path, "FRA", "LTS-B.4", "not_implemented")
        qtbot.waitUntil(dialog.changed_elsewhere.isVisible, timeout=3000)
        seen["text"] = dialog.changed_elsewhere.text()
        request = dialog.request()
        dialog.close()
        dialog.deleteLater()
        return request

    scripted.assessment.append(answer)
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)
    idle(window)
    assert seen["text"].startswith("changed by alice at ") and "while you were editing" in seen["text"]
    # Both are kept, append-only: theirs, then this window's.
    history = reader.assessments.history("FRA", "LTS-B.4")
    assert [h.recorded_by for h in history] == ["tester", "alice"]


def test_a_file_moved_away_shows_a_banner_refuses_edits_and_reconnects(window, qtbot, idle, db_path, scripted) -> None:  # type: ignore[no-untyped-def]
    banner = window.live.banner
    assert banner.isHidden()
    away = db_path.with_name("moved.sqlite")
    db_path.rename(away)
    qtbot.waitUntil(banner.isVisible, timeout=3000)
    assert banner.text().startswith(f"Cannot read {db_path}: it is no longer there.")
    assert "edits are refused" in banner.text()
    assert window.saved_label.text() == "Not connected"
    # Still readable with what it has.
    assert window.matrix_view.model.rowCount() > 100
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)
    idle(window)
    assert window.last_error is not None
    assert "Editing is paused" in window.last_error.text()  # type: ignore[attr-defined]
    assert scripted.assessment == []  # no editor opened
    away.rename(db_path)
    qtbot.waitUntil(banner.isHidden, timeout=3000)
    assert window.controller.unavailable_reason is None
    assert window.saved_label.text() == "All changes saved"


def test_an_edit_in_flight_when_the_server_goes_is_reported_not_saved(window, qtbot, idle, reader) -> None:  # type: ignore[no-untyped-def]
    window.live.live.stop()  # the banner has not come up yet when the edit goes out
    feed = ChangeFeed.of(window.controller.tracker.db)
    feed.fail_with = "the server closed the connection"

    def answer(parent, context, validate, ask_evidence):  # type: ignore[no-untyped-def]
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        dialog.status.setCurrentIndex(dialog.status.findData(Status.IMPLEMENTED.value))
        request = dialog.request()
        dialog.deleteLater()
        return request

    window.dialogs.ask_assessment = answer
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)
    idle(window)
    assert window.last_error is not None
    assert "Not saved: the server closed the connection" in window.last_error.text()  # type: ignore[attr-defined]
    assert reader.assessments.history("FRA", "LTS-B.4") == []
    assert window.controller.undo_stack.count() == 0
    window.live.live.timer.start()
    qtbot.waitUntil(window.live.banner.isVisible, timeout=3000)
    assert window.live.banner.text().startswith("Cannot reach the database: the server closed the connection.")
    feed.fail_with = None
    qtbot.waitUntil(window.live.banner.isHidden, timeout=3000)


def test_an_undo_while_the_file_is_gone_is_not_saved_and_stays_available(window, qtbot, idle, db_path, reader) -> None:  # type: ignore[no-untyped-def]
    def answer(parent, context, validate, ask_evidence):  # type: ignore[no-untyped-def]
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        dialog.status.setCurrentIndex(dialog.status.findData(Status.IMPLEMENTED.value))
        request = dialog.request()
        dialog.deleteLater()
        return request

    window.dialogs.ask_assessment = answer
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)
    idle(window)
    assert window.controller.undo_stack.count() == 1
    window.live.live.stop()  # before the banner: the undo goes out and must find the file gone
    away = db_path.with_name("moved.sqlite")
    db_path.rename(away)
    qtbot.keyClick(mv.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(window)
    assert "Not saved: cannot read" in window.last_error.text()  # type: ignore[union-attr]
    assert window.controller.undo_stack.canUndo()  # still there to try again
    away.rename(db_path)
    assert len(reader.assessments.history("FRA", "LTS-B.4")) == 1


def test_an_unexpected_poll_failure_is_said_once_not_every_second(window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    live = window.live.live
    feed = live.feed
    calls: list[int] = []
    errors: list[BaseException] = []

    def broken(after: int, **kw: object) -> None:
        calls.append(after)
        raise RuntimeError("unexpected")

    monkeypatch.setattr(feed, "since", broken)
    window.controller.error_occurred.connect(lambda exc, details: errors.append(exc))
    live.timer.setInterval(30)
    qtbot.waitUntil(lambda: len(calls) >= 4, timeout=5000)
    assert len(errors) == 1 and str(errors[0]) == "unexpected"
    assert window.live.banner.isHidden()  # not a lost database: no banner


def test_an_open_dossier_is_read_again(window, qtbot, idle, db_path) -> None:  # type: ignore[no-untyped-def]
    window.open_actor("FRA")
    idle(window)

    def status_in_dossier() -> Status:
        dossier = window.dossier_view.dossier
        return next(e.status for e in dossier.entries if e.measure.key == "LTS-B.4")

    assert status_in_dossier() is Status.NOT_ASSESSED
    write_elsewhere(db_path, "FRA", "LTS-B.4", "planned")
    qtbot.waitUntil(lambda: status_in_dossier() is Status.PLANNED, timeout=3000)
