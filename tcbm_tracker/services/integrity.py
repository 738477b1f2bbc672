"""``verify``: SQLite's own integrity checks plus the change-log chain and row snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

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
