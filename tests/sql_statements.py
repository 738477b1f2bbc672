"""Counting the SQL statements the tracker runs, on both of its paths: SQLAlchemy's engine (ORM
writes) and the plain connections that reads and SQL-text writes use (``storage.sql.RawConnection``
on a file; on a server, the query service's autocommit reads, ``AutocommitReads``)."""

from __future__ import annotations

from typing import Any

import pytest

from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.sql import RawConnection, statement_and_params


def record_statements(monkeypatch: pytest.MonkeyPatch, db: Database | None = None) -> list[str]:
    """Every statement run from now on, as its SQL text, in order. ``db``: an open database whose
    engine (made now if it was not) is watched too; engines made later are watched anyway."""
    from sqlalchemy import event

    seen: list[str] = []
    def watching(real_execute: Any) -> Any:
        def execute(self: RawConnection, statement: Any, params: Any = None) -> Any:
            seen.append(statement_and_params(statement, params)[0])
            return real_execute(self, statement, params)
        return execute

    def on_engine(conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
        seen.append(sql)

    made = Database._create_engine

    def watched(self: Database, read_only: bool | None = None) -> Any:
        engine = made(self, read_only)
        event.listen(engine, "before_cursor_execute", on_engine)
        return engine

    monkeypatch.setattr(RawConnection, "execute", watching(RawConnection.execute))
    try:
        from tcbm_tracker.storage.server_database import AutocommitReads
    except ImportError:  # no server extra: no server either
        pass
    else:
        monkeypatch.setattr(AutocommitReads, "execute", watching(AutocommitReads.execute))
    monkeypatch.setattr(Database, "_create_engine", watched)
    if db is not None:
        event.listen(db.engine, "before_cursor_execute", on_engine)
    return seen


def selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]
