"""Fixtures for the spreadsheet exchange: a database with a varied history, and an empty one."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcbm_tracker.domain.clock import fixed_time
from tcbm_tracker.exchange.service import ExchangeService
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker, open_tracker


def db_fingerprint(path: Path) -> str:
    """The database file's SHA-256 once everything committed is in it (a checkpoint first)."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def history(path: Path) -> list[tuple[object, ...]]:
    """Every assessment with the content of the evidence it cites: comparable across databases."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT a.actor_key, a.measure_key, a.status, a.provenance, a.confidence, a.note, a.recorded_by, "
            "a.effective_date, a.recorded_at, (SELECT group_concat(x, '|') FROM (SELECT e.title || '/' || "
            "coalesce(e.symbol, '') || '/' || coalesce(e.pinpoint, '') || '/' || e.created_at AS x FROM "
            "assessment_evidence l JOIN evidence e ON e.id = l.evidence_id WHERE l.assessment_id = a.id ORDER BY x)) "
            "FROM assessment a ORDER BY a.recorded_at, a.actor_key, a.measure_key, a.effective_date, a.id"
        ).fetchall()
    finally:
        con.close()


def evidence_content(path: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT symbol, title, date, language, evidence_type, url, pinpoint, recorded_by, created_at FROM evidence "
            "ORDER BY created_at, title"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def rich(db_path: Path) -> Iterator[Tracker]:
    """A database with history: corrections, several effective dates, evidence, awkward notes."""
    t = open_tracker(db_path, user="analyst")
    with fixed_time(dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC)):
        e1 = t.evidence.add(EvidenceInput(title="Replies received from Governments", symbol="A/72/65", date="2017-02-16",
                                          language="en", evidence_type="un_process", url="https://undocs.org/A/72/65",
                                          pinpoint="p. 5"))
        e2 = t.evidence.add(EvidenceInput(title="Rapport national — espace", date="2020-05-01", language="fr",
                                          evidence_type="policy_strategy", pinpoint="para. 3"))
        t.assessments.record_many([
            AssessmentInput("FRA", "LTS-B.4", "planned", "official_record", "medium", effective="2016-06-01",
                            note="=HYPERLINK(\"http://evil\")", evidence_ids=[e1.id]),
            AssessmentInput("USA", "GGE-IV.1", "implemented", "official_record", "high", effective="2013-07-29",
                            note="+1 line\nsecond line, with \"quotes\", commas; and é", evidence_ids=[e1.id, e2.id]),
            AssessmentInput("BRA", "GGE-IV.1", "no_information", effective="2017-02-16"),
        ])
    with fixed_time(dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)):
        t.assessments.record_many([
            AssessmentInput("FRA", "LTS-B.4", "implemented", "self_reported", "high", effective="2019-06-21",
                            note="@mention -minus", evidence_ids=[e2.id]),
            # A correction of the same effective date: the later recording wins.
            AssessmentInput("BRA", "GGE-IV.1", "not_implemented", effective="2017-02-16", note="'=already quoted"),
        ])
    yield t
    t.close()


@pytest.fixture
def empty(tmp_path: Path, _seeded_template: Path) -> Iterator[Tracker]:
    """A second initialised database, with no assessments or evidence."""
    target = tmp_path / "empty" / "tracker.sqlite"
    target.parent.mkdir()
    target.write_bytes(_seeded_template.read_bytes())
    t = open_tracker(target, user="importer")
    yield t
    t.close()


def exchange(t: Tracker) -> ExchangeService:
    return ExchangeService(t)
