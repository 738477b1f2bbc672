"""Day boundaries: dates a user types are their own calendar days, stamps are UTC."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from tcbm_tracker.domain.clock import end_of_day_iso, start_of_day_iso
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import Tracker

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here


@pytest.fixture
def far_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """UTC+14: the local date is a day ahead of UTC for ten hours of every day."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_local_day_bounds_are_converted_to_utc(far_east: None) -> None:
    day = dt.date(2026, 3, 3)
    assert start_of_day_iso(day) == "2026-03-02T10:00:00.000000Z"
    assert end_of_day_iso(day) == "2026-03-03T09:59:59.999999Z"


def test_a_change_recorded_now_is_in_changes_since_today_in_any_time_zone(far_east: None, tracker: Tracker) -> None:
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
    today = dt.date.today()  # local (Kiritimati) date
    changes = tracker.assessments.changes_since(today)
    assert [(c.assessment.actor_key, c.assessment.measure_key) for c in changes] == [("FRA", "LTS-A.1")]
    assert tracker.queries.matrix(known_at=today).status("FRA", "LTS-A.1").value == "implemented"
