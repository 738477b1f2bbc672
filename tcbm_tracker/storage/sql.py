"""SQL text that runs on SQLite's own driver or through SQLAlchemy, and a plain reading connection.

The services speak SQL text with ``:name`` parameters. On a file, reads and the small SQL-text
writes (a report's seal) run on Python's ``sqlite3`` module directly (``RawConnection``), so a
process that only reads and seals, one report, never imports SQLAlchemy (about a third of its
start-up); the ORM writes and the server (PostgreSQL) go through SQLAlchemy. So that there is one
copy of every query, ``text()`` makes a ``SqlText`` that both accept:

- ``sqlite3`` takes ``:name`` parameters itself;
- SQLAlchemy gets the same string as its own ``text()`` construct, made (and SQLAlchemy imported)
  on first use: through ``__clause_element__`` (its protocol for objects standing for a clause,
  as an ORM session coerces them) and by handing its Core execution hooks to that construct;
- except a Core connection to a server: there the string goes to psycopg as it is, its ``:name``
  parameters written in psycopg's ``%(name)s`` style (the rule of SQLAlchemy's own ``text()``);
  the query service's reads on a server skip SQLAlchemy altogether, on the pooled psycopg
  connection (``server_database.AutocommitReads``, a ``RawConnection`` as a file's reads have).

``RawConnection`` offers what the services use of a SQLAlchemy connection and result:
``execute``/``scalar``/``exec_driver_sql``, rows read by position, by unpacking or by column name, ``all``,
``first``, ``one``, ``one_or_none``, ``scalar``, ``scalar_one``, ``fetchone``, ``fetchall``,
``partitions``, ``rowcount``; and, for the code that reads millions of rows with a plain cursor,
``connection.driver_connection`` and ``dialect.name``.
"""

from __future__ import annotations

import re
import sqlite3
from collections import namedtuple
from collections.abc import Iterator, Mapping
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sqlalchemy import TextClause


class SqlText:
    """An SQL statement with ``:name`` parameters, and any values bound to it."""

    __slots__ = ("_clause", "params", "sql")

    def __init__(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self.sql = sql
        self.params: dict[str, Any] = dict(params or {})
        self._clause: Any = None

    def __str__(self) -> str:
        return self.sql

    def __repr__(self) -> str:
        return f"SqlText({self.sql!r})"

    def bindparams(self, **values: Any) -> SqlText:
        return SqlText(self.sql, {**self.params, **values})

    def __clause_element__(self) -> Any:
        """SQLAlchemy's ``text()`` of the same string and values (SQLAlchemy imported now)."""
        if self._clause is None:
            from sqlalchemy import text as sa_text

            clause = sa_text(self.sql)
            self._clause = clause.bindparams(**self.params) if self.params else clause
        return self._clause

    # A SQLAlchemy Connection executes what has these hooks (``Connection.execute``/``scalar``).
    def _execute_on_connection(self, connection: Any, params: Any, options: Any) -> Any:
        if connection.dialect.name == "postgresql" and len(params) <= 1:
            # On a server, the string goes to psycopg as it is, its parameters in psycopg's own
            # style: SQLAlchemy's text() would parse and compile it at every call (a new one per
            # call with bindparams), a tenth of a millisecond per statement.
            values = {**self.params, **params[0]} if params else self.params
            return connection.exec_driver_sql(pyformat(self.sql), values, options)
        return self.__clause_element__()._execute_on_connection(connection, params, options)

    def _execute_on_scalar(self, connection: Any, params: Any, options: Any) -> Any:
        return self.__clause_element__()._execute_on_scalar(connection, params, options)


# What SQLAlchemy's text() takes for a ``:name`` parameter (``TextClause._bind_params_regex``).
_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?![:\w])")


@lru_cache(maxsize=512)
def pyformat(sql: str) -> str:
    """``:name`` parameters as psycopg's ``%(name)s`` (a literal ``%`` doubled first)."""
    return _BIND.sub(r"%(\1)s", sql.replace("%", "%%"))


