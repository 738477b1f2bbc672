"""A sealed backup taken inside a write transaction that may yet be rolled back.

The backups made before a write (the command line's daily one, the one inside an import, the
one before a migration) must carry a seal like every other backup, yet a write that is then
refused must leave the database byte for byte as it was. So the seal is made with the write:

1. with the write lock held (``BEGIN IMMEDIATE``), once the write has passed every check and
   just before it commits, the file is copied (SQLite's online backup reads the committed
   state through another connection: the copy holds nothing of the write);
2. the copy's head (log position and hash) is signed with this copy's key; the seal row goes
   into the write's own transaction and, with the same id, into the copy (a seal of this copy
   already vouching for that head is used again instead);
3. if the write commits, the seal is noted in the ledger (``PendingSeal.committed``); if it is
   rolled back, the seal leaves the copy again (``PendingSeal.rolled_back``), which is then an
   unsealed backup, and the database never held it.

Holding the write lock keeps the seal id the same in both files. A file that cannot hold a
seal (an older schema without the ``seal`` table, a file that lost its id) or a key that cannot
be read gives an unsealed backup, as before.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tcbm_tracker.domain.clock import utc_now_iso
from tcbm_tracker.domain.errors import KeyFileError
from tcbm_tracker.storage.backup import BackupInfo, make_backup, rotate, write_hash_record
from tcbm_tracker.storage.changelog import GENESIS

if TYPE_CHECKING:  # the signing library loads when a seal is made, not with every command
    from tcbm_tracker.storage import seals

log = logging.getLogger(__name__)

_COLUMNS = "log_seq, head_hash, made_at, purpose, key_fingerprint, signature"


@dataclass
class PendingSeal:
    """A seal in an open write transaction and in the backup copy taken inside it."""

    seal: seals.Seal
    database_id: str
    db_path: Path
    backup: BackupInfo

    def committed(self) -> None:
        """The write committed: note the seal in the ledger beside the key."""
        from tcbm_tracker.storage import seals

        seals.note_in_ledger(self.database_id, self.db_path, self.seal)

    def rolled_back(self) -> None:
        """The write was rolled back: the database never held the seal, so the copy drops it."""
        try:
            conn = sqlite3.connect(self.backup.path)
            try:
                conn.execute("DELETE FROM seal WHERE id = ?", (self.seal.id,))
                conn.commit()
            finally:
                conn.close()
            write_hash_record(self.backup.path)
        except (OSError, sqlite3.Error) as exc:  # the copy is still a good backup; say why it holds a seal
            log.warning("backup %s keeps seal %s of a write that was rolled back: %s", self.backup.path, self.seal.id, exc)


def _sealable(copy: sqlite3.Connection) -> tuple[int, str, str] | None:
    """(head position, head hash, database id) of the copy, or None if it cannot hold a seal.

    Called with the write lock held on the live file, so the copy's head is the live file's
    committed head."""
    tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"seal", "change_log", "tracker_meta"} <= tables:
        return None
    found = copy.execute("SELECT value FROM tracker_meta WHERE key = 'database_id'").fetchone()
    if found is None:
        return None
    row = copy.execute("SELECT seq, hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, head = (int(row[0]), str(row[1])) if row else (0, GENESIS)
    return seq, head, str(found[0])


def sealed_backup(live: sqlite3.Connection, db_path: Path, reason: str, purpose: str) -> tuple[BackupInfo, PendingSeal | None]:
    """Back up ``db_path`` and seal its committed head in the copy and in ``live``'s transaction.

    ``live`` is the driver connection of the write transaction (``BEGIN IMMEDIATE`` already run).
    The caller calls ``committed()`` or ``rolled_back()`` on the pending seal when the write ends.
    """
    from tcbm_tracker.storage import copy_key, seals

    db_path = Path(db_path)
    info = make_backup(db_path, reason)
    rotate(db_path)
    copy = sqlite3.connect(info.path)
    try:
        found = _sealable(copy)
        if found is None:
            return info, None
        seq, head, db_id = found
        try:
            key = copy_key.load_or_create()
        except KeyFileError as exc:
            log.warning("backup of %s made without a seal: %s", db_path, exc.message)
            return info, None
        newest = copy.execute("SELECT log_seq, head_hash, key_fingerprint FROM seal ORDER BY id DESC LIMIT 1").fetchone()
        if newest is not None and tuple(newest) == (seq, head, key.fingerprint):
            return info, None  # the copy already carries this copy's seal of its head
        made_at = utc_now_iso()
        signature = key.sign(seals.message(db_id, seq, head, made_at, purpose, key.fingerprint)).hex()
        values = (seq, head, made_at, purpose, key.fingerprint, signature)
        seal_id = int(live.execute(f"INSERT INTO seal ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", values).fetchall()[0][0])
        copy.execute(f"INSERT INTO seal (id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", (seal_id, *values))
        copy.commit()
    finally:
        copy.close()
    digest = write_hash_record(info.path)
    info = replace(info, size=info.path.stat().st_size, sha256=digest)
    made = seals.Seal(seal_id, seq, head, made_at, purpose, key.fingerprint, signature)
    return info, PendingSeal(made, db_id, db_path, info)
