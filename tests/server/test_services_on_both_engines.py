"""The services behave the same on a file and on a PostgreSQL server (the ``both`` fixture runs
each test once per engine): recording, history, as-of and known-at pictures, the matrix, the
dossier, evidence with pinpoints and corrections, and ``verify`` of the chained change log."""

from __future__ import annotations

import datetime as dt

import pytest

from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceCorrection, EvidenceInput
from tcbm_tracker.services.tracker import Tracker


def test_recording_is_append_only_and_history_is_newest_first(both: Tracker) -> None:
    rec = both.assessments.record
    late = rec(AssessmentInput("DEU", "LTS-B.1", "implemented", effective="2022-05-01"))
    early = rec(AssessmentInput("DEU", "LTS-B.1", "planned", effective="2018-05-01"))
    fix = rec(AssessmentInput("DEU", "LTS-B.1", "partially_implemented", effective="2022-05-01", note="correction"))
    assert [a.id for a in both.assessments.history("deu", "lts-b.1")] == [fix.id, late.id, early.id]
    # A file records the name given; a server records its login (here the cluster's superuser).
    assert fix.recorded_by == ("tester" if both.db.dialect == "sqlite" else "postgres") and fix.note == "correction"
    assert both.assessments.history("DEU", "LTS-B.2") == []


def test_bad_input_is_refused_and_nothing_is_recorded(both: Tracker) -> None:
    head = both.integrity.verify().head
    with pytest.raises(NotFoundError, match="unknown actor 'XYZ'"):
        both.assessments.record(AssessmentInput("XYZ", "LTS-A.1", "implemented"))
    with pytest.raises(ValidationError, match="status: unknown value 'done'"):
        both.assessments.record(AssessmentInput("FRA", "LTS-A.1", "done"))
    # Two in one batch, the second bad: neither is kept.
    with pytest.raises(NotFoundError):
        both.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", "planned"), AssessmentInput("FRA", "LTS-Z.9", "planned")])
    assert both.assessments.history("FRA", "LTS-A.1") == []
    assert both.integrity.verify().head == head


def test_matrix_now_and_as_of_a_date(both: Tracker) -> None:
    rec = both.assessments.record
    rec(AssessmentInput("FRA", "GGE-IV.1", "planned", effective="2015-01-01"))
    rec(AssessmentInput("FRA", "GGE-IV.1", "implemented", effective="2020-01-01"))
    rec(AssessmentInput("JPN", "GGE-IV.1", "not_implemented", effective="2019-03-01"))
    now = both.queries.matrix(catalog="GGE2013")
    assert now.status("FRA", "GGE-IV.1") == Status.IMPLEMENTED
    assert now.status("JPN", "GGE-IV.1") == Status.NOT_IMPLEMENTED
    then = both.queries.matrix(catalog="GGE2013", as_of="2016-06-30")
    assert then.status("FRA", "GGE-IV.1") == Status.PLANNED
    assert then.status("JPN", "GGE-IV.1") == Status.NOT_ASSESSED
    # Known at a day before anything was recorded: nothing.
    before = both.queries.matrix(catalog="GGE2013", known_at=dt.date(2001, 1, 1))
    assert before.status("FRA", "GGE-IV.1") == Status.NOT_ASSESSED
    assert len(now.measures) == 16 and len(now.actors) >= 190


def test_dossier_with_evidence_pinpoints_and_a_correction(both: Tracker) -> None:
    doc = both.evidence.add(EvidenceInput(title="National report", symbol="A/AC.105/1234", date="2021-02-03"))
    other = both.evidence.add(EvidenceInput(title="Statement", url="https://example.org/s"))
    a = both.assessments.record(AssessmentInput("ITA", "LTS-B.4", "implemented", evidence_ids=[other.id, doc.id],
                                                evidence_pinpoints={doc.id: "para. 12"}))
    assert [e.id for e in both.evidence.list()][-2:] == [doc.id, other.id]
    fixed = both.evidence.correct(doc.id, EvidenceCorrection(title="National report 2021"))
    assert fixed.id != doc.id and both.evidence.get(doc.id).title == "National report"  # never overwritten
    dossier = both.queries.dossier("ita", catalog="LTS2019")
    row = next(r for r in dossier.entries if r.measure.key == "LTS-B.4")
    assert row.assessment is not None and row.assessment.id == a.id
    assert sorted(e.id for e in row.evidence) == sorted([doc.id, other.id])
    stored = both.assessments.get_many([a.id])[0]
    assert a == stored  # what the write returned is what the server stored (its clock's stamp included)
    assert sorted(stored.evidence_ids) == sorted([doc.id, other.id])
    assert dict(stored.evidence_pinpoints) == {doc.id: "para. 12"}
    assert both.integrity.verify().ok


