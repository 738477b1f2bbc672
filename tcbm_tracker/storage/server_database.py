"""The engine for a shared record on a PostgreSQL server (team mode), driven through psycopg 3.

The same interface as ``Database`` (one SQLite file), so that every service runs unchanged:
``read()``, ``write()``, ``write_sql()``, ``reading_connection()``, ``engine``, ``dispose()``.
What differs, and why:

- Writers are serialised with a transaction-scoped advisory lock taken first in every write
  transaction: the change log reads its head inside the transaction, and two writers must never
  both extend the same head (SQLite gets this from ``BEGIN IMMEDIATE``).
- ``path`` is a display name (database, host, port, user; never a password), used in messages.
- Passwords are never taken from the application's settings: libpq finds them itself
  (``~/.pgpass``, ``PGPASSFILE``, service files), and a URL's password is never shown.
- Server errors a user can act on (server unreachable, password refused, no such database,
  permission denied) become ``StorageError`` subclasses with a one-line message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from tcbm_tracker.domain.errors import DatabaseLockedError, NotADatabaseError, StorageError
from tcbm_tracker.storage.database import Database, _ReadSession
from tcbm_tracker.storage.locations import is_server_url as is_server_url  # where it was
from tcbm_tracker.storage.sql import RawConnection, RawResult, pyformat, statement_and_params

if TYPE_CHECKING:
    from sqlmodel import Session

    from tcbm_tracker.storage.server_roles import LoginRights

# One number for "the record's write lock" (any constant; chosen to be recognisable in pg_locks).
WRITE_LOCK_KEY = 0x7C8B_0011
# A server that does not answer (a network partition, a host switched off) is said unreachable
# after this long, instead of holding the background job for the system's TCP timeout (minutes).
CONNECT_TIMEOUT_S = 5
# The channel every write transaction notifies (LISTEN/NOTIFY): other windows read the change
# feed at once instead of at their next poll.
NOTIFY_CHANNEL = "tcbm_change_log"


class ServerError(StorageError):
    """The server could not be reached or refused the connection or the statement."""


def describe(url: str) -> str:
    """The URL as shown to a user: the database, the server and the user, never a password."""
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        return "the server URL"
    host = u.host or u.query.get("host") or "local socket"
    if isinstance(host, tuple):
        host = host[0]
    port = u.port or u.query.get("port") or 5432
    if isinstance(port, tuple):
        port = port[0]
    who = f"{u.username}@" if u.username else ""
    return f"database {u.database or '(default)'} on server {who}{host}:{port}"


def _driver_url(url: str) -> Any:
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        raise ServerError(f"{url.split('@')[-1]!r} is not a valid postgresql:// URL") from None
    return u.set(drivername="postgresql+psycopg")


def translate_server_error(exc: BaseException, where: str) -> StorageError | None:
    """Map a server error to the user-facing error it stands for, or None for a bug."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the server extra is installed with the URL's use
        return None
    if not isinstance(orig, psycopg.Error):
        return None
    first = (str(orig).strip().splitlines() or [""])[0]
    low = first.lower()
    if isinstance(exc, DBAPIError) and exc.connection_invalidated and exc.statement is None:
        # Lost during COMMIT itself (no statement): whether the server committed is unknown.
        return ServerError(f"{where}: the connection to the server was lost while the change was being committed "
                           f"({first}); it may or may not have been saved: look at the history before recording it again")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        # The server went away while this connection was in use (stopped, restarted, or the
        # connection was cut) before COMMIT: the server keeps none of an uncommitted transaction.
        return ServerError(f"{where}: the connection to the server was lost ({first}); the change was not saved, "
                           "nothing on the server was changed: try again once the server is back")
    if "password authentication failed" in low or "no password supplied" in low:
        return ServerError(f"{where}: the server refused the password (libpq reads it from ~/.pgpass, PGPASSFILE or a service file)")
    if "does not exist" in low and "database" in low:
        return ServerError(f"{where}: the server has no such database ({first})")
    if "role" in low and "does not exist" in low:
        return ServerError(f"{where}: the server does not know this user ({first})")
    # A host name that does not resolve is unreachable too (psycopg: "failed to resolve host",
    # libpq: "could not translate host name").
    if isinstance(orig, psycopg.OperationalError) and any(w in low for w in ("connect", "resolve host", "host name")):
        return ServerError(f"{where}: cannot reach the server ({first})")
    if isinstance(orig, psycopg.errors.InsufficientPrivilege):
        if "append-only" in low or "recorded under" in low:
            return ServerError(f"{where}: {first.removeprefix('ERROR:').strip()}; nothing was changed")
        from tcbm_tracker.storage.server_roles import role_needed

        role = role_needed(exc.statement if isinstance(exc, DBAPIError) else None)
        return ServerError(
            f"{where}: permission denied: this needs the server role {role} "
            f"(an administrator grants it: tcbm-tracker server grant LOGIN {role}); nothing was changed"
        )
    if isinstance(orig, psycopg.errors.CheckViolation) and "recording time" in low:
        return ServerError(f"{where}: {first.removeprefix('ERROR:').strip()}; nothing was changed")
    if isinstance(orig, psycopg.errors.LockNotAvailable | psycopg.errors.SerializationFailure):
        return DatabaseLockedError(f"{where} is busy with another writer; try again ({first})")
    return None


