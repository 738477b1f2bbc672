"""Backup copies of a database file: made with SQLite's online backup API, hashed, rotated.

A backup is a consistent copy of the live database (the online backup API reads it through
SQLite, WAL included, while other connections stay open), written to a temporary name in the
backup folder, flushed to disk and then renamed, so a half-written copy never carries a
backup's name. Beside each copy a ``.sha256`` file (``sha256sum`` format) records its hash.

Backups of one database go to a folder of their own under ``backup_dir()``, named after the
database and a hash of its full path, so that two databases called ``tracker.sqlite`` in
different folders never mix their backups or rotate each other's away.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tcbm_tracker.domain.errors import StorageError, ValidationError
from tcbm_tracker.storage.database import SQLITE_HEADER, peek
from tcbm_tracker.storage.locations import backup_dir

ENV_BACKUP_KEEP = "TCBM_TRACKER_BACKUP_KEEP"
DEFAULT_KEEP = 10
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{12}Z)-(?P<reason>[a-z0-9.-]+)\.sqlite$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when and why it was made, and whether it is intact."""

    path: Path
    made_at: dt.datetime
    reason: str
    size: int
    sha256: str | None  # as recorded beside the file; None if the record is missing

    def hash_matches(self) -> bool:
        return self.sha256 is not None and file_sha256(self.path) == self.sha256


def keep_count() -> int:
    """How many backups of each database to keep (``TCBM_TRACKER_BACKUP_KEEP``, default 10)."""
    raw = os.environ.get(ENV_BACKUP_KEEP, "").strip()
    if not raw:
        return DEFAULT_KEEP
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError(ENV_BACKUP_KEEP, f"{raw!r} is not a whole number of at least 1")
    return int(raw)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def folder_for(db_path: Path) -> Path:
    """The backup folder of one database: its name plus a hash of its absolute path."""
    resolved = Path(db_path).expanduser().resolve()
    tag = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", resolved.stem)[:60] or "database"
    return backup_dir() / f"{stem}-{tag}"


def _clean_reason(reason: str) -> str:
    cleaned = re.sub(r"[^a-z0-9.-]+", "-", reason.lower()).strip("-")
    return cleaned[:40] or "manual"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def online_copy(source: Path, target: Path) -> None:
    """Copy a live database with the online backup API to ``target`` (temporary name, rename)."""
    tmp = target.with_name(f".{target.name}.partial")
    tmp.unlink(missing_ok=True)
    try:
        with peek(source) as src:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                # A self-contained single file: no -wal beside a backup, ever.
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot back up {source}: {exc}") from None
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot write the backup {target}: {exc.strerror or exc}") from None


def write_hash_record(path: Path) -> str:
    digest = file_sha256(path)
    record = path.with_name(path.name + ".sha256")
    record.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def make_backup(db_path: Path, reason: str, *, out: Path | None = None, now: dt.datetime | None = None) -> BackupInfo:
    """Back up ``db_path`` into its backup folder (or to ``out``) and record the file's SHA-256."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise StorageError(f"cannot back up {db_path}: no such file")
    moment = now or dt.datetime.now(dt.UTC)
    reason = _clean_reason(reason)
    if out is None:
        folder = folder_for(db_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the backup folder {folder}: {exc.strerror or exc}") from None
        stem = folder.name.rsplit("-", 1)[0]
        target = folder / f"{stem}-{moment.strftime(_STAMP)}-{reason}.sqlite"
        while target.exists():  # two backups in the same microsecond: never overwrite one
            moment += dt.timedelta(microseconds=1)
            target = folder / f"{stem}-{moment.strftime(_STAMP)}-{reason}.sqlite"
    else:
        target = Path(out).expanduser()
        if target.exists():
            raise ValidationError("out", f"{target} already exists; choose a new file name")
        if target.resolve() == db_path.resolve():
            raise ValidationError("out", "is the database itself")
    online_copy(db_path, target)
    digest = write_hash_record(target)
    return BackupInfo(target, moment, reason, target.stat().st_size, digest)


def _read_record(path: Path) -> str | None:
    record = path.with_name(path.name + ".sha256")
    try:
        text = record.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        return None
    return text[0].lower() if text and re.fullmatch(r"[0-9a-fA-F]{64}", text[0]) else None


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The backups of one database in its backup folder, newest first."""
    folder = folder_for(db_path)
    found: list[BackupInfo] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        m = _NAME.match(path.name)
        if not m or not path.is_file():
            continue
        made = dt.datetime.strptime(m.group("stamp"), _STAMP).replace(tzinfo=dt.UTC)
        found.append(BackupInfo(path, made, m.group("reason"), path.stat().st_size, _read_record(path)))
    found.sort(key=lambda b: (b.made_at, b.path.name), reverse=True)
    return found


def rotate(db_path: Path, keep: int | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups of a database; returns what was deleted."""
    keep = keep_count() if keep is None else keep
    removed = []
    for old in list_backups(db_path)[keep:]:
        old.path.unlink(missing_ok=True)
        old.path.with_name(old.path.name + ".sha256").unlink(missing_ok=True)
        removed.append(old.path)
    return removed


def quick_check(path: Path) -> list[str]:
    """SQLite's ``PRAGMA quick_check`` on a file, read-only; an empty list means it passed."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return [f"{path.name} is not an SQLite database"]
    except OSError as exc:
        return [f"cannot read {path}: {exc.strerror or exc}"]
    try:
        with peek(path) as conn:
            lines = [str(r[0]) for r in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.Error as exc:
        return [str(exc)]
    return [] if lines == ["ok"] else lines


def has_tracker_schema(path: Path) -> bool:
    try:
        with peek(path) as conn:
            return conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None
    except sqlite3.Error:
        return False


def newest_good_backup(db_path: Path) -> BackupInfo | None:
    """The newest backup whose hash matches its record and which passes SQLite's quick check."""
    for b in list_backups(db_path):
        if b.hash_matches() and not quick_check(b.path) and has_tracker_schema(b.path):
            return b
    return None
