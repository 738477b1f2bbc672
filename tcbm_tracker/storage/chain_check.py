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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import text

from tcbm_tracker.storage.changelog import (
    CANONICAL,
    ENTITIES,
    GENESIS,
    normaliser,
    entry_hash,
    highest_seq_used,
)

if TYPE_CHECKING:
    from sqlmodel import Session

# The action that brings a row with an integer id into being: seen twice for one id, the id was
# handed out twice (a deleted row's id reused), which is how a deletion is hidden.
CREATING_ACTION = {"assessment": "recorded", "evidence": "added", "actor_attribute": "added"}


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
    latest: dict[str, dict[str, str | None]] = field(default_factory=dict)  # entity -> key -> payload
    head: str = GENESIS
    head_seq: int = 0
    entries: int = 0
    # Positions written to the log that are gone (deleted in the middle or at the end).
    entries_missing: bool = False
    hashes: dict[int, str] = field(default_factory=dict)  # the hash at each position asked for


def _cursor(session: Session) -> sqlite3.Cursor:
    """A plain cursor on the session's connection (same transaction): a million rows read through
    it take a fraction of the time SQLAlchemy's result rows do."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver.cursor()


def _iter_log(session: Session) -> Iterator[tuple[int, str, str, str, str, str, str, str, str]]:
    cur = _cursor(session)
    try:
        cur.execute("SELECT seq, at, user, entity, entity_key, action, payload, prev_hash, hash FROM change_log ORDER BY seq")
        while rows := cur.fetchmany(5000):
            yield from rows
    finally:
        cur.close()


def _span(first: int, last: int) -> str:
    return f"entry {first}" if first == last else f"entries {first}..{last}"


def verify_chain(session: Session, limit: int = 50, capture: set[int] | frozenset[int] = frozenset()) -> ChainResult:
    """Walk the chain; return its problems, the latest payload per (entity, key) and its head.

    ``capture``: log positions whose hash the caller wants (the positions seals vouch for).
    """
    r = ChainResult()

    def add(problem: Problem) -> None:
        # The walk goes on past the limit: the head and the hashes seals need come from all of it.
        if len(r.problems) < limit:
            r.problems.append(problem)

    prev = GENESIS
    expected_seq = 1
    entries = 0
    created: dict[tuple[str, str], int] = {}
    latest = r.latest
    # A million entries pass through this loop: only locals in it, and text only for problems.
    for seq, at, user, entity, key, action, payload, prev_hash, h in _iter_log(session):
        entries += 1
        if seq != expected_seq:
            r.entries_missing = True
            add(Problem(f"change log entry {seq}",
                        f"{_span(expected_seq, seq - 1)} {'is' if seq - 1 == expected_seq else 'are'} missing"))
        if prev_hash != prev:
            add(Problem(f"change log entry {seq}", "does not follow the previous entry (chain broken)"))
        if entry_hash(seq, at, user, entity, key, action, payload, prev_hash) != h:
            add(Problem(f"change log entry {seq}", f"was altered ({entity} {key} {action})"))
        if CREATING_ACTION.get(entity) == action:
            first = created.setdefault((entity, key), seq)
            if first != seq:
                add(Problem(f"change log entry {seq}",
                            f"records {entity} {key} a second time (first in entry {first}): an id was used twice"))
        if seq in capture:
            r.hashes[seq] = h
        by_key = latest.get(entity)
        if by_key is None:
            by_key = latest[entity] = {}
        by_key[key] = None if action == "deleted" else payload
        prev = h
        expected_seq = seq + 1
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


def verify_schema_objects(session: Session) -> list[Problem]:
    """The application creates no triggers or views: any found was planted outside it.

    A trigger could rewrite a row as it is saved (so that the log records the rewritten
    value); a view could shadow what a reader sees. Neither shows up in row comparisons.
    """
    found = session.exec(  # type: ignore[call-overload]
        text("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY type, name")
    ).all()
    return [Problem(f"{kind} {name}", "was not created by TCBM Tracker (added outside the app)") for kind, name in found]


def verify_rows(
    session: Session,
    latest: dict[str, dict[str, str | None]],
    limit: int = 50,
    on_entity: Callable[[str], None] | None = None,
    *,
    entries_missing: bool = False,
) -> list[Problem]:
    """Compare every row of every logged table with its latest snapshot in the log.

    ``entries_missing``: log entries are known to be gone, so a row the log does not hold may
    be an honest row whose entry was deleted; it is not blamed on the row.
    """
    unlogged = (
        "is not in the change log: its entry is among the deleted ones (or the row was added outside the app)"
        if entries_missing
        else "is not in the change log (added outside the app)"
    )
    problems: list[Problem] = []
    encode = CANONICAL.encode
    cur = _cursor(session)
    try:
        for kind in ENTITIES:
            if on_entity:
                on_entity(kind.name)
            logged_rows = latest.get(kind.name, {})
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
