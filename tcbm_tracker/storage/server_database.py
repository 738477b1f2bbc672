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

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from tcbm_tracker.domain.errors import DatabaseLockedError, NotADatabaseError, StorageError
from tcbm_tracker.storage.database import Database

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
# One number for "the record's write lock" (any constant; chosen to be recognisable in pg_locks).
WRITE_LOCK_KEY = 0x7C8B_0011


class ServerError(StorageError):
    """The server could not be reached or refused the connection or the statement."""


def is_server_url(target: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL; anything else is a file path."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in SCHEMES and "://" in target


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
    if "password authentication failed" in low or "no password supplied" in low:
        return ServerError(f"{where}: the server refused the password (libpq reads it from ~/.pgpass, PGPASSFILE or a service file)")
    if "does not exist" in low and "database" in low:
        return ServerError(f"{where}: the server has no such database ({first})")
    if "role" in low and "does not exist" in low:
        return ServerError(f"{where}: the server does not know this user ({first})")
    if isinstance(orig, psycopg.OperationalError) and ("connection" in low or "connect" in low):
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
        self._reader = None
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
            connect_args={"options": "-c timezone=UTC"},
        )
        lock_ms = int(busy_timeout_ms)

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Any) -> None:
            if conn.get_execution_options().get("tcbm_begin") == "IMMEDIATE":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {lock_ms}")
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    def _create_engine(self, read_only: bool | None = None) -> Any:  # pragma: no cover - not used
        raise NotImplementedError("a server database makes its engine in __init__")

    def reading_connection(self) -> Connection:
        try:
            return self.engine.connect()
        except DBAPIError as exc:
            raise self._translated(exc) from None

    # ``write`` and ``write_sql`` are the file's: the write lock is taken as each transaction
    # begins (``_on_begin``), and ``before_first_commit`` is never set here.

    @staticmethod
    def _changes(conn: Connection) -> int:
        return 0

    def _translated(self, exc: DBAPIError) -> BaseException:
        return translate_server_error(exc, str(self.path)) or exc

    def raw_connection(self) -> Any:
        raise NotADatabaseError(f"{self.path} is a server database: this operation works on database files only")

    def current_user(self) -> str:
        with self.reading_connection() as conn:
            return str(conn.execute(text("SELECT current_user")).scalar_one())

    def dispose(self) -> None:
        self.engine.dispose()
