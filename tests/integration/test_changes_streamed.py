"""``changes --since`` in the terminal is streamed like its JSON: the columns are sized by one
query over their distinct values, then each change is printed as it is read, with a fixed
number of statements per thousand changes whatever their number."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.cli.output import table
from tcbm_tracker.domain.local_time import instant_text
from tcbm_tracker.services import assessments as assessments_module
from tcbm_tracker.services.assessments import AssessmentInput, AssessmentService
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import open_tracker
from tests.sql_statements import record_statements

SINCE = "2000-01-01"
HEADERS = ["recorded at", "by", "actor", "measure", "from", "to", "effective", "evidence"]


def record(db_path: Path, n: int, user: str = "ana") -> None:
    t = open_tracker(db_path, user=user)
    try:
        ev = t.evidence.add(EvidenceInput(title="Replies received from Governments", symbol="A/72/65")).id
        actors = ["FRA", "DEU", "CHN", "KEN", "USA"]
        statuses = ["planned", "implemented", "partially_implemented"]
        t.assessments.record_many([AssessmentInput(actors[i % 5], "LTS-B.4" if i % 2 else "GGE-IV.1", statuses[i % 3],
                                                   effective=f"2020-01-{1 + i % 28:02d}",
                                                   evidence_ids=(ev,) if i % 4 == 0 else ())
                                   for i in range(n)])
    finally:
        t.close()


def run(db_path: Path, *argv: str) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(db_path), *argv]) == 0
    return out.getvalue().splitlines()


def test_the_streamed_table_is_the_table_of_all_changes(db_path: Path) -> None:
    assert run(db_path, "changes", "--since", SINCE) == ["(none)"]
    record(db_path, 40)
    record(db_path, 3, user="李小龙 (analyst)")  # wide characters: display width, not length
    t = open_tracker(db_path)
    try:
        changes = t.assessments.changes_since(SINCE)
    finally:
        t.close()
    expected = table(HEADERS, [(instant_text(c.assessment.recorded_at), c.assessment.recorded_by, c.assessment.actor_key,
                                c.assessment.measure_key, c.previous_status.value, c.assessment.status.value,
                                c.assessment.effective_date.isoformat(), ", ".join(e.label for e in c.evidence))
                               for c in changes]).splitlines()
    got = run(db_path, "changes", "--since", SINCE)
    assert len(got) == len(expected) == 43 + 2
    # Every column aligned as the whole table aligns it; only the rule under the last column,
    # drawn before its widest cell is known, is as wide as its header.
    assert got[0] == expected[0] and got[2:] == expected[2:]
    rule = expected[1].split("  ")
    assert got[1] == "  ".join([*rule[:-1], "-" * len("evidence")])


class Statements:
    """The statements run so far (``count`` may be reset)."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen
        self.start = 0

    @property
    def count(self) -> int:
        return len(self.seen) - self.start

    @count.setter
    def count(self, value: int) -> None:
        self.start = len(self.seen) - value


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[Statements]:
    """Counts every statement any database of the command runs, on either of its paths."""
    yield Statements(record_statements(monkeypatch))


def test_a_fixed_number_of_statements_per_chunk_of_changes(db_path: Path, statements: Statements,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assessments_module, "CHANGES_CHUNK", 10)
    record(db_path, 25)
    statements.count = 0
    assert len(run(db_path, "changes", "--since", SINCE)) == 25 + 2
    few = statements.count
    record(db_path, 75)
    statements.count = 0
    assert len(run(db_path, "changes", "--since", SINCE)) == 100 + 2
    many = statements.count
    # Four times the changes: 7 more chunks of 10, each with its one evidence lookup; nothing per change.
    assert many - few == 10 - 3, (few, many)


def test_changes_are_printed_while_they_are_read(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record(db_path, 30)
    out = io.StringIO()
    printed_when_read: list[int] = []
    real = AssessmentService.iter_change_rows_since

    def watched(self: AssessmentService, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for change in real(self, *args, **kwargs):
            printed_when_read.append(len(out.getvalue().splitlines()))
            yield change

    monkeypatch.setattr(AssessmentService, "iter_change_rows_since", watched)
    monkeypatch.setattr(AssessmentService, "changes_since", lambda *a, **k: pytest.fail("the whole list was built"))
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(db_path), "changes", "--since", SINCE]) == 0
    # When the 30th change is read, the 29 before it (and the two heading lines) are already out.
    assert printed_when_read[-1] == 2 + 29, printed_when_read
