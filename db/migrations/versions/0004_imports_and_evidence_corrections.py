"""import batches and evidence corrections

Only adds tables (no table rebuild), so that it merges with the other branches' migrations.

- ``import_batch``: one row per applied spreadsheet import: who imported which file (name and
  SHA-256) and when, and the ranges of assessment and evidence numbers it added (an import
  writes in one transaction with consecutive numbers, so a range names its rows exactly).
- ``evidence_correction``: an evidence item that corrects another (title, date, symbol, URL,
  pinpoint). The corrected item is never overwritten; assessments keep citing the version
  they cited.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.String(), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("file_sha256", sa.String(), nullable=False),
        sa.Column("first_assessment_id", sa.Integer(), nullable=True),
        sa.Column("last_assessment_id", sa.Integer(), nullable=True),
        sa.Column("first_evidence_id", sa.Integer(), nullable=True),
        sa.Column("last_evidence_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "evidence_correction",
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"]),
        sa.ForeignKeyConstraint(["corrects_id"], ["evidence.id"]),
        sa.PrimaryKeyConstraint("evidence_id"),
    )
    op.create_index("ix_evidence_correction_corrects", "evidence_correction", ["corrects_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_correction_corrects", table_name="evidence_correction")
    op.drop_table("evidence_correction")
    op.drop_table("import_batch")
