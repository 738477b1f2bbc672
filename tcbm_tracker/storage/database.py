"""The engine for one database file: PRAGMAs, transactions and translation of SQLite errors.

One ``Database`` per file per process. Reads run in short deferred transactions; writes run in
``BEGIN IMMEDIATE`` transactions so that the write lock is taken before anything is read (the
change log reads its head inside the transaction, and two writers must never both extend the
same head). SQLite errors that a user can act on (not a database, read-only, locked, disk full)
become ``StorageError`` subclasses with a one-line message; the transaction is rolled back, so
the file is left as it was.

Reads and SQL-text writes (``read``, ``write_sql``) run on ``sqlite3`` connections of our own
(``storage.sql.RawConnection``, pooled here); SQLAlchemy's engine is made, and SQLAlchemy
imported, on the first ORM write or bulk path (``engine``). A process that only reads and seals,
one report, never imports it: about a third of such a process's start-up.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote

from tcbm_tracker.domain.errors import (
    DatabaseLockedError,
    DiskFullError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    StorageError,
)
from tcbm_tracker.storage.sql import RawConnection

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_MS = 5_000
FULL_BELOW_BYTES = 1 << 20


def file_uri(path: Path) -> str:
    """An SQLite ``file:`` URI for a path, with every URI-special character escaped."""
    return "file:" + quote(path.resolve().as_posix())


def is_read_only_file(path: Path) -> bool:
    """True when the user marked the file read-only (mode bits), or we may not write it.

    Mode bits are checked as well as ``os.access`` because ``access`` always says yes to root,
    and a file marked read-only must be treated as such whoever opens it.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return True
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


@contextmanager
def peek(path: Path) -> Iterator[sqlite3.Connection]:
    """A short read-only look at a database file that leaves nothing beside it afterwards.

    A read-only connection to a WAL database creates the ``-wal`` and ``-shm`` files when it
    first reads, and cannot remove them when it closes: only a connection that may write
    checkpoints and deletes them. So, when they were not there before and the look left an
    empty ``-wal`` (nothing to fold into the file, so nothing is written to it), one connection
    that may write opens and closes, and SQLite removes both, unless another program still has
    the file open (then they stay, as they must). A file marked read-only with no pending WAL
    is opened ``immutable``: nothing is created beside it at all.
    """
    path = Path(path)
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    had_files = wal.exists() or shm.exists()
    flags = "mode=ro&immutable=1" if is_read_only_file(path) and not wal.exists() else "mode=ro"
    conn = sqlite3.connect(f"{file_uri(path)}?{flags}", uri=True)
    try:
        yield conn
    finally:
        conn.close()
        if not had_files:
            remove_empty_wal(path)


def remove_empty_wal(path: Path) -> None:
    """Let SQLite remove an empty ``-wal`` and its ``-shm`` beside a file nobody else has open."""
    wal = Path(f"{path}-wal")
    try:
        if not wal.exists() or wal.stat().st_size != 0 or is_read_only_file(path):
            return
        conn = sqlite3.connect(str(path), timeout=0)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the file must really be opened
        finally:
            conn.close()  # the last connection: checkpoints (nothing to fold) and deletes -wal/-shm
    except (OSError, sqlite3.Error):
        pass  # in use, locked or gone: the files stay, which is what SQLite wants then


def check_sqlite_file(path: Path) -> None:
    """Refuse, before SQLite does something surprising, a path that is not a database file."""
    if path.is_dir():
        raise NotADatabaseError(f"{path} is a folder, not a database file")
    if not path.exists():
        return
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if header and header != SQLITE_HEADER:
        raise NotADatabaseError(f"{path} is not a TCBM Tracker database (it is not an SQLite file)")


def disk_is_full(path: Path) -> bool:
    """Less room left beside the file than SQLite needs to grow it or its WAL index."""
    try:
        return shutil.disk_usage(path.parent).free < FULL_BELOW_BYTES
    except OSError:
        return False


