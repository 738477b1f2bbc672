"""Seals: the copy's signature over the change-log head, and their verification.

A seal row holds the log position and head hash it vouches for, when it was made, why (a
report, ``seal``), the fingerprint of the key and the Ed25519 signature over all of these and
the database's id. Rewriting any history before a seal changes the hash at its position, and
a new valid seal cannot be made without the copy's key, which is kept outside the database.

Deleting seals is the remaining way round them, so every seal this copy makes is also noted
in a ledger beside the key (``seal-ledger.jsonl`` in the config folder); ``check_seals`` names
a seal the ledger knows and the file lost.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tcbm_tracker.domain.errors import KeyFileError
from tcbm_tracker.storage import copy_key, meta
from tcbm_tracker.storage.chain_check import Problem
from tcbm_tracker.storage.changelog import head
from tcbm_tracker.storage.locations import config_dir
from tcbm_tracker.storage.recording_time import recording_now
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from sqlmodel import Session

LEDGER_NAME = "seal-ledger.jsonl"


@dataclass(frozen=True)
class Seal:
    id: int
    log_seq: int
    head_hash: str
    made_at: str
    purpose: str
    key_fingerprint: str
    signature: str

    @property
    def short_id(self) -> str:
        """What a report page prints: the seal's number and the start of its signature."""
        return f"{self.id}-{self.signature[:8]}"


def message(database_id: str, log_seq: int, head_hash: str, made_at: str, purpose: str, key_fingerprint: str) -> bytes:
    """The bytes a seal signs (unit separators keep fields from running into each other)."""
    fields = ["tcbm-tracker seal v1", database_id, str(log_seq), head_hash, made_at, purpose, key_fingerprint]
    return "\x1f".join(fields).encode("utf-8")


def make_seal(session: Session, key: copy_key.CopyKey, purpose: str) -> Seal:
    """Sign the current head; call inside a write transaction."""
    seq, head_hash = head(session)
    made_at = recording_now(session)
    db_id = meta.database_id(session)
    signature = key.sign(message(db_id, seq, head_hash, made_at, purpose, key.fingerprint)).hex()
    row = session.execute(
        text(
            "INSERT INTO seal (log_seq, head_hash, made_at, purpose, key_fingerprint, signature) "
            "VALUES (:s, :h, :at, :p, :f, :sig) RETURNING id"
        ).bindparams(s=seq, h=head_hash, at=made_at, p=purpose, f=key.fingerprint, sig=signature)
    ).one()
    return Seal(int(row[0]), seq, head_hash, made_at, purpose, key.fingerprint, signature)


def all_seals(session: Session) -> list[Seal]:
    rows = session.execute(
        text("SELECT id, log_seq, head_hash, made_at, purpose, key_fingerprint, signature FROM seal ORDER BY id")
    ).all()
    return [Seal(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5], r[6]) for r in rows]


def newest_seal(session: Session) -> Seal | None:
    row = session.execute(
        text("SELECT id, log_seq, head_hash, made_at, purpose, key_fingerprint, signature FROM seal ORDER BY id DESC LIMIT 1")
    ).first()
    return None if row is None else Seal(int(row[0]), int(row[1]), row[2], row[3], row[4], row[5], row[6])


# --- The ledger beside the key ----------------------------------------------------------


def ledger_path(folder: Path | None = None) -> Path:
    return (folder or config_dir()) / LEDGER_NAME


