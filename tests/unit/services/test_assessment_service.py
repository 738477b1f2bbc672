"""Recording assessments: append-only history, all-or-nothing batches, history, changes since."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker.domain import clock
from tcbm_tracker.domain.clock import fixed_time, to_iso
from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services import assessments as assessments_module
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.storage import changelog
from tests.sql_statements import record_statements, selects

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def recording_day() -> dt.date:
    """A "since" day that includes what was just recorded (UTC) and is not in the local future."""
    return min(dt.date.today(), dt.datetime.now(dt.UTC).date())


def recorded_at(monkeypatch: pytest.MonkeyPatch, instant: str) -> None:
    """Make the next recordings carry this recording instant (UTC ISO), on either engine: the
    moment ``domain.clock.fixed_time`` would hold (a server's clock included), until the test ends."""
    monkeypatch.setattr(clock, "_fixed", dt.datetime.fromisoformat(instant.replace("Z", "+00:00")))


def local_noon(day: str) -> str:
    """Noon of ``day`` in the local time zone, as a stored UTC stamp: on that local day in every zone
    (a fixed UTC hour such as 10:00 falls on the day before in Pago Pago, or after in Kiritimati)."""
    return to_iso(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12)).astimezone())


def test_record_returns_what_was_stored(tracker: Tracker, recorder: str) -> None:
    a = tracker.assessments.record(AssessmentInput(
        actor="fra", measure="lts-b.4", status="Implemented", provenance="self-reported", confidence="HIGH",
        note="  Conjunction assessment service < 1 km  ", effective="2019-06-21"))
    assert (a.actor_key, a.measure_key, a.status, a.provenance, a.confidence) == (
        "FRA", "LTS-B.4", Status.IMPLEMENTED, Provenance.SELF_REPORTED, Confidence.HIGH)
    assert a.note == "Conjunction assessment service < 1 km"
    assert a.effective_date == dt.date(2019, 6, 21)
    assert a.recorded_by == recorder
    assert a.recorded_at.endswith("Z") and a.recorded_at[:10] == dt.datetime.now(dt.UTC).date().isoformat()
    assert tracker.assessments.history("FRA", "LTS-B.4") == [a]


def test_defaults_effective_today_analyst_judgment_medium(tracker: Tracker) -> None:
    a = tracker.assessments.record(AssessmentInput("USA", "GGE-IV.1", "planned"))
    assert a.effective_date == dt.date.today()
    assert (a.provenance, a.confidence) == (Provenance.ANALYST_JUDGMENT, Confidence.MEDIUM)


def test_a_change_adds_a_row_and_updates_nothing(tracker: Tracker, db_path: Path) -> None:
    # Make any UPDATE or DELETE of history fail loudly, then record a change and a correction.
    con = sqlite3.connect(db_path)
    for table in ("assessment", "assessment_evidence", "change_log"):
        for op in ("UPDATE", "DELETE"):
            con.execute(f"CREATE TRIGGER no_{op.lower()}_{table} BEFORE {op} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{op} of {table}'); END")
    con.commit()
    con.close()
    first = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned", effective="2020-01-01"))
    before = rows(db_path, "SELECT * FROM assessment")
    second = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented", effective="2021-01-01"))
    third = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "partially_implemented", effective="2021-01-01",
                                                       note="correction"))
    after = rows(db_path, "SELECT * FROM assessment")
    assert after[: len(before)] == before  # the earlier row is exactly as it was
    assert [r[0] for r in after] == [first.id, second.id, third.id]
    assert [a.status for a in tracker.assessments.history("FRA", "LTS-A.1")] == [
        Status.PARTIALLY_IMPLEMENTED, Status.IMPLEMENTED, Status.PLANNED]
    # The guard triggers are foreign objects verify must name; without them the data is intact.
    planted = {p.split(":")[0] for p in tracker.integrity.verify().problems}
    assert planted == {f"trigger no_{op}_{t}" for t in ("assessment", "assessment_evidence", "change_log")
                       for op in ("update", "delete")}
    con = sqlite3.connect(db_path)
    for name in planted:
        con.execute(f"DROP TRIGGER {name.split()[1]}")
    con.commit()
    con.close()
    assert tracker.integrity.verify().ok


