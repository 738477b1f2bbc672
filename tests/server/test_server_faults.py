"""Faults of a real server: it goes away in the middle of an edit, the connection is cut in the
middle of a bulk edit's transaction, its database has an older schema or one this version does not
know. Each is one clear line, and the server's data is exactly as it was (all or nothing);
``verify`` passes afterwards.

The tests that stop the server run on a cluster of this module's own (``own_cluster``): stopping the
shared cluster would break the tests that follow. Cutting one connection (``pg_terminate_backend``
from an administrator's connection) is done on the shared cluster: it touches no other session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pg_cluster import PASSWORD_LOGIN, Cluster
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tcbm_tracker.cli import main
from tcbm_tracker.domain.errors import StorageError
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.migrations import HEAD_REVISION

HISTORY_TABLES = ("assessment", "assessment_evidence", "evidence", "change_log", "seal")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def dbname_of(url: str) -> str:
    return url.split("/")[3].split("?")[0]


def snapshot(cluster: Cluster, dbname: str) -> dict[str, object]:
    """Row counts of the history tables and the change log's last entry: what a fault must not change."""
    counts: dict[str, object] = {t: cluster.sql(f"SELECT count(*) FROM {t}", dbname=dbname)[0][0] for t in HISTORY_TABLES}
    counts["head"] = cluster.sql("SELECT max(seq) FROM change_log", dbname=dbname)[0][0]
    return counts


