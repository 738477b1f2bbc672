"""Evidence: documents and sources, reusable across assessments, with optional attached files.

An evidence item is never overwritten: a correction (title, date, symbol, URL, pinpoint) is a
new item linked to the one it corrects (``evidence_correction``), and the assessments that
cited the earlier version keep citing it, so a record always shows what it relied on.
"""

from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import NotFoundError, StorageError, ValidationError
from tcbm_tracker.domain.vocabulary import EvidenceType
from tcbm_tracker.services import mapping
from tcbm_tracker.services.dto import EvidenceInfo
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.recording_time import recording_now
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:  # the read path of reports never loads sqlmodel (and pydantic)
    from sqlmodel import Session


@dataclass(frozen=True)
class EvidenceInput:
    title: str
    symbol: str | None = None
    date: dt.date | str | None = None
    language: str | None = None
    evidence_type: EvidenceType | str = EvidenceType.OTHER
    url: str | None = None
    pinpoint: str | None = None
    file: Path | None = None


@dataclass(frozen=True)
class _ValidEvidence:
    title: str
    symbol: str | None
    date: str | None
    language: str | None
    evidence_type: EvidenceType
    url: str | None
    pinpoint: str | None
    file: Path | None


@dataclass(frozen=True)
class PreparedEvidence:
    """A validated evidence item with its attachment's bytes, ready to be written."""

    valid: _ValidEvidence
    content: bytes | None


def insert_evidence(s: Session, prepared: PreparedEvidence, by: str) -> int:
    """Write one evidence item (and its log entry) inside the caller's transaction."""
    # Table classes cost tens of ms to build: imported on the first write, not at start-up.
    from tcbm_tracker.storage.tables import EvidenceFileRow, EvidenceRow

    valid, content = prepared.valid, prepared.content
    row = EvidenceRow(
        symbol=valid.symbol,
        title=valid.title,
        date=valid.date,
        language=valid.language,
        evidence_type=valid.evidence_type.value,
        url=valid.url,
        pinpoint=valid.pinpoint,
        file_name=valid.file.name if valid.file else None,
        file_sha256=hashlib.sha256(content).hexdigest() if content is not None else None,
        file_size=len(content) if content is not None else None,
        recorded_by=by,
        created_at=recording_now(s),
    )
    s.add(row)
    s.flush()
    assert row.id is not None
    if content is not None:
        s.add(EvidenceFileRow(evidence_id=row.id, content=content))
        s.flush()
    changelog.record(s, "evidence", str(row.id), "added", by)
    return row.id


@dataclass(frozen=True)
class EvidenceCorrection:
    """What to change in a correction; None keeps the earlier version's value."""

    title: str | None = None
    symbol: str | None = None
    date: str | None = None
    url: str | None = None
    pinpoint: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class EvidenceVersions:
    """Where one item stands among the versions of its source: oldest first."""

    chain: tuple[int, ...]
    evidence_id: int

    @property
    def number(self) -> int:
        return self.chain.index(self.evidence_id) + 1

    @property
    def latest(self) -> int:
        return self.chain[-1]

    def label(self) -> str:
        if len(self.chain) == 1:
            return str(self.evidence_id)
        newest = "" if self.evidence_id == self.latest else f", corrected by {self.latest}"
        return f"{self.evidence_id} (version {self.number} of {len(self.chain)}{newest})"


def _chain(s: Session, evidence_id: int) -> tuple[int, ...]:
    rows = s.exec(text("SELECT evidence_id, corrects_id FROM evidence_correction")).all()  # type: ignore[call-overload]
    newer = {old: new for new, old in rows}
    older = {new: old for new, old in rows}
    first = evidence_id
    while first in older:
        first = older[first]
    chain = [first]
    while chain[-1] in newer:
        chain.append(newer[chain[-1]])
    return tuple(chain)



