"""The server's clock is the recording time: a client whose clock is wrong records the server's time,
and a client that writes a time of its own far from the server's is refused by the server itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
import time_machine
from pg_cluster import Cluster
from test_server_packages import _trust, laptop, on_server  # noqa: F401 - a laptop's file and key
from test_server_roles import run, team  # noqa: F401 - the fixture of logins per role

from tcbm_tracker.domain.clock import fixed_time
from tcbm_tracker.exchange.packages import api
from tcbm_tracker.exchange.service import ExchangeService
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.server_database import ServerError
from tests.unit.exchange.package_copies import Copy

WRONG = dt.datetime(2021, 6, 1, 12, 0, tzinfo=dt.UTC)  # a laptop's clock years behind


def _stamp(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def _server_now(cluster: Cluster) -> dt.datetime:
    found = cluster.sql("SELECT now()")[0][0]
    assert isinstance(found, dt.datetime)
    return found


def test_a_wrong_client_clock_records_the_servers_time(pg_cluster: Cluster, pg_initialised_url: str) -> None:
    t = open_tracker(pg_initialised_url)
    try:
        with time_machine.travel(WRONG, tick=True):
            assert dt.datetime.now(dt.UTC).year == 2021  # the client's clock is wrong
            a = t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
            e = t.evidence.add(EvidenceInput(title="A/AC.105/1"))
            seal = t.integrity.seal("test")
        server = _server_now(pg_cluster)
        with t.db.read() as s:
            log_at = s.connection().exec_driver_sql("SELECT max(at) FROM change_log").scalar_one()
        for stamp in (a.recorded_at, e.created_at, seal.made_at, log_at):
            assert abs(_stamp(stamp) - server) < dt.timedelta(minutes=1), stamp
        assert t.integrity.verify().ok
    finally:
        t.close()


def test_a_file_keeps_the_computers_clock(db_path: Path) -> None:
    t = open_tracker(db_path, user="tester")
    try:
        with time_machine.travel(WRONG, tick=False):
            a = t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
        assert a.recorded_at == "2021-06-01T12:00:00.000000Z"
    finally:
        t.close()


def test_the_server_refuses_a_time_far_from_its_own(team: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    # A client that ignores the application and writes its own time: refused by the server.
    with psycopg.connect(team["editor"]) as conn:
        user = conn.execute("SELECT current_user").fetchone()
        assert user is not None
        with pytest.raises(psycopg.errors.CheckViolation, match="the server's clock is the recording time: recorded_at"):
            conn.execute("INSERT INTO assessment (actor_key, measure_key, status, provenance, confidence, recorded_by, "
                         "effective_date, recorded_at) VALUES ('FRA', 'LTS-A.1', 'planned', 'analyst_judgment', 'medium', "
                         "%s, '2021-06-01', '2021-06-01T12:00:00.000000Z')", (user[0],))
    with psycopg.connect(team["editor"]) as conn, pytest.raises(psycopg.errors.CheckViolation, match="recorded_at of assessment is yesterday"):
        conn.execute("INSERT INTO assessment (actor_key, measure_key, status, provenance, confidence, recorded_by, "
                     "effective_date, recorded_at) VALUES ('FRA', 'LTS-A.1', 'planned', 'analyst_judgment', 'medium', "
                     "current_user, '2021-06-01', 'yesterday')")
    # The application's own fixed time (fixtures only) far from the server's: one clear line, nothing changed.
    t = open_tracker(team["editor"])
    try:
        before = t.integrity.verify().entries
        with fixed_time(WRONG), pytest.raises(ServerError) as caught:
            t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
        message = str(caught.value)
        assert "the server's clock is the recording time" in message and "nothing was changed" in message
        assert "\n" not in message
        assert t.integrity.verify().entries == before
        assert t.assessments.history("FRA", "LTS-A.1") == []
        # Within the slack, the server's own time: recorded.
        assert t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned")).status.value == "planned"
    finally:
        t.close()


def test_a_laptop_clock_running_ahead_does_not_push_the_servers_stamps_into_the_future(
        laptop: Copy, team: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    config = tmp_path / "editor-config"
    _trust(laptop, team["editor"], config, monkeypatch)
    with laptop.open() as t, time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)):
        t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))  # stamped two days ahead
        package = api.export_package(t, tmp_path / "ahead.tcbm").path
    with on_server(team["editor"], config, monkeypatch) as s:
        assert api.import_package(s, package).assessments_added == 1  # kept as recorded there
        # The server's own recordings, by hand and by a spreadsheet, still take the server's time.
        a = s.assessments.record(AssessmentInput("DEU", "LTS-A.1", "planned"))
        sheet = tmp_path / "sheet.csv"
        sheet.write_text("actor,measure,effective_date,status\nJPN,LTS-A.1,2024-01-01,planned\n", encoding="utf-8")
        assert ExchangeService(s).import_files([sheet]).assessments_added == 1
        [b] = s.assessments.history("JPN", "LTS-A.1")
        for stamp in (a.recorded_at, b.recorded_at):
            assert abs(_stamp(stamp) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5), stamp


def test_a_spreadsheet_naming_its_own_recording_time_is_refused_on_a_set_up_server(
        team: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    t = open_tracker(team["editor"])
    try:
        sheet = tmp_path / "old.csv"
        sheet.write_text("actor,measure,effective_date,status,recorded_at\n"
                         "FRA,LTS-A.1,2020-01-01,planned,2020-01-02T00:00:00.000000Z\n", encoding="utf-8")
        before = t.integrity.verify().entries
        with pytest.raises(ServerError, match="the server's clock is the recording time") as caught:
            ExchangeService(t).import_files([sheet])
        assert "\n" not in str(caught.value) and "nothing was changed" in str(caught.value)
        assert t.integrity.verify().entries == before
    finally:
        t.close()