def _append_to_ledger(line: str, folder: Path | None, what: str) -> None:
    """Append one JSON line to the ledger (created 0600); ``what`` names it in the error."""
    target = ledger_path(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise KeyFileError(f"{what} could not be noted in {target}: {exc.strerror or exc}") from None


def _place(path: Path | str) -> str:
    """A file's full path; a server database's place (``Database.ledger_place``) as given."""
    return path if isinstance(path, str) else str(Path(path).resolve())


def note_in_ledger(database_id: str, path: Path | str, seal: Seal, folder: Path | None = None) -> None:
    """Append one line for a seal this copy made (after the seal was committed)."""
    line = json.dumps({"database_id": database_id, "path": _place(path), "seal": seal.id,
                       "log_seq": seal.log_seq, "head_hash": seal.head_hash, "made_at": seal.made_at})
    # The seal itself is in the database; without this line a deleted seal goes unnoticed.
    _append_to_ledger(line, folder, f"seal {seal.short_id} was made, but")


def note_restore_in_ledger(database_id: str, path: Path, newest_seal_id: int, folder: Path | None = None,
                           *, newest_made_at: str | None = None) -> None:
    """Record that an older copy was restored: this database's later seals are gone on purpose
    (those numbered after the copy's newest seal, and any made after it: a copy taken inside a
    write that was cut short holds a seal whose number the database later gave to another)."""
    entry: dict[str, object] = {"database_id": database_id, "path": str(path.resolve()), "restored_upto": newest_seal_id}
    if newest_made_at is not None:
        entry["restored_made_at"] = newest_made_at
    line = json.dumps(entry)
    _append_to_ledger(line, folder, "the restore")


def _current_entries(database_id: str) -> list[dict[str, object]]:
    """Ledger lines still in force: a restore of this database drops its seals made after the copy."""
    kept: list[dict[str, object]] = []
    for entry in _ledger_entries():
        upto = entry.get("restored_upto")
        if upto is None:
            kept.append(entry)
        elif entry.get("database_id") == database_id and isinstance(upto, int):
            made = entry.get("restored_made_at")
            kept = [e for e in kept if not (e.get("database_id") == database_id and isinstance(e.get("seal"), int)
                                            and (int(str(e.get("seal"))) > upto
                                                 or (isinstance(made, str) and str(e.get("made_at")) > made)))]
    return kept


def _ledger_entries(folder: Path | None = None) -> Iterable[dict[str, object]]:
    try:
        lines = ledger_path(folder).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash while it was written
        if isinstance(entry, dict):
            out.append(entry)
    return out


# --- Verification -----------------------------------------------------------------------


@dataclass
class SealCheck:
    problems: list[Problem]
    notes: list[str]
    checked: int
    newest: Seal | None


def seal_positions(session: Session) -> set[int]:
    return {int(r[0]) for r in session.execute(text("SELECT DISTINCT log_seq FROM seal")).all()}


def check_seals(session: Session, hashes: dict[int, str], path: Path | str, key: copy_key.CopyKey | None,
                *, older_copy: bool = False) -> SealCheck:
    """Check every seal against the copy's key and the chain (``hashes``: hash per log position).

    ``older_copy``: the file is a backup being restored, so seals the ledger knows that were made
    after its newest one are expected to be missing; the entries they vouch for must still match
    where the file holds them.
    """
    seals = all_seals(session)
    db_id = meta.get(session, meta.DATABASE_ID) or ""
    problems: list[Problem] = []
    notes: list[str] = []
    checked = 0
    newest: Seal | None = None
    for s in seals:
        where = f"seal {s.short_id}"
        if key is None or s.key_fingerprint != key.fingerprint:
            notes.append(f"{where} was made by another copy (key {s.key_fingerprint[:16]}); only that copy can check it")
            continue
        signed = message(db_id, s.log_seq, s.head_hash, s.made_at, s.purpose, s.key_fingerprint)
        if not copy_key.verify(key.public_key_bytes, signed, bytes.fromhex(s.signature) if _is_hex(s.signature) else b""):
            problems.append(Problem(where, "its signature does not match: the seal, or the database's id, was altered"))
            continue
        found = hashes.get(s.log_seq, "0" * 64 if s.log_seq == 0 else None)
        if found != s.head_hash:
            now = "no longer has that entry" if found is None else "now holds a different entry there"
            problems.append(Problem(
                where,
                f"vouches for change log entry {s.log_seq} (head {s.head_hash[:16]}), but the log {now}: "
                "the history before the seal was rewritten",
            ))
            continue
        checked += 1
        newest = s
    own = {s.id: s for s in seals}
    here = _place(path)
    foreign_here = []
    for entry in _current_entries(db_id):
        if entry.get("database_id") == db_id:
            sid = entry.get("seal")
            kept = own.get(sid) if isinstance(sid, int) else None
            if (older_copy and kept is None and isinstance(sid, int) and sid > max(own, default=0)
                    and hashes.get(int(str(entry.get("log_seq"))), entry.get("head_hash")) == entry.get("head_hash")):
                notes.append(f"seal {sid} of {entry.get('made_at')} was made after this copy was taken")
                continue
            if (older_copy and kept is not None and _later_seal_same_number(kept, entry)
                    and (kept.log_seq, kept.head_hash) != (entry.get("log_seq"), entry.get("head_hash"))):
                # The copy was taken inside a write that was then cut short (a killed import): its
                # seal never reached the database, which later gave the same number to a new one.
                notes.append(f"seal {sid} of {entry.get('made_at')} was made after this copy was taken "
                             f"(this copy's own seal {kept.short_id} was made by a write that did not complete)")
                continue
            if kept is None or kept.log_seq != entry.get("log_seq") or kept.head_hash != entry.get("head_hash"):
                problems.append(Problem(
                    f"seal {sid}",
                    f"made by this copy on {entry.get('made_at')} is missing or changed in the file "
                    "(seals were deleted or rewritten, or this is an older copy of the file)",
                ))
        elif entry.get("path") == here:
            foreign_here.append(entry)
    if foreign_here and not any(s.key_fingerprint == (key.fingerprint if key else None) for s in seals):
        last = foreign_here[-1]
        problems.append(Problem(
            "seals",
            f"this copy sealed another database at this path (seal {last.get('seal')} of {last.get('made_at')}), "
            "and this file holds none of its seals: the file was replaced, or its id and seals were rewritten "
            "(if you replaced it yourself, `tcbm-tracker seal` records the new one)",
        ))
    return SealCheck(problems, notes, checked, newest)


def _later_seal_same_number(kept: Seal, entry: dict[str, object]) -> bool:
    """The ledger's seal was made later than the copy's seal of that number, at or after its position."""
    made, seq = entry.get("made_at"), entry.get("log_seq")
    return isinstance(made, str) and isinstance(seq, int) and made > kept.made_at and seq >= kept.log_seq


def _is_hex(value: str) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True
