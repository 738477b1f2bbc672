"""What changed after a given change-log position: the feed that keeps other windows current.

Every write appends to the change log in its own transaction, so the log's sequence number is
a cursor any reader can hold: "what happened after seq N" is one range query on the log's
primary key, and when nothing happened it returns no row (cheap enough to ask every second).
The SQL is dialect-neutral (the column ``user`` is quoted, as PostgreSQL requires), so the same
feed serves a shared server, where a notification can say *when* to ask instead of a timer.

``ChangeFeed.probe`` also says whether the database can be read at all: a file moved away or on
a pulled-out stick, which SQLite would otherwise keep reading through its open handle.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tcbm_tracker.domain.errors import StorageError
from tcbm_tracker.storage.changelog import current_user
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.sql import text

DEFAULT_LIMIT = 500  # notices per call; a caller that gets ``more`` asks again (or reloads in full)

_SINCE_SQL = text(
    'SELECT seq, at, "user", entity, entity_key, action, payload FROM change_log '
    "WHERE seq > :after ORDER BY seq LIMIT :limit"
)
_HEAD_SQL = text("SELECT max(seq) FROM change_log")
_PING_SQL = text("SELECT 1")


def writer_name(user: str | None) -> str:
    """The name this copy's changes are recorded under (the login name when none was given)."""
    return user or current_user()


class CommitListener(Protocol):
    """Told of commits on a server as they happen (``storage.server_database.ChangeListener``)."""

    def wait(self, timeout_s: float) -> bool:
        """Block until a commit (True) or ``timeout_s`` (False); ``StorageError`` when unreachable."""
        ...

    def close(self) -> None: ...


class DatabaseUnavailableError(StorageError):
    """The database cannot be read now (file gone or unreadable, server gone)."""


@dataclass(frozen=True)
class ChangeNotice:
    """One change another writer (or this one) made: who did what to which cell, and when."""

    seq: int
    at: str  # UTC ISO time of the write
    user: str
    entity: str  # "assessment", "evidence", "actor", ...
    key: str
    action: str
    actor: str | None = None  # the cell, for an assessment
    measure: str | None = None

    @property
    def cell(self) -> tuple[str, str] | None:
        return (self.actor, self.measure) if self.actor and self.measure else None


@dataclass(frozen=True)
class FeedBatch:
    head: int  # the position to ask from next time
    notices: tuple[ChangeNotice, ...]
    more: bool  # the limit was reached: more changes wait after ``head``

    @property
    def cells(self) -> list[tuple[str, str]]:
        """The matrix cells these changes touch, each once, in order of first change."""
        seen: dict[tuple[str, str], None] = {}
        for n in self.notices:
            if n.cell is not None:
                seen.setdefault(n.cell, None)
        return list(seen)

    @property
    def touches_more_than_cells(self) -> bool:
        """A change to something other than an assessment (actors, catalogues, evidence)."""
        return any(n.entity not in ("assessment", "evidence") for n in self.notices)


def _notice(row: Any) -> ChangeNotice:
    seq, at, user, entity, key, action, payload = row
    actor = measure = None
    if entity == "assessment":
        try:
            body = json.loads(payload)
            actor, measure = body.get("actor_key"), body.get("measure_key")
        except (TypeError, ValueError):  # a damaged entry: still a change, just not placed
            pass
    return ChangeNotice(int(seq), str(at), str(user), str(entity), str(key), str(action), actor, measure)


_FEEDS: weakref.WeakKeyDictionary[Database, ChangeFeed] = weakref.WeakKeyDictionary()


class ChangeFeed:
    """Reads the change log after a position; raises ``DatabaseUnavailableError`` when it cannot."""

    @classmethod
    def of(cls, db: Database) -> ChangeFeed:
        """The one feed of a database, shared by its readers (and its fault hook with them)."""
        feed = _FEEDS.get(db)
        if feed is None:
            feed = _FEEDS[db] = cls(db)
        return feed

    def __init__(self, db: Database) -> None:
        self.db = db
        # Tests and the fault drill set this to make the next reads fail as a lost server would.
        self.fail_with: str | None = None

    def probe(self) -> None:
        """Raise ``DatabaseUnavailableError`` when the database cannot be read now."""
        self._probe_file()
        if self.db.dialect != "sqlite":
            # A server: only a round trip tells (its connections may have died with it).
            try:
                with self.db.read() as s:
                    s.connection().execute(_PING_SQL)
            except (StorageError, OSError) as exc:
                raise DatabaseUnavailableError(str(exc)) from None

    def _probe_file(self) -> None:
        """The checks that need no query: the fault hook, and a file's path still there."""
        if self.fail_with is not None:
            raise DatabaseUnavailableError(self.fail_with)
        path = getattr(self.db, "path", None)
        if self.db.dialect == "sqlite" and isinstance(path, Path):
            # SQLite keeps reading a moved or deleted file through its open handle: look at the path.
            try:
                with path.open("rb") as fh:
                    fh.read(16)
            except OSError as exc:
                reason = "it is no longer there" if isinstance(exc, FileNotFoundError) else (exc.strerror or str(exc))
                raise DatabaseUnavailableError(f"cannot read {path}: {reason}") from None

    def listener(self) -> CommitListener | None:
        """For a server: a listener told of every commit (LISTEN/NOTIFY), so that a reader asks at
        once instead of at its next poll. None for a file (SQLite has no notifications)."""
        make = getattr(self.db, "change_listener", None)
        return None if make is None else make()

    def head(self) -> int:
        """The newest change-log position (0 for an empty log)."""
        self._probe_file()  # a server is probed by the query itself
        try:
            with self.db.read() as s:
                value = s.connection().execute(_HEAD_SQL).scalar()
        except (StorageError, OSError) as exc:
            raise DatabaseUnavailableError(str(exc)) from None
        return int(value or 0)

    def since(self, after: int, *, limit: int = DEFAULT_LIMIT) -> FeedBatch:
        """The changes after position ``after``, oldest first, at most ``limit`` of them."""
        self._probe_file()  # a server is probed by the query itself
        try:
            with self.db.read() as s:
                rows = s.connection().execute(_SINCE_SQL, {"after": int(after), "limit": int(limit) + 1}).all()
        except (StorageError, OSError) as exc:
            raise DatabaseUnavailableError(str(exc)) from None
        more = len(rows) > limit
        notices = tuple(_notice(r) for r in rows[:limit])
        return FeedBatch(notices[-1].seq if notices else int(after), notices, more)
