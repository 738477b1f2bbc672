"""The server's clock is the recording time: a client whose clock is wrong records the server's time,
and a client that writes a time of its own far from the server's is refused by the server itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
import time_machine
from pg_cluster import Cluster
from test_server_roles import run, team  # noqa: F401 - the fixture of logins per role

from tcbm_tracker.domain.clock import fixed_time
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.server_database import ServerError

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
