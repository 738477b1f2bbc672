"""``verify`` and ``seal``: SQLite's own checks, the change-log chain, row snapshots and seals.

What the checks prove, and what they cannot (the same words are in the README and on reports):
the chain detects edits made outside the application that do not rewrite the log (a row edited,
added or deleted; a log entry edited, inserted or removed, including the last one); seals
detect any rewrite of the history before the newest seal. Someone who holds both the database
file and this copy's key (kept in the user's config folder) can rewrite everything unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tcbm_tracker.domain.errors import DamagedDatabaseError, NotFoundError, TrackerError, ValidationError
from tcbm_tracker.storage import chain_check, meta
from tcbm_tracker.storage.changelog import head as log_head
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.locations import backup_dir
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from sqlmodel import Session

    from tcbm_tracker.storage.seals import Seal

# The tables a lookup by key reads (small in any tracker, so checking them is cheap).
LOOKUP_TABLES = ("catalog", "measure_group", "measure", "actor", "actor_attribute", "evidence")

WHAT_IT_PROVES = (
    "The change log detects edits made outside the app that do not rewrite the log (a row or log entry edited, "
    "added or deleted, including the last one); seals detect any rewrite of the history before the newest seal. "
    "Neither can detect someone who holds both the database file and this copy's signing key."
)


def damaged_error(path: Path, detail: str) -> DamagedDatabaseError:
    stem = path.stem
    return DamagedDatabaseError(
        f"{path} is damaged (SQLite's integrity check: {chain_check.printable(detail)}); do not edit it further: restore "
        f"a backup copy ({backup_dir()}, or a {stem}.backup-* file beside it)"
    )


@dataclass(frozen=True)
class SealInfo:
    """A seal as the layers above storage see it."""

    id: int
    short_id: str
    log_seq: int
    head: str
    made_at: str
    purpose: str
    key_fingerprint: str


@dataclass(frozen=True)
class VerifyReport:
    sqlite_ok: bool
    problems: tuple[str, ...]
    entries: int
    head: str
    seals_checked: int = 0
    newest_seal: SealInfo | None = None
    notes: tuple[str, ...] = ()
    truncated: bool = False  # more problems were found than ``problems`` holds

    @property
    def ok(self) -> bool:
        return self.sqlite_ok and not self.problems


@dataclass(frozen=True)
class FingerprintMatch:
    """Where a report's data fingerprint stands in the change log."""

    seq: int
    at: str
    full: str
    is_head: bool
    later_entries: int  # entries recorded after it


def _info(s: Seal) -> SealInfo:
    return SealInfo(s.id, s.short_id, s.log_seq, s.head_hash, s.made_at, s.purpose, s.key_fingerprint)


