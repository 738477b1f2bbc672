"""Every command takes a ``postgresql://`` URL, by --db or by TCBM_TRACKER_DB, as it takes a file."""

from __future__ import annotations

import pytest
from pg_cluster import Cluster

from tcbm_tracker.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_assess_history_matrix_verify_through_db_url(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", pg_url, "init", "--user", "ana")
    assert code == 0 and "schema 0005" in out
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
    assert code == 0 and "schema 0005 is current" in out and "unchanged" in out


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
