"""Checking the change log: the chain itself, ids used twice, and every row against its snapshot.

The chain proves what it can: any entry edited, inserted or removed in the middle breaks it;
a removed *last* entry leaves a valid, shorter chain, but SQLite's AUTOINCREMENT counter for
the log (``sqlite_sequence``) still remembers the position that was written, so that is named
too. Someone who rewrites the whole chain and the counter is caught only by a seal
(``storage.seals``) or a fingerprint printed on a report made before the rewrite.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from tcbm_tracker.storage.changelog import (
    CANONICAL,
    ENTITIES,
    GENESIS,
    EntityKind,
    highest_seq_used,
    normaliser,
)
from tcbm_tracker.storage.row_json import latest_match_query, snapshot_query
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from sqlmodel import Session

# The action that brings a row with an integer id into being: seen twice for one id, the id was
# handed out twice (a deleted row's id reused), which is how a deletion is hidden.
CREATING_ACTION = {"assessment": "recorded", "evidence": "added", "actor_attribute": "added"}
ROW_CREATING = frozenset({"added", "recorded"})  # the actions that bring any logged row into being


def printable(value: str) -> str:
    """Text as one printable line: a planted name with a newline must not become two lines."""
    return "".join(
        c if c == " " or unicodedata.category(c)[0] not in "CZ" else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in value
    )


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return printable(f"{self.where}: {self.what}")


@dataclass
class ChainResult:
    problems: list[Problem] = field(default_factory=list)
    # entity -> key -> payload; None when the walk kept nothing (``keep_latest=False`` on an intact log).
    latest: dict[str, dict[str, str | None]] | None = field(default_factory=dict)
    head: str = GENESIS
    head_seq: int = 0
    entries: int = 0
    # Positions written to the log that are gone (deleted in the middle or at the end).
    entries_missing: bool = False
    hashes: dict[int, str] = field(default_factory=dict)  # the hash at each position asked for
    rows_added: dict[str, int] = field(default_factory=dict)  # per entity, with ``count_rows``
    # The entities with a key logged more than once; known only when ``latest`` is None.
    relogged: frozenset[str] | None = None


def _cursor(session: Session) -> sqlite3.Cursor:
    """A plain cursor on the session's connection (same transaction): a million rows read through
    it take a fraction of the time SQLAlchemy's result rows do. On a server, psycopg's cursor,
    taking the same ``?`` placeholders (``_QmarkCursor``)."""
    driver = session.connection().connection.driver_connection
    if isinstance(driver, sqlite3.Connection):
        return driver.cursor()
    return cast(sqlite3.Cursor, _QmarkCursor(driver.cursor()))  # type: ignore[union-attr]


class _QmarkCursor:
    """A psycopg cursor that takes SQLite's ``?`` placeholders (the queries here use no other ``?``
    or ``%``), so that each query is written once for both engines."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Any = ()) -> _QmarkCursor:
        self._cursor.execute(sql.replace("%", "%%").replace("?", "%s"), params or None)
        return self

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchmany(self, size: int) -> list[Any]:
        return list(self._cursor.fetchmany(size))

    def close(self) -> None:
        self._cursor.close()


def _span(first: int, last: int) -> str:
    return f"entry {first}" if first == last else f"entries {first}..{last}"


_LOG = 'SELECT seq, at, "user", entity, entity_key, action, payload, prev_hash, hash FROM change_log'


