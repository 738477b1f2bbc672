"""Upgrading a set-up server database applies `server setup`'s grants again: a table added by a
migration is readable by readers at once, without running `server setup` a second time."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from test_server_roles import run, team  # noqa: F401 - the fixture of logins per role

from tcbm_tracker.storage.migrations import migrate
from tcbm_tracker.storage.server_database import ServerDatabase
from tests.integration.test_migrations import write_revision

NEW_TABLE = ("    op.create_table('publisher', sa.Column('id', sa.Integer(), primary_key=True),\n"
             "                    sa.Column('name', sa.String(), nullable=False))\n")


def _upgrade(url: str, scripts: Path) -> None:
    db = ServerDatabase(url)
    try:
        result = migrate(db, script_location=scripts)
        assert result.to_revision == "0900"
    finally:
        db.dispose()


def test_a_table_added_after_setup_is_granted_by_the_upgrade(team: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    _upgrade(team["owner"], write_revision(tmp_path, NEW_TABLE))
    with psycopg.connect(team["reader"]) as conn:
        assert conn.execute("SELECT count(*) FROM publisher").fetchone() == (0,)
    with psycopg.connect(team["editor"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM assessment")  # the rules of `server setup` still hold after the upgrade


def test_an_upgrade_of_a_database_never_set_up_creates_no_roles_or_triggers(pg_initialised_url: str, tmp_path: Path) -> None:
    _upgrade(pg_initialised_url, write_revision(tmp_path, NEW_TABLE))
    with psycopg.connect(pg_initialised_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_proc WHERE proname = 'tcbm_append_only'").fetchone() == (0,)
