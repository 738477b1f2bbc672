"""File names with URI syntax in them ('?', '#', '%', spaces) open exactly that file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.backup import folder_for
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.migrations import backup_copy


@pytest.mark.parametrize("name", ["q?x.sqlite", "p%20x.sqlite", "h#x.sqlite", "with space & accent é.sqlite"])
def test_database_with_uri_characters_in_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    initialise(path)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [name]
    tracker = open_tracker(path)
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
    tracker.close()

    os.chmod(path, 0o444)  # read-only: opened through a file: URI
    try:
        tracker = open_tracker(path)
        assert tracker.db.read_only
        assert tracker.queries.matrix().status("FRA", "LTS-A.1").value == "implemented"
        tracker.close()
    finally:
        os.chmod(path, 0o644)

    db = Database(path)
    copy = backup_copy(db, "test")
    db.dispose()
    assert copy.parent == folder_for(path) and copy.read_bytes()[:16] == b"SQLite format 3\x00"