class EvidenceService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user

    def validate(self, item: EvidenceInput) -> _ValidEvidence:
        file = None
        if item.file is not None:
            file = Path(item.file)
            if not file.is_file():
                raise ValidationError("file", f"{file} is not a readable file")
            size = file.stat().st_size
            if size > v.MAX_ATTACHMENT_BYTES:
                raise ValidationError("file", f"{file.name} is {size:,} bytes; the limit is {v.MAX_ATTACHMENT_BYTES:,}")
        return _ValidEvidence(
            title=v.require_text("title", item.title, max_chars=v.MAX_TITLE_CHARS),
            symbol=v.parse_document_symbol(item.symbol),
            date=v.parse_date("date", item.date).isoformat() if item.date else None,
            language=v.parse_language(item.language),
            evidence_type=v.parse_enum("type", item.evidence_type, EvidenceType),
            url=v.parse_url(item.url),
            pinpoint=v.clean_text("pinpoint", item.pinpoint, max_chars=v.MAX_SHORT_CHARS),
            file=file,
        )

    def prepare(self, item: EvidenceInput) -> PreparedEvidence:
        """Validate an item and read its attachment: everything short of writing it."""
        valid = self.validate(item)
        content = None
        if valid.file is not None:
            try:
                content = valid.file.read_bytes()
            except OSError as exc:
                raise ValidationError("file", f"cannot read {valid.file}: {exc.strerror or exc}") from None
        return PreparedEvidence(valid, content)

    def add(self, item: EvidenceInput) -> EvidenceInfo:
        prepared = self.prepare(item)
        by = self.user or changelog.current_user()
        with self.db.write() as s:
            new_id = insert_evidence(s, prepared, by)
        return self.get(new_id)

    def get(self, evidence_id: int) -> EvidenceInfo:
        with self.db.read() as s:
            found = mapping.evidence_by_ids(s, [int(evidence_id)])
        if not found:
            raise NotFoundError(f"unknown evidence {evidence_id}")
        return found[int(evidence_id)]

    def list(self, search: str | None = None, limit: int | None = None) -> list[EvidenceInfo]:
        sql = f"SELECT {mapping.EVIDENCE_COLUMNS} FROM evidence e"
        params: dict[str, object] = {}
        if search:
            # lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL.
            sql += " WHERE lower(e.title) LIKE lower(:q) ESCAPE '\\' OR lower(e.symbol) LIKE lower(:q) ESCAPE '\\'"
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["q"] = f"%{escaped}%"
        sql += " ORDER BY e.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.db.read() as s:
            return [mapping.evidence_from_row(r) for r in s.exec(text(sql).bindparams(**params))]  # type: ignore[call-overload]

    def file_content(self, evidence_id: int) -> bytes:
        with self.db.read() as s:
            row = s.exec(text("SELECT content FROM evidence_file WHERE evidence_id = :e").bindparams(e=int(evidence_id))).first()  # type: ignore[call-overload]
            if row is None:
                raise NotFoundError(f"evidence {evidence_id} has no attached file")
            return bytes(row[0])

    def versions(self, ids: builtins.list[int]) -> dict[int, EvidenceVersions]:
        with self.db.read() as s:
            return {i: EvidenceVersions(_chain(s, i), i) for i in ids}

    def correct(self, evidence_id: int, change: EvidenceCorrection) -> EvidenceInfo:
        from tcbm_tracker.storage.tables import EvidenceFileRow

        old = self.get(evidence_id)
        fields = {k: getattr(change, k) for k in ("title", "symbol", "date", "url", "pinpoint") if getattr(change, k) is not None}
        if not fields:
            raise ValidationError("correction", "nothing to correct: give a new title, symbol, date, URL or pinpoint")
        reason = v.clean_text("reason", change.reason, max_chars=v.MAX_TITLE_CHARS)
        item = EvidenceInput(title=old.title, symbol=old.symbol, date=old.date, language=old.language,
                             evidence_type=old.evidence_type, url=old.url, pinpoint=old.pinpoint)
        # An empty value clears an optional field (a wrong URL removed); the title stays required.
        cleared: dict[str, str | None] = {k: (val or None) if k != "title" else val for k, val in fields.items()}
        item = dataclasses.replace(item, **cleared)  # type: ignore[arg-type]
        valid = self.validate(item)
        if [valid.title, valid.symbol, valid.date, valid.url, valid.pinpoint] == [old.title, old.symbol, old.date, old.url, old.pinpoint]:
            raise ValidationError("correction", "changes nothing: every value is the same as in the current version")
        by = self.user or changelog.current_user()
        with self.db.write() as s:
            chain = _chain(s, old.id)
            if chain[-1] != old.id:
                raise ValidationError("correction", f"evidence {old.id} was already corrected by {chain[-1]}; correct that version")
            content = None
            if old.file_sha256 is not None:
                row = s.get(EvidenceFileRow, old.id)
                content = bytes(row.content) if row is not None else None
            # The same attached file: insert_evidence names it after the path's last part.
            named = Path(old.file_name) if content is not None and old.file_name else None
            new_id = insert_evidence(s, PreparedEvidence(dataclasses.replace(valid, file=named), content), by)
            s.exec(text("INSERT INTO evidence_correction (evidence_id, corrects_id, reason) VALUES (:n, :o, :r)")  # type: ignore[call-overload]
                   .bindparams(n=new_id, o=old.id, r=reason))
            changelog.record(s, "evidence_correction", str(new_id), "added", by)
        return self.get(new_id)

    def export_file(self, evidence_id: int, out: Path) -> Path:
        info = self.get(evidence_id)
        if info.file_sha256 is None:
            raise NotFoundError(f"evidence {evidence_id} has no attached file")
        out = Path(out).expanduser()
        if out.exists():
            raise ValidationError("out", f"{out} already exists; choose a new file name")
        if not out.parent.is_dir():
            raise ValidationError("out", f"the folder {out.parent} does not exist")
        content = self.file_content(evidence_id)
        if hashlib.sha256(content).hexdigest() != info.file_sha256:
            raise StorageError(f"evidence {evidence_id}: the stored file does not match its recorded SHA-256; nothing was written "
                               "(run `tcbm-tracker verify`)")
        tmp = out.with_name(f".{out.name}.partial")
        try:
            with tmp.open("xb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            written = hashlib.sha256(tmp.read_bytes()).hexdigest()
            if written != info.file_sha256:
                raise StorageError(f"{out}: the written file does not match the recorded SHA-256; nothing was kept")
            os.replace(tmp, out)
        except OSError as exc:
            raise StorageError(f"cannot write {out}: {exc.strerror or exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
        return out

    def citing(self, evidence_id: int) -> builtins.list[int]:
        with self.db.read() as s:
            rows = s.exec(text("SELECT assessment_id FROM assessment_evidence WHERE evidence_id = :e ORDER BY assessment_id")  # type: ignore[call-overload]
                          .bindparams(e=int(evidence_id))).all()
        return [int(r[0]) for r in rows]

