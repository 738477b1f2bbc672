"""Checking the data before a report is printed, without a full walk of a large database each time.

A report made from data that fails ``verify`` must not be printed as if it were sound. A full
verification walks the whole change log and compares every row with its snapshot: seconds on a
database of a million rows. So the position and hash of the last verified log entry are
remembered (a small JSON file in the per-user config folder, keyed by the database's path, or
by a server database's own id), and the next report checks only what came after it:

- the remembered entry is still there, with the same hash (a rewritten or cut history fails);
- every later entry chains to it and hashes correctly; each row those entries touched matches
  its latest snapshot;
- no trigger or view was planted, and each logged table has exactly the rows expected (rows
  inserted or deleted outside the app change the count).

A row edited in place outside the app, among those verified before, is caught by the full walk,
which runs when nothing is remembered, when the remembered entry no longer matches, and at least
once every ``FULL_EVERY`` (a day). ``tcbm-tracker verify`` always does the full walk.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.services.integrity import IntegrityService
from tcbm_tracker.storage import chain_check, changelog, locations
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.sql import text

CACHE_NAME = "verified-logs.json"
FULL_EVERY = dt.timedelta(days=1)
# The table behind each logged entity, for the row counts.
TABLES = {
    "catalog": "catalog", "measure_group": "measure_group", "measure": "measure", "attribute_def": "attribute_def",
    "actor": "actor", "actor_attribute": "actor_attribute", "evidence": "evidence", "assessment": "assessment",
}
MAX_PROBLEMS = 1_000  # more are not listed: the first ones say enough


class UnverifiedDataError(TrackerError):
    """The data failed verification, and the report was not asked to print anyway."""


@dataclass(frozen=True)
class DataCheck:
    ok: bool
    problems: tuple[str, ...]
    full: bool  # a full walk (True) or only what changed since the last verified entry
    entries_checked: int


def cache_path() -> Path:
    return locations.config_dir() / CACHE_NAME


def _load() -> dict[str, Any]:
    try:
        data = json.loads(cache_path().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}  # no cache, or an unreadable one: the full walk decides


def _save(key: str, entry: dict[str, Any]) -> None:
    data = _load()
    data[key] = entry
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only config folder costs a full walk next time, nothing worse


def _counts(s: Any) -> dict[str, int]:
    return {entity: int(s.exec(text(f"SELECT count(*) FROM {table}")).one()[0]) for entity, table in TABLES.items()}


class ReportCheckService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @cached_property
    def key(self) -> str:
        """What the remembered position is kept under: a file by its full path; a server database
        by its own id (its display name is no path: resolved, it would change with the folder the
        program runs in, and with the login)."""
        if self.db.dialect == "sqlite":
            return str(Path(self.db.path).resolve())
        with self.db.read() as s:
            return self.db.ledger_place(s)

    def check(self, *, now: dt.datetime | None = None) -> DataCheck:
        """Verify the data, incrementally when a verified position is remembered."""
        moment = now or dt.datetime.now(dt.UTC)
        remembered = _load().get(self.key)
        if isinstance(remembered, dict):
            try:
                last_full = dt.datetime.fromisoformat(str(remembered["full_at"]))
                if moment - last_full < FULL_EVERY:
                    result = self._since(remembered, moment)
                    if result is not None:
                        return result
            except (KeyError, TypeError, ValueError):
                pass
        return self._full(moment)

    def _full(self, moment: dt.datetime) -> DataCheck:
        report = IntegrityService(self.db).verify()
        if report.ok:
            with self.db.read() as s:
                seq, head = changelog.head(s)
                counts = _counts(s)
            _save(self.key, {"seq": seq, "hash": head, "counts": counts, "full_at": moment.isoformat()})
        return DataCheck(report.ok, report.problems, True, report.entries)

    def _since(self, remembered: dict[str, Any], moment: dt.datetime) -> DataCheck | None:
        """What changed after the remembered entry; None when that entry no longer matches (full walk)."""
        seq, prev = int(remembered["seq"]), str(remembered["hash"])
        counts: dict[str, int] = {k: int(v) for k, v in remembered["counts"].items()}
        problems: list[str] = []
        with self.db.read() as s:
            if seq:
                row = s.exec(text("SELECT hash FROM change_log WHERE seq = :q").bindparams(q=seq)).first()  # type: ignore[call-overload]
                if row is None or row[0] != prev:
                    return None
            # The same walk as ``verify``'s, over the entries after the remembered one only.
            chain = chain_check.verify_chain(s, limit=MAX_PROBLEMS, after=(seq, prev), count_rows=True)
            problems += [str(p) for p in chain.problems]
            created = chain.rows_added
            assert chain.latest is not None  # a walk that counts rows keeps them
            problems += [str(p) for p in chain_check.verify_schema_objects(s)]
            for entity, key, payload in ((e, k, p) for e, by_key in chain.latest.items() for k, p in by_key.items()):
                if payload is None or entity not in changelog.ENTITY_BY_NAME:
                    continue
                try:
                    current = changelog.canonical_json(changelog.snapshot(s, entity, key))
                except Exception:  # the row is gone: NoResultFound
                    problems.append(f"{entity} {key}: is in the change log but missing (deleted outside the app)")
                    continue
                if current != payload:
                    problems.append(f"{entity} {key}: differs from the change log (edited outside the app)")
            now_counts = _counts(s)
            for entity, n in now_counts.items():
                want = counts.get(entity, 0) + created.get(entity, 0)
                if n != want:
                    problems.append(f"{entity}: {n} rows where the change log accounts for {want} "
                                    "(rows added or deleted outside the app)")
            head_seq, head = changelog.head(s)
        if not problems:
            _save(self.key, {"seq": head_seq, "hash": head, "counts": now_counts,
                             "full_at": remembered["full_at"]})
        return DataCheck(not problems, tuple(problems), False, chain.entries)

    def require(self, *, allow_unverified: bool = False) -> DataCheck:
        """The check a report runs first: raises ``UnverifiedDataError`` unless it passes or is allowed."""
        result = self.check()
        if not result.ok and not allow_unverified:
            first = result.problems[0] if result.problems else "SQLite integrity check failed"
            raise UnverifiedDataError(
                f"the data failed verification ({len(result.problems)} problem(s); first: {first}); no report was "
                "written. Run `tcbm-tracker verify` for details, or add --allow-unverified to print it stamped "
                "DATA FAILED VERIFICATION")
        return result
