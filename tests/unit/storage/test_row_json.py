"""The snapshots SQLite builds for ``verify``'s fast comparison (``storage.row_json``) are the
very text Python writes into the change log, and a value only an edit outside the app can
store never matches there, so the exact comparison decides (``chain_check.verify_rows``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tcbm_tracker.storage import chain_check
from tcbm_tracker.storage.changelog import CANONICAL, ENTITIES, ENTITY_BY_NAME, normaliser
from tcbm_tracker.storage.row_json import snapshot_query


def python_snapshots(con: sqlite3.Connection, name: str) -> dict[str, str]:
    kind = ENTITY_BY_NAME[name]
    norm = normaliser(kind)
    return {str(r[0]): CANONICAL.encode(norm(dict(zip(kind.columns, r[1:], strict=True)))) for r in con.execute(kind.query)}


def sql_snapshots(con: sqlite3.Connection, name: str) -> dict[str, str]:
    return {str(k): v for k, v in con.execute(snapshot_query(ENTITY_BY_NAME[name]))}


def test_every_table_gets_the_same_text_from_sqlite_as_from_python(tracker: Tracker) -> None:
    ids = [tracker.evidence.add(EvidenceInput(title=f"Doc {i}", symbol=f"A/{i}", pinpoint="p. 1")).id for i in range(12)]
    # Pinpoint keys "10" and "9": ordered as text, as sort_keys orders them.
    tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned", note='quote " back \\ tab\t nl\n é 中 😀 </b>',
                                               evidence_ids=[ids[9], ids[10], ids[2]],
                                               evidence_pinpoints={ids[9]: "p. 9", ids[10]: "§ 10 \"x\""}))
    tracker.assessments.record(AssessmentInput("DEU", "LTS-B.4", "implemented", evidence_ids=[ids[0]]))
    tracker.assessments.record(AssessmentInput("ITA", "LTS-B.4", "implemented"))
    con = sqlite3.connect(tracker.path)
    try:
        for kind in ENTITIES:
            expected = python_snapshots(con, kind.name)
            assert sql_snapshots(con, kind.name) == expected, kind.name
        assert len(python_snapshots(con, "assessment")) == 3
    finally:
        con.close()


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
VALUE = st.one_of(st.none(), TEXT, st.integers(min_value=-(2**63), max_value=2**63 - 1))


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUE, min_size=4, max_size=4), st.one_of(st.none(), st.booleans()))
def test_sqlite_encodes_text_integers_null_and_flags_as_python_does(values: list[object], flag: bool | None) -> None:
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE TABLE catalog (key, version, title, short_title, source_document, adopted, description, builtin, loaded_at)")
        con.execute("INSERT INTO catalog VALUES ('k', ?, ?, ?, ?, 'a', 'd', ?, 'l')", (*values, flag))
        assert sql_snapshots(con, "catalog") == python_snapshots(con, "catalog")
    finally:
        con.close()


def _tamper(path: Path, sql: str) -> list[str]:
    con = sqlite3.connect(path)
    try:
        con.execute(sql)
        con.commit()
    finally:
        con.close()
    t = open_tracker(path)
    try:
        return [str(p) for p in t.integrity.verify().problems]
    finally:
        t.close()


def _python_only(path: Path) -> list[str]:
    """What the exact comparison alone says (the fast one switched off)."""
    t = open_tracker(path)
    try:
        with t.db.read() as s:
            chain = chain_check.verify_chain(s)
            cur = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
            unlogged = "is not in the change log (added outside the app)"
            return [str(p) for kind in ENTITIES
                    for p in chain_check._compare_in_python(cur, kind, chain.latest.get(kind.name, {}), unlogged, 50)]
    finally:
        t.close()


def test_values_only_an_outside_edit_stores_are_judged_by_the_exact_comparison(db_path: Path) -> None:
    # A flag stored as text Python reads as true: the log said true, so Python finds nothing amiss;
    # SQLite would read it as false, which is why the fast comparison never trusts such a flag.
    assert _tamper(db_path, "UPDATE catalog SET builtin = 'yes' WHERE key = 'LTS2019'") == _python_only(db_path) == []
    # A real number where the log holds an integer: named, as the exact comparison names it.
    found = _tamper(db_path, "UPDATE catalog SET version = 2.5 WHERE key = 'LTS2019'")
    assert found == _python_only(db_path) == ["catalog LTS2019: differs from the change log (edited outside the app)"]


def test_a_table_with_a_wrong_or_missing_row_is_compared_row_by_row(db_path: Path) -> None:
    assert _tamper(db_path, "UPDATE actor SET name = 'Gaul' WHERE key = 'FRA'") == [
        "actor FRA: differs from the change log (edited outside the app)"]
    found = _tamper(db_path, "DELETE FROM actor_attribute WHERE id = (SELECT min(id) FROM actor_attribute)")
    assert found == _python_only(db_path) and len(found) == 2
    assert found[1].endswith("is in the change log but missing (deleted outside the app)")
