"""Instants on paper: the reader's local day and time, with the zone stated, as --since means it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from report_pdf import NOW, body_text, page_texts

from tcbm_tracker.domain.local_time import instant_text, zone
from tcbm_tracker.reports import build_changes_report
from tcbm_tracker.reports.changes_report import render_changes_report
from tcbm_tracker.reports.data import changes_report_data
from tcbm_tracker.reports.model import ChangesReportData
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import Tracker

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here

TimeZone = Callable[[str], None]


def _recorded_at(tracker: Tracker, stamps: list[str], since: dt.date) -> ChangesReportData:
    """A changes report whose assessments were recorded at ``stamps`` (UTC)."""
    tracker.assessments.record_many([AssessmentInput("FRA", f"LTS-A.{i + 1}", "implemented") for i in range(len(stamps))])
    data = changes_report_data(tracker, dt.date.today() - dt.timedelta(days=2), now=NOW)
    changes = tuple(dataclasses.replace(c, assessment=dataclasses.replace(c.assessment, recorded_at=stamp))
                    for c, stamp in zip(data.changes, stamps, strict=True))
    return dataclasses.replace(data, since=since, changes=changes)


def test_changes_are_grouped_by_the_readers_day_not_the_utc_day(tracker: Tracker, tmp_path: Path,
                                                                   time_zone: TimeZone) -> None:
    time_zone("Europe/Paris")
    # 23:30 UTC on 28 February is 00:30 on 1 March in Paris: inside "changes since 1 March".
    data = _recorded_at(tracker, ["2025-02-28T23:30:00.000000Z", "2025-03-01T08:05:00.000000Z"], dt.date(2025, 3, 1))
    text = body_text(render_changes_report(data, tmp_path / "c.pdf").path)
    assert "Changes since 2025-03-01" in text
    assert "2025-03-01 (2 recorded)" in text
    assert "2025-02-28" not in text
    assert "Days and times are in local time, CET (UTC+01:00)." in text
    assert "00:30 France (FRA) LTS-A.1" in text and "09:05 France (FRA) LTS-A.2" in text
    pages = page_texts(tmp_path / "c.pdf")
    assert all("Generated 2025-06-02 11:30 CEST (UTC+02:00)" in p for p in pages)  # NOW is 09:30 UTC, in summer


def test_a_time_in_another_offset_than_the_report_carries_its_zone(tracker: Tracker, tmp_path: Path,
                                                                    time_zone: TimeZone) -> None:
    time_zone("Europe/Paris")
    # Summer time began on 30 March 2025: most of these times are CEST, the first is CET.
    stamps = ["2025-03-29T10:00:00.000000Z", "2025-03-30T10:00:00.000000Z", "2025-03-30T11:00:00.000000Z"]
    text = body_text(render_changes_report(_recorded_at(tracker, stamps, dt.date(2025, 3, 29)), tmp_path / "c.pdf").path)
    assert "Days and times are in local time, CEST (UTC+02:00), unless marked." in text
    assert "2025-03-29 (1 recorded)" in text and "2025-03-30 (2 recorded)" in text
    assert "11:00 CET France (FRA) LTS-A.1" in text
    assert "12:00 France (FRA) LTS-A.2" in text and "13:00 France (FRA) LTS-A.3" in text


def test_a_change_recorded_now_is_under_todays_date_in_a_zone_a_day_ahead(tracker: Tracker, tmp_path: Path,
                                                                          time_zone: TimeZone) -> None:
    time_zone("Pacific/Kiritimati")  # UTC+14
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
    today = dt.date.today()
    text = body_text(build_changes_report(tracker, today, tmp_path / "c.pdf").path)
    assert f"{today.isoformat()} (1 recorded)" in text


def test_zone_names_carry_the_offset(time_zone: TimeZone) -> None:
    time_zone("UTC")
    assert instant_text("2025-03-01T10:00:00.000000Z") == "2025-03-01 10:00 UTC"
    time_zone("Asia/Kolkata")
    assert zone("2025-03-01T10:00:00.000000Z") == "IST (UTC+05:30)"
    time_zone("America/Sao_Paulo")  # no abbreviation: the zone database says "-03"
    assert instant_text("2025-03-01T10:00:00.000000Z") == "2025-03-01 07:00 UTC-03:00"
    time_zone("Europe/London")
    assert zone("2025-01-15T10:00:00.000000Z") == "UTC" and zone("2025-07-15T10:00:00.000000Z") == "BST (UTC+01:00)"
