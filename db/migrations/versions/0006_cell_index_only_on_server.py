"""the cell look-up index holds the assessment's id on PostgreSQL, so the look-up is index-only

The look-up of the assessment in force for a cell (``services/mapping.py`` LATEST_ID_SQL, run
once per cell of a matrix) returns the row's id and orders its ties by an identity derived from
the id. On SQLite every index carries the rowid, so ``ix_assessment_cell_merge`` already holds
all it reads; on PostgreSQL it did not, and each of a matrix's 7,215 look-ups visited the table.

- PostgreSQL: ``ix_assessment_cell_merge`` is rebuilt with ``INCLUDE (id)``. The id is carried in
  the index leaves only, not as a key: nothing is ordered or searched by it, so the key stays
  as it was and the upper levels of the index stay as small as before.
- SQLite: nothing changes (only the revision number).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:45:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
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
        _rebuild(["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild([])
