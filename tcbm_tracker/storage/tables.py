"""SQLModel table definitions: the schema at the head migration.

Dates are stored as ISO ``YYYY-MM-DD`` text and instants as UTC ISO text with microseconds
(``2026-01-31T12:00:00.000000Z``); both sort correctly as text and hash identically everywhere,
which the change log relies on. Assessments are append-only: nothing in the application ever
updates or deletes an assessment row.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# AUTOINCREMENT on every table the change log covers with integer ids (and on the log itself):
# SQLite then never hands out an id again, even the id of a deleted last row, so a deletion
# cannot be hidden by the next ordinary recording taking over its id.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class CatalogRow(SQLModel, table=True):
    __tablename__ = "catalog"

    key: str = Field(primary_key=True)
    version: int
    title: str
    short_title: str
    source_document: str
    adopted: str | None = None
    description: str | None = None
    builtin: bool = False
    loaded_at: str


class MeasureGroupRow(SQLModel, table=True):
    __tablename__ = "measure_group"

    catalog_key: str = Field(foreign_key="catalog.key", primary_key=True)
    key: str = Field(primary_key=True)
    title: str
    sort_order: int


class MeasureRow(SQLModel, table=True):
    __tablename__ = "measure"

    key: str = Field(primary_key=True)
    catalog_key: str = Field(foreign_key="catalog.key", index=True)
    group_key: str
    heading: str | None = None
    title: str
    description: str | None = None
    source_document: str
    pinpoint: str | None = None
    pinpoint_confirmed: bool = False
    pinpoint_note: str | None = None
    agreed: str | None = None
    sort_order: int
    # A measure dropped by a newer catalogue version is retired, never deleted: its
    # assessments are history.
    retired: bool = False


class AttributeDefRow(SQLModel, table=True):
    __tablename__ = "attribute_def"

    key: str = Field(primary_key=True)
    label: str
    values_json: str = "{}"


class ActorRow(SQLModel, table=True):
    __tablename__ = "actor"

    key: str = Field(primary_key=True)
    name: str
    kind: str
    note: str | None = None
    builtin: bool = False
    created_at: str


class ActorAttributeRow(SQLModel, table=True):
    """One attribute value of an actor from a date on; ``value`` None ends a membership."""

    __tablename__ = "actor_attribute"
    __table_args__ = (UniqueConstraint("actor_key", "name", "as_of"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    actor_key: str = Field(foreign_key="actor.key")
    name: str
    value: str | None = None
    as_of: str


class EvidenceRow(SQLModel, table=True):
    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_uid", "uid", unique=True, sqlite_where=text("uid IS NOT NULL")), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    symbol: str | None = Field(default=None, index=True)
    title: str
    date: str | None = None
    language: str | None = None
    evidence_type: str
    url: str | None = None
    pinpoint: str | None = None
    file_name: str | None = None
    file_sha256: str | None = None
    file_size: int | None = None
    recorded_by: str
    created_at: str
    # Schema 0005: a row merged from another copy keeps its global identity and origin copy.
    uid: str | None = None
    origin: str | None = None
    package_import_id: int | None = None


class EvidenceFileRow(SQLModel, table=True):
    """Attached file contents, kept out of ``evidence`` so that listing evidence stays light."""

    __tablename__ = "evidence_file"

    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AssessmentRow(SQLModel, table=True):
    __tablename__ = "assessment"
    __table_args__ = (
        # The cell lookup: latest assessment of (actor, measure) in force on a date.
        Index("ix_assessment_cell", "actor_key", "measure_key", "effective_date", "recorded_at", "id"),
        Index("ix_assessment_recorded_at", "recorded_at"),
        Index("ix_assessment_measure", "measure_key"),
        Index("ix_assessment_uid", "uid", unique=True, sqlite_where=text("uid IS NOT NULL")),
        # Schemas 0006 and 0007: on PostgreSQL the id too (SQLite's indexes carry the rowid), so
        # that the look-up of a cell's assessment in force reads the index only; and what a
        # matrix cell shows, which its LATERAL look-up returns from the index.
        Index("ix_assessment_cell_merge", "actor_key", "measure_key", "effective_date", "recorded_at", "uid",
              "package_import_id", postgresql_include=["id", "status", "provenance", "confidence"]),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_key: str = Field(foreign_key="actor.key")
    measure_key: str = Field(foreign_key="measure.key")
    status: str
    provenance: str
    confidence: str
    note: str | None = None
    recorded_by: str
    effective_date: str
    recorded_at: str
    # Schema 0005: a row merged from another copy keeps its global identity and origin copy.
    uid: str | None = None
    origin: str | None = None
    package_import_id: int | None = None


class AssessmentEvidenceRow(SQLModel, table=True):
    __tablename__ = "assessment_evidence"
    __table_args__ = (Index("ix_assessment_evidence_evidence", "evidence_id"),)

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    # Where in the evidence this assessment's claim is found ("p. 21"); None: the item's own pinpoint.
    pinpoint: str | None = None


class ChangeLogRow(SQLModel, table=True):
    """One entry of the tamper-evident change log, chained to the previous by SHA-256."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity", "entity", "entity_key"), NEVER_REUSE_IDS)

    seq: int | None = Field(default=None, primary_key=True)
    at: str
    user: str
    entity: str
    entity_key: str
    action: str
    payload: str
    prev_hash: str
    hash: str


class MetaRow(SQLModel, table=True):
    """Facts about the database file itself: its id, and whether ``init`` finished."""

    __tablename__ = "tracker_meta"

    key: str = Field(primary_key=True)
    value: str


class SealRow(SQLModel, table=True):
    """A signature by the copy's key over the change-log head at ``log_seq``.

    Not part of the chain: a seal vouches for the chain up to its entry, and is checked with
    the copy's public key, which lives outside the database.
    """

    __tablename__ = "seal"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    log_seq: int
    head_hash: str
    made_at: str
    purpose: str
    key_fingerprint: str
    signature: str  # hex


class ImportBatchRow(SQLModel, table=True):
    """One applied spreadsheet import: who, which file, when, and the rows it added."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    imported_at: str
    imported_by: str
    file_name: str
    file_sha256: str
    first_assessment_id: int | None = None
    last_assessment_id: int | None = None
    first_evidence_id: int | None = None
    last_evidence_id: int | None = None


class EvidenceCorrectionRow(SQLModel, table=True):
    """An evidence item that corrects an earlier one; the earlier one is never overwritten."""

    __tablename__ = "evidence_correction"
    __table_args__ = (Index("ix_evidence_correction_corrects", "corrects_id"),)

    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    corrects_id: int = Field(foreign_key="evidence.id")
    reason: str | None = None


class PackageImportRow(SQLModel, table=True):
    """One applied exchange package: its file, its signer, what it added, how conflicts were resolved."""

    __tablename__ = "package_import"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    imported_at: str
    imported_by: str
    file_name: str
    package_sha256: str
    signer_fingerprint: str
    signer_database_id: str
    signer_head_seq: int
    signer_head_hash: str
    trusted: bool
    assessments_added: int
    evidence_added: int
    conflicts: int
    resolution: str | None = None