def test_each_recording_appends_one_change_log_entry(tracker: Tracker, db_path: Path) -> None:
    (n_before,) = rows(db_path, "SELECT count(*) FROM change_log")[0]
    a = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
    entries = rows(db_path, f"SELECT entity, entity_key, action, user FROM change_log WHERE seq > {n_before}")
    assert entries == [("assessment", str(a.id), "recorded", "tester")]


def test_history_is_newest_first_by_effective_date_then_recording(tracker: Tracker) -> None:
    rec = tracker.assessments.record
    late = rec(AssessmentInput("DEU", "LTS-B.1", "implemented", effective="2022-05-01"))
    early = rec(AssessmentInput("DEU", "LTS-B.1", "planned", effective="2018-05-01"))
    fix = rec(AssessmentInput("DEU", "LTS-B.1", "partially_implemented", effective="2022-05-01"))
    assert [a.id for a in tracker.assessments.history("deu", "lts-b.1")] == [fix.id, late.id, early.id]
    assert tracker.assessments.history("DEU", "LTS-B.2") == []


def test_history_of_unknown_cells(tracker: Tracker) -> None:
    with pytest.raises(NotFoundError, match="unknown actor 'XYZ'"):
        tracker.assessments.history("XYZ", "LTS-B.1")
    with pytest.raises(NotFoundError, match="unknown measure 'LTS-Z.9'"):
        tracker.assessments.history("FRA", "LTS-Z.9")


@pytest.mark.parametrize("item, error, fragment", [
    (AssessmentInput("XYZ", "LTS-A.1", "implemented"), NotFoundError, "unknown actor 'XYZ'"),
    (AssessmentInput("FRA", "LTS-Z.9", "implemented"), NotFoundError, "unknown measure 'LTS-Z.9'"),
    (AssessmentInput("FRA", "LTS A1", "implemented"), ValidationError, "measure: 'LTS A1' is not a measure key"),
    (AssessmentInput("FRA", "LTS-A.1", "done"), ValidationError, "status: unknown value 'done'"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", provenance="rumour"), ValidationError, "provenance:"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", confidence="total"), ValidationError, "confidence:"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", effective="2023-02-30"), ValidationError, "not a real calendar date"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", effective="1957-10-03"), ValidationError, "before 1957-10-04"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", effective=(dt.date.today() + dt.timedelta(days=1)).isoformat()),
     ValidationError, "in the future"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", note="bell\x07"), ValidationError, "note: contains control characters"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", note="x" * 1_048_576), ValidationError, "note: is 1,048,576 characters"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", evidence_ids=[99]), NotFoundError, "unknown evidence 99"),
    (AssessmentInput("FRA", "LTS-A.1", "implemented", evidence_ids=["one"]), ValidationError, "not an evidence number"),
])
def test_bad_input_is_refused_and_changes_nothing(tracker: Tracker, db_path: Path, item: AssessmentInput,
                                                  error: type[Exception], fragment: str) -> None:
    before = dump(db_path)
    with pytest.raises(error) as info:
        tracker.assessments.record(item)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)
    assert dump(db_path) == before


def test_markup_in_a_note_is_kept_literally(tracker: Tracker) -> None:
    note = "<script>alert('x')</script> perigee < 500 km\n\tsecond line"
    a = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned", note=note))
    assert a.note == note
    assert tracker.assessments.history("FRA", "LTS-A.1")[0].note == note


def test_record_many_keeps_all(tracker: Tracker) -> None:
    items = [AssessmentInput("FRA", f"LTS-A.{i}", "implemented") for i in range(1, 6)]
    done = tracker.assessments.record_many(items, recorded_by="Analyst A")
    assert [a.measure_key for a in done] == [f"LTS-A.{i}" for i in range(1, 6)]
    assert {a.recorded_by for a in done} == {"Analyst A"}
    assert len({a.recorded_at for a in done}) == 1  # one transaction, one instant
    assert tracker.integrity.verify().ok


@pytest.mark.parametrize("bad", [
    AssessmentInput("FRA", "LTS-B.1", "not-a-status"),
    AssessmentInput("NOWHERE", "LTS-B.1", "implemented"),
    AssessmentInput("FRA", "LTS-Q.1", "implemented"),
    AssessmentInput("FRA", "LTS-B.1", "implemented", evidence_ids=[12345]),
])
def test_record_many_one_bad_item_records_nothing(tracker: Tracker, db_path: Path, bad: AssessmentInput) -> None:
    before = dump(db_path)
    items = [AssessmentInput("FRA", "LTS-A.1", "implemented"), AssessmentInput("USA", "LTS-A.2", "planned"), bad,
             AssessmentInput("CHN", "LTS-A.3", "no_information")]
    with pytest.raises((ValidationError, NotFoundError)):
        tracker.assessments.record_many(items)
    assert dump(db_path) == before
    assert tracker.assessments.history("FRA", "LTS-A.1") == []


