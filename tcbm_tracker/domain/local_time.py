"""Instants for people: stored UTC stamps shown in the reader's local time, with the zone stated.

The tracker stores recording times in UTC (``2025-02-28T23:30:00.000000Z``), while every date a
user types (``--since``, ``--known-at``) means a day of their own calendar
(``domain.clock.start_of_day_iso``). A report grouping or printing instants by day must use the
same local day, or a change made at 00:30 in Paris on 1 March lands under "28 February" in a
report of "changes since 1 March". Every instant a report prints carries its zone, with the UTC
offset, because an abbreviation alone can be ambiguous ("CST") and a printed page travels.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

Instant = str | dt.datetime  # a stored stamp ("...Z") or a timezone-aware datetime


def local(instant: Instant) -> dt.datetime:
    """The instant in the local time zone of this computer."""
    moment = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if moment.tzinfo is None:
        raise ValueError(f"instant without a time zone: {instant!r}")
    return moment.astimezone()


def local_day(instant: Instant) -> dt.date:
    return local(instant).date()


def clock_time(instant: Instant) -> str:
    """``00:30`` (local), for a table whose zone is stated once above it."""
    return local(instant).strftime("%H:%M")


def zone(instant: Instant) -> str:
    """``CET (UTC+01:00)``, ``UTC+05:30`` or ``UTC``: the local zone in force at that instant."""
    return _zone_of(local(instant))


def _zone_of(moment: dt.datetime) -> str:
    """``zone`` of an instant already in local time."""
    offset = moment.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    numeric = f"UTC{sign}{hours:02d}:{mins:02d}"
    name = moment.tzname() or ""
    # Some zones have no abbreviation and name themselves by their offset ("+05", "-03").
    if not name or name[0] in "+-" or name.upper() in ("UTC", "GMT"):
        return numeric
    return f"{name} ({numeric})"


def instant_text(instant: Instant) -> str:
    """``2025-03-01 00:30 CET (UTC+01:00)``."""
    moment = local(instant)  # once: a table of changes prints one per row
    return f"{moment.strftime('%Y-%m-%d %H:%M')} {_zone_of(moment)}"



_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SECOND = dt.timedelta(seconds=1)
_CLOCK = [f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)]  # strftime's "%H:%M" of each minute


def instant_texts() -> Callable[[str], str]:
    """``instant_text`` for a long run of stored stamps (a table of changes), at a fraction of
    the cost per stamp.

    ``astimezone()`` finds the local zone of an instant with the C library's ``localtime`` of
    its whole seconds (rounded down), which also gives the local date and time: that call is
    made here directly, and the texts of the few distinct dates and zones are kept.
    """
    days: dict[int, str] = {}
    zones: dict[tuple[int, str], str] = {}

    def text(stamp: str) -> str:
        moment = dt.datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            return instant_text(moment)  # fails, naming the stamp
        t = time.localtime((moment - _EPOCH) // _SECOND)
        if t.tm_zone is None or t.tm_gmtoff is None:
            return instant_text(moment)
        day = t.tm_year * 10_000 + t.tm_mon * 100 + t.tm_mday
        if (day_text := days.get(day)) is None:
            day_text = days[day] = dt.date(t.tm_year, t.tm_mon, t.tm_mday).strftime("%Y-%m-%d")
        if (zone_text := zones.get((t.tm_gmtoff, t.tm_zone))) is None:
            offset = dt.timezone(dt.timedelta(seconds=t.tm_gmtoff), t.tm_zone)
            zone_text = zones[(t.tm_gmtoff, t.tm_zone)] = _zone_of(dt.datetime(2000, 1, 1, tzinfo=offset))
        return f"{day_text} {_CLOCK[t.tm_hour * 60 + t.tm_min]} {zone_text}"

    return text