def verify_chain(session: Session, limit: int = 50, capture: set[int] | frozenset[int] = frozenset(), *,
                 after: tuple[int, str] = (0, GENESIS), count_rows: bool = False,
                 keep_latest: bool = True) -> ChainResult:
    """Walk the chain; return its problems, the latest payload per (entity, key) and its head.

    ``capture``: log positions whose hash the caller wants (the positions seals vouch for).
    ``after``: walk only the entries after this (position, hash), already verified (the check
    before a report); ``count_rows``: also count, per entity, the rows the walked entries
    created less those they deleted (``ChainResult.rows_added``).
    ``keep_latest=False``: the caller compares rows in SQL (``verify_rows`` given None), so on
    a SQLite file whose whole log is intact nothing is kept per entry and ``latest`` is None;
    a log with any problem is walked again, as always, to name each one.
    """
    if not keep_latest and after == (0, GENESIS) and not count_rows:
        clean = _intact_log(session, capture)
        if clean is not None:
            return clean
    r = ChainResult()
    rows_added = r.rows_added

    def add(problem: Problem) -> None:
        # The walk goes on past the limit: the head and the hashes seals need come from all of it.
        if len(r.problems) < limit:
            r.problems.append(problem)

    prev = after[1]
    expected_seq = after[0] + 1
    entries = 0
    creating = CREATING_ACTION.get
    latest: dict[str, dict[str, str | None]] = {}
    r.latest = latest
    sha256 = hashlib.sha256
    cursor = _cursor(session)  # for the rare look back at an id recorded twice
    # A million entries pass through this loop: only locals in it, and text only for problems.
    # (The hash is ``changelog.entry_hash``, written out here: a call per entry costs a tenth.)
    log = _cursor(session)
    log.execute(f"{_LOG} WHERE seq > ? ORDER BY seq", (after[0],))
    entity_now = ""
    by_key: dict[str, str | None] = {}
    while rows := log.fetchmany(5000):
        entries += len(rows)
        for seq, at, user, entity, key, action, payload, prev_hash, h in rows:
            if seq != expected_seq:
                r.entries_missing = True
                add(Problem(f"change log entry {seq}",
                            f"{_span(expected_seq, seq - 1)} {'is' if seq - 1 == expected_seq else 'are'} missing"))
            if prev_hash != prev:
                add(Problem(f"change log entry {seq}", "does not follow the previous entry (chain broken)"))
            if sha256("\x1f".join((str(seq), at, user, entity, key, action, payload, prev_hash)).encode()).hexdigest() != h:
                add(Problem(f"change log entry {seq}", f"was altered ({entity} {key} {action})"))
            if entity != entity_now:  # entries of one kind come in runs: look the table up once a run
                entity_now, by_key = entity, latest.setdefault(entity, {})
            # An id recorded a second time: only a key already in the log can be; the log says where first.
            if key in by_key and creating(entity) == action:
                first = _first_creation(cursor, entity, key, action, seq)
                if first is not None:
                    add(Problem(f"change log entry {seq}",
                                f"records {entity} {key} a second time (first in entry {first}): an id was used twice"))
            if seq in capture:
                r.hashes[seq] = h
            if count_rows:
                if action in ROW_CREATING and key not in by_key:
                    rows_added[entity] = rows_added.get(entity, 0) + 1
                elif action == "deleted":
                    rows_added[entity] = rows_added.get(entity, 0) - 1
            by_key[key] = None if action == "deleted" else payload
            prev = h
            expected_seq = seq + 1
    log.close()
    cursor.close()
    r.entries = entries
    r.head_seq = expected_seq - 1
    r.head = prev
    written = highest_seq_used(session)
    if written > r.head_seq:
        r.entries_missing = True
        # First: it explains the rows the log no longer holds.
        r.problems.insert(0, Problem(
            "change log",
            f"its last {_span(r.head_seq + 1, written)} {'was' if written == r.head_seq + 1 else 'were'} deleted "
            f"(entry {written} was written; the log now ends at entry {r.head_seq})",
        ))
        del r.problems[limit:]
    return r


