"""Backups as the user meets them: the start-up check, automatic backups, restore.

- ``startup_check``: SQLite's quick check before a database is opened for writing; a damaged
  file is refused with the newest good backup named; then, at most once a day, a backup.
- ``backup_before``: the copy taken before a restore (then rotated).
- Every backup of a writable, current database carries a seal of the change-log head that
  ``verify`` checks, its purpose named: ``backup`` and the desktop's daily one seal the head
  first (``seal_head``); the ones taken before a write that may yet be refused (the command
  line's daily one, before an import, before a migration) seal it inside that write's
  transaction (``sealed_backup_in``, ``seal_daily_backup_with_first_commit``; see
  ``storage.sealed_backup``). A read-only file is copied without one.
- ``restore``: a candidate file is copied aside and verified completely (SQLite integrity,
  a tracker schema this version knows, an intact change log) before anything is touched; the
  current file is backed up; only then is the verified copy renamed over the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tcbm_tracker.domain.errors import DamagedDatabaseError, StorageError, TrackerError, ValidationError
from tcbm_tracker.storage import backup as store
from tcbm_tracker.storage import meta
from tcbm_tracker.storage.backup import BackupInfo, list_backups, newest_good_backup
from tcbm_tracker.storage.database import SQLITE_HEADER, Database, file_uri, is_read_only_file
from tcbm_tracker.storage.migrations import check_schema
from tcbm_tracker.storage.sealed_backup import PendingSeal, sealed_backup
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from tcbm_tracker.services.integrity import SealInfo

log = logging.getLogger(__name__)
SEAL_WAIT_MS = 1_000  # how long a backup waits for another writer before copying unsealed

__all__ = ["BackupInfo", "PendingSeal", "RestoreResult", "daily_backup_due", "seal_daily_backup_with_first_commit", "sealed_backup_in", "backup_before", "backup_folder", "backup_now", "checked_backups", "list_backups", "newest_good_backup",
           "restore", "seal_head", "startup_check", "damaged_message"]


def damaged_message(path: Path, problems: list[str]) -> str:
    good = newest_good_backup(path)
    first = problems[0] if problems else "quick check failed"
    offer = (f"the newest good backup is {good.path} ({good.made_at:%Y-%m-%d %H:%M} UTC): "
             f"`tcbm-tracker --db {path} restore {good.path}`" if good else "no good backup of it was found")
    return f"{path} is damaged ({first}); it was not opened for writing; {offer}"


def check_not_damaged(path: Path) -> None:
    """Raise ``DamagedDatabaseError`` (naming the newest good backup) if the quick check fails."""
    problems = store.quick_check(path)
    if problems:
        raise DamagedDatabaseError(damaged_message(path, problems), newest_good_backup(path))


PURPOSES = {"manual": "backup", "daily": "daily backup"}  # a seal's purpose names the backup it was made for


def purpose_of(reason: str) -> str:
    return PURPOSES.get(reason, "backup " + reason.replace("-", " "))  # "before-restore": "backup before restore"


def seal_head(db_path: Path, purpose: str = "backup") -> SealInfo | None:
    """Seal the head of a writable database of the current schema before it is copied.

    None (no seal) for a read-only file, or a file that cannot hold one yet: not a tracker
    database, an older schema about to be migrated, or an interrupted set-up.
    """
    path = Path(db_path)
    if not path.is_file() or not _is_sqlite(path) or is_read_only_file(path) or not store.has_tracker_schema(path):
        return None
    from tcbm_tracker.services.integrity import IntegrityService

    db = Database(path, busy_timeout_ms=SEAL_WAIT_MS)
    try:
        try:
            check_schema(db)
        except TrackerError:
            return None  # a schema this version does not seal (older, newer, unknown, incomplete)
        try:
            return IntegrityService(db).seal_head(purpose)
        except StorageError as exc:
            # Another program is writing: the backup (which needs no lock) matters more.
            log.warning("backup of %s made without a seal: %s", path, exc.message)
            return None
    finally:
        db.dispose()


def backup_now(db_path: Path, reason: str = "manual", *, out: Path | None = None, seal: bool = True) -> BackupInfo:
    """Seal the head (see ``seal_head``), then copy the file. ``seal=False`` only for a caller that
    holds a write transaction open on the file (it sealed before starting it)."""
    if seal:
        seal_head(db_path, purpose_of(reason))
    info = store.make_backup(db_path, reason, out=out)
    if out is None:
        store.rotate(db_path)
    return info


def backup_before(db_path: Path, what: str, *, seal: bool = True) -> BackupInfo | None:
    """The backup taken before an import, a restore or a migration (None for a missing file)."""
    if not Path(db_path).is_file():
        return None
    return backup_now(db_path, f"before-{what}", seal=seal)


def startup_check(db_path: Path, *, today: dt.date | None = None) -> BackupInfo | None:
    """Quick check, then the day's automatic backup if none was made today. Returns it, if made.

    For the desktop application, which opens the file: the head is sealed first. A command
    that writes uses ``daily_backup_due`` and ``seal_daily_backup_with_first_commit`` instead.
    """
    if not daily_backup_due(db_path, today=today):
        return None
    return backup_now(Path(db_path), "daily")


def daily_backup_due(db_path: Path, *, today: dt.date | None = None) -> bool:
    """Quick check (a damaged file is refused, the newest good backup named); then whether the
    day's automatic backup of this database is still to be made."""
    path = Path(db_path)
    if not path.is_file() or not _is_sqlite(path) or is_read_only_file(path):
        return False  # nothing to check, not a database (opening it says so), or a file only read
    check_not_damaged(path)
    if not store.has_tracker_schema(path):
        return False  # not ours (or not yet): opening it will say so
    day = today or dt.datetime.now(dt.UTC).date()
    return not any(b.made_at.date() == day for b in list_backups(path))


