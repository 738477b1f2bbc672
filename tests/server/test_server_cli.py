"""Every command takes a ``postgresql://`` URL, by --db or by TCBM_TRACKER_DB, as it takes a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pg_cluster import PASSWORD_LOGIN, Cluster

from tcbm_tracker.cli import main
from tcbm_tracker.storage.migrations import HEAD_REVISION


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_assess_history_matrix_verify_through_db_url(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", pg_url, "init", "--user", "ana")
    assert code == 0 and f"created with schema {HEAD_REVISION}" in out
    assert "catalogue GGE2013" in out and "actors: 195 added" in out
    code, out, _ = run(capsys, "--db", pg_url, "--user", "ana", "assess", "FRA", "GGE-IV.1", "implemented", "--note", "first")
    assert code == 0 and "FRA GGE-IV.1 implemented" in out
    code, out, _ = run(capsys, "--db", pg_url, "--user", "ana", "assess", "FRA", "GGE-IV.1", "planned")
    assert code == 0
    code, out, _ = run(capsys, "--db", pg_url, "history", "FRA", "GGE-IV.1")
    lines = [line for line in out.splitlines() if "GGE" not in line and ("planned" in line or "implemented" in line)]
    assert [("planned" in line, "implemented" in line) for line in lines] == [(True, False), (False, True)]
    code, out, _ = run(capsys, "--db", pg_url, "verify")
    assert code == 0 and out.startswith("ok: server database; change log of ")
    # Running init again changes nothing.
    code, out, _ = run(capsys, "--db", pg_url, "init")
    assert code == 0 and f"schema {HEAD_REVISION} is current" in out and "unchanged" in out


def test_the_environment_variable_names_the_server(pg_url: str, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TCBM_TRACKER_DB", pg_url)
    assert run(capsys, "init")[0] == 0
    code, out, _ = run(capsys, "matrix", "--catalog", "GGE2013")
    assert code == 0 and "FRA" in out
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "server database" in out


def test_an_empty_server_database_says_run_init(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", pg_url, "matrix")
    assert code != 0
    assert err.count("\n") == 1 and "is not a TCBM Tracker database yet: run `tcbm-tracker init`" in err
    assert "on server" in err


def test_unknown_database_and_user_are_one_clear_line(pg_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", pg_cluster.url("no_such_db"), "matrix")
    assert code != 0 and err.count("\n") == 1 and "the server has no such database" in err
    code, _, err = run(capsys, "--db", pg_cluster.url("postgres", user="nobody"), "matrix")
    assert code != 0 and err.count("\n") == 1 and "the server does not know this user" in err


def test_a_server_that_is_not_there_is_one_clear_line(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", f"postgresql://ana@/tcbm?host={tmp_path}&port=1", "matrix")
    assert code != 0 and err.count("\n") == 1 and "cannot reach the server" in err


def test_a_refused_password_and_a_pgpass_file(pg_cluster: Cluster, pg_initialised_url: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords come from libpq's own password file, never from the command line or settings."""
    pg_cluster.sql(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PASSWORD_LOGIN}') "
                   f"THEN CREATE ROLE {PASSWORD_LOGIN} LOGIN SUPERUSER PASSWORD 'right horse'; END IF; END $$")
    dbname = pg_initialised_url.split("/")[3].split("?")[0]
    url = pg_cluster.url(dbname, user=PASSWORD_LOGIN)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{PASSWORD_LOGIN}:wrong staple\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    code, _, err = run(capsys, "--db", url, "matrix")
    assert code != 0 and err.count("\n") == 1 and "the server refused the password" in err
    assert "wrong staple" not in err
    pgpass.write_text(f"*:*:*:{PASSWORD_LOGIN}:right horse\n")
    code, out, err = run(capsys, "--db", url, "matrix", "--catalog", "GGE2013")
    assert code == 0 and "FRA" in out


def test_a_server_database_of_a_newer_schema_or_another_program(pg_cluster: Cluster, pg_initialised_url: str, pg_url: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    dbname = pg_initialised_url.split("/")[3].split("?")[0]
    pg_cluster.sql("UPDATE alembic_version SET version_num = '0900'", dbname=dbname)
    code, _, err = run(capsys, "--db", pg_initialised_url, "matrix")
    assert code != 0 and err.count("\n") == 1 and "written by a newer version of TCBM Tracker (schema 0900)" in err
    code, _, err = run(capsys, "--db", pg_initialised_url, "init")
    assert code != 0 and "newer version" in err
    assert pg_cluster.sql("SELECT version_num FROM alembic_version", dbname=dbname) == [("0900",)]  # left as it was
    other = pg_url.split("/")[3].split("?")[0]
    pg_cluster.sql("CREATE TABLE invoices (n int)", dbname=other)
    code, _, err = run(capsys, "--db", pg_url, "init")
    assert code != 0 and "holds tables of another program; choose another database" in err


def test_a_malformed_url_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", "postgresql://ana:secret@host:notaport/db", "matrix")
    assert code != 0 and err.count("\n") == 1 and "is not a valid postgresql:// URL" in err
    assert "secret" not in err


@pytest.mark.parametrize("argv", [["backup"], ["backup", "list"], ["restore", "x.sqlite"]])
def test_backup_and_restore_point_a_server_to_pg_dump_in_one_line(pg_initialised_url: str, argv: list[str],
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", pg_initialised_url, *argv)
    assert code != 0 and err.count("\n") == 1
    assert f"`{argv[0]}` works on a database file: a server database is backed up and restored by its administrator " \
           "with pg_dump and pg_restore" in err


@pytest.mark.parametrize("given", ["env", "db", "positional"])
def test_the_window_is_started_on_a_server_url(pg_initialised_url: str, given: str, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tcbm_tracker import app

    started: list[object] = []
    monkeypatch.setattr(app, "run", lambda target, **kw: started.append(target) or 0)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    if given == "env":
        monkeypatch.setenv("TCBM_TRACKER_DB", pg_initialised_url)
        code, _, err = run(capsys, "gui")
    elif given == "db":
        code, _, err = run(capsys, "--db", pg_initialised_url, "gui")
    else:  # `tcbm-tracker gui URL`, as a desktop launcher or a user types it
        code, _, err = run(capsys, "gui", pg_initialised_url)
    assert code == 0, err
    assert started == [pg_initialised_url]  # the URL as given, not refused and not taken for a file name
