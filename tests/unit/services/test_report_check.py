"""The check a report runs first: full walk once, then only what came after the last verified entry."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.report_check import cache_path
from tcbm_tracker.services.tracker import Tracker


def raw(db_path: Path, sql: str) -> None:
    """An edit made outside the app (another SQLite tool)."""
    con = sqlite3.connect(db_path)
    try:
        con.execute(sql)
        con.commit()
    finally:
        con.close()


def test_the_first_check_walks_everything_and_the_next_only_what_is_new(tracker: Tracker) -> None:
    first = tracker.report_check.check()
    assert first.ok and first.full and cache_path().is_file()
    again = tracker.report_check.check()
    assert again.ok and not again.full and again.entries_checked == 0
    tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented"))
    after = tracker.report_check.check()
    assert after.ok and not after.full and after.entries_checked == 1


@pytest.mark.parametrize("tamper", [
    "UPDATE assessment SET status = 'not_implemented' WHERE id = (SELECT max(id) FROM assessment)",
    "INSERT INTO assessment (actor_key, measure_key, status, provenance, confidence, recorded_by, effective_date, "
    "recorded_at) VALUES ('DEU', 'LTS-B.4', 'implemented', 'analyst_judgment', 'medium', 'x', '2020-01-01', "
    "'2026-01-01T00:00:00.000000Z')",
    "DELETE FROM actor_attribute WHERE id = (SELECT min(id) FROM actor_attribute)",
    "UPDATE change_log SET user = 'someone else' WHERE seq = (SELECT max(seq) FROM change_log)",
    "CREATE TRIGGER t AFTER INSERT ON assessment BEGIN SELECT 1; END",
])
def test_the_incremental_check_catches_tampering(tracker: Tracker, db_path: Path, tamper: str) -> None:
    assert tracker.report_check.check().full
    tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented"))
    raw(db_path, tamper)
    result = tracker.report_check.check()
    assert not result.ok and result.problems


@pytest.mark.parametrize(("tamper", "named"), [
    ("UPDATE assessment SET note = 'edited' WHERE id = 1", "assessment 1"),
    ("UPDATE change_log SET hash = 'ab' || substr(hash, 3) WHERE seq = 1", "change log entry"),
])
def test_an_old_edit_before_the_verified_entry_is_caught_by_the_daily_full_walk(
        tracker: Tracker, db_path: Path, tamper: str, named: str) -> None:
    tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented"))
    assert tracker.report_check.check().ok
    raw(db_path, tamper)
    # The incremental check does not look behind the last verified entry (that is its saving)...
    assert tracker.report_check.check().ok
    # ...the full walk, at least once a day, does.
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)
    late = tracker.report_check.check(now=tomorrow)
    assert late.full and not late.ok and any(named in p for p in late.problems)
