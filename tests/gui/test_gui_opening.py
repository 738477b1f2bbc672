"""First start: the matrix says it is opening the record until the record arrives, and says so
when it could not be opened, instead of showing a bare grid that looks like an empty record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_view import OPENING_FAILED_TEXT, OPENING_TEXT


def test_the_matrix_says_it_is_opening_until_the_record_arrives(make_window: Callable[..., MainWindow], db_path: Path,
                                                                  qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    window = make_window()  # shown, nothing opened yet
    opening = window.matrix_view.opening
    assert opening.isVisible() and opening.text() == OPENING_TEXT
    window.controller.open_database(db_path)
    idle(window)
    assert not opening.isVisible()
    assert window.matrix_view.proxy.rowCount() == 195


def test_a_file_that_cannot_be_opened_is_said_in_place_of_the_matrix(make_window: Callable[..., MainWindow],
                                                                      tmp_path: Path, qtbot, idle) -> None:  # type: ignore[no-untyped-def]
    not_a_database = tmp_path / "notes.sqlite"
    not_a_database.write_text("minutes of the meeting\n" * 200, encoding="utf-8")
    window = make_window()
    window.controller.open_database(not_a_database)
    idle(window)
    opening = window.matrix_view.opening
    qtbot.waitUntil(lambda: opening.text() == OPENING_FAILED_TEXT)
    assert opening.isVisible() and window.matrix_view.proxy.rowCount() == 0