def _intact_log(session: Session, capture: set[int] | frozenset[int]) -> ChainResult | None:
    """The walk of an intact log on SQLite, keeping nothing per entry; None at the first sign of
    any problem (the full walk then names them all) and on a server.

    What it checks is what the full walk checks: every position present up to the highest ever
    written, every link, every hash, and no id created twice (in SQL, through the log's index).
    """
    if session.connection().dialect.name != "sqlite":
        return None
    log = _cursor(session)
    try:
        if not _every_entry_holds(log):
            return None
        seq, head = log.execute("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone() or (0, GENESIS)
        # One pass over the log's index; most rows are logged once, and only a key logged again
        # can have been created twice (or have a latest entry other than its first).
        relogged = frozenset(r[0] for r in log.execute(
            "SELECT DISTINCT entity FROM (SELECT entity FROM change_log GROUP BY entity, entity_key HAVING count(*) > 1)"))
        if highest_seq_used(session) > seq or _an_id_created_twice(log, relogged):
            return None
        hashes = {}
        for wanted in sorted(capture):
            row = log.execute("SELECT hash FROM change_log WHERE seq = ?", (wanted,)).fetchone()
            if row is not None:
                hashes[wanted] = row[0]
        return ChainResult(latest=None, head=head, head_seq=seq, entries=seq, hashes=hashes, relogged=relogged)
    finally:
        log.close()


def _every_entry_holds(log: sqlite3.Cursor) -> bool:
    """Every position from 1 on present, each entry linked to the one before it and its hash right."""
    sha256, join = hashlib.sha256, "\x1f".join
    prev, expected = GENESIS, 1
    # Measured: batches of a thousand rows walk a million entries faster than larger ones.
    log.execute(f"{_LOG} ORDER BY seq")
    while rows := log.fetchmany(1000):
        for seq, at, user, entity, key, action, payload, prev_hash, h in rows:
            if (seq != expected or prev_hash != prev
                    or sha256(join((str(seq), at, user, entity, key, action, payload, prev_hash)).encode()).hexdigest() != h):
                return False
            prev, expected = h, seq + 1
    return True


def _an_id_created_twice(cur: sqlite3.Cursor, relogged: frozenset[str]) -> bool:
    """Whether any id was created by two entries: only a key logged more than once can be."""
    for entity, action in CREATING_ACTION.items():
        if entity not in relogged:
            continue
        found = cur.execute(
            "SELECT 1 FROM (SELECT entity_key AS k FROM change_log WHERE entity = ? GROUP BY entity_key "
            "HAVING count(*) > 1) AS mk CROSS JOIN change_log c ON c.entity = ? AND c.entity_key = mk.k "
            "AND c.action = ? GROUP BY mk.k HAVING count(*) > 1 LIMIT 1",
            (entity, entity, action),
        ).fetchone()
        if found is not None:
            return True
    return False


def _first_creation(cur: sqlite3.Cursor, entity: str, key: str, action: str, before: int) -> int | None:
    """The first entry before ``before`` that created the same id, if any."""
    row = cur.execute("SELECT min(seq) FROM change_log WHERE entity = ? AND entity_key = ? AND action = ? AND seq < ?",
                      (entity, key, action, before)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def verify_schema_objects(session: Session) -> list[Problem]:
    """The application creates no triggers or views: any found was planted outside it.

    A trigger could rewrite a row as it is saved (so that the log records the rewritten
    value); a view could shadow what a reader sees. Neither shows up in row comparisons.
    """
    if session.connection().dialect.name == "sqlite":
        query = "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY type, name"
    else:
        # The server's own triggers (``server setup``: append-only tables) are named tcbm_*.
        query = (
            "SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = current_schema() "
            "AND t.tgname NOT LIKE 'tcbm\\_%' "
            "UNION ALL SELECT 'view', table_name FROM information_schema.views WHERE table_schema = current_schema() "
            "ORDER BY 1, 2"
        )
    found = session.exec(text(query)).all()  # type: ignore[call-overload]
    return [Problem(f"{kind} {name}", "was not created by TCBM Tracker (added outside the app)") for kind, name in found]


def verify_rows(
    session: Session,
    latest: dict[str, dict[str, str | None]] | None,
    limit: int = 50,
    on_entity: Callable[[str], None] | None = None,
    *,
    entries_missing: bool = False,
    relogged: frozenset[str] | None = None,
) -> list[Problem]:
    """Compare every row of every logged table with its latest snapshot in the log.

    ``latest``: the walk's latest payload per (entity, key); None when the walk kept none (an
    intact log on SQLite), and then SQLite finds each row's latest entry itself; ``relogged``:
    the entities with a key logged more than once, when known (``ChainResult.relogged``).
    ``entries_missing``: log entries are known to be gone, so a row the log does not hold may
    be an honest row whose entry was deleted; it is not blamed on the row.

    Each table is first compared with snapshots SQLite builds (``storage.row_json``): when every
    row matches and none is missing, the table is fine; otherwise the exact comparison in Python
    runs over that table and names each row, as it always did.
    """
    unlogged = (
        "is not in the change log: its entry is among the deleted ones (or the row was added outside the app)"
        if entries_missing
        else "is not in the change log (added outside the app)"
    )
    problems: list[Problem] = []
    cur = _cursor(session)
    try:
        for kind in ENTITIES:
            if on_entity:
                on_entity(kind.name)
            if latest is None:
                if _all_match_in_sql(cur, kind, relogged):
                    continue
                logged_rows = _logged(cur, kind.name)
            else:
                logged_rows = latest.get(kind.name, {})
                if _all_match(cur, kind, logged_rows):
                    continue
            problems.extend(_compare_in_python(cur, kind, logged_rows, unlogged, limit - len(problems)))
            if len(problems) >= limit:
                return problems
    finally:
        cur.close()
    # Attached files: the stored bytes must still hash to the recorded SHA-256.
    files = session.exec(  # type: ignore[call-overload]
        text(
            "SELECT e.id, e.file_sha256, f.content FROM evidence e LEFT JOIN evidence_file f ON f.evidence_id = e.id "
            "WHERE e.file_sha256 IS NOT NULL OR f.evidence_id IS NOT NULL"
        )
    )
    for eid, sha, content in files:
        if content is None or sha is None or hashlib.sha256(content).hexdigest() != sha:
            problems.append(Problem(f"evidence {eid}", "attached file is missing or does not match its SHA-256"))
    return problems


def _all_match(cur: sqlite3.Cursor, kind: EntityKind, logged_rows: dict[str, str | None]) -> bool:
    """True when every row of the table equals its latest snapshot and no logged row is missing."""
    if not isinstance(cur, sqlite3.Cursor):
        return False  # the snapshots are built by SQLite's JSON functions: on a server, Python compares
    try:
        cur.execute(snapshot_query(kind))
        get = logged_rows.get
        matched = 0
        # Keys are unique in every table but measure_group's (catalog/key): count them there.
        keys: set[str] | None = set() if kind.name == "measure_group" else None
        while rows := cur.fetchmany(5000):
            for key, snap in rows:
                if snap is None or get(key) != snap:
                    return False
            if keys is not None:
                keys.update(r[0] for r in rows)
            matched += len(rows)
    except sqlite3.Error:
        return False  # a value SQLite's JSON functions refuse: only the exact comparison can say
    if keys is not None and len(keys) != matched:
        return False
    return matched == sum(1 for payload in logged_rows.values() if payload is not None)


def _all_match_in_sql(cur: sqlite3.Cursor, kind: EntityKind, relogged: frozenset[str] | None) -> bool:
    """``_all_match`` done wholly by SQLite, each row against its latest entry (``latest_match_query``)."""
    if not isinstance(cur, sqlite3.Cursor):
        return False  # SQLite's SQL: on a server, Python compares
    try:
        if relogged is None:
            relogged = frozenset(r[0] for r in cur.execute(
                "SELECT entity FROM change_log WHERE entity = ? GROUP BY entity_key HAVING count(*) > 1 LIMIT 1",
                (kind.name,)))
        entries, top = cur.execute(
            "SELECT (SELECT count(*) FROM change_log WHERE entity = ?), (SELECT max(seq) FROM change_log)", (kind.name,)
        ).fetchone()
        # Through the index, each of the table's entries costs a look-up (about 0.36 µs at a
        # million entries, measured); a pass over the whole log costs about 0.2 µs per entry:
        # it pays once the table has about half of them.
        scan = entries * 2 > (top or 0)
        joined, matched = cur.execute(latest_match_query(kind, scan=scan, relogged=kind.name in relogged)).fetchone()
        rows = cur.execute(f"WITH r AS ({kind.query}) SELECT count(*) FROM r").fetchone()[0]
    except sqlite3.Error:
        return False  # a value SQLite's JSON functions refuse: only the exact comparison can say
    return bool(joined == matched == rows)


def _logged(cur: sqlite3.Cursor, entity: str) -> dict[str, str | None]:
    """The latest payload of each key of one table, None for a deleted one: what the full walk keeps."""
    by_key: dict[str, str | None] = {}
    cur.execute("SELECT entity_key, action, payload FROM change_log WHERE entity = ? ORDER BY seq", (entity,))
    while rows := cur.fetchmany(5000):
        for key, action, payload in rows:
            by_key[key] = None if action == "deleted" else payload
    return by_key


def _compare_in_python(cur: sqlite3.Cursor, kind: EntityKind, logged_rows: dict[str, str | None], unlogged: str,
                       limit: int) -> list[Problem]:
    """Every row of one table against its snapshot, built and encoded in Python; each mismatch named."""
    problems: list[Problem] = []
    encode = CANONICAL.encode
    columns = kind.columns
    normalise = normaliser(kind)
    seen: set[str] = set()
    cur.execute(kind.query)
    while rows := cur.fetchmany(5000):
        for row in rows:
            key = str(row[0])
            seen.add(key)
            logged = logged_rows.get(key)
            if logged is None:
                problems.append(Problem(f"{kind.name} {key}", unlogged))
            elif encode(normalise(dict(zip(columns, row[1:], strict=True)))) != logged:
                problems.append(Problem(f"{kind.name} {key}", "differs from the change log (edited outside the app)"))
            if len(problems) >= limit:
                return problems
    for key, payload in logged_rows.items():
        if payload is not None and key not in seen:
            problems.append(Problem(f"{kind.name} {key}", "is in the change log but missing (deleted outside the app)"))
            if len(problems) >= limit:
                return problems
    return problems
