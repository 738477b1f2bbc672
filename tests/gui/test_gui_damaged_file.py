"""The window says a file is damaged when a lookup finds nothing it should (the actor index
damaged: France is listed but cannot be opened)."""

from __future__ import annotations

from pathlib import Path

from tcbm_tracker.storage.locations import backup_dir
from tests.integration.test_damaged_file import damage_actor_index


def test_opening_an_actor_in_a_damaged_file_names_the_damage(make_window, idle, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    damage_actor_index(db_path)
    window = make_window(db_path)
    assert window.matrix_view.model.rowCount() == 195  # France is listed
    window.open_actor("FRA")
    idle(window)
    box = window.last_error
    assert box is not None and box.isVisible()
    assert box.windowTitle() == "The database is damaged"
    assert f"{db_path} is damaged (SQLite's integrity check: " in box.text()
    assert str(backup_dir()) in box.text() and "unknown actor" not in box.text()