class ServerDatabase(Database):
    """One database on a PostgreSQL server, with the same interface as a file's ``Database``."""

    dialect = "postgresql"

    def __init__(self, url: str, *, busy_timeout_ms: int = 5_000) -> None:  # noqa: D107 - see class
        self.url = url
        self.path = Path(describe(url))
        self.read_only = False
        self.busy_timeout_ms = busy_timeout_ms
        self._raw: list[Any] = []
        self.before_first_commit: Callable[[Any], Any] | None = None  # file backups only: never called here
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise ServerError("a postgresql:// database needs the server extra: pip install 'tcbm-tracker[server]'") from None
        self.engine = create_engine(
            _driver_url(url),
            pool_size=5,
            max_overflow=10,
            pool_pre_ping=True,
            # Who records a change is the server's authenticated role; the session time zone is
            # UTC so that server-side timestamps read the same on every client.
            connect_args={"options": "-c timezone=UTC", "connect_timeout": CONNECT_TIMEOUT_S},
        )
        lock_ms = int(busy_timeout_ms)

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            if conn.get_execution_options().get("tcbm_begin") == "IMMEDIATE":
                # The notification is issued in the write transaction rather than by a trigger made
                # by `server setup`: it then works on every server, set up or not, and every write
                # of the application comes through here. PostgreSQL delivers it at commit only
                # (never for a rollback) and folds a transaction's identical notifications into one.
                # The three statements travel as one message (no parameters: the simple protocol,
                # run in order): every round trip here is spent holding the record's write lock.
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {lock_ms}; "
                                     f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY}); "
                                     f"SELECT pg_notify('{NOTIFY_CHANNEL}', '')")

    def _create_engine(self, read_only: bool | None = None) -> Any:  # pragma: no cover - not used
        raise NotImplementedError("a server database makes its engine in __init__")

    def reading_connection(self, *, transaction: bool = True) -> Any:
        """A pooled connection whose statements all see the record as it was when the first one
        ran (REPEATABLE READ), as a file's read transaction does: a verify or a package export
        must not see another client's commit halfway through. A read-only transaction at that
        level never fails for a concurrent writer; PostgreSQL's default (READ COMMITTED) would
        give each statement a snapshot of its own.

        ``transaction=False`` (the query service's reads, SQL text only, as on a file): the
        pooled psycopg connection itself, in autocommit, each statement on its own snapshot
        (``AutocommitReads``)."""
        if not transaction:
            return self._autocommit_reads()
        try:
            conn = self.engine.connect()
        except DBAPIError as exc:
            raise self._translated(exc) from None
        # Set on the client only (psycopg's BEGIN names the level); the pool restores the
        # connection's own when it takes it back.
        return conn.execution_options(isolation_level="REPEATABLE READ")

    @contextmanager
    def _autocommit_reads(self) -> Iterator[AutocommitReads]:
        try:
            pooled = self.engine.raw_connection()  # the pool's check (pre-ping) included
        except DBAPIError as exc:
            raise self._translated(exc) from None
        driver: Any = pooled.driver_connection  # a psycopg connection
        try:
            driver.autocommit = True
            yield AutocommitReads(driver)
        except Exception as exc:
            import psycopg

            if isinstance(exc, psycopg.OperationalError) or driver.closed or driver.broken:
                pooled.invalidate(exc)  # lost: the pool opens a new one next time
            raise
        finally:
            try:
                if not driver.closed and not driver.broken:
                    driver.autocommit = False  # as the pool's other users expect it
            except Exception:  # noqa: BLE001 - a connection that cannot be put back as it was is not put back
                pooled.invalidate()
            pooled.close()

    @contextmanager
    def write_sql(self) -> Iterator[Session]:
        """Like ``write``, for SQL text only (the ORM is not imported). ``write`` itself is the
        file's: the same steps, the write lock taken by the engine's ``begin`` hook above."""
        try:
            with self.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as conn:
                thin = _ReadSession(conn)
                with self._committing(conn, conn.commit, thin.rollback):
                    yield cast("Session", thin)
        except DBAPIError as exc:
            raise self._translated(exc) from None

    @staticmethod
    def _changes(conn: Connection) -> int:
        return 0

    def _translated(self, exc: BaseException) -> BaseException:
        return translate_server_error(exc, str(self.path)) or exc

    def translate(self, exc: BaseException) -> StorageError | None:
        return translate_server_error(exc, str(self.path))

    def raw_connection(self) -> Any:
        raise NotADatabaseError(f"{self.path} is a server database: this operation works on database files only")

    def change_listener(self) -> ChangeListener:
        """A listener told of every commit on this database (its own connection, made on first use)."""
        return ChangeListener(self)

    def ledger_place(self, session: Any) -> str:
        """A server database is known by its own id (``tracker_meta``), never by its address: the
        same database reached by another host name, port or login keeps its seals, and another
        database that later answers at the same address is not taken for it."""
        from tcbm_tracker.storage import meta

        return f"postgresql database {meta.get(session, meta.DATABASE_ID) or '(no id)'}"

    def current_user(self) -> str:
        with self.reading_connection() as conn:
            return str(conn.execute(text("SELECT current_user")).scalar_one())

    @cached_property
    def login(self) -> LoginRights:
        """Who this database is signed in as, and whether that login may record: asked of the
        server once (``open_tracker`` asks on connecting), then kept. A role granted or revoked
        meanwhile shows at the next connection; the server enforces its grants at every statement."""
        from tcbm_tracker.storage.server_roles import login_rights

        with self.reading_connection() as conn:
            return login_rights(conn)

    @property
    def can_write(self) -> bool:
        """False for a login that may only read (``tcbm_reader``): it adds nothing to the shared
        record, not even a seal; reports and packages go unsealed, as from a read-only file."""
        return self.login.may_record

    def dispose(self) -> None:
        self.engine.dispose()


