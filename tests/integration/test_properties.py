"""Properties of the record, checked on random histories (hypothesis):

- the picture "as of" any day equals replaying the recorded assessments by hand (the in-force
  assessment of a cell on day d: the latest effective date <= d, ties to the later recording);
- ``verify`` detects any single row edited, inserted or deleted outside the app (plain sqlite3)
  in the assessments, evidence, actor attributes or the change log itself.

The default run keeps the example counts small; ``pytest -m slow -k property`` runs more.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import open_tracker

ACTORS = ("FRA", "USA", "CHN")
MEASURES = ("LTS-B.4", "GGE-IV.1", "LTS-A.1")
STATUSES = ("no_information", "not_implemented", "planned", "partially_implemented", "implemented", "not_applicable")
FIRST, LAST = dt.date(2020, 1, 1), dt.date(2025, 12, 31)

cells = st.tuples(st.sampled_from(ACTORS), st.sampled_from(MEASURES), st.sampled_from(STATUSES),
                  st.dates(FIRST, LAST))
# Recordings in order; each batch is one ``record_many`` (one transaction, one recording time).
histories = st.lists(st.lists(cells, min_size=1, max_size=3), min_size=1, max_size=8)
days = st.lists(st.dates(FIRST - dt.timedelta(days=30), LAST + dt.timedelta(days=30)), min_size=1, max_size=6)

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fresh_copy(template: Path, factory: pytest.TempPathFactory) -> Path:
    path = factory.mktemp("prop") / "tracker.sqlite"
    shutil.copyfile(template, path)
    return path


def in_force(recorded: list[tuple[int, str, str, str, dt.date]], day: dt.date) -> dict[tuple[str, str], tuple[int, str]]:
    """The independent model: replay the recordings in order, keep per cell the winner on ``day``."""
    model: dict[tuple[str, str], tuple[dt.date, int, str]] = {}
    for assessment_id, actor, measure, status, effective in recorded:  # recording order
        if effective <= day:
            held = model.get((actor, measure))
            if held is None or effective >= held[0]:  # equal date: the later recording wins
                model[(actor, measure)] = (effective, assessment_id, status)
    return {cell: (aid, status) for cell, (_, aid, status) in model.items()}


def check_as_of_equals_replay(template: Path, factory: pytest.TempPathFactory,
                              history: list[list[tuple[str, str, str, dt.date]]], probe_days: list[dt.date]) -> None:
    path = fresh_copy(template, factory)
    t = open_tracker(path, user="tester")
    try:
        recorded: list[tuple[int, str, str, str, dt.date]] = []
        for batch in history:
            infos = t.assessments.record_many([AssessmentInput(a, m, s, effective=e) for a, m, s, e in batch])
            assert len(infos) == len(batch)
            recorded.extend((info.id, a, m, s, e) for info, (a, m, s, e) in zip(infos, batch, strict=True))
        for day in [*probe_days, *(e for *_, e in recorded)]:  # also every effective date itself
            matrix = t.queries.matrix(as_of=day)
            got = {cell: (state.assessment_id, state.status.value) for cell, state in matrix.cells.items()}
            assert got == in_force(recorded, day), day
    finally:
        t.close()


@FAST
@given(history=histories, probe_days=days)
def test_property_as_of_equals_replaying_history(_seeded_template: Path, tmp_path_factory: pytest.TempPathFactory,
                                                 history: list[list[tuple[str, str, str, dt.date]]],
                                                 probe_days: list[dt.date]) -> None:
    check_as_of_equals_replay(_seeded_template, tmp_path_factory, history, probe_days)


@pytest.mark.slow
@MANY
@given(history=st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=30), probe_days=days)
def test_property_as_of_equals_replaying_history_many(_seeded_template: Path, tmp_path_factory: pytest.TempPathFactory,
                                                      history: list[list[tuple[str, str, str, dt.date]]],
                                                      probe_days: list[dt.date]) -> None:
    check_as_of_equals_replay(_seeded_template, tmp_path_factory, history, probe_days)


# ---------------------------------------------------------------- one change outside the app

TABLES = {"assessment": "id", "evidence": "id", "actor_attribute": "id", "change_log": "seq"}


def record_some(path: Path, history: list[tuple[str, str, str, dt.date]], evidence_titles: list[str],
                attributes: list[tuple[str, str]]) -> None:
    """Ordinary recordings through the app: assessments, evidence and actor attributes."""
    t = open_tracker(path, user="tester")
    try:
        for title in evidence_titles:
            t.evidence.add(EvidenceInput(title=title, symbol=None))
        for a, m, s, e in history:
            t.assessments.record(AssessmentInput(a, m, s, effective=e))
        for actor, value in attributes:
            t.reference.set_attribute(actor, "un_regional_group", value, "2025-06-01")
        assert t.integrity.verify().ok
    finally:
        t.close()


def changed(value: object, nullable: bool, draw: Callable[[st.SearchStrategy[str]], str]) -> object:
    """A value of the same kind that differs from ``value`` (NULL only where the schema allows it)."""
    if isinstance(value, int):
        return value + draw(st.sampled_from([1, -1, 1000]))
    if value is None:
        return draw(st.text(min_size=1, max_size=8))
    text_value = str(value)
    edit = draw(st.sampled_from(["append", "replace", "empty", "null"]))
    if edit == "append":
        return text_value + draw(st.text(min_size=1, max_size=4))
    if edit == "replace":
        return draw(st.text(min_size=1, max_size=12).filter(lambda s: s != text_value))
    if edit == "null" and nullable:
        return None
    return "" if text_value != "" else "x"


def tamper_once(path: Path, data: st.DataObject) -> str:
    """Exactly one outside-the-app change, made with plain sqlite3 (foreign keys off, as the shell)."""
    con = sqlite3.connect(path)
    try:
        filled = [t for t in sorted(TABLES) if con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]]
        table = data.draw(st.sampled_from(filled), label="table")
        pk = TABLES[table]
        ids = [r[0] for r in con.execute(f"SELECT {pk} FROM {table} ORDER BY {pk}")]
        row_id = data.draw(st.sampled_from(ids), label="row")
        info = con.execute(f"PRAGMA table_info({table})").fetchall()
        columns = [r[1] for r in info]
        nullable = {r[1]: not r[3] for r in info}
        row = dict(zip(columns, con.execute(f"SELECT * FROM {table} WHERE {pk} = ?", (row_id,)).fetchone(), strict=True))
        action = data.draw(st.sampled_from(["update", "insert", "delete"]), label="action")
        if action == "update":
            column = data.draw(st.sampled_from(columns), label="column")
            new = changed(row[column], nullable[column], data.draw)
            if column == pk:  # a new id must not be another row's
                new = max(ids) + data.draw(st.integers(1, 5))
            con.execute(f"UPDATE {table} SET {column} = ? WHERE {pk} = ?", (new, row_id))
            what = f"{table} {row_id}.{column}: {row[column]!r} -> {new!r}"
        elif action == "insert":
            row[pk] = max(ids) + data.draw(st.integers(1, 5), label="new id")
            if table == "actor_attribute":  # unique (actor_key, name, as_of): a day of its own
                row["as_of"] = data.draw(st.dates(dt.date(1990, 1, 1), dt.date(1999, 12, 31))).isoformat()
            marks = ", ".join("?" for _ in columns)
            con.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [row[c] for c in columns])
            what = f"{table}: inserted a copy of row {row_id} as {row[pk]}"
        else:
            con.execute(f"DELETE FROM {table} WHERE {pk} = ?", (row_id,))
            what = f"{table}: deleted row {row_id}"
        con.commit()
        return what
    finally:
        con.close()


@pytest.fixture(scope="module")
def recorded_template(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Path:
    """A database with a random-looking but fixed history (tampered copies are made of it per example)."""
    path = fresh_copy(_seeded_template, tmp_path_factory)
    with pytest.MonkeyPatch.context() as mp:  # module scope: the per-test folders are not set yet
        mp.setenv("TCBM_TRACKER_CONFIG_DIR", str(path.parent / "config"))
        mp.setenv("TCBM_TRACKER_BACKUP_DIR", str(path.parent / "backups"))
        record_some(path, [("FRA", "LTS-B.4", "planned", dt.date(2020, 3, 1)),
                           ("FRA", "LTS-B.4", "implemented", dt.date(2022, 5, 1)),
                           ("USA", "GGE-IV.1", "no_information", dt.date(2021, 1, 1)),
                           ("CHN", "LTS-A.1", "partially_implemented", dt.date(2021, 1, 1))],
                    ["National submission", "Statement"], [("TUR", "APG")])
    return path


def check_single_change_detected(template: Path, factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    path = fresh_copy(template, factory)
    what = tamper_once(path, data)
    t = open_tracker(path, user="tester")
    try:
        report = t.integrity.verify()
    finally:
        t.close()
    assert report.ok is False, f"not detected: {what}"
    assert report.problems, what


@FAST
@given(data=st.data())
def test_property_the_chain_detects_any_single_row_edit_insert_or_delete(
        recorded_template: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    check_single_change_detected(recorded_template, tmp_path_factory, data)


@FAST
@given(history=st.lists(cells, min_size=1, max_size=6), titles=st.lists(st.text(st.characters(categories=("L", "N", "Zs")), min_size=1,
                                                                               max_size=20).filter(str.strip), max_size=2), data=st.data())
def test_property_the_chain_detects_one_change_after_random_recordings(
        _seeded_template: Path, tmp_path_factory: pytest.TempPathFactory,
        history: list[tuple[str, str, str, dt.date]], titles: list[str], data: st.DataObject) -> None:
    path = fresh_copy(_seeded_template, tmp_path_factory)
    record_some(path, history, titles, [])
    check_single_change_detected(path, tmp_path_factory, data)


@pytest.mark.slow
@MANY
@given(data=st.data())
def test_property_the_chain_detects_any_single_change_many(
        recorded_template: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    check_single_change_detected(recorded_template, tmp_path_factory, data)
