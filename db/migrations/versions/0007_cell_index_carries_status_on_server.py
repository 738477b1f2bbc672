"""the cell look-up index carries a cell's status, provenance and confidence on PostgreSQL

A matrix looks up the assessment in force for each of its cells (7,215 for 195 actors and 37
measures). On PostgreSQL the look-up is a LATERAL join that returns the columns a cell shows
(``services/queries.py`` CELL_SQL_LATERAL); with those columns in the index, each look-up reads
the index only, instead of descending the primary key afterwards to fetch the row.

- PostgreSQL: ``ix_assessment_cell_merge`` is rebuilt with ``INCLUDE (id, status, provenance,
  confidence)`` (it had ``INCLUDE (id)``, schema 0006). Included columns sit in the leaves only:
  the key, and so the upper levels of the index, stay as they were. The effective date and the
  recording time are key columns already. The note is not included: it may be long.
- SQLite: nothing changes (only the revision number); it has no LATERAL, and its look-up stays
  one index seek and one row fetched by rowid.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:15:00
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ["actor_key", "measure_key", "effective_date", "recorded_at", "uid", "package_import_id"]


def _rebuild(include: list[str]) -> None:
    # Dropped and made again in the migration's one transaction: PostgreSQL's DDL is transactional,
    # so a failure leaves the old index in place.
    op.drop_index("ix_assessment_cell_merge", table_name="assessment")
    op.create_index("ix_assessment_cell_merge", "assessment", COLUMNS, postgresql_include=include)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(["id", "status", "provenance", "confidence"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(["id"])
