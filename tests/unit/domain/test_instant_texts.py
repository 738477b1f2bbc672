"""``instant_texts``: the local text of many stored stamps, worked out with the C library's
``localtime`` directly, reads exactly as ``instant_text`` reads each one, in any zone, across
daylight-saving changes and in the years when local time was offset by seconds."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator

import pytest

from tcbm_tracker.domain.local_time import instant_text, instant_texts

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata",
         "Australia/Lord_Howe", "Europe/Amsterdam", "Africa/Monrovia", "America/St_Johns"]


@pytest.fixture
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def _stamps(seed: int) -> list[str]:
    rng = random.Random(seed)
    start = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(seconds=rng.randrange(140 * 365 * 86400), microseconds=rng.randrange(10**6))
               for _ in range(2000)]
    # Every 29 seconds through days when clocks change in Europe, North America and Australia.
    for day in ("2021-03-28", "2021-10-31", "2021-03-14", "2021-11-07", "2021-04-04", "2021-10-03"):
        first = dt.datetime.fromisoformat(f"{day}T00:00:00+00:00") - dt.timedelta(hours=14)
        moments += [first + dt.timedelta(seconds=k) for k in range(0, 40 * 3600, 29)]
    return [m.strftime("%Y-%m-%dT%H:%M:%S.%fZ") for m in moments]


@pytest.mark.parametrize("zone", ZONES, indirect=True)
def test_each_stamp_reads_as_instant_text_reads_it(zone: str) -> None:
    text = instant_texts()
    stamps = _stamps(len(zone))
    assert [text(s) for s in stamps] == [instant_text(s) for s in stamps]


def test_a_stamp_without_a_zone_fails_as_instant_text_fails() -> None:
    with pytest.raises(ValueError, match="without a time zone"):
        instant_texts()("2025-03-01T00:30:00")
    with pytest.raises(ValueError):
        instant_texts()("2025-03-01T25:30:00Z")
