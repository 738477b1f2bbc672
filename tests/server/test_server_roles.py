"""The server enforces who may do what, against the application and against any other client.

Each test connects as a login holding one role (or none): readers read, editors record but never
change or delete, admins also manage actors; the recorded name is the server login; UPDATE and
DELETE of the history are refused even to the database's owner.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from pg_cluster import Cluster

from tcbm_tracker.cli import main
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.server_database import ServerError


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(pg_cluster: Cluster, pg_initialised_url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """A set-up server database and a URL per login: reader, editor, admin, and one with no role."""
    assert run(capsys, "--db", pg_initialised_url, "server", "setup")[0] == 0
    suffix = uuid.uuid4().hex[:6]
    dbname = pg_initialised_url.split("/")[3].split("?")[0]
    urls = {}
    for who, role in (("reader", "tcbm_reader"), ("editor", "tcbm_editor"), ("admin", "tcbm_admin"), ("nobody", None)):
        login = f"{who}_{suffix}"
        pg_cluster.sql(f"CREATE ROLE {login} LOGIN")
        if role:
            code, out, _ = run(capsys, "--db", pg_initialised_url, "server", "grant", login, role)
            assert code == 0 and f"{login} now holds {role}" in out
        urls[who] = pg_cluster.url(dbname, user=login)
    urls["owner"] = pg_initialised_url
    return urls


def test_whoami_names_the_login_and_its_roles(team: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", team["admin"], "server", "whoami")
    assert code == 0 and out.startswith("admin_") and "tcbm_admin, tcbm_editor, tcbm_reader" in out
    code, out, _ = run(capsys, "--db", team["nobody"], "server", "whoami")
    assert "no tracker role" in out


def test_an_editor_records_under_the_server_login_whatever_name_it_gives(team: dict[str, str]) -> None:
    t = open_tracker(team["editor"], user="someone-else")
    try:
        a = t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
        assert a.recorded_by.startswith("editor_")
        report = t.integrity.verify()
        assert report.ok, report.problems  # the server's own triggers are not foreign objects
    finally:
        t.close()


def test_a_reader_reads_but_cannot_record(team: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", team["reader"], "matrix", "--catalog", "GGE2013")
    assert code == 0 and "FRA" in out
    code, _, err = run(capsys, "--db", team["reader"], "assess", "FRA", "LTS-A.1", "planned")
    assert code != 0 and err.count("\n") == 1
    assert "permission denied: this needs the server role tcbm_editor" in err


def test_a_login_without_a_role_is_told_the_role_it_needs(team: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", team["nobody"], "matrix")
    assert code != 0 and err.count("\n") == 1 and "this needs the server role tcbm_reader" in err


def test_only_an_admin_adds_an_actor(team: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", team["editor"], "actors", "--add-org", "ESA", "European Space Agency")
    assert code != 0 and "this needs the server role tcbm_admin" in err
    code, out, _ = run(capsys, "--db", team["admin"], "actors", "--add-org", "ESA", "European Space Agency")
    assert code == 0
    code, out, _ = run(capsys, "--db", team["reader"], "actors", "--search", "ESA")
    assert "European Space Agency" in out


@pytest.mark.parametrize("statement", [
    "UPDATE assessment SET status = 'implemented'",
    "DELETE FROM assessment",
    "DELETE FROM change_log WHERE seq = (SELECT max(seq) FROM change_log)",
    "UPDATE evidence SET title = 'x'",
    "TRUNCATE change_log CASCADE",
])
def test_history_cannot_be_changed_by_an_editor_nor_by_the_owner(team: dict[str, str], pg_cluster: Cluster,
                                                                 statement: str) -> None:
    t = open_tracker(team["editor"])
    try:
        t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
        t.evidence.add(__import__("tcbm_tracker.services.evidence", fromlist=["EvidenceInput"]).EvidenceInput(title="Doc"))
    finally:
        t.close()
    dbname = team["owner"].split("/")[3].split("?")[0]
    editor = team["editor"].split("//")[1].split("@")[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        pg_cluster.sql(statement, dbname=dbname, user=editor)  # no privilege
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        pg_cluster.sql(statement, dbname=dbname)  # the owner (a superuser here) meets the trigger
    t = open_tracker(team["owner"])
    try:
        assert t.integrity.verify().ok
    finally:
        t.close()


def test_a_client_cannot_claim_another_name(team: dict[str, str], pg_cluster: Cluster) -> None:
    dbname = team["owner"].split("/")[3].split("?")[0]
    editor = team["editor"].split("//")[1].split("@")[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="recorded under the server login"):
        pg_cluster.sql("INSERT INTO evidence (title, evidence_type, recorded_by, created_at) "
                       "VALUES ('forged', 'other', 'the-minister', '2026-01-01T00:00:00.000000Z')", dbname=dbname, user=editor)


def test_setup_needs_a_server_and_an_initialised_database(pg_url: str, db_path: object,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", str(db_path), "server", "setup")
    assert code != 0 and "roles exist on a server database only" in err
    code, _, err = run(capsys, "--db", pg_url, "server", "setup")
    assert code != 0 and "run `tcbm-tracker init`" in err
    assert ServerError  # the error class the messages above come from
