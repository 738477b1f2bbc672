"""The undo history is bounded (``ui.controller.UNDO_LIMIT``, as editors bound theirs): each step
holds its edit's plan, so an unbounded stack grew for as long as the window stayed open (the
long session's memory, tests/gui/test_gui_long_session.py). Ctrl+Z takes back the newest
edits up to the limit; older edits stay in the record, and nothing is written for them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.ui import controller as controller_module
from tcbm_tracker.ui.edits import EditRequest
from tests.gui.test_gui_editing import cell_status


def test_the_window_keeps_a_bounded_undo_history(window) -> None:  # type: ignore[no-untyped-def]
    assert 0 < window.controller.undo_stack.undoLimit() == controller_module.UNDO_LIMIT


def test_ctrl_z_takes_back_the_newest_edits_up_to_the_limit(make_window, db_path: Path, qtbot, idle, reader,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(controller_module, "UNDO_LIMIT", 3)
    window = make_window(db_path)
    cells = [("FRA", "LTS-B.4"), ("DEU", "LTS-B.4"), ("ITA", "LTS-B.4"), ("KEN", "LTS-B.4"), ("CHN", "LTS-B.4")]
    for cell in cells:
        window.controller.record(EditRequest((cell,), Status.IMPLEMENTED, Provenance.ANALYST_JUDGMENT, Confidence.MEDIUM,
                                             dt.date.today()))
        idle(window)
    stack = window.controller.undo_stack
    assert stack.count() == 3
    table = window.matrix_view.table
    table.setFocus()
    for _ in range(4):  # one more than the history holds
        qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        idle(window)
    assert [cell_status(window, a, m) for a, m in cells] == ["implemented"] * 2 + ["not_assessed"] * 3
    assert [len(reader.assessments.history(a, m)) for a, m in cells] == [1, 1, 2, 2, 2]  # the edit, and its undo for the last three only
    assert not window.undo_action.isEnabled()
