"""Day boundaries at every hour in the zones furthest from UTC, with the clock frozen.

Recording times are stored in UTC; every date a user types is a day of their own calendar.
Here the clock is frozen (time-machine) at hours where the local date and the UTC date differ
(Kiritimati is UTC+14, Pago Pago UTC-11, New York between 00:00 and 05:00 UTC is still on the
previous day), so the tests below prove what holds at any hour, not only at the hour the suite
happens to run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
import time_machine

from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import Tracker

# The computer's clock is frozen: on a server the recording time is the server's clock
# (tests/server/test_server_clock.py), so these run on a database file.
pytestmark = [pytest.mark.date_sensitive, pytest.mark.file_only]

ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "Asia/Kolkata", "UTC"]
UTC_HOURS = [dt.time(0, 30), dt.time(4, 59), dt.time(10, 30), dt.time(13, 0), dt.time(23, 59, 59)]


@pytest.fixture(params=[(z, h) for z in ZONES for h in UTC_HOURS], ids=lambda p: f"{p[0]}@{p[1].isoformat()}Z")
def frozen(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.datetime]:
    zone, hour = request.param
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    moment = dt.datetime.combine(dt.date(2026, 3, 14), hour, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        yield moment
    monkeypatch.undo()
    time.tzset()


def test_a_recording_belongs_to_the_local_day(frozen: dt.datetime, tracker: Tracker) -> None:
    today = dt.date.today()  # the local date, which may differ from the UTC date
    assert today == frozen.astimezone().date()
    a = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
    assert a.effective_date == today  # the default effective date is never "in the future"
    assert a.recorded_at == frozen.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # Changes "since today" include what was just recorded; "since tomorrow" is refused.
    assert [c.assessment.id for c in tracker.assessments.changes_since(today)] == [a.id]
    with pytest.raises(ValidationError, match="is in the future"):
        tracker.assessments.changes_since(today + dt.timedelta(days=1))
    # As known at the end of yesterday, the recording did not exist; at the end of today it does.
    q = tracker.queries
    assert q.matrix(known_at=today - dt.timedelta(days=1)).status("FRA", "LTS-A.1") is Status.NOT_ASSESSED
    assert q.matrix(known_at=today).status("FRA", "LTS-A.1") is Status.PLANNED
    assert q.matrix().as_of == today and q.matrix().status("FRA", "LTS-A.1") is Status.PLANNED
