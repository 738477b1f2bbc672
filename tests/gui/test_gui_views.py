"""The "as of" control, dossier, measure view, cell history, changes, and remembered settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.edits import EditRequest
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import STATUS_ROLE
from tcbm_tracker.ui.settings import WindowSettings

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here


def cell_status(window: MainWindow, actor: str, measure: str) -> str:
    m = window.matrix_view.model
    return m.data(m.index(m.row_of(actor), m.column_of(measure)), STATUS_ROLE)


def seed(reader) -> None:  # type: ignore[no-untyped-def]
    ev = reader.evidence.add(EvidenceInput(title="Space act", symbol="A/AC.105/9", date="2019-01-01"))
    reader.assessments.record_many([
        AssessmentInput("FRA", "LTS-B.4", Status.PLANNED, effective=dt.date(2019, 1, 1)),
        AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED, effective=dt.date(2023, 1, 1), evidence_ids=[ev.id],
                        note="Act in force"),
        AssessmentInput("KEN", "LTS-B.4", Status.NO_INFORMATION, effective=dt.date(2021, 1, 1)),
    ])


def test_as_of_control_redraws_matrix_and_dossier(window, qtbot, idle, reader) -> None:  # type: ignore[no-untyped-def]
    seed(reader)
    window.open_actor("FRA")
    idle(window)
    assert cell_status(window, "FRA", "LTS-B.4") == "not_assessed"  # loaded before the seed
    window.controller.reload()
    idle(window)
    assert cell_status(window, "FRA", "LTS-B.4") == "implemented"
    # The user types a date into the toolbar's "as of" box.
    window.as_of_edit.setDate(QDate(2020, 6, 1))
    qtbot.waitUntil(lambda: window.controller.as_of == dt.date(2020, 6, 1), timeout=3000)
    idle(window)
    assert cell_status(window, "FRA", "LTS-B.4") == "planned"
    assert cell_status(window, "KEN", "LTS-B.4") == "not_assessed"
    assert window.as_of_banner.isVisible() and "2020-06-01" in window.as_of_banner.text()
    entry = next(e for e in window.dossier_view.dossier.entries if e.measure.key == "LTS-B.4")
    assert entry.status is Status.PLANNED and window.dossier_view.dossier.as_of == dt.date(2020, 6, 1)
    window.today_action.trigger()
    idle(window)
    assert cell_status(window, "FRA", "LTS-B.4") == "implemented"
    assert not window.as_of_banner.isVisible()
    assert window.as_of_edit.date().toPython() == dt.date.today()


def test_actor_dossier(window, idle, reader) -> None:  # type: ignore[no-untyped-def]
    seed(reader)
    window.matrix_view.actor_opened.emit("FRA")  # e.g. a double-click on the name
    idle(window)
    view = window.dossier_view
    assert window.tabs.currentWidget() is view
    assert "France (FRA)" in view.title.text()
    assert "LTS2019</b>: implementation rate 100% (1 of 1 assessed); assessment coverage 1 of 21 assessed (5%)" in view.coverage.text()
    assert "GGE2013</b>: implementation rate – (none of 16 assessed)" in view.coverage.text()
    rows = {view.model.data(view.model.index(r, 0)): r for r in range(view.model.rowCount())}
    headings = view.model.heading_rows()
    assert len(rows) == 37 + len(headings) and len(headings) == 10  # 6 GGE groups, 4 LTS groups
    b_heading = next(t for t in rows if t.startswith("LTS2019 B. Safety of space operations"))
    assert b_heading.endswith("implementation rate 100% (1 of 1 assessed)")
    assert view.table.columnSpan(rows[b_heading], 0) == view.model.columnCount()
    r = rows["LTS-B.4"]
    assert rows[b_heading] < r
    assert [view.model.data(view.model.index(r, c)) for c in (2, 5, 6, 7)] == [
        "✓ Implemented", "2023-01-01", "A/AC.105/9", "Act in force"]


def test_measure_view_shows_source_pinpoint_and_counts(window, idle, reader) -> None:  # type: ignore[no-untyped-def]
    seed(reader)
    window.open_measure("LTS-B.4")
    idle(window)
    view = window.measure_view
    assert view.title.text().startswith("LTS-B.4 — ")
    assert "A/74/20, annex II" in view.source.text()
    measure = view.overview.measure
    expected = "pinpoint confirmed" if measure.pinpoint_confirmed else "pinpoint not confirmed"
    assert expected in view.source.text()
    assert "Implemented: <b>1</b>" in view.counts.text() and "No information: <b>1</b>" in view.counts.text()
    assert "Not assessed: <b>193</b>" in view.counts.text()
    assert view.model.rowCount() == 195


def test_unconfirmed_pinpoint_is_said_plainly(window, idle) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker.ui.measure_view import source_html

    measures = window.matrix_view.model.measures
    unconfirmed = [m for m in measures if m.pinpoint and not m.pinpoint_confirmed]
    confirmed = [m for m in measures if m.pinpoint_confirmed]
    assert confirmed and "(pinpoint confirmed)" in source_html(confirmed[0])
    for m in unconfirmed:
        assert "pinpoint not confirmed" in source_html(m)


def test_cell_history_follows_the_current_cell(window, idle, reader) -> None:  # type: ignore[no-untyped-def]
    seed(reader)
    window.controller.reload()
    idle(window)
    window.matrix_view.select_cells([("FRA", "LTS-B.4")])
    idle(window)
    view = window.history_view
    assert "FRA / LTS-B.4: 2 assessments" in view.caption.text()
    assert [view.model.data(view.model.index(r, 1)) for r in range(2)] == ["✓ Implemented", "○ Planned"]


def test_changes_since(window, idle, reader) -> None:  # type: ignore[no-untyped-def]
    seed(reader)
    window.changes_view.since.setDate(QDate(2000, 1, 1))
    idle(window)
    view = window.changes_view
    assert view.model.rowCount() == 3 and "3 changes since 2000-01-01" in view.caption.text()
    assert {view.model.data(view.model.index(r, 1)) for r in range(3)} == {"France", "Kenya"}


def test_changes_are_read_when_their_tab_is_shown(window, idle, reader) -> None:  # type: ignore[no-untyped-def]
    view = window.changes_view
    assert view.caption.text() == ""  # not read at start-up: the matrix comes first
    seed(reader)
    window.tabs.setCurrentWidget(view)
    idle(window)
    assert view.model.rowCount() == 3 and "3 changes since" in view.caption.text()
    # An edit made while the tab is hidden shows when the tab is shown again.
    window.tabs.setCurrentWidget(window.matrix_view)
    request = EditRequest((("KEN", "GGE-IV.1"),), Status.PLANNED, Provenance.ANALYST_JUDGMENT, Confidence.LOW, dt.date.today())
    window.controller.record(request)
    idle(window)
    assert view.model.rowCount() == 3
    window.tabs.setCurrentWidget(view)
    idle(window)
    assert view.model.rowCount() == 4 and "4 changes since" in view.caption.text()


def test_geometry_and_recent_files_are_remembered(make_window, db_path: Path, tmp_path: Path, idle) -> None:  # type: ignore[no-untyped-def]
    settings = WindowSettings(QSettings(str(tmp_path / "remember.ini"), QSettings.Format.IniFormat))
    first = make_window(db_path, window_settings=settings)
    first.resize(1234, 555)
    first.history_dock.hide()
    first.close()
    second = make_window(window_settings=settings)
    # The offscreen screen is 800x600, so Qt clamps a restored width to it; the height (555, not the
    # default 860) shows that the geometry came back.
    assert second.height() == 555
    assert not second.history_dock.isVisible()
    assert settings.recent_files() == [db_path.resolve()]


def test_new_and_open_database(window, idle, scripted, tmp_path: Path, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    new = tmp_path / "fresh" / "second.sqlite"
    scripted.paths.append(new)
    window.new_action.trigger()
    idle(window)
    assert new.exists() and window.controller.tracker.path == new
    assert window.windowTitle().startswith("second.sqlite")
    assert window.matrix_view.model.rowCount() == 195
    scripted.paths.append(db_path)
    window.open_action.trigger()
    idle(window)
    assert window.controller.tracker.path == db_path
    recent = window.settings.recent_files()
    assert recent[:2] == [db_path.resolve(), new.resolve()]


def test_history_follows_the_dossier_row_and_double_click_edits(window, qtbot, idle, reader, scripted) -> None:  # type: ignore[no-untyped-def]
    seed(reader)
    window.open_actor("FRA")
    idle(window)
    view = window.dossier_view
    row = next(r for r in range(view.proxy.rowCount()) if view.proxy.data(view.proxy.index(r, 0)) == "LTS-B.4")
    view.table.setCurrentIndex(view.proxy.index(row, 0))
    idle(window)
    assert "FRA / LTS-B.4: 2 assessments" in window.history_view.caption.text()
    opened = []
    scripted.assessment.append(lambda parent, context, *rest: opened.append(context.cells) or None)
    view.table.doubleClicked.emit(view.proxy.index(row, 3))
    idle(window)
    assert opened == [(("FRA", "LTS-B.4"),)]


def test_new_database_over_an_existing_file_is_a_user_error(window, idle, scripted, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = db_path.read_bytes()
    scripted.paths.append(db_path)
    window.new_action.trigger()
    idle(window)
    box = window.last_error
    assert box is not None and box.objectName() == "userErrorBox"  # not the "unexpected error" dialog
    assert "already exists" in box.text() and "Open Database" in box.text()
    assert db_path.read_bytes() == before
    box.done(0)


def _row_of(view, text: str, column: int = 0) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(view.proxy.rowCount()) if view.proxy.data(view.proxy.index(r, column)) == text)


def test_keyboard_edits_the_dossier_row_not_the_hidden_matrix_selection(window, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    window.matrix_view.select_cells([("AFG", "GGE-IV.1")])  # a selection left behind on the Matrix tab
    window.open_actor("FRA")
    idle(window)
    view = window.dossier_view
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(_row_of(view, "LTS-B.4"), 0))
    opened: list[object] = []
    scripted.assessment.append(lambda parent, context, *rest: opened.append(context.cells) or None)
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    idle(window)
    scripted.assessment.append(lambda parent, context, *rest: opened.append(context.cells) or None)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    idle(window)
    assert opened == [(("FRA", "LTS-B.4"),), (("FRA", "LTS-B.4"),)]


def test_enter_on_measure_rows_bulk_edits_them(window, qtbot, idle, scripted) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QItemSelectionModel, Qt

    window.open_measure("LTS-B.4")
    idle(window)
    view = window.measure_view
    view.table.setFocus()
    for key in ("FRA", "DEU"):
        view.table.selectionModel().select(view.proxy.index(_row_of(view, key, 1), 0),
                                           QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    opened: list[object] = []
    scripted.assessment.append(lambda parent, context, *rest: opened.append(set(context.cells)) or None)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    idle(window)
    assert opened == [{("FRA", "LTS-B.4"), ("DEU", "LTS-B.4")}]