def test_verify_passes_and_counts_every_change(both: Tracker) -> None:
    first = both.integrity.verify()
    assert first.ok, first.problems
    both.assessments.record(AssessmentInput("BRA", "LTS-A.1", "planned"))
    both.evidence.add(EvidenceInput(title="Doc"))
    second = both.integrity.verify()
    assert second.ok, second.problems
    assert second.entries == first.entries + 2 and second.head != first.head


def test_sql_text_with_a_literal_percent_and_parameters_reads_the_same_on_both(both: Tracker) -> None:
    """On a server the text goes to psycopg in its own parameter style (``storage.sql``): a literal
    ``%`` stays one, and the same ``:name`` parameters are bound."""
    from tcbm_tracker.storage.sql import text

    sql = "SELECT key, '100%' AS share, :n AS n FROM actor WHERE key = :k AND name LIKE :p"
    with both.db.read(transaction=False) as s:
        row = s.exec(text(sql).bindparams(k="FRA", p="Fr%", n=3)).one()  # type: ignore[call-overload]
        assert s.exec(text("SELECT count(*) FROM actor WHERE name LIKE 'Fr%'")).scalar() == 1  # type: ignore[call-overload]
    assert tuple(row) == ("FRA", "100%", 3) and row.share == "100%"


def test_a_read_without_a_transaction_opens_none_on_the_server(pg_initialised_url: str) -> None:
    """``read(transaction=False)`` (the query service's reads): no BEGIN, hence no ROLLBACK, and the
    connection goes back to the pool as it came (the next read or write has its transaction)."""
    import psycopg

    from tcbm_tracker.services.tracker import open_tracker
    from tcbm_tracker.storage.sql import text

    t = open_tracker(pg_initialised_url)
    try:
        for transaction, status in ((False, psycopg.pq.TransactionStatus.IDLE),
                                    (True, psycopg.pq.TransactionStatus.INTRANS)):
            with t.db.read(transaction=transaction) as s:
                assert s.exec(text("SELECT count(*) FROM actor")).scalar() == 195  # type: ignore[call-overload]
                assert s.connection().connection.driver_connection.info.transaction_status == status
        recorded = t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
        entry = next(e for e in t.queries.dossier("FRA").entries if e.measure.key == "LTS-A.1")
        assert entry.assessment is not None and entry.assessment.id == recorded.id and t.integrity.verify().ok
    finally:
        t.close()


def test_a_read_sees_one_state_of_the_record_while_another_client_commits(both: Tracker, engine_target: object) -> None:
    """Every statement of one read (``read()``: verify, a package export) sees the record as it was
    when the read began, as a file's read transaction does; on a server that is REPEATABLE READ (its
    default, READ COMMITTED, would show another client's commit to the next statement: a package
    whose rows run past its head, a verify that finds rows newer than the log it walked)."""
    from tcbm_tracker.services.tracker import open_tracker
    from tcbm_tracker.storage.sql import text

    count = "SELECT (SELECT count(*) FROM assessment), (SELECT count(*) FROM change_log)"
    other = open_tracker(engine_target, user="tester")  # type: ignore[arg-type]
    try:
        with both.db.read() as s:
            before = tuple(s.exec(text(count)).one())  # type: ignore[call-overload]
            other.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
            assert tuple(s.exec(text(count)).one()) == before  # type: ignore[call-overload]
        with both.db.read() as s:
            assert tuple(s.exec(text(count)).one()) == (before[0] + 1, before[1] + 1)  # type: ignore[call-overload]
    finally:
        other.close()
