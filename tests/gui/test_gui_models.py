"""Every Qt model of the application passes pytest-qt's model tester, with real data."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.ui.evidence_picker import EvidencePickerModel, EvidenceSearchProxyModel
from tcbm_tracker.ui.matrix_model import (
    COVERAGE_COLUMN,
    FIRST_MEASURE_COLUMN,
    STATUS_ROLE,
    MatrixFilter,
    MatrixFilterProxyModel,
    MatrixTableModel,
)
from tcbm_tracker.ui.table_models import (
    ChangesTableModel,
    DossierTableModel,
    HistoryTableModel,
    MeasureOverviewTableModel,
)

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here


@pytest.fixture
def recorded(tracker: Tracker) -> Tracker:
    ev = tracker.evidence.add(EvidenceInput(title="National space policy", symbol="A/AC.105/1", date="2020-05-01"))
    tracker.assessments.record_many([
        AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED, effective="2021-01-01", evidence_ids=[ev.id], note="line one\nline two"),
        AssessmentInput("FRA", "GGE-IV.1", Status.NO_INFORMATION, effective="2021-01-01"),
        AssessmentInput("KEN", "LTS-B.4", Status.NOT_IMPLEMENTED, effective="2020-01-01"),
        AssessmentInput("KEN", "LTS-B.4", Status.PLANNED, effective="2022-01-01"),
        AssessmentInput("BRA", "LTS-A.1", Status.NOT_APPLICABLE),
    ])
    return tracker


def test_matrix_model_and_proxy(qtmodeltester, recorded: Tracker) -> None:
    model = MatrixTableModel()
    model.set_matrix(recorded.queries.matrix())
    qtmodeltester.check(model)
    fra, col = model.row_of("FRA"), model.column_of("LTS-B.4")
    assert model.data(model.index(fra, col), STATUS_ROLE) == "implemented"
    assert model.data(model.index(fra, col)) == "✓"
    assert "Implemented" in model.data(model.index(fra, col), Qt.ItemDataRole.ToolTipRole)
    # FRA: 1 implemented of 37 measures, 2 assessed.
    assert model.data(model.index(fra, COVERAGE_COLUMN)) == "50% · 1/2"  # over the 2 assessed, not the 37 shown
    assert "1 of the 2 measures shown that have been assessed" in model.data(model.index(fra, COVERAGE_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert "assessed" in model.headerData(COVERAGE_COLUMN, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(model.row_of("AFG"), COVERAGE_COLUMN)) == "–"  # nothing assessed: not "0%"

    proxy = MatrixFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.set_filter(MatrixFilter(catalog="LTS2019", text="a"))
    qtmodeltester.check(proxy)
    proxy.sort(COVERAGE_COLUMN, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)
    # Same shape, new statuses: updated in place (no reset), still consistent.
    recorded.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.PARTIALLY_IMPLEMENTED))
    model.set_matrix(recorded.queries.matrix())
    qtmodeltester.check(model)
    # The model sorts its own rows (no comparison through data()): France may have moved.
    assert model.data(model.index(model.row_of("FRA"), col), STATUS_ROLE) == "partially_implemented"
    assert model.columnCount() == FIRST_MEASURE_COLUMN + 37


def test_dossier_and_measure_models(qtmodeltester, recorded: Tracker) -> None:
    dossier = DossierTableModel()
    fra = recorded.queries.dossier("FRA")
    dossier.set_entries(fra.entries, fra.coverage_by_group)
    qtmodeltester.check(dossier)
    texts = [dossier.data(dossier.index(r, 2)) for r in range(dossier.rowCount())]
    assert "✓ Implemented" in texts and "? No information" in texts
    overview = MeasureOverviewTableModel({"AFRICA": "African Group"})
    overview.set_rows(recorded.queries.measure_overview("LTS-B.4").entries)
    qtmodeltester.check(overview)
    ken = next(r for r in range(overview.rowCount()) if overview.data(overview.index(r, 1)) == "KEN")
    assert overview.data(overview.index(ken, 2)) == "African Group"
    assert overview.data(overview.index(ken, 3)) == "○ Planned"


def test_history_and_changes_models(qtmodeltester, recorded: Tracker) -> None:
    history = HistoryTableModel()
    history.set_rows(recorded.assessments.history("KEN", "LTS-B.4"))
    qtmodeltester.check(history)
    assert [history.data(history.index(r, 0)) for r in range(2)] == ["2022-01-01", "2020-01-01"]
    changes = ChangesTableModel({"KEN": "Kenya"})
    changes.set_rows(recorded.assessments.changes_since(dt.date.today()))
    qtmodeltester.check(changes)
    assert changes.rowCount() == 5
    ken_planned = next(r for r in range(5) if changes.data(changes.index(r, 4)) == "○ Planned")
    assert changes.data(changes.index(ken_planned, 3)) == "✗ Not implemented"
    assert changes.data(changes.index(ken_planned, 1)) == "Kenya"


def test_evidence_picker_model(qtmodeltester, recorded: Tracker) -> None:
    evidence = tuple(recorded.evidence.list())
    model = EvidencePickerModel(evidence, checked=(evidence[0].id,))
    qtmodeltester.check(model)
    model.add_new(EvidenceInput(title="Draft regulation"))
    qtmodeltester.check(model)
    assert model.checked_ids() == (evidence[0].id,)
    assert [e.title for e in model.checked_new()] == ["Draft regulation"]
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert model.checked_ids() == ()
    proxy = EvidenceSearchProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterFixedString("draft")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1


def test_changes_sort_in_the_model_and_keep_the_selection(qtbot, qtmodeltester, tracker) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.ui.controller import ChangesSince
    from tcbm_tracker.ui.history_view import ChangesView
    from tcbm_tracker.ui.table_models import ROW_ROLE

    tracker.assessments.record_many([AssessmentInput(actor=a, measure=m, status=Status.PLANNED, effective="2024-01-01")
                                     for a, m in (("FRA", "LTS-B.4"), ("DEU", "GGE-IV.1"), ("AUT", "LTS-A.1"))])
    view = ChangesView(dt.date.today())
    qtbot.addWidget(view)
    proxy = view.proxy
    view.set_changes(ChangesSince(dt.date(2000, 1, 1), tuple(tracker.assessments.changes_since(dt.date(2000, 1, 1)))), {})

    def order() -> list[str]:
        return [proxy.data(proxy.index(r, 2)) for r in range(proxy.rowCount())]

    assert order() == ["LTS-A.1", "GGE-IV.1", "LTS-B.4"]  # newest first (recorded together: last written first)
    view.table.selectRow(1)
    chosen = proxy.data(proxy.index(1, 0), ROW_ROLE)
    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert order() == ["GGE-IV.1", "LTS-A.1", "LTS-B.4"]
    view.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert order() == ["LTS-B.4", "LTS-A.1", "GGE-IV.1"]
    selected = view.table.selectionModel().selectedRows()
    assert [proxy.data(i, ROW_ROLE) for i in selected] == [chosen]  # the same change stays selected
    qtmodeltester.check(view.model)
