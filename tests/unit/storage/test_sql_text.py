"""One SQL text for both engines: ``storage.sql.text`` runs on sqlite3 directly (reads and SQL-text
writes of a file) and through SQLAlchemy (ORM writes, the engine's connections), with the same
rows; the plain connections are pooled, one per checkout, and give back no open transaction."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tcbm_tracker.domain.errors import DatabaseLockedError
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.sql import RawConnection, SqlText, text

QUERY = "SELECT key AS k, name, :extra AS extra FROM actor WHERE key IN (:a, :b) ORDER BY key"


def test_the_same_text_gives_the_same_rows_on_sqlite3_and_through_sqlalchemy(db_path: Path) -> None:
    db = Database(db_path)
    try:
        statement = text(QUERY).bindparams(a="FRA", b="CAN")
        with db.read() as s:
            raw_rows = s.exec(statement, {"extra": 7}).all()  # type: ignore[call-overload]
            assert isinstance(s.connection(), RawConnection)
        with db.engine.connect() as conn:  # SQLAlchemy's Core connection
            sa_rows = conn.execute(statement, {"extra": 7}).all()
            assert conn.scalar(text("SELECT count(*) FROM actor WHERE key = :a").bindparams(a="FRA")) == 1
        from sqlmodel import Session

        with Session(db.engine) as orm:  # an ORM session, as ``Database.write`` gives
            orm_rows = orm.exec(statement, params={"extra": 7}).all()  # type: ignore[call-overload]
    finally:
        db.dispose()
    assert [tuple(r) for r in raw_rows] == [tuple(r) for r in sa_rows] == [tuple(r) for r in orm_rows]
    assert [(r.k, r.name, r.extra) for r in raw_rows] == [(r.k, r.name, r.extra) for r in sa_rows]
    assert raw_rows[0]._mapping == dict(sa_rows[0]._mapping) and raw_rows[0][0] == "CAN"


def test_results_read_as_sqlalchemy_results_do(db_path: Path) -> None:
    db = Database(db_path)
    try:
        with db.read() as s:
            one = text("SELECT key FROM actor WHERE key = :k")
            assert s.exec(one.bindparams(k="FRA")).one().key == "FRA"  # type: ignore[call-overload]
            assert s.exec(one.bindparams(k="XXX")).one_or_none() is None  # type: ignore[call-overload]
            assert s.exec(one.bindparams(k="XXX")).first() is None  # type: ignore[call-overload]
            assert s.exec(text("SELECT count(*) FROM actor")).scalar_one() > 100  # type: ignore[call-overload]
            assert s.scalar(text("SELECT 'x' || :v"), {"v": "y"}) == "xy"
            many = s.exec(text("SELECT key FROM actor"))  # type: ignore[call-overload]
            with pytest.raises(sqlite3.ProgrammingError, match="one row expected, several found"):
                many.one()
            a, b = s.exec(text("SELECT 1, 2")).fetchone()  # type: ignore[call-overload]  # unpacked as a tuple
            assert (a, b) == (1, 2)
            odd = s.exec(text("SELECT count(*), 1 AS key, 2 AS key")).fetchone()  # type: ignore[call-overload]
            assert odd[0] > 0 and odd._mapping["count(*)"] == odd[0] and odd.key == 1  # duplicates: the first
    finally:
        db.dispose()


def test_a_text_made_by_sqlalchemy_runs_on_the_plain_connection_too(db_path: Path) -> None:
    from sqlalchemy import text as sa_text

    db = Database(db_path)
    try:
        with db.read() as s:
            assert s.exec(sa_text("SELECT name FROM actor WHERE key = :k").bindparams(k="FRA")).scalar() == "France"  # type: ignore[call-overload]
    finally:
        db.dispose()


def test_nested_reads_have_connections_of_their_own_and_none_is_left_in_a_transaction(db_path: Path) -> None:
    db = Database(db_path)
    try:
        with db.read() as outer:
            outer_conn = outer.connection()
            outer.exec(text("SELECT 1 FROM actor LIMIT 1")).all()  # type: ignore[call-overload]
            with db.read() as inner:
                assert inner.connection() is not outer_conn
        assert all(not c.driver.in_transaction for c in db._idle) and len(db._idle) == 2
        done: list[object] = []
        thread = threading.Thread(target=lambda: done.append(_read_one(db)))  # another thread, a pooled connection
        thread.start()
        thread.join()
        assert done == ["France"]
    finally:
        db.dispose()
    assert db._idle == []


def test_every_statement_of_one_read_sees_the_same_snapshot(db_path: Path) -> None:
    """A read is one transaction: a write committed by another program half-way through it is
    seen by the next read, not by the read's later statements."""
    db = Database(db_path)
    count = text("SELECT count(*) FROM tracker_meta")
    try:
        with db.read() as s:
            before = s.exec(count).scalar()  # type: ignore[call-overload]
            other = sqlite3.connect(db_path)
            with other:
                other.execute("INSERT INTO tracker_meta (key, value) VALUES ('elsewhere', '1')")
            other.close()
            assert s.exec(count).scalar() == before  # type: ignore[call-overload]
        with db.read() as s:
            assert s.exec(count).scalar() == before + 1  # type: ignore[call-overload]
    finally:
        db.dispose()


def _read_one(db: Database) -> object:
    with db.read() as s:
        return s.exec(text("SELECT name FROM actor WHERE key = 'FRA'")).scalar()  # type: ignore[call-overload]


def test_an_sql_write_is_whole_or_absent_and_a_locked_file_is_a_clear_error(db_path: Path) -> None:
    db = Database(db_path, busy_timeout_ms=50)
    try:
        count = text("SELECT count(*) FROM tracker_meta")
        with db.read() as s:
            before = s.exec(count).scalar()  # type: ignore[call-overload]
        with pytest.raises(RuntimeError, match="stop"):
            with db.write_sql() as s:
                s.execute(text("INSERT INTO tracker_meta (key, value) VALUES ('probe', :v)").bindparams(v="1"))
                raise RuntimeError("stop")
        with db.write_sql() as s:
            s.execute(text("INSERT INTO tracker_meta (key, value) VALUES ('probe', '2')"))
        with db.read() as s:
            assert s.exec(count).scalar() == before + 1  # type: ignore[call-overload]
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            with pytest.raises(DatabaseLockedError, match="is locked by another program"):
                with db.write_sql() as s:
                    s.execute(text("INSERT INTO tracker_meta (key, value) VALUES ('probe2', '3')"))
        finally:
            other.execute("ROLLBACK")
            other.close()
    finally:
        db.dispose()


def test_sql_text_is_what_sqlalchemy_receives() -> None:
    statement = text("SELECT :a").bindparams(a=1)
    assert isinstance(statement, SqlText) and str(statement) == "SELECT :a" and statement.params == {"a": 1}
    clause = statement.__clause_element__()
    assert str(clause) == "SELECT :a" and clause.compile().params == {"a": 1}


def test_parameters_in_psycopgs_style_leave_casts_and_literals_alone() -> None:
    from tcbm_tracker.storage.sql import pyformat

    assert pyformat("SELECT :a, x::text, '50%' FROM t WHERE k IN (:k0,:k1) AND y = :a") == (
        "SELECT %(a)s, x::text, '50%%' FROM t WHERE k IN (%(k0)s,%(k1)s) AND y = %(a)s")