class ServerResult(RawResult):
    """The rows of one statement on a server: a file's ``RawResult`` over a psycopg cursor."""

    @staticmethod
    def _column_names(cursor: Any) -> tuple[str, ...]:
        # From the result itself: psycopg's ``description`` makes an object per column with its
        # type's details, at every statement, for a name.
        result = cursor.pgresult
        if result is None or not result.nfields:
            return ()
        return tuple(result.fname(i).decode() for i in range(result.nfields))


class AutocommitReads(RawConnection):
    """A pooled psycopg connection in autocommit, offering what a file's reading connection offers
    (``RawConnection``), for the query service's reads. What it saves, at every read: the round
    trips of psycopg's BEGIN (a statement of its own) and of the ROLLBACK at the end; as psycopg
    forgets a connection's prepared statements at every ROLLBACK, the parsing of statements run
    five times or more on the connection (psycopg then prepares them) and, once PostgreSQL settles
    on a generic plan for one, its planning; and SQLAlchemy's own steps around each statement and
    its result (a tenth of a dossier's time)."""

    dialect = SimpleNamespace(name="postgresql")

    def execute(self, statement: Any, params: Any = None) -> RawResult:
        sql, values = statement_and_params(statement, params)
        return ServerResult(self.driver.execute(pyformat(sql), values))

    def exec_driver_sql(self, sql: str, params: Any = None) -> RawResult:
        """SQL in psycopg's own parameter style, as it is."""
        driver: Any = self.driver
        return ServerResult(driver.execute(sql, params or None))

    def begin(self, mode: str = "DEFERRED") -> None:
        raise NotImplementedError("autocommit reads run no transaction")

    def commit(self) -> None:
        """Nothing to end: every statement committed as it ran."""

    rollback = commit


class ChangeListener:
    """One connection of its own that LISTENs on ``NOTIFY_CHANNEL``: ``wait`` blocks until a write
    transaction commits on the server (any client's) or the time is up. For a background thread:
    it never runs on the window's thread, which must not block on the network."""

    def __init__(self, db: ServerDatabase) -> None:  # noqa: D107 - see class
        # The engine's own connection arguments (host, port, user, database, sslmode...): the same
        # server as the engine, and libpq still finds the password itself.
        self._args = db.engine.dialect.create_connect_args(db.engine.url)
        self._where = str(db.path)
        self._conn: Any = None

    def wait(self, timeout_s: float) -> bool:
        """True when a commit happened meanwhile (or may have: just connected); False when the
        time ran out. Raises ``ServerError`` when the server cannot be reached (call again to retry)."""
        import psycopg

        try:
            if self._conn is None:
                args, kwargs = self._args
                self._conn = psycopg.connect(*args, **{"connect_timeout": CONNECT_TIMEOUT_S, **kwargs}, autocommit=True)
                self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                return True  # commits made while nobody listened are not announced
            heard = False
            for _notice in self._conn.notifies(timeout=timeout_s, stop_after=1):
                heard = True
            return heard
        except psycopg.Error as exc:
            self.close()
            raise translate_server_error(exc, self._where) or ServerError(f"{self._where}: {exc}") from None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a connection already broken closes as it can
                pass
