"""The service tests run on both engines: each test's ``tracker`` is a database file, then a
database on a throwaway PostgreSQL server (``engine_target`` and ``both``, tests/server/pg_fixtures.py,
which also says which tests run on the file only)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from tcbm_tracker.services.tracker import Tracker


@pytest.fixture
def tracker(both: Tracker) -> Tracker:
    return both


@pytest.fixture
def recorder(tracker: Tracker) -> str:
    """The name a write records: the user given on a file, the server's login on a server."""
    from tcbm_tracker.storage.server_database import ServerDatabase

    return tracker.db.current_user() if isinstance(tracker.db, ServerDatabase) else "tester"


@pytest.fixture
def tamper(tracker: Tracker) -> Callable[..., None]:
    """Change the database behind the application's back (``tamper(sql, **params)``), as a user
    with a database tool could: sqlite3 on a file, the owner's own connection on a server."""

    def run(sql: str, **params: object) -> None:
        if tracker.db.dialect == "sqlite":
            con = sqlite3.connect(tracker.path)
            try:
                con.execute(sql, params)
                con.commit()
            finally:
                con.close()
        else:
            from sqlalchemy import text

            with tracker.db.engine.begin() as conn:
                conn.execute(text(sql), params)

    return run
