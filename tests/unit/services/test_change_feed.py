"""The change feed: what another writer changed after a log position, and when the file is gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.change_feed import ChangeFeed, DatabaseUnavailableError
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tests.sql_statements import record_statements, selects


def test_a_write_through_another_tracker_is_a_notice_naming_cell_and_author(tracker: Tracker, db_path: Path) -> None:
    feed = ChangeFeed(tracker.db)
    start = feed.head()
    assert start > 0  # set-up wrote the catalogues and actors
    assert feed.since(start).notices == ()
    other = open_tracker(db_path, user="alice")
    try:
        other.assessments.record(AssessmentInput(actor="FRA", measure="LTS-B.4", status="implemented"))
    finally:
        other.close()
    batch = feed.since(start)
    assert [(n.entity, n.actor, n.measure, n.user, n.action) for n in batch.notices] == [
        ("assessment", "FRA", "LTS-B.4", "alice", "recorded")
    ]
    assert batch.cells == [("FRA", "LTS-B.4")]
    assert batch.head == feed.head() > start
    assert not batch.more
    assert feed.since(batch.head).notices == ()


def test_a_long_run_of_changes_comes_in_pages(tracker: Tracker) -> None:
    start = ChangeFeed(tracker.db).head()
    tracker.assessments.record_many(
        [AssessmentInput(actor=a, measure="LTS-B.4", status="implemented") for a in ("FRA", "DEU", "JPN")]
    )
    feed = ChangeFeed(tracker.db)
    first = feed.since(start, limit=2)
    assert first.more and len(first.notices) == 2
    rest = feed.since(first.head, limit=2)
    assert not rest.more
    assert [n.actor for n in first.notices + rest.notices] == ["FRA", "DEU", "JPN"]


@pytest.mark.file_only  # reads SQLite's own query plan
def test_nothing_changed_is_one_query(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = ChangeFeed(tracker.db)
    head = feed.head()
    statements = record_statements(monkeypatch, tracker.db)
    assert feed.since(head).notices == ()
    reads = selects(statements)
    assert len(reads) == 1 and "change_log" in reads[0]
    plan = tracker.db.raw_connection().execute(f"EXPLAIN QUERY PLAN {reads[0]}", {"after": 5, "limit": 10}).fetchall()
    # A range search on the log's key, not a scan of the whole log.
    assert any("SEARCH" in str(row) and "PRIMARY KEY" in str(row) for row in plan), plan


def test_a_file_moved_away_is_unavailable_and_back_is_readable(tracker: Tracker, db_path: Path) -> None:
    feed = ChangeFeed(tracker.db)
    head = feed.head()
    away = db_path.with_name("elsewhere.sqlite")
    db_path.rename(away)
    with pytest.raises(DatabaseUnavailableError, match="no longer there"):
        feed.since(head)
    away.rename(db_path)
    assert feed.since(head).notices == ()


def test_the_fault_hook_fails_reads_as_a_lost_server_would(tracker: Tracker) -> None:
    feed = ChangeFeed(tracker.db)
    feed.fail_with = "the server at db.example closed the connection"
    with pytest.raises(DatabaseUnavailableError, match="closed the connection"):
        feed.head()
    feed.fail_with = None
    assert feed.head() > 0
