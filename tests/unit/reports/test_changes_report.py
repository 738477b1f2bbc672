"""The changes report against today's picture: back-dated corrections, later replacements, withdrawals."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from report_pdf import body_text

from tcbm_tracker.reports import build_changes_report
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import Tracker

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here

YESTERDAY = dt.date.today() - dt.timedelta(days=1)


def _row(text: str, start: str, length: int = 400, occurrence: int = 1) -> str:
    """``length`` characters of ``text`` from the ``occurrence``-th appearance of ``start``."""
    i = -1
    for _ in range(occurrence):
        i = text.index(start, i + 1)
    return text[i:i + length]


def test_a_back_dated_correction_does_not_read_as_a_change_of_the_current_status(tracker: Tracker, tmp_path: Path) -> None:
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented", effective="2023-06-01"))
    # Recorded later, about an earlier date: the history of 2021 changes, today's status does not.
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "not_implemented", effective="2021-03-01"))
    tracker.assessments.record(AssessmentInput("DEU", "LTS-A.1", "planned", effective="2022-01-01"))  # an ordinary change
    text = body_text(build_changes_report(tracker, YESTERDAY, tmp_path / "c.pdf").path)
    first = _row(text, "France (FRA) LTS-A.1", 100)
    assert re.search(r"Not assessed ✓ Implemented 2023-06-01", first)
    assert "back-dated" not in first.lower()
    correction = _row(text, "France (FRA) LTS-A.1", occurrence=2)
    assert re.search(r"Not assessed ✗ Not implemented 2021-03-01 back-dated", correction)
    assert ("Back-dated to 2021-03-01: this corrects the record for that date. The status in force today is "
            "✓ Implemented (effective 2023-06-01), unchanged by this entry.") in correction
    deu = _row(text, "Germany (DEU) LTS-A.1", 200)
    assert "back-dated" not in deu.lower() and "in force today" not in deu
    assert "Back-dated 1 of the 3 assessments" in text


def test_an_assessment_replaced_later_in_the_period_says_what_is_in_force_today(tracker: Tracker, tmp_path: Path) -> None:
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned", effective="2022-01-01"))
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented", effective="2024-01-01"))
    text = body_text(build_changes_report(tracker, YESTERDAY, tmp_path / "c.pdf").path)
    first = _row(text, "France (FRA) LTS-A.1")
    assert re.search(r"Not assessed ○ Planned 2022-01-01", first)
    assert "Since replaced: the status in force today is ✓ Implemented (effective 2024-01-01)." in first
    assert "back-dated" not in text.lower()
    assert "in force today" not in _row(text, "France (FRA) LTS-A.1", 150, occurrence=2)


def test_a_withdrawal_reads_as_one(tracker: Tracker, tmp_path: Path) -> None:
    tracker.assessments.record(AssessmentInput("ITA", "LTS-B.1", "partially_implemented", effective="2024-01-01"))
    tracker.assessments.record(AssessmentInput("ITA", "LTS-B.1", "not_assessed", effective="2024-01-01"))  # the GUI's undo
    text = body_text(build_changes_report(tracker, YESTERDAY, tmp_path / "c.pdf").path)
    assert re.search(r"◐ Partially implemented · Not assessed \(withdrawn\) 2024-01-01", text)
    assert ("Since replaced: the cell is · Not assessed today (assessment withdrawn, effective 2024-01-01)." in
            _row(text, "Italy (ITA) LTS-B.1"))
    assert "Not assessed (withdrawn) (1)" in text  # statuses recorded