@contextmanager
def after_insert(number: int, action: Callable[[Any], None]) -> Iterator[None]:
    """Run ``action(connection)`` right after the ``number``-th assessment row is sent, inside its transaction."""
    sent = 0

    def listener(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        nonlocal sent
        if statement.lstrip().upper().startswith("INSERT INTO ASSESSMENT "):
            sent += 1
            if sent == number:
                action(conn)

    event.listen(Engine, "after_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(Engine, "after_cursor_execute", listener)
    assert sent >= number, f"the edit sent {sent} assessment rows; the fault was never injected"


def cut_connection(admin: Cluster) -> Callable[[Any], None]:
    """Terminate the client's server process from an administrator's connection (a network partition)."""
    def cut(conn: Any) -> None:
        pid = conn.connection.dbapi_connection.info.backend_pid
        assert admin.sql(f"SELECT pg_terminate_backend({pid})") == [(True,)]
    return cut


def verify_ok(url: str) -> None:
    t = open_tracker(url)
    try:
        report = t.integrity.verify()
        assert report.ok, report.problems
    finally:
        t.close()


def test_a_server_that_stops_mid_edit_is_one_line_and_nothing_is_half_written(
        own_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    url = own_cluster.url(own_cluster.new_database())
    assert run(capsys, "--db", url, "init")[0] == 0
    before = snapshot(own_cluster, dbname_of(url))
    try:
        # The assessment row is on the server, its change-log entry not yet: the server stops.
        with after_insert(1, lambda conn: own_cluster.stop()):
            code, out, err = run(capsys, "--db", url, "assess", "FRA", "LTS-A.1", "implemented")
    finally:
        own_cluster.start()
    assert code != 0 and out == ""
    assert err.count("\n") == 1, err
    assert "the connection to the server was lost" in err and "not saved" in err
    assert snapshot(own_cluster, dbname_of(url)) == before
    verify_ok(url)
    # The server is back: the same edit goes through.
    assert run(capsys, "--db", url, "assess", "FRA", "LTS-A.1", "implemented")[0] == 0


def test_a_server_that_stops_as_the_edit_commits_says_it_may_not_be_saved(
        own_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    """Lost during COMMIT, the outcome is the server's to know: the line says so, and verify passes."""
    url = own_cluster.url(own_cluster.new_database())
    assert run(capsys, "--db", url, "init")[0] == 0
    before = snapshot(own_cluster, dbname_of(url))

    def stop_before_commit(conn: Any) -> None:
        if conn.get_execution_options().get("tcbm_begin") == "IMMEDIATE":
            own_cluster.stop()

    event.listen(Engine, "commit", stop_before_commit)
    try:
        code, _, err = run(capsys, "--db", url, "assess", "FRA", "LTS-A.1", "implemented")
    finally:
        event.remove(Engine, "commit", stop_before_commit)
        own_cluster.start()
    assert code != 0 and err.count("\n") == 1, err
    assert "lost while the change was being committed" in err and "may or may not have been saved" in err
    assert snapshot(own_cluster, dbname_of(url)) == before  # here the server had not committed it
    verify_ok(url)


def test_an_unreachable_server_refuses_the_edit_in_one_line(own_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    url = own_cluster.url(own_cluster.new_database())
    assert run(capsys, "--db", url, "init")[0] == 0
    own_cluster.stop()
    try:
        code, _, err = run(capsys, "--db", url, "assess", "FRA", "LTS-A.1", "implemented")
    finally:
        own_cluster.start()
    assert code != 0 and err.count("\n") == 1 and "cannot reach the server" in err
    assert own_cluster.sql("SELECT count(*) FROM assessment", dbname=dbname_of(url)) == [(0,)]


def test_a_connection_cut_during_a_bulk_edit_keeps_all_or_nothing(pg_cluster: Cluster, pg_initialised_url: str) -> None:
    url = pg_initialised_url
    items = [AssessmentInput(actor, measure, "planned", note="bulk")
             for actor in ("FRA", "DEU", "JPN", "BRA") for measure in ("LTS-A.1", "LTS-A.2", "LTS-B.1", "LTS-B.4")]
    before = snapshot(pg_cluster, dbname_of(url))
    t = open_tracker(url)
    try:
        with after_insert(len(items) // 2, cut_connection(pg_cluster)), pytest.raises(StorageError) as caught:
            t.assessments.record_many(items)
        message = str(caught.value)
        assert "\n" not in message and "the connection to the server was lost" in message and "not saved" in message
        assert snapshot(pg_cluster, dbname_of(url)) == before  # none of the 16, no change-log entry
        verify_ok(url)
        # The same tracker carries on over a new connection: the whole edit, once.
        assert len(t.assessments.record_many(items)) == len(items)
    finally:
        t.close()
    after = snapshot(pg_cluster, dbname_of(url))
    assert after["assessment"] == before["assessment"] + len(items)  # type: ignore[operator]
    verify_ok(url)


def schema_at(cluster: Cluster, revision: str) -> str:
    """A new server database whose schema stops at ``revision`` (as an older version left it)."""
    from alembic import command

    from tcbm_tracker.shipped import migrations_dir
    from tcbm_tracker.storage.migrations import _config
    from tcbm_tracker.storage.server_database import ServerDatabase

    url = cluster.url(cluster.new_database("old"))
    db = ServerDatabase(url)
    try:
        with db.engine.begin() as conn:
            cfg = _config(migrations_dir())
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        db.dispose()
    return url


def tables_and_revision(cluster: Cluster, dbname: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    tables = cluster.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
                         dbname=dbname)
    return tables, cluster.sql("SELECT version_num FROM alembic_version", dbname=dbname)


def test_a_server_of_an_older_schema_is_refused_until_init_upgrades_it(pg_cluster: Cluster,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    url = schema_at(pg_cluster, "0004")
    before = tables_and_revision(pg_cluster, dbname_of(url))
    assert before[1] == [("0004",)]
    for argv in (["matrix"], ["assess", "FRA", "LTS-A.1", "planned"], ["verify"]):
        code, _, err = run(capsys, "--db", url, *argv)
        assert code != 0 and err.count("\n") == 1, err
        assert "uses an older schema (0004): run `tcbm-tracker init` to upgrade it" in err
        assert "backup copy" not in err  # a server's backups are its administrator's (pg_dump)
    assert tables_and_revision(pg_cluster, dbname_of(url)) == before
    code, out, _ = run(capsys, "--db", url, "init")
    assert code == 0, out
    assert tables_and_revision(pg_cluster, dbname_of(url))[1] == [(HEAD_REVISION,)]


@pytest.mark.parametrize(("revision", "said"), [
    ("0900", "written by a newer version of TCBM Tracker (schema 0900)"),
    ("f00dcafe", "uses schema 'f00dcafe', which this version does not know"),
])
def test_a_server_of_an_unknown_schema_is_refused_and_left_as_it_was(pg_cluster: Cluster, pg_initialised_url: str,
                                                                    capsys: pytest.CaptureFixture[str],
                                                                    revision: str, said: str) -> None:
    dbname = dbname_of(pg_initialised_url)
    pg_cluster.sql(f"UPDATE alembic_version SET version_num = '{revision}'", dbname=dbname)
    before = (tables_and_revision(pg_cluster, dbname), snapshot(pg_cluster, dbname))
    for argv in (["assess", "FRA", "LTS-A.1", "planned"], ["init"], ["server", "setup"]):
        code, _, err = run(capsys, "--db", pg_initialised_url, *argv)
        assert code != 0 and err.count("\n") == 1, err
        assert said in err
    assert (tables_and_revision(pg_cluster, dbname), snapshot(pg_cluster, dbname)) == before


def test_a_login_that_needs_a_password_and_has_none_is_one_line(pg_cluster: Cluster, pg_initialised_url: str,
                                                                capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ~/.pgpass, no PGPASSFILE entry: libpq sends no password and the server refuses the login."""
    pg_cluster.sql(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PASSWORD_LOGIN}') "
                   f"THEN CREATE ROLE {PASSWORD_LOGIN} LOGIN SUPERUSER PASSWORD 'right horse'; END IF; END $$")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-file"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGSERVICEFILE", raising=False)
    dbname = dbname_of(pg_initialised_url)
    before = snapshot(pg_cluster, dbname)
    code, _, err = run(capsys, "--db", pg_cluster.url(dbname, user=PASSWORD_LOGIN), "assess", "FRA", "LTS-A.1", "planned")
    assert code != 0 and err.count("\n") == 1, err
    assert "the server refused the password" in err and "~/.pgpass" in err
    assert snapshot(pg_cluster, dbname) == before


def test_granting_a_missing_role_or_to_a_missing_login_is_one_line(own_cluster: Cluster,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """This module's cluster never had `server setup`: the roles do not exist yet."""
    url = own_cluster.url(own_cluster.new_database())
    assert run(capsys, "--db", url, "init")[0] == 0
    own_cluster.sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ana') "
                    "THEN CREATE ROLE ana LOGIN; END IF; END $$")
    code, _, err = run(capsys, "--db", url, "server", "grant", "ana", "tcbm_editor")
    assert code != 0 and err.count("\n") == 1
    assert "the server has no role tcbm_editor: run `tcbm-tracker server setup` first; nothing was changed" in err
    code, _, err = run(capsys, "--db", url, "server", "grant", "nobody_here", "tcbm_editor")
    assert code != 0 and err.count("\n") == 1 and "the server has no login 'nobody_here'" in err
    assert own_cluster.sql("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                           "WHERE r.rolname = 'ana'") == [(0,)]


def test_a_read_after_its_connection_was_cut_reconnects_and_a_read_cut_midway_is_one_line(
        pg_initialised_url: str, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """The query service's reads run on the pooled psycopg connection itself (``AutocommitReads``).
    A connection the server cut while it sat in the pool is replaced at the pool's check; one cut
    while a read runs fails that read with one line naming the server, and is never handed out
    again: the next read works."""
    from tcbm_tracker.storage.server_database import AutocommitReads

    t = open_tracker(pg_initialised_url, user="ana")
    try:
        t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
        first = t.queries.dossier("FRA")

        def backends() -> list[int]:
            return [int(row[0]) for row in pg_cluster.sql(  # type: ignore[call-overload]
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                dbname=dbname_of(pg_initialised_url))]

        for pid in backends():  # the pool's idle connections, cut by an administrator
            pg_cluster.sql(f"SELECT pg_terminate_backend({pid})")
        assert t.queries.dossier("FRA") == first

        real_execute = AutocommitReads.execute

        def cut_then_execute(self: AutocommitReads, statement: Any, params: Any = None) -> Any:
            pg_cluster.sql(f"SELECT pg_terminate_backend({self.driver.info.backend_pid})")
            return real_execute(self, statement, params)

        monkeypatch.setattr(AutocommitReads, "execute", cut_then_execute)
        with pytest.raises(StorageError) as lost:
            t.queries.dossier("FRA")
        assert "\n" not in str(lost.value) and "server" in str(lost.value), lost.value
        monkeypatch.setattr(AutocommitReads, "execute", real_execute)
        assert t.queries.dossier("FRA") == first
    finally:
        t.close()