class IntegrityService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def verify(self, limit: int = 50, *, older_copy: bool = False) -> VerifyReport:
        """``older_copy``: a backup being restored (seals made after it was taken are not in it)."""
        # The signing library costs tens of milliseconds to import: only when seals are used.
        from tcbm_tracker.storage import copy_key, seals

        problems: list[str] = []
        key = copy_key.load_existing()
        with self.db.read() as s:
            sqlite_ok = True
            # A server's pages and references are the server's to keep: PostgreSQL enforces every
            # foreign key at all times (no equivalent of foreign_key_check is needed) and checks
            # its pages itself (data checksums, amcheck run by its administrator).
            if self.db.dialect == "sqlite":
                integrity = [r[0] for r in s.exec(text("PRAGMA integrity_check"))]  # type: ignore[call-overload]
                sqlite_ok = integrity == ["ok"]
                if not sqlite_ok:
                    problems.extend(chain_check.printable(f"SQLite integrity check: {line}") for line in integrity)
                for table, rowid, parent, _ in s.exec(text("PRAGMA foreign_key_check")):  # type: ignore[call-overload]
                    problems.append(chain_check.printable(f"{table} row {rowid}: refers to a missing {parent} row"))
            problems.extend(str(p) for p in chain_check.verify_schema_objects(s))
            chain = chain_check.verify_chain(s, limit, capture=seals.seal_positions(s), keep_latest=False)
            problems.extend(str(p) for p in chain.problems)
            # Seals before rows: rows edited outside the app can be many, and must not crowd out
            # the one line saying the history was rewritten.
            sealed = seals.check_seals(s, chain.hashes, self.db.ledger_place(s), key, older_copy=older_copy)
            problems.extend(str(p) for p in sealed.problems)
            if len(problems) < limit:
                rows = chain_check.verify_rows(s, chain.latest, limit - len(problems),
                                               entries_missing=chain.entries_missing, relogged=chain.relogged)
                problems.extend(str(p) for p in rows)
        newest = _info(sealed.newest) if sealed.newest else None
        return VerifyReport(
            sqlite_ok,
            tuple(problems[:limit]),
            chain.entries,
            chain.head,
            sealed.checked,
            newest,
            tuple(chain_check.printable(n) for n in sealed.notes),
            len(problems) >= limit,
        )

    def seal(self, purpose: str = "seal") -> SealInfo:
        """Sign the current head with this copy's key (made on first use)."""
        from tcbm_tracker.storage import copy_key, seals

        key = copy_key.load_or_create()
        with self.db.write() as s:
            made = seals.make_seal(s, key, purpose)
            db_id, place = meta.database_id(s), self.db.ledger_place(s)
        seals.note_in_ledger(db_id, place, made)
        return _info(made)

    def explain_not_found(self, exc: NotFoundError) -> TrackerError:
        """What to tell the user when a lookup found nothing: the file's damage, if it is damaged.

        A damaged index makes an existing row invisible to lookups by key ("unknown actor 'FRA'"
        while ``actors`` lists France). The tables such lookups use are small, so checking them
        costs milliseconds even in a large file; a plain typo gets its own message back.
        """
        if self.db.dialect != "sqlite":
            return exc  # a server's damaged index is its administrator's (amcheck), not a lookup's
        try:
            with self.db.read() as s:
                for table in LOOKUP_TABLES:
                    result = [r[0] for r in s.exec(text(f"PRAGMA integrity_check({table})"))]  # type: ignore[call-overload]
                    if result != ["ok"]:
                        return damaged_error(self.db.path, result[0])
        except TrackerError as damage:
            return damage
        return exc

    def seal_head(self, purpose: str = "backup") -> SealInfo | None:
        """Seal the current head (or find this copy's seal of it) before a backup copies the file.

        None for a read-only file, which cannot hold a seal (as for reports).
        """
        for _ in range(3):  # a change recorded in between: seal the newer head instead
            with self.db.read() as s:
                _, head_hash = log_head(s)
            unchanged, found = self.seal_report(head_hash, purpose=purpose)
            if unchanged:
                return found
        raise TrackerError(f"{self.db.path} keeps changing: the head could not be sealed; try again")

    def seal_report(self, expected_head: str, *, purpose: str = "report") -> tuple[bool, SealInfo | None]:
        """Seal the state a report was made from: ``(head unchanged, seal)``.

        The first is False when a change was recorded since ``expected_head`` (gather the data
        again). The seal is None only for a read-only file, which cannot hold one, and for a
        server login that may only read (``tcbm_reader``): it adds nothing to the shared record,
        not even a seal; the server's roles and append-only triggers guard its history, and the
        printed fingerprint still ties the report to the log (``find_fingerprint``). A seal of
        this copy that already vouches for the head is used again rather than repeated.
        """
        from tcbm_tracker.storage import copy_key, seals

        key = copy_key.load_or_create() if self.db.can_write else None

        def current(s: Session) -> tuple[bool, SealInfo | None]:
            seq, head_hash = log_head(s)
            newest = seals.newest_seal(s)
            fits = (newest is not None and key is not None and newest.log_seq == seq and newest.head_hash == head_hash
                    and newest.key_fingerprint == key.fingerprint)
            return head_hash == expected_head, _info(newest) if fits and newest else None

        # Most reports find the head already sealed (a batch of summaries: all but the first).
        with self.db.read() as s:
            unchanged, found = current(s)
        if not unchanged or found is not None or key is None:
            return unchanged, found
        with self.db.write_sql() as s:
            unchanged, found = current(s)
            if not unchanged or found is not None:
                return unchanged, found
            made = seals.make_seal(s, key, purpose)
            db_id, place = meta.database_id(s), self.db.ledger_place(s)
        seals.note_in_ledger(db_id, place, made)
        return True, _info(made)

    def find_fingerprint(self, fingerprint: str) -> FingerprintMatch | None:
        """Find a printed fingerprint (the full hash, or at least its first 16 hex digits).

        Every report page carries the head of the change log it was made from. If the log
        still holds that entry, the data behind the report is part of today's history; if it
        does not, the log was cut or rewritten after the report was made, which the chain alone
        cannot show (a chain cut at its end is still a valid chain).
        """
        text_ = fingerprint.strip().lower()
        if not (16 <= len(text_) <= 64) or any(c not in "0123456789abcdef" for c in text_):
            raise ValidationError("fingerprint", f"{fingerprint[:70]!r} is not 16 to 64 hexadecimal digits")
        with self.db.read() as s:
            rows = s.exec(  # type: ignore[call-overload]
                text("SELECT seq, at, hash FROM change_log WHERE hash LIKE :p ORDER BY seq").bindparams(p=f"{text_}%")
            ).all()
            if not rows:
                return None
            seq, at, full = rows[0]
            later = s.exec(  # type: ignore[call-overload]
                text("SELECT count(*) FROM change_log WHERE seq > :s").bindparams(s=seq)
            ).one()[0]
            head_seq, head_hash = log_head(s)
        return FingerprintMatch(seq, at, full, full == head_hash and seq == head_seq, int(later))
