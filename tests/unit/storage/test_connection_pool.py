"""The engine's pool is meant for a file: a read nested in a write has its own connection, and
any number of threads can hold connections at once."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from tcbm_tracker.storage.database import Database

INSERT_ORG = ("INSERT INTO actor (key, name, kind, note, builtin, created_at) "
              "VALUES ('XYZ', 'Example organization', 'organization', NULL, 0, '2026-01-01T00:00:00.000000Z')")


def count_orgs(db: Database) -> int:
    with db.read() as r:
        return int(r.exec(text("SELECT count(*) FROM actor WHERE key = 'XYZ'")).one()[0])  # type: ignore[call-overload]


def test_a_read_nested_in_a_write_keeps_the_write(db_path: Path) -> None:
    db = Database(db_path)
    try:
        with db.write() as w:
            w.exec(text(INSERT_ORG))  # type: ignore[call-overload]
            # A read in the middle (e.g. a service looking something up) sees the committed
            # state, on its own connection; ending it must not end the write.
            assert count_orgs(db) == 0
        assert count_orgs(db) == 1
    finally:
        db.dispose()
    other = Database(db_path)
    try:
        assert count_orgs(other) == 1
    finally:
        other.dispose()


def test_many_threads_hold_connections_at_once(db_path: Path) -> None:
    db = Database(db_path)
    threads_n = 12
    everyone_connected = threading.Barrier(threads_n, timeout=30)
    errors: list[BaseException] = []
    counts: list[int] = []

    def reader() -> None:
        try:
            with db.read() as r:
                r.exec(text("SELECT count(*) FROM actor")).one()  # type: ignore[call-overload]
                everyone_connected.wait()  # all threads hold a connection now
                counts.append(int(r.exec(text("SELECT count(*) FROM actor")).one()[0]))  # type: ignore[call-overload]
        except BaseException as exc:  # collected: an exception in a thread would go unseen
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(threads_n)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        db.dispose()
    assert errors == []
    assert counts == [195] * threads_n
