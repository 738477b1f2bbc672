"""citation pinpoints: the page or paragraph an assessment cites in an evidence item

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:10:00

Two states citing A/72/65 cite different pages: the pinpoint belongs to the link between an
assessment and an evidence item. A nullable column is added (no table rebuild); existing links
keep no pinpoint of their own, and reports fall back on the evidence item's pinpoint.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessment_evidence", sa.Column("pinpoint", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessment_evidence") as batch:
        batch.drop_column("pinpoint")