def seal_daily_backup_with_first_commit(db: Database) -> None:
    """Make the day's backup just before the command's first write commits, sealed in it: a
    refused command (or one that changes nothing) leaves the file byte for byte as it was, and
    makes no backup (nothing of the file was at risk)."""
    def backup(live: sqlite3.Connection) -> PendingSeal | None:
        return sealed_backup(live, db.path, "daily", purpose_of("daily"))[1]

    db.before_first_commit = backup


def sealed_backup_in(live: sqlite3.Connection, db_path: Path, what: str) -> PendingSeal | None:
    """The backup before an import or a migration, taken inside its open write transaction
    (``live``) and sealed in it; None when the file cannot hold a seal (then it is unsealed)."""
    return sealed_backup(live, db_path, f"before-{what}", purpose_of(f"before-{what}"))[1]


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_saved_as: Path | None
    entries: int


def _verify_candidate(staged: Path, source: Path) -> tuple[int, str, tuple[int, str | None]]:
    """Everything a restored file must pass; returns (change-log entries, database id, (newest seal id, its time))."""
    problems = store.quick_check(staged)
    if problems:
        raise ValidationError("restore", f"{source} is not a good database ({problems[0]}); nothing was changed")
    if not store.has_tracker_schema(staged):
        raise ValidationError("restore", f"{source} is not a TCBM Tracker database; nothing was changed")
    from tcbm_tracker.services.integrity import IntegrityService

    db = Database(staged)
    try:
        try:
            check_schema(db)
        except TrackerError as exc:
            raise ValidationError("restore", f"{source}: {exc.message.replace(str(staged), source.name)}; nothing was changed") from None
        report = IntegrityService(db).verify(limit=5, older_copy=True)
        with db.read() as s:
            db_id = meta.database_id(s)
            newest = s.exec(text("SELECT coalesce(max(id), 0), max(made_at) FROM seal")).one()  # type: ignore[call-overload]
    finally:
        db.dispose()
    if not report.ok:
        raise ValidationError("restore", f"{source} fails verification ({report.problems[0]}); nothing was changed")
    # Leave the copy as one self-contained file (rollback journal), with no -wal beside it.
    conn = sqlite3.connect(staged)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    return report.entries, db_id, (int(newest[0]), newest[1])


def _save_current(db_path: Path) -> Path:
    """Back up the current file before it is replaced; a damaged one is kept byte for byte."""
    if not store.quick_check(db_path):
        return backup_now(db_path, "before-restore").path
    folder = store.folder_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{folder.name.rsplit('-', 1)[0]}-{stamp}-damaged.sqlite.raw"
    shutil.copy2(db_path, target)
    wal = Path(f"{db_path}-wal")
    if wal.exists():
        shutil.copy2(wal, Path(f"{target}-wal"))
    store.write_hash_record(target)
    return target


def restore(db_path: Path, file: Path) -> RestoreResult:
    """Replace the database with a verified backup; the current file is backed up first.

    The database must not be open elsewhere (the GUI closes it before restoring). A file that
    fails any check is refused and nothing changes: not the database, not the backups.
    """
    db_path, source = Path(db_path), Path(file).expanduser()
    if not source.is_file():
        raise ValidationError("restore", f"{source} is not a file")
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise ValidationError("restore", "the file to restore is the database itself")
    folder = db_path.parent
    staged = folder / f".{db_path.name}.restoring"
    for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        # Read the candidate through SQLite (never a byte copy: a -wal beside it is included).
        store.online_copy(source, staged) if _is_sqlite(source) else _refuse(source)
        entries, db_id, newest_seal = _verify_candidate(staged, source)
        saved = None
        if db_path.exists():
            healthy = not store.quick_check(db_path)
            saved = _save_current(db_path)
            if healthy:
                _checkpoint(db_path)
        for side in ("-wal", "-shm"):
            Path(f"{db_path}{side}").unlink(missing_ok=True)
        os.replace(staged, db_path)
        store._fsync_dir(folder)
        # Seals of this database made after the restored copy (the backups' own) are gone on
        # purpose now; say so in the ledger, or every later ``verify`` would report them missing.
        from tcbm_tracker.storage.seals import note_restore_in_ledger  # the signing library: only here

        note_restore_in_ledger(db_id, db_path, newest_seal[0], newest_made_at=newest_seal[1])
    finally:
        for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm")):
            leftover.unlink(missing_ok=True)
    return RestoreResult(source, saved, entries)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _refuse(source: Path) -> None:
    raise ValidationError("restore", f"{source} is not an SQLite database file; nothing was changed")


def _checkpoint(db_path: Path) -> None:
    """Fold the -wal into the file before it is replaced (its content is in the backup already)."""
    try:
        conn = sqlite3.connect(f"{file_uri(db_path)}", uri=True, timeout=1)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(f"{db_path} is in use by another program; close it before restoring ({exc})") from None


def checked_backups(db_path: Path) -> list[tuple[BackupInfo, bool]]:
    """The backups of a database, newest first, each with whether it still matches its SHA-256."""
    return [(b, b.hash_matches()) for b in list_backups(db_path)]


def backup_folder(db_path: Path) -> Path:
    return store.folder_for(db_path)
