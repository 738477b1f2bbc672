"""``verify`` on an intact file: the walk keeps nothing per entry and SQLite compares every row
with its latest log entry itself (``chain_check._intact_log``, ``row_json.latest_match_query``);
anything amiss sends it back to the full walk and the row-by-row comparison, which name it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tcbm_tracker.storage import chain_check, changelog
from tcbm_tracker.storage.changelog import ENTITIES


def _rename_in_the_app(t: Tracker, key: str, name: str) -> None:
    """A logged change of an existing row (as loading a newer actor list makes): its key is logged twice."""
    with t.db.write() as s:
        s.exec(text("UPDATE actor SET name = :n WHERE key = :k").bindparams(n=name, k=key))  # type: ignore[call-overload]
        changelog.record(s, "actor", key, "updated", "tester")


def _sql_verdicts(t: Tracker, relogged: frozenset[str] | None) -> dict[str, bool]:
    with t.db.read() as s:
        cur = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        return {kind.name: chain_check._all_match_in_sql(cur, kind, relogged) for kind in ENTITIES}


def test_an_intact_log_is_walked_keeping_nothing_and_every_table_matches_in_sql(tracker: Tracker) -> None:
    ids = [tracker.evidence.add(EvidenceInput(title=f"Doc {i}", symbol=f"A/{i}")).id for i in range(3)]
    tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned", evidence_ids=ids[:2],
                                               evidence_pinpoints={ids[1]: "p. 4"}))
    tracker.assessments.record(AssessmentInput("DEU", "LTS-B.4", "implemented", evidence_ids=[ids[2]]))
    tracker.assessments.record(AssessmentInput("ITA", "LTS-B.4", "implemented"))
    _rename_in_the_app(tracker, "FRA", "French Republic")
    with tracker.db.read() as s:
        full = chain_check.verify_chain(s, capture={1, 7, 10**6})
        lean = chain_check.verify_chain(s, capture={1, 7, 10**6}, keep_latest=False)
    assert full.latest and lean.latest is None and lean.relogged == frozenset({"actor"})
    assert (lean.head, lean.head_seq, lean.entries, lean.hashes, lean.problems) == (
        full.head, full.head_seq, full.entries, full.hashes, [])
    assert set(lean.hashes) == {1, 7}
    assert _sql_verdicts(tracker, lean.relogged) == {kind.name: True for kind in ENTITIES}
    assert _sql_verdicts(tracker, None) == {kind.name: True for kind in ENTITIES}  # relogged found per table
    assert tracker.integrity.verify().ok


def test_a_row_set_back_to_its_earlier_snapshot_fails_in_sql_and_is_named(db_path: Path) -> None:
    t = open_tracker(db_path, user="tester")
    try:
        _rename_in_the_app(t, "FRA", "French Republic")
        with t.db.write_sql() as s:  # the first snapshot's name again, unlogged
            s.exec(text("UPDATE actor SET name = (SELECT json_extract(payload, '$.name') FROM change_log "  # type: ignore[call-overload]
                        "WHERE entity = 'actor' AND entity_key = 'FRA' ORDER BY seq LIMIT 1) WHERE key = 'FRA'"))
        verdicts = _sql_verdicts(t, frozenset({"actor"}))
        assert [name for name, ok in verdicts.items() if not ok] == ["actor"]
        assert list(t.integrity.verify().problems) == ["actor FRA: differs from the change log (edited outside the app)"]
    finally:
        t.close()


def _lean_walk(path: Path) -> chain_check.ChainResult:
    t = open_tracker(path)
    try:
        with t.db.read() as s:
            return chain_check.verify_chain(s, keep_latest=False)
    finally:
        t.close()


def test_a_log_with_any_problem_is_walked_in_full(db_path: Path) -> None:
    assert _lean_walk(db_path).latest is None
    con = sqlite3.connect(db_path)
    try:
        con.execute("UPDATE change_log SET payload = replace(payload, 'France', 'Gaul') WHERE entity = 'actor' "
                    "AND entity_key = 'FRA'")
        con.commit()
    finally:
        con.close()
    walked = _lean_walk(db_path)
    assert walked.latest is not None and "FRA" in walked.latest["actor"]
    assert [p.what for p in walked.problems] == ["was altered (actor FRA added)"]


def test_a_deleted_last_entry_is_walked_in_full(db_path: Path) -> None:
    con = sqlite3.connect(db_path)
    try:
        con.execute("DELETE FROM change_log WHERE seq = (SELECT max(seq) FROM change_log)")
        con.commit()
    finally:
        con.close()
    walked = _lean_walk(db_path)
    assert walked.latest is not None and walked.entries_missing
