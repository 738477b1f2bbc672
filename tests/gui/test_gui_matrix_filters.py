"""Filters and search on the matrix home screen, through the widgets a user touches."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, FIRST_MEASURE_COLUMN, MEASURE_KEY_ROLE


def visible_actors(window: MainWindow) -> list[str]:
    proxy = window.matrix_view.proxy
    return [proxy.data(proxy.index(r, ACTOR_COLUMN)) for r in range(proxy.rowCount())]


def visible_measures(window: MainWindow) -> list[str]:
    proxy = window.matrix_view.proxy
    return [proxy.headerData(c, Qt.Orientation.Horizontal, MEASURE_KEY_ROLE)
            for c in range(FIRST_MEASURE_COLUMN, proxy.columnCount())]


def choose(box, data) -> None:  # type: ignore[no-untyped-def]
    index = box.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    box.setCurrentIndex(index)


def test_full_matrix_on_open(window: MainWindow) -> None:
    assert len(visible_actors(window)) == 195
    assert len(visible_measures(window)) == 37
    assert window.matrix_view.summary.text() == "195 of 195 actors × 37 of 37 measures"
    assert "195 actors · 37 measures · 0 of 7,215 cells assessed" in window.counts_label.text()


def test_catalogue_group_region_filters(window: MainWindow) -> None:
    mv = window.matrix_view
    choose(mv.catalog_box, "GGE2013")
    assert len(visible_measures(window)) == 16 and all(k.startswith("GGE-") for k in visible_measures(window))
    # The group list follows the catalogue.
    assert mv.group_box.findData("LTS2019/B") == -1
    choose(mv.catalog_box, "LTS2019")
    choose(mv.group_box, "LTS2019/B")
    assert visible_measures(window) == [f"LTS-B.{i}" for i in range(1, 11)]
    choose(mv.region_box, "WEOG")
    names = visible_actors(window)
    assert "France" in names and "Kenya" not in names and len(names) < 50
    choose(mv.region_box, None)
    choose(mv.catalog_box, None)
    assert len(visible_actors(window)) == 195 and len(visible_measures(window)) == 37


def test_status_filter_and_coverage_follow_visible_measures(window: MainWindow, idle, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record_many([
        AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED),
        AssessmentInput("KEN", "GGE-IV.1", Status.NO_INFORMATION),
    ])
    window.controller.reload()
    idle(window)
    mv = window.matrix_view
    choose(mv.status_box, Status.IMPLEMENTED.value)
    assert visible_actors(window) == ["France"]
    choose(mv.status_box, Status.NO_INFORMATION.value)
    assert visible_actors(window) == ["Kenya"]
    # "No information" in GGE only: with the LTS catalogue shown, Kenya drops out.
    choose(mv.catalog_box, "LTS2019")
    assert visible_actors(window) == []
    choose(mv.status_box, None)
    fra = visible_actors(window).index("France")
    assert mv.proxy.data(mv.proxy.index(fra, 1)) == "100% · 1/1"  # 1 implemented of the 1 LTS guideline assessed
    choose(mv.catalog_box, "GGE2013")
    assert mv.proxy.data(mv.proxy.index(fra, 1)) == "–"  # nothing assessed in GGE


@pytest.mark.parametrize(("text", "actors", "measures"), [
    ("france", ["France"], 37),  # an actor name: rows filtered, every measure kept
    ("KEN", ["Kenya"], 37),  # an actor code
    ("Fra", ["France"], 37),  # also in "frameworks" (two guideline titles): actors only
    ("debris", [], 37),  # the search is for actors unless measures are asked for
    ("m:debris", 195, None),  # words of measure titles: columns filtered, every actor kept
    ("M: B.4", 195, ["LTS-B.4"]),
    ("zzzz", [], 37),  # nothing matches: an empty matrix, not everything
])
def test_search(window: MainWindow, qtbot, text, actors, measures) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    qtbot.keyClicks(mv.search, text)
    qtbot.keyClick(mv.search, Qt.Key.Key_Return)
    got_actors, got_measures = visible_actors(window), visible_measures(window)
    if isinstance(actors, int):
        assert len(got_actors) == actors
    else:
        assert got_actors == actors
    if measures is None:
        assert 0 < len(got_measures) < 37
        assert all("debris" in window.matrix_view.model.measures[
            window.matrix_view.model.column_of(k) - FIRST_MEASURE_COLUMN].title.lower() for k in got_measures)
    elif isinstance(measures, int):
        assert len(got_measures) == measures
    else:
        assert got_measures == measures


def test_search_waits_for_a_pause_in_typing(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(window.matrix_view.search, "Kenya")
    qtbot.waitUntil(lambda: visible_actors(window) == ["Kenya"], timeout=2000)


def test_sorting_by_a_measure_column(window: MainWindow, idle, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record_many([AssessmentInput("ZWE", "LTS-A.1", Status.IMPLEMENTED, effective=dt.date(2020, 1, 1))])
    window.controller.reload()
    idle(window)
    col = window.matrix_view.model.column_of("LTS-A.1")
    window.matrix_view.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert visible_actors(window)[0] == "Zimbabwe"


def test_sorting_by_coverage_puts_unassessed_actors_last(window: MainWindow, idle, reader) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record_many([
        AssessmentInput("ZWE", "LTS-A.1", Status.NOT_IMPLEMENTED),  # assessed, 0% implemented
        AssessmentInput("KEN", "LTS-A.1", Status.IMPLEMENTED),
    ])
    window.controller.reload()
    idle(window)
    window.matrix_view.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert visible_actors(window)[:2] == ["Kenya", "Zimbabwe"]
