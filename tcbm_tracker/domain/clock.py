"""Time stamps in the one format the tracker stores: UTC, ISO 8601, microseconds, ``Z``."""

from __future__ import annotations

import datetime as dt


def utc_now_iso() -> str:
    return to_iso(dt.datetime.now(dt.UTC))


def to_iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def end_of_day_iso(day: dt.date) -> str:
    """The last instant of a (UTC) day, for "recorded on or before this date" cut-offs."""
    return f"{day.isoformat()}T23:59:59.999999Z"
