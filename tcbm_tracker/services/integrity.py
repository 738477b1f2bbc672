"""``verify``: SQLite's own integrity checks plus the change-log chain and row snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.database import Database


@dataclass(frozen=True)
class VerifyReport:
    sqlite_ok: bool
    problems: tuple[str, ...]
    entries: int
    head: str

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


class IntegrityService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def verify(self, limit: int = 50) -> VerifyReport:
        problems: list[str] = []
        with self.db.read() as s:
            integrity = [r[0] for r in s.exec(text("PRAGMA integrity_check"))]  # type: ignore[call-overload]
            sqlite_ok = integrity == ["ok"]
            if not sqlite_ok:
                problems.extend(f"SQLite integrity check: {line}" for line in integrity[:limit])
            for table, rowid, parent, _ in s.exec(text("PRAGMA foreign_key_check")):  # type: ignore[call-overload]
                problems.append(f"{table} row {rowid}: refers to a missing {parent} row")
            problems.extend(str(p) for p in changelog.verify_schema_objects(s))
            chain_problems, latest, head = changelog.verify_chain(s, limit)
            problems.extend(str(p) for p in chain_problems)
            if len(problems) < limit:
                problems.extend(str(p) for p in changelog.verify_rows(s, latest, limit - len(problems)))
            entries = s.exec(text("SELECT count(*) FROM change_log")).one()[0]  # type: ignore[call-overload]
        return VerifyReport(sqlite_ok, tuple(problems[:limit]), entries, head)

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
            head = changelog.head(s)[1]
        if not rows:
            return None
        seq, at, full = rows[0]
        return FingerprintMatch(seq, at, full, full == head)
