"""Plain SQL on the driver's own connection, the same text on SQLite and on a PostgreSQL server.

Bulk work (spreadsheet imports, package export and merge) runs SQL text on the driver's
connection inside the engine's transaction: no ORM and no SQLAlchemy statement objects per row,
which is what keeps an import of 100,000 rows fast. ``DriverSql`` lets that one SQL text run on
either driver: it is written with ``?`` placeholders (SQLite's) and handed to psycopg with
``%s``; identifiers that are reserved words on PostgreSQL (the change log's ``user``) are written
quoted (``"user"``), which SQLite reads the same; a new row's id comes back with ``RETURNING id``
(SQLite 3.35 and later) instead of SQLite's ``lastrowid``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection


@lru_cache(maxsize=256)
def _to_format(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled first)."""
    return sql.replace("%", "%%").replace("?", "%s")


class DriverSql:
    """The driver connection of ``connection`` (in its transaction), taking SQLite-style SQL text."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.raw: Any = connection.connection.driver_connection
        self.on_server = connection.dialect.name != "sqlite"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns the driver's cursor (``fetchone``, ``fetchall``, iteration)."""
        if not self.on_server:
            return self.raw.execute(sql, params)
        return self.raw.execute(_to_format(sql), params or None)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if not self.on_server:
            self.raw.executemany(sql, rows)
            return
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cur:
                cur.executemany(_to_format(sql), rows)

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run one INSERT and return the new row's id."""
        return int(self.execute(f"{sql} RETURNING id", params).fetchone()[0])

    def now(self) -> str:
        """The recording time of this transaction's writes (``storage.recording_time``)."""
        from tcbm_tracker.storage.recording_time import recording_now

        return recording_now(self.connection)

    def first_free_id(self, table: str) -> int:
        """The id the next row of ``table`` gets when an import numbers its rows itself.

        On a file it is one past the highest id. On a server ids come from the table's sequence;
        taken here under the record's write lock, and ``claim_ids`` moves the sequence past the
        ids used, so that the next row added any other way does not collide with them.
        """
        if not self.on_server:
            return int(self.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1
        return int(self.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))").fetchone()[0])

    def claim_ids(self, table: str, first: int, last: int) -> None:
        """Move a server's sequence past ids ``first``..``last`` (``first`` was taken by ``first_free_id``)."""
        if self.on_server and last > first:
            self.execute(f"SELECT count(nextval(pg_get_serial_sequence('{table}', 'id'))) FROM generate_series(1, {last - first})")
