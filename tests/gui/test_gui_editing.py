"""Editing through the main window: one cell, bulk edit, undo/redo, all written at once."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
from tcbm_tracker.ui.edits import EditRequest
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import STATUS_ROLE


def cell_status(window: MainWindow, actor: str, measure: str) -> str:
    m = window.matrix_view.model
    return m.data(m.index(m.row_of(actor), m.column_of(measure)), STATUS_ROLE)


def fill_editor(status: Status, note: str, *, effective: str | None = None, add_evidence: bool = False):  # type: ignore[no-untyped-def]
    """An answer that drives the real editor like a user would, without exec()."""

    def answer(parent, context, validate, ask_evidence):  # type: ignore[no-untyped-def]
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        if dialog.asks_mode:  # an assessed cell: these tests record a change (from a new date)
            dialog.change_mode.setChecked(True)
        dialog.status.setCurrentIndex(dialog.status.findData(status.value))
        dialog.note.setPlainText(note)
        if effective is not None:
            dialog.effective.setText(effective)
        if add_evidence:
            dialog.add_evidence_button.click()
        assert dialog.record_button.isEnabled(), dialog.errors()
        request = dialog.request()
        dialog.deleteLater()
        return request

    return answer


def test_edit_one_cell_through_the_editor(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    scripted.assessment.append(fill_editor(Status.IMPLEMENTED, "Law adopted", add_evidence=True))
    scripted.evidence.append(EvidenceInput(title="Space operations act", symbol="A/AC.105/2024/1"))
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)  # Enter edits the selected cell
    idle(window)
    assert scripted.assessment == [] and scripted.evidence == []
    # Committed at once: another connection sees it, with the new evidence linked.
    history = reader.assessments.history("FRA", "LTS-B.4")
    assert [(h.status, h.note, h.recorded_by) for h in history] == [(Status.IMPLEMENTED, "Law adopted", "tester")]
    assert [reader.evidence.get(e).symbol for e in history[0].evidence_ids] == ["A/AC.105/2024/1"]
    assert cell_status(window, "FRA", "LTS-B.4") == "implemented"
    assert "Saved 1 assessment" in window.saved_label.text()
    assert window.controller.undo_stack.count() == 1


def test_bulk_edit_is_one_change(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    cells = [(a, m) for a in ("FRA", "KEN", "BRA") for m in ("LTS-B.4", "LTS-B.5")]
    scripted.assessment.append(fill_editor(Status.NO_INFORMATION, "Nothing published"))
    mv = window.matrix_view
    mv.select_cells(cells)
    assert sorted(mv.selected_cells()) == sorted(cells)
    window.edit_action.trigger()
    idle(window)
    stamps = set()
    for a, m in cells:
        (h,) = reader.assessments.history(a, m)
        assert h.status is Status.NO_INFORMATION
        stamps.add(h.recorded_at)
        assert cell_status(window, a, m) == "no_information"
    assert len(stamps) == 1  # one transaction: one recording instant
    assert window.controller.undo_stack.count() == 1
    assert window.controller.undo_stack.undoText() == "Set 6 cells to No information"


def test_undo_and_redo_record_new_assessments(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    # KEN / LTS-B.4 had an assessment before; FRA / LTS-B.4 had none.
    reader.assessments.record(AssessmentInput("KEN", "LTS-B.4", Status.PLANNED, Provenance.SELF_REPORTED,
                                              Confidence.HIGH, "Plan announced", effective=dt.date(2020, 1, 1)))
    window.controller.reload()
    idle(window)
    scripted.assessment.append(fill_editor(Status.IMPLEMENTED, "Done"))
    window.matrix_view.select_cells([("FRA", "LTS-B.4"), ("KEN", "LTS-B.4")])
    window.edit_action.trigger()
    idle(window)
    assert cell_status(window, "KEN", "LTS-B.4") == "implemented"

    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z
    idle(window)
    assert cell_status(window, "KEN", "LTS-B.4") == "planned"
    assert cell_status(window, "FRA", "LTS-B.4") == "not_assessed"
    ken = reader.assessments.history("KEN", "LTS-B.4")
    # Nothing deleted: plan, edit, and the undo that restores the plan (same provenance and note).
    assert [h.status for h in ken] == [Status.PLANNED, Status.IMPLEMENTED, Status.PLANNED]
    assert (ken[0].provenance, ken[0].confidence, ken[0].note) == (Provenance.SELF_REPORTED, Confidence.HIGH, "Plan announced")
    fra = reader.assessments.history("FRA", "LTS-B.4")
    assert [h.status for h in fra] == [Status.NOT_ASSESSED, Status.IMPLEMENTED]

    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # Ctrl+Shift+Z
    idle(window)
    assert cell_status(window, "KEN", "LTS-B.4") == "implemented"
    assert cell_status(window, "FRA", "LTS-B.4") == "implemented"
    assert len(reader.assessments.history("FRA", "LTS-B.4")) == 3
    # The 2020 picture is untouched by all of this.
    window.set_as_of(dt.date(2021, 1, 1))
    idle(window)
    assert cell_status(window, "KEN", "LTS-B.4") == "planned"


def test_undo_of_a_backdated_edit_restores_that_date_only(window, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record_many([
        AssessmentInput("FRA", "LTS-A.1", Status.PLANNED, effective=dt.date(2019, 7, 1)),
        AssessmentInput("FRA", "LTS-A.1", Status.IMPLEMENTED, effective=dt.date(2022, 1, 1)),
    ])
    scripted.assessment.append(fill_editor(Status.NOT_IMPLEMENTED, "Correction", effective="2020-06-01"))
    window.matrix_view.select_cells([("FRA", "LTS-A.1")])
    window.edit_action.trigger()
    idle(window)
    q = reader.queries
    assert q.matrix(as_of="2021-01-01").status("FRA", "LTS-A.1") is Status.NOT_IMPLEMENTED
    assert q.matrix().status("FRA", "LTS-A.1") is Status.IMPLEMENTED  # a later assessment still wins today
    window.undo_action.trigger()
    idle(window)
    assert q.matrix(as_of="2021-01-01").status("FRA", "LTS-A.1") is Status.PLANNED
    assert q.matrix(as_of="2019-08-01").status("FRA", "LTS-A.1") is Status.PLANNED
    assert q.matrix().status("FRA", "LTS-A.1") is Status.IMPLEMENTED


def test_cancelled_editor_changes_nothing(window, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    scripted.assessment.append(lambda *args: None)
    window.matrix_view.select_cells([("FRA", "LTS-B.4")])
    window.edit_action.trigger()
    idle(window)
    assert reader.assessments.history("FRA", "LTS-B.4") == []
    assert window.controller.undo_stack.count() == 0


def test_long_bulk_edit_can_be_cancelled_before_it_writes(window, qtbot, idle, reader) -> None:  # type: ignore[no-untyped-def]
    import threading

    gate = threading.Event()
    window.controller.runner.submit("blocker", lambda ctx: gate.wait(10))
    cells = tuple((a.key, m.key) for a in window.matrix_view.model.actors[:20] for m in window.matrix_view.model.measures)
    request = EditRequest(cells, Status.IMPLEMENTED, Provenance.ANALYST_JUDGMENT, Confidence.LOW, dt.date.today())
    job = window.controller.record(request)
    assert job is not None and window.progress is not None  # a long job gets a progress dialog
    cancelled = []
    job.signals.cancelled.connect(lambda: cancelled.append(True))
    from PySide6.QtWidgets import QPushButton

    window.progress.findChild(QPushButton).click()  # the user presses Cancel
    gate.set()
    idle(window)
    assert cancelled == [True]
    assert reader.queries.matrix().cells == {}
    assert window.controller.undo_stack.count() == 0


def test_long_bulk_edit_reports_progress_and_writes_everything(window, idle, reader) -> None:  # type: ignore[no-untyped-def]
    cells = tuple((a.key, m.key) for a in window.matrix_view.model.actors[:30] for m in window.matrix_view.model.measures)
    request = EditRequest(cells, Status.PLANNED, Provenance.ANALYST_JUDGMENT, Confidence.LOW, dt.date.today())
    job = window.controller.record(request)
    steps: list[tuple[int, int]] = []
    job.signals.progressed.connect(lambda done, total, text: steps.append((done, total)))
    idle(window)
    assert steps and all(total == len(cells) for _, total in steps)
    assert len(reader.queries.matrix().cells) == len(cells) == 30 * 37
    window.undo_action.trigger()
    idle(window)
    assert all(c.status is Status.NOT_ASSESSED for c in reader.queries.matrix().cells.values())


def test_selecting_actor_names_bulk_edits_their_visible_rows(window, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QItemSelectionModel

    mv = window.matrix_view
    mv.catalog_box.setCurrentIndex(mv.catalog_box.findData("GGE2013"))  # 16 measures shown
    selection = mv.table.selectionModel()
    for actor in ("FRA", "KEN"):
        row = mv.proxy.mapFromSource(mv.model.index(mv.model.row_of(actor), 0))
        selection.select(row, QItemSelectionModel.SelectionFlag.Select)
    cells = mv.selected_cells()
    assert len(cells) == 32 and all(m.startswith("GGE-") for _, m in cells)
    scripted.assessment.append(fill_editor(Status.PLANNED, "Both rows"))
    window.edit_action.trigger()
    idle(window)
    matrix = reader.queries.matrix()
    assert sum(1 for (a, m), c in matrix.cells.items() if c.status is Status.PLANNED) == 32


def test_selected_cells_from_ranges_match_cell_by_cell_reading(window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, FIRST_MEASURE_COLUMN

    mv = window.matrix_view
    mv.catalog_box.setCurrentIndex(mv.catalog_box.findData("LTS2019"))  # columns filtered
    mv.table.sortByColumn(ACTOR_COLUMN, Qt.SortOrder.DescendingOrder)  # rows re-ordered
    selection = QItemSelection()
    p = mv.proxy
    selection.select(p.index(2, FIRST_MEASURE_COLUMN + 1), p.index(5, FIRST_MEASURE_COLUMN + 3))
    selection.select(p.index(4, FIRST_MEASURE_COLUMN + 2), p.index(8, FIRST_MEASURE_COLUMN + 6))  # overlaps
    selection.select(p.index(10, ACTOR_COLUMN), p.index(11, ACTOR_COLUMN))  # whole rows
    mv.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    expected: list[tuple[str, str]] = []  # the same rule, read index by index
    for index in sorted(mv.table.selectionModel().selectedIndexes(), key=lambda i: (i.row(), i.column())):
        actor = mv.model.actor_at(p.mapToSource(index).row()).key
        columns = range(FIRST_MEASURE_COLUMN, p.columnCount()) if p.mapToSource(index).column() == ACTOR_COLUMN else [index.column()]
        for c in columns:
            m = mv.model.measure_at(p.mapToSource(p.index(index.row(), c)).column())
            if m is not None and (actor, m.key) not in expected:
                expected.append((actor, m.key))
    cells = mv.selected_cells()
    assert cells == expected
    assert len(cells) == 4 * 3 + 5 * 5 - 2 * 2 + 2 * 21  # the overlap once; 21 LTS guidelines per whole row
    assert all(m.startswith("LTS-") for _, m in cells)


def test_editing_and_undoing_keep_a_citations_pinpoint(window, qtbot, idle, scripted, reader) -> None:  # type: ignore[no-untyped-def]
    replies = reader.evidence.add(EvidenceInput(title="Replies", symbol="A/72/65", evidence_type="un_process")).id
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.PLANNED, evidence_ids=[replies],
                                              evidence_pinpoints={replies: "p. 21"}))
    window.controller.reload()
    idle(window)
    scripted.assessment.append(fill_editor(Status.IMPLEMENTED, "Now in service"))
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)
    idle(window)
    edited = reader.assessments.history("FRA", "LTS-B.4")[0]
    assert edited.status is Status.IMPLEMENTED and edited.evidence_pinpoints == {replies: "p. 21"}
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(window)
    restored = reader.assessments.history("FRA", "LTS-B.4")[0]
    assert restored.status is Status.PLANNED and restored.evidence_pinpoints == {replies: "p. 21"}
