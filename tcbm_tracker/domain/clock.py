"""Time stamps in the one format the tracker stores: UTC, ISO 8601, microseconds, ``Z``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_fixed: dt.datetime | None = None


def utc_now_iso() -> str:
    """Now, as stored. Every recording time in the database comes from here."""
    return to_iso(_fixed or dt.datetime.now(dt.UTC))


def is_fixed() -> bool:
    """True inside ``fixed_time``: every recording time is the fixed moment, on any engine."""
    return _fixed is not None


@contextmanager
def fixed_time(moment: dt.datetime) -> Iterator[None]:
    """Record everything inside the block as made at ``moment``.

    For tests and fixtures that need a database set up in the past (a tracker in use since
    2000, say), so that "as known at" a past date has something to show.
    """
    global _fixed
    previous, _fixed = _fixed, moment
    try:
        yield
    finally:
        _fixed = previous


def to_iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def start_of_day_iso(day: dt.date) -> str:
    """The first instant of a day in the user's local time zone, as a stored UTC stamp.

    Dates a user types ("changes since 3 March", "as known on 3 March") mean their own
    calendar day; recording times are stored in UTC. Converting the local day's bounds keeps
    a change recorded a minute ago inside "since today" wherever the user is.
    """
    local_midnight = dt.datetime.combine(day, dt.time.min).astimezone()
    return to_iso(local_midnight)


def end_of_day_iso(day: dt.date) -> str:
    """The last instant of a day in the user's local time zone, as a stored UTC stamp."""
    local_end = dt.datetime.combine(day, dt.time.max).astimezone()
    return to_iso(local_end)