def translate_error(exc: BaseException, path: Path) -> StorageError | None:
    """Map an SQLite error to the user-facing error it stands for, or None for a bug."""
    orig = exc if isinstance(exc, sqlite3.Error) else getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps it
    if not isinstance(orig, sqlite3.Error):
        return None
    text = str(orig).lower()
    if "not a database" in text or "malformed" in text:
        return NotADatabaseError(f"{path} is damaged or not a database ({orig})")
    if "readonly" in text or "read-only" in text:
        return ReadOnlyDatabaseError(f"{path} is read-only: nothing was changed")
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(f"{path} is locked by another program; try again when it has finished")
    if "disk is full" in text:
        return DiskFullError(f"cannot write {path}: the disk is full; nothing was changed (free some space and try again)")
    if "disk i/o" in text and disk_is_full(path):
        # A full disk shows as an I/O error when SQLite cannot grow its shared-memory file.
        return DiskFullError(f"cannot write {path}: the disk is full; nothing was changed (free some space and try again)")
    if "disk i/o" in text or "unable to open" in text:
        return StorageError(f"cannot write {path}: {orig}")
    return None


class Database:
    """One SQLite file: an engine with the tracker's PRAGMAs and transaction helpers."""

    dialect = "sqlite"  # storage.server_database.ServerDatabase: "postgresql"

    def __init__(self, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        check_sqlite_file(self.path)
        self.read_only = self.path.exists() and is_read_only_file(self.path)
        if not self.path.exists() and not os.access(self.path.parent, os.W_OK):
            raise ReadOnlyDatabaseError(f"cannot create {self.path}: the folder is not writable")
        self.busy_timeout_ms = busy_timeout_ms
        self._raw: list[Any] = []
        self._creating = not self.path.exists()
        # Idle sqlite3 connections for reads and SQL-text writes (each checkout has its own, as
        # with the engine's pool: a read nested in a write must not share its transaction).
        self._idle: list[RawConnection] = []
        self._idle_lock = threading.Lock()
        self._reads_read_only = self.read_only  # set once the disk was found full
        # Run once, just before the first commit of a write that changed rows, lock held (the
        # command line's daily backup, sealed with the write: see storage.sealed_backup).
        self.before_first_commit: Callable[[sqlite3.Connection], _Pending | None] | None = None

    @property
    def can_write(self) -> bool:
        """This database may be written by us (a file: not read-only; a server: the login may record)."""
        return not self.read_only

    @cached_property
    def engine(self) -> Engine:
        """SQLAlchemy's engine over the same file, made (and SQLAlchemy imported) on first use."""
        return self._create_engine()

    def _connect(self, read_only: bool) -> sqlite3.Connection:
        """A new connection with the tracker's PRAGMAs (for the engine's pool and ours)."""
        if read_only:
            # With no pending WAL, a read-only file cannot change under us: "immutable" stops
            # SQLite from creating -wal/-shm files beside a file the user marked read-only.
            pending = Path(f"{self.path}-wal").exists()
            flags = "mode=ro" if pending else "mode=ro&immutable=1"
            target, uri = f"{file_uri(self.path)}?{flags}", True
        else:
            target, uri = str(self.path), False
        # Connect by path ourselves: a URL would read '?', '#' or '%' in a file name as URL
        # syntax and open a different file.
        conn = sqlite3.connect(target, uri=uri, timeout=self.busy_timeout_ms / 1000, check_same_thread=False)
        try:
            self._configure(conn, read_only)
        except BaseException:
            conn.close()
            raise
        return conn

    def _configure(self, conn: sqlite3.Connection, read_only: bool) -> None:
        # Take transaction control from the driver so that BEGIN IMMEDIATE is possible.
        conn.isolation_level = None
        cur = conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            # Switching to WAL rewrites the file header: do it only for a file we create or
            # one that is already a tracker database, so that a file we refuse (another
            # program's database, an empty file) is left exactly as it was.
            ours = cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
            if self._creating or ours:
                cur.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed edit survives a power cut, not just a killed process.
            cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    def _create_engine(self, read_only: bool | None = None) -> Engine:
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import QueuePool

        read_only = self.read_only if read_only is None else read_only

        # A pool for a file: each checkout is a connection of its own. The "sqlite://" URL would
        # otherwise bring SingletonThreadPool (meant for an in-memory database): one connection
        # per thread, so a read nested in a write shared the write's transaction (its rollback
        # lost the write), and past five threads it closed connections other threads were using.
        engine = create_engine("sqlite://", creator=lambda: self._connect(read_only), poolclass=QueuePool,
                               pool_size=5, max_overflow=-1)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("tcbm_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    @contextmanager
    def read(self, *, transaction: bool = True) -> Iterator[Session]:
        """A session for reading; rolled back at the end.

        Reads run SQL text only, so the session is a thin one over the connection: a report
        process never imports SQLAlchemy, the ORM, sqlmodel or pydantic. ``transaction=False``:
        the statements need not share one transaction; on a server they then run without one
        (see ``ServerDatabase.reading_connection``), on a file they still do (it costs nothing).
        """
        try:
            with self.reading_connection(transaction=transaction) as conn:
                try:
                    yield cast("Session", _ReadSession(conn))
                finally:
                    conn.rollback()
        except Exception as exc:
            raise self.user_error(exc) from None

    def user_error(self, exc: Exception) -> BaseException:
        """The user-facing error for a database failure (to raise); any other exception is
        raised again, as it is."""
        translated = self._translated(exc)
        if translated is exc:
            raise exc
        return translated

    def reading_connection(self, *, transaction: bool = True) -> AbstractContextManager[Any]:
        """A connection for reading (``storage.sql.RawConnection``); on a full disk, a read-only one.
        Its statements always share one deferred transaction (``transaction`` is for servers).

        With the disk full, SQLite cannot create the shared-memory file a WAL database needs,
        and even reading fails ("disk I/O error"). A read-only connection needs no new file, so
        the record stays readable; writes still fail, with "the disk is full".
        """
        return self._reading()

    @contextmanager
    def _reading(self) -> Iterator[RawConnection]:
        try:
            conn = self._checkout(self._reads_read_only)
        except sqlite3.Error as exc:
            if self._reads_read_only or not _no_space(exc):
                raise
            self._reads_read_only = True
            self._release_idle()
            conn = self._checkout(True)
        with self._checked_out(conn):
            # Every statement of one read sees the same snapshot of the file, as a deferred
            # transaction gives (no lock is taken until the first statement reads).
            conn.begin()
            yield conn

    def _checkout(self, read_only: bool) -> RawConnection:
        with self._idle_lock:
            if self._idle:
                return self._idle.pop()
        return RawConnection(self._connect(read_only))

    @contextmanager
    def _checked_out(self, conn: RawConnection) -> Iterator[RawConnection]:
        """Give the connection back at the end, its transaction ended; closed if that failed."""
        try:
            yield conn
        finally:
            try:
                conn.rollback()
            except sqlite3.Error:
                conn.driver.close()
            else:
                with self._idle_lock:
                    self._idle.append(conn)

    def _release_idle(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.driver.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one ``BEGIN IMMEDIATE`` transaction: committed whole or not at all."""
        from sqlalchemy.exc import DBAPIError
        from sqlmodel import Session  # the ORM loads on the first write only

        if self.read_only:
            raise ReadOnlyDatabaseError(f"{self.path} is read-only: nothing was changed")
        try:
            with self.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as conn:
                with Session(bind=conn) as session, self._committing(conn, session.commit, session.rollback,
                                                                      flush=session.flush):
                    yield session
        except DBAPIError as exc:
            raise self._translated(exc) from None

    @contextmanager
    def write_sql(self) -> Iterator[Session]:
        """Like ``write``, for SQL text only, on a connection of our own: neither the ORM nor
        SQLAlchemy is imported (a report's seal is one INSERT, and a process that writes one
        report should not pay for their imports)."""
        if self.read_only:
            raise ReadOnlyDatabaseError(f"{self.path} is read-only: nothing was changed")
        try:
            with self._checked_out(self._checkout(False)) as conn:
                conn.begin("IMMEDIATE")
                thin = _ReadSession(conn)
                with self._committing(conn, conn.commit, thin.rollback):
                    yield cast("Session", thin)
        except Exception as exc:
            raise self.user_error(exc) from None

    @contextmanager
    def _committing(self, conn: Any, commit: Callable[[], object], rollback: Callable[[], object], *,
                    flush: Callable[[], object] | None = None) -> Iterator[None]:
        """The end of every write: commit what the block did (after ``flush``, and after the
        backup-before-first-commit hook, ``_before_commit``), or roll it all back on any exception.
        The hook's seal is told which of the two happened, once the transaction has ended."""
        pending: _Pending | None = None
        try:
            changes = self._changes(conn)
            yield
            if flush is not None:
                flush()
            pending = self._before_commit(conn, changes)
            commit()
        except BaseException:
            rollback()
            if pending is not None:
                pending.rolled_back()
            raise
        if pending is not None:
            pending.committed()

    @staticmethod
    def _changes(conn: Any) -> int:
        raw = conn.connection.driver_connection
        return int(raw.total_changes) if raw is not None else 0

    def _before_commit(self, conn: Any, changes_at_start: int) -> _Pending | None:
        """Run ``before_first_commit`` once, just before the first commit of a write that changed
        rows (write lock held); a write that changed nothing, or failed, leaves it waiting."""
        hook = self.before_first_commit
        raw = conn.connection.driver_connection
        if hook is None or raw is None or raw.total_changes == changes_at_start or not raw.in_transaction:
            return None
        self.before_first_commit = None
        return hook(raw)

    def _translated(self, exc: BaseException) -> BaseException:
        return translate_error(exc, self.path) or exc

    def translate(self, exc: BaseException) -> StorageError | None:
        """The user-facing error a driver's error stands for (SQLAlchemy's or the driver's own), or None."""
        return translate_error(exc, self.path)

    @staticmethod
    def now(session: Any) -> str:
        """The recording time of a write made through ``session``: on a server, the server's
        clock; on a file, this computer's (see ``storage.recording_time``)."""
        from tcbm_tracker.storage.recording_time import recording_now

        return recording_now(session)

    def ledger_place(self, session: Any) -> str:
        """Where this database is, as the seal ledger beside the key notes it: the file's full path."""
        return str(self.path.resolve())

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection with the same PRAGMAs (for bulk work and benchmarks)."""
        # Held until dispose(): a pooled connection dropped by its holder would go back to the
        # pool while the caller still uses it.
        pooled = self.engine.raw_connection()
        self._raw.append(pooled)
        return pooled.driver_connection  # type: ignore[return-value]

    def dispose(self) -> None:
        for pooled in self._raw:
            pooled.close()
        self._raw.clear()
        self._release_idle()
        if "engine" in self.__dict__:  # made only if used
            self.engine.dispose()


class _Pending(Protocol):
    """What ``before_first_commit`` returns: told whether the write committed."""

    def committed(self) -> None: ...

    def rolled_back(self) -> None: ...


def _no_space(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "disk is full" in text or "disk i/o" in text


class _ReadSession:
    """What SQL-text work uses of a session (``exec``/``execute``) over one connection."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._orm: Any = None

    def __getattr__(self, name: str) -> Any:
        # Anything else (``get`` of a table row...): an ORM session on the same connection,
        # made (and sqlmodel imported) on first use; over SQLAlchemy's connections only (a
        # file's reads run on sqlite3 directly, in SQL text).
        if isinstance(self._connection, RawConnection):
            raise AttributeError(f"{name!r}: reads of a database file run SQL text only (no ORM session)")
        if self._orm is None:
            from sqlmodel import Session

            self._orm = Session(bind=self._connection)
        return getattr(self._orm, name)

    def connection(self) -> Any:
        return self._connection

    def exec(self, statement: Any, params: Any = None) -> Any:
        return self._connection.execute(statement, params) if params is not None else self._connection.execute(statement)

    execute = exec

    def scalar(self, statement: Any, params: Any = None) -> Any:
        return self._connection.scalar(statement, params) if params is not None else self._connection.scalar(statement)

    def rollback(self) -> None:
        if self._orm is not None:
            self._orm.close()
        self._connection.rollback()
