"""exchange packages: global identities of merged rows, and the imports that brought them

Only adds columns, indexes and a table (no table rebuild, no row rewritten).

- ``assessment.uid`` / ``evidence.uid``: the row's global identity when it came from another
  copy (the identity it has everywhere). A row recorded in this copy keeps NULL: its identity is
  derived, ``<database id>/<id, 12 digits>``, deterministically, so rows recorded before this
  migration need no backfill write and their change-log snapshots stay exactly as they were.
  A partial unique index makes a second copy of the same merged row impossible.
- ``assessment.origin`` / ``evidence.origin``: the key fingerprint of the copy that recorded a
  merged row; ``package_import_id``: the import that brought it.
- ``ix_assessment_cell_merge``: the cell look-up index with the columns the choice of the
  assessment in force now reads (identity; the import, for "as known at").
- ``package_import``: one row per applied package: who imported which file, signed by whom
  (key fingerprint, database id, change-log head), whether the signer was trusted, what was
  added, and how conflicts were resolved.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("assessment", "evidence"):
        op.add_column(table, sa.Column("uid", sa.String(), nullable=True))
        op.add_column(table, sa.Column("origin", sa.String(), nullable=True))
        op.add_column(table, sa.Column("package_import_id", sa.Integer(), nullable=True))
        op.create_index(f"ix_{table}_uid", table, ["uid"], unique=True,
                        sqlite_where=sa.text("uid IS NOT NULL"), postgresql_where=sa.text("uid IS NOT NULL"))
    # The cell look-up with what it now reads (the identity, the import a row came with): index only.
    op.create_index("ix_assessment_cell_merge", "assessment",
                    ["actor_key", "measure_key", "effective_date", "recorded_at", "uid", "package_import_id"])
    op.create_table(
        "package_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.String(), nullable=False),
        sa.Column("imported_by", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("package_sha256", sa.String(), nullable=False),
        sa.Column("signer_fingerprint", sa.String(), nullable=False),
        sa.Column("signer_database_id", sa.String(), nullable=False),
        sa.Column("signer_head_seq", sa.Integer(), nullable=False),
        sa.Column("signer_head_hash", sa.String(), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("assessments_added", sa.Integer(), nullable=False),
        sa.Column("evidence_added", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_index("ix_assessment_cell_merge", table_name="assessment")
    op.drop_table("package_import")
    for table in ("assessment", "evidence"):
        op.drop_index(f"ix_{table}_uid", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("package_import_id")
            batch.drop_column("origin")
            batch.drop_column("uid")