def text(sql: str) -> TextClause:
    """SQL text for ``session.exec``/``connection.execute``, on either engine.

    Typed as SQLAlchemy's ``text()``, which it stands for wherever the services pass it (the
    type checker sees the calls as it did when they made SQLAlchemy's own)."""
    return cast("TextClause", SqlText(sql))


def statement_and_params(statement: Any, params: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The SQL string and the values of a ``SqlText``, a plain string, or a SQLAlchemy ``text()``
    made by code that drives SQLAlchemy connections too (its values compiled out of it)."""
    if isinstance(statement, SqlText):
        sql, bound = statement.sql, statement.params
    elif isinstance(statement, str):
        sql, bound = statement, {}
    else:
        compiled = statement.compile()
        sql, bound = str(compiled), dict(compiled.params)
    return sql, {**bound, **params} if params else bound


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> Any:
    """Rows of one column list: a tuple, also read by column name (``row.status``, ``_mapping``)."""
    base = namedtuple("Row", names, rename=True)  # type: ignore[misc]  # names known at run time only
    return type("Row", (base,), {"__slots__": (), "_keys": names,
                                 "_mapping": property(lambda row: dict(zip(row._keys, row, strict=True)))})


class RawResult:
    """The rows of one statement, read once, as a SQLAlchemy result is."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        names = self._column_names(cursor)
        self._make = _row_class(names)._make if names else tuple

    @staticmethod
    def _column_names(cursor: Any) -> tuple[str, ...]:
        return tuple(d[0] for d in cursor.description) if cursor.description else ()

    def __iter__(self) -> Iterator[Any]:
        return map(self._make, self._cursor)

    def fetchone(self) -> Any:
        row = self._cursor.fetchone()
        return None if row is None else self._make(row)

    first = fetchone  # the rest is never read

    def all(self) -> list[Any]:
        return list(map(self._make, self._cursor.fetchall()))

    fetchall = all

    def one_or_none(self) -> Any:
        rows = self._cursor.fetchmany(2)
        if len(rows) > 1:
            raise sqlite3.ProgrammingError("one row expected, several found")
        return self._make(rows[0]) if rows else None

    def one(self) -> Any:
        row = self.one_or_none()
        if row is None:
            raise sqlite3.ProgrammingError("one row expected, none found")
        return row

    def partitions(self, size: int) -> Iterator[list[Any]]:
        """The rows in lists of ``size`` (the last one shorter): streamed, memory bounded."""
        while rows := self._cursor.fetchmany(size):
            yield list(map(self._make, rows))

    def close(self) -> None:
        self._cursor.close()

    def scalar(self) -> Any:
        row = self._cursor.fetchone()
        return None if row is None else row[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]


class RawConnection:
    """One ``sqlite3`` connection with what the services use of a SQLAlchemy connection."""

    dialect = SimpleNamespace(name="sqlite")

    def __init__(self, driver: sqlite3.Connection) -> None:
        self.driver = driver
        # ``connection.driver_connection``: where code reading millions of rows takes its cursor.
        self.connection = SimpleNamespace(driver_connection=driver)

    def execute(self, statement: Any, params: Mapping[str, Any] | None = None) -> RawResult:
        sql, values = statement_and_params(statement, params)
        return RawResult(self.driver.execute(sql, values))

    def scalar(self, statement: Any, params: Mapping[str, Any] | None = None) -> Any:
        return self.execute(statement, params).scalar()

    def exec_driver_sql(self, sql: str, params: Mapping[str, Any] | None = None) -> RawResult:
        """SQL in the driver's own parameter style, as it is (SQLite's ``:name`` here)."""
        return RawResult(self.driver.execute(sql, params or {}))

    def begin(self, mode: str = "DEFERRED") -> None:
        self.driver.execute(f"BEGIN {mode}")

    def commit(self) -> None:
        if self.driver.in_transaction:
            self.driver.execute("COMMIT")

    def rollback(self) -> None:
        if self.driver.in_transaction:
            self.driver.execute("ROLLBACK")