def test_record_many_rolls_back_rows_already_written(tracker: Tracker, db_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after some rows were inserted (here: the third change-log entry) leaves nothing."""
    before = dump(db_path)
    real_record = changelog.record
    calls = []

    def failing_record(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("disk trouble")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(changelog, "record", failing_record)
    items = [AssessmentInput("FRA", f"LTS-C.{i}", "implemented") for i in range(1, 5)]
    with pytest.raises(RuntimeError, match="disk trouble"):
        tracker.assessments.record_many(items)
    assert len(calls) == 3  # two rows and their log entries had been written inside the transaction
    assert dump(db_path) == before
    monkeypatch.undo()
    assert tracker.integrity.verify().ok
    # And the database is still usable afterwards.
    assert len(tracker.assessments.record_many(items)) == 4


def test_record_many_refuses_a_huge_batch_before_touching_anything(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assessments_module, "MAX_BATCH", 3)
    with pytest.raises(ValidationError, match="4 assessments at once; the limit is 3"):
        tracker.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", "planned")] * 4)


def test_changes_since_with_previous_status(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = tracker.assessments.record
    recorded_at(monkeypatch, local_noon("2024-01-10"))
    old = rec(AssessmentInput("FRA", "LTS-A.1", "planned", effective="2023-06-01"))
    recorded_at(monkeypatch, local_noon("2025-02-01"))
    upgraded = rec(AssessmentInput("FRA", "LTS-A.1", "implemented", effective="2025-01-15"))
    first_look = rec(AssessmentInput("USA", "GGE-IV.1", "no_information", effective="2025-01-20"))
    recorded_at(monkeypatch, local_noon("2025-03-01"))
    backdated = rec(AssessmentInput("FRA", "LTS-A.1", "not_implemented", effective="2022-01-01"))
    changes = tracker.assessments.changes_since("2025-01-01")
    assert [c.assessment.id for c in changes] == [upgraded.id, first_look.id, backdated.id]
    assert [c.previous_status for c in changes] == [Status.PLANNED, Status.NOT_ASSESSED, Status.NOT_ASSESSED]
    assert old.id not in {c.assessment.id for c in changes}
    # Filtered by catalogue; and the day boundary is inclusive.
    assert [c.assessment.id for c in tracker.assessments.changes_since("2025-01-01", catalog="GGE2013")] == [first_look.id]
    assert [c.assessment.id for c in tracker.assessments.changes_since("2025-03-01")] == [backdated.id]
    assert tracker.assessments.changes_since(recording_day()) == []


def test_changes_since_carries_the_evidence(tracker: Tracker) -> None:
    from tcbm_tracker.services.evidence import EvidenceInput
    ev = tracker.evidence.add(EvidenceInput(title="Replies received from Governments", symbol="A/72/65"))
    tracker.assessments.record(AssessmentInput("FRA", "GGE-IV.1", "implemented", evidence_ids=[ev.id]))
    (change,) = tracker.assessments.changes_since(recording_day())
    assert change.evidence == (ev,)
    assert change.assessment.evidence_ids == (ev.id,)


def test_changes_since_refuses_bad_dates(tracker: Tracker) -> None:
    with pytest.raises(ValidationError, match="since: '2025-02-30' is not a real calendar date"):
        tracker.assessments.changes_since("2025-02-30")
    with pytest.raises(ValidationError, match="in the future"):
        tracker.assessments.changes_since(dt.date.today() + dt.timedelta(days=2))


def test_one_batch_can_hold_a_cell_twice(tracker: Tracker) -> None:
    first, second = tracker.assessments.record_many([
        AssessmentInput("FRA", "LTS-D.1", "planned", effective="2024-01-01"),
        AssessmentInput("FRA", "LTS-D.1", "implemented", effective="2024-01-01"),
    ])
    assert first.recorded_at == second.recorded_at
    assert tracker.queries.matrix().status("FRA", "LTS-D.1") is Status.IMPLEMENTED
    changes = tracker.assessments.changes_since(recording_day())
    assert [(c.previous_status, c.assessment.status) for c in changes] == [
        (Status.NOT_ASSESSED, Status.PLANNED), (Status.PLANNED, Status.IMPLEMENTED)]


def test_changes_since_refuses_an_unknown_catalogue(tracker: Tracker) -> None:
    with pytest.raises(NotFoundError, match="unknown catalogue 'NOPE2000'"):
        tracker.assessments.changes_since("2025-01-01", catalog="NOPE2000")
    assert tracker.assessments.changes_since("2025-01-01", catalog="lts2019") == []


def test_a_correction_wins_even_if_the_clock_stepped_back(tracker: Tracker) -> None:
    with fixed_time(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        first = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented", effective="2025-01-01"))
    with fixed_time(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)):  # the clock is a month behind now
        fix = tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "not_implemented", effective="2025-01-01"))
    assert fix.recorded_at > first.recorded_at
    assert tracker.queries.matrix().status("FRA", "LTS-A.1") is Status.NOT_IMPLEMENTED


def test_new_evidence_and_the_assessments_citing_it_are_one_transaction(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tcbm_tracker.services import assessments as assessments_module
    from tcbm_tracker.services.evidence import EvidenceInput

    prepared = [tracker.evidence.prepare(EvidenceInput(title="National statement", symbol="A/C.1/80/PV.5"))]
    items = [AssessmentInput("FRA", "LTS-A.1", "implemented"), AssessmentInput("DEU", "LTS-A.1", "planned")]

    def failing_clock(_session: object) -> str:
        raise RuntimeError("disk went away")  # a failure after the evidence row was written

    monkeypatch.setattr(assessments_module, "monotonic_now", failing_clock)
    with pytest.raises(RuntimeError):
        tracker.assessments.record_with_new_evidence(items, prepared)
    assert tracker.evidence.list() == [] and tracker.assessments.history("FRA", "LTS-A.1") == []
    monkeypatch.undo()

    saved, new_ids = tracker.assessments.record_with_new_evidence(items, prepared)
    assert len(new_ids) == 1 and [a.evidence_ids for a in saved] == [tuple(new_ids), tuple(new_ids)]
    # What a write returns is built from what it wrote: exactly what reading the rows back gives.
    assert saved == tracker.assessments.get_many([a.id for a in saved])
    assert tracker.integrity.verify().ok


@pytest.mark.parametrize("n", [3, 60])
def test_changes_since_costs_a_fixed_number_of_queries(tracker: Tracker, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    ev = tracker.evidence.add(EvidenceInput(title="Cited"))
    actors = ["FRA", "DEU", "USA", "JPN", "NGA", "BRA"]
    items = [AssessmentInput(actors[i % 6], "LTS-A.1" if i % 2 else "LTS-B.4", ["planned", "implemented"][i % 2],
                             effective=f"20{10 + i % 10}-01-01", evidence_ids=[ev.id] if i % 3 == 0 else [])
             for i in range(n)]
    for item in items:
        tracker.assessments.record(item)
    statements = record_statements(monkeypatch, tracker.db)
    changes = tracker.assessments.changes_since(recording_day())
    assert len(changes) == n
    # One statement for the changes and their previous statuses, three for the citations
    # (links, pinpoints, evidence) of each chunk of a thousand: the same count for 3 changes as
    # for 60 (it was one more per change).
    assert len(selects(statements)) <= 4, statements
    assert all(c.evidence == ((tracker.evidence.get(ev.id),) if i % 3 == 0 else ()) for i, c in enumerate(changes))


def test_changes_are_streamed_chunk_by_chunk(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assessments_module, "CHANGES_CHUNK", 2)
    for i in range(7):
        tracker.assessments.record(AssessmentInput("FRA", f"LTS-A.{1 + i % 3}", "planned" if i % 2 else "implemented"))
    statements = record_statements(monkeypatch, tracker.db)
    stream = tracker.assessments.iter_changes_since(recording_day())
    first = next(stream)
    read_for_first = len(selects(statements))
    rest = list(stream)
    assert len(selects(statements)) > read_for_first  # later chunks were read only when asked for
    assert [c.assessment.id for c in [first, *rest]] == [c.assessment.id for c in tracker.assessments.changes_since(recording_day())]
    assert [c.previous_status for c in [first, *rest]][3:5] == [Status.IMPLEMENTED, Status.PLANNED]
