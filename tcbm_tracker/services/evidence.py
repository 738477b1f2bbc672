"""Evidence: documents and sources, reusable across assessments, with optional attached files."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.clock import utc_now_iso
from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import EvidenceType
from tcbm_tracker.services import mapping
from tcbm_tracker.services.dto import EvidenceInfo
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.database import Database

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
        created_at=utc_now_iso(),
    )
    s.add(row)
    s.flush()
    assert row.id is not None
    if content is not None:
        s.add(EvidenceFileRow(evidence_id=row.id, content=content))
        s.flush()
    changelog.record(s, "evidence", str(row.id), "added", by)
    return row.id


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
            sql += " WHERE e.title LIKE :q ESCAPE '\\' OR e.symbol LIKE :q ESCAPE '\\'"
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["q"] = f"%{escaped}%"
        sql += " ORDER BY e.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.db.read() as s:
            return [mapping.evidence_from_row(r) for r in s.exec(text(sql).bindparams(**params))]  # type: ignore[call-overload]

    def file_content(self, evidence_id: int) -> bytes:
        from tcbm_tracker.storage.tables import EvidenceFileRow

        with self.db.read() as s:
            row = s.get(EvidenceFileRow, int(evidence_id))
            if row is None:
                raise NotFoundError(f"evidence {evidence_id} has no attached file")
            return bytes(row.content)
