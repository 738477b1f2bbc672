"""The engine's settings, concurrent writers extending one chain, the change-log hashing, the
clock format and where the database lives."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from tcbm_tracker.cli import build_parser, database_path
from tcbm_tracker.domain.clock import end_of_day_iso, to_iso, utc_now_iso
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.locations import ENV_DB, default_database_path


def test_connections_use_wal_foreign_keys_and_full_sync(tracker: Tracker) -> None:
    with tracker.db.read() as s:
        assert s.exec(text("PRAGMA journal_mode")).one()[0] == "wal"  # type: ignore[call-overload]
        assert s.exec(text("PRAGMA foreign_keys")).one()[0] == 1  # type: ignore[call-overload]
        assert s.exec(text("PRAGMA synchronous")).one()[0] == 2  # type: ignore[call-overload]


def test_foreign_keys_are_enforced(tracker: Tracker) -> None:
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):
        with tracker.db.write() as s:
            s.exec(text(  # type: ignore[call-overload]
                "INSERT INTO assessment (actor_key, measure_key, status, provenance, confidence, recorded_by, "
                "effective_date, recorded_at) VALUES ('XXX', 'LTS-A.1', 'implemented', 'third_party', 'low', 'x', "
                "'2020-01-01', '2020-01-01T00:00:00.000000Z')"))
    assert tracker.assessments.history("FRA", "LTS-A.1") == []


def test_two_writers_extend_one_unbroken_chain(db_path: Path) -> None:
    """Two trackers on the same file recording at the same time: BEGIN IMMEDIATE serialises them."""
    trackers = [open_tracker(db_path, user=f"writer{i}") for i in range(2)]
    errors: list[BaseException] = []
    measures = [f"LTS-B.{i}" for i in range(1, 11)] + [f"LTS-A.{i}" for i in range(1, 6)]

    def work(t: Tracker, actor: str) -> None:
        try:
            for m in measures:
                t.assessments.record(AssessmentInput(actor, m, "implemented"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t, actor)) for t, actor in zip(trackers, ["FRA", "DEU"], strict=True)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    try:
        assert errors == []
        report = trackers[0].integrity.verify()
        assert report.ok, report.problems
        with trackers[0].db.read() as s:
            seqs = [r[0] for r in s.exec(text("SELECT seq FROM change_log ORDER BY seq"))]  # type: ignore[call-overload]
        assert seqs == list(range(1, len(seqs) + 1))
        m = trackers[1].queries.matrix(catalog="LTS2019")
        assert sum(1 for cell in m.cells.values()) == 2 * len(measures)
    finally:
        for t in trackers:
            t.close()


def test_entry_hash_covers_every_field_and_separates_them() -> None:
    base = dict(seq=1, at="2025-01-01T00:00:00.000000Z", user="u", entity="actor", key="FRA", action="added",
                payload='{"a":1}', prev="0" * 64)
    h = changelog.entry_hash(**base)  # type: ignore[arg-type]
    assert len(h) == 64
    for field, other in [("seq", 2), ("at", "2025-01-01T00:00:00.000001Z"), ("user", "v"), ("entity", "measure"),
                         ("key", "DEU"), ("action", "updated"), ("payload", '{"a":2}'), ("prev", "1" * 64)]:
        assert changelog.entry_hash(**{**base, field: other}) != h, field  # type: ignore[arg-type]
    # Moving characters between adjacent fields changes the hash.
    assert changelog.entry_hash(**{**base, "user": "ua", "entity": "ctor"}) != h  # type: ignore[arg-type]


def test_canonical_json_is_stable() -> None:
    assert changelog.canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_the_chain_starts_at_genesis_and_links(tracker: Tracker) -> None:
    with tracker.db.read() as s:
        rows = list(s.exec(text("SELECT seq, prev_hash, hash FROM change_log ORDER BY seq")))  # type: ignore[call-overload]
    assert rows[0][1] == changelog.GENESIS
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    assert tracker.queries.fingerprint() == rows[-1][2]


def test_time_stamps_are_utc_with_microseconds() -> None:
    assert to_iso(dt.datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=2)))) == "2025-01-02T01:04:05.000006Z"
    with pytest.raises(ValueError):
        to_iso(dt.datetime(2025, 1, 2))
    assert len(utc_now_iso()) == len("2025-01-02T01:04:05.000006Z") and utc_now_iso().endswith("Z")
    # A typed date is the user's own calendar day: its last instant, converted to UTC.
    local_end = dt.datetime.combine(dt.date(2024, 2, 29), dt.time.max).astimezone()
    assert end_of_day_iso(dt.date(2024, 2, 29)) == local_end.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_database_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_DB, raising=False)
    default = default_database_path()
    assert default.name == "tracker.sqlite" and default.parent.name == "tcbm-tracker"
    monkeypatch.setenv(ENV_DB, str(tmp_path / "env.sqlite"))
    assert default_database_path() == tmp_path / "env.sqlite"
    parser = build_parser()
    assert database_path(parser.parse_args(["matrix"])) == tmp_path / "env.sqlite"
    # --db beats the environment.
    assert database_path(parser.parse_args(["--db", str(tmp_path / "flag.sqlite"), "matrix"])) == tmp_path / "flag.sqlite"
