"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 19:47:05.160054
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# PostgreSQL only: SQLite's two aggregates the application's SQL uses, so that one text of each
# query runs on both engines (SQLite is unchanged). group_concat joins with "," in the order rows
# arrive (the queries order them in a subquery); json_group_object returns JSON text, as SQLite's.
POSTGRESQL_COMPAT = [
    "CREATE FUNCTION tcbm_concat_step(acc text, v anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v::text ELSE acc || ',' || v::text END $$",
    "CREATE AGGREGATE group_concat(anyelement) (SFUNC = tcbm_concat_step, STYPE = text)",
    "CREATE FUNCTION tcbm_json_object_step(acc jsonb, k anyelement, v text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT coalesce(acc, '{}'::jsonb) || jsonb_build_object(k::text, v) $$",
    "CREATE FUNCTION tcbm_json_object_final(acc jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT coalesce(acc, '{}'::jsonb)::text $$",
    "CREATE AGGREGATE json_group_object(anyelement, text) "
    "(SFUNC = tcbm_json_object_step, STYPE = jsonb, FINALFUNC = tcbm_json_object_final)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_COMPAT:
            op.execute(statement)
    op.create_table(
        "actor",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "attribute_def",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("values_json", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "catalog",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("short_title", sa.String(), nullable=False),
        sa.Column("source_document", sa.String(), nullable=False),
        sa.Column("adopted", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("loaded_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "change_log",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("entity", sa.String(), nullable=False),
        sa.Column("entity_key", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("payload", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index("ix_change_log_entity", ["entity", "entity_key"], unique=False)

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("date", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("evidence_type", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("pinpoint", sa.String(), nullable=True),
        sa.Column("file_name", sa.String(), nullable=True),
        sa.Column("file_sha256", sa.String(), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_symbol"), ["symbol"], unique=False)

    op.create_table(
        "actor_attribute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("as_of", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_key"],
            ["actor.key"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("actor_key", "name", "as_of"),
    )
    op.create_table(
        "evidence_file",
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
        ),
        sa.PrimaryKeyConstraint("evidence_id"),
    )
    op.create_table(
        "measure",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("catalog_key", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("heading", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("source_document", sa.String(), nullable=False),
        sa.Column("pinpoint", sa.String(), nullable=True),
        sa.Column("pinpoint_confirmed", sa.Boolean(), nullable=False),
        sa.Column("pinpoint_note", sa.String(), nullable=True),
        sa.Column("agreed", sa.String(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_key"],
            ["catalog.key"],
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_catalog_key"), ["catalog_key"], unique=False)

    op.create_table(
        "measure_group",
        sa.Column("catalog_key", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_key"],
            ["catalog.key"],
        ),
        sa.PrimaryKeyConstraint("catalog_key", "key"),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_key", sa.String(), nullable=False),
        sa.Column("measure_key", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("provenance", sa.String(), nullable=False),
        sa.Column("confidence", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("effective_date", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_key"],
            ["actor.key"],
        ),
        sa.ForeignKeyConstraint(
            ["measure_key"],
            ["measure.key"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_cell", ["actor_key", "measure_key", "effective_date", "recorded_at", "id"], unique=False
        )
        batch_op.create_index("ix_assessment_measure", ["measure_key"], unique=False)
        batch_op.create_index("ix_assessment_recorded_at", ["recorded_at"], unique=False)

    op.create_table(
        "assessment_evidence",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
        ),
        sa.PrimaryKeyConstraint("assessment_id", "evidence_id"),
    )
    with op.batch_alter_table("assessment_evidence", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_evidence_evidence", ["evidence_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assessment_evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_evidence_evidence")

    op.drop_table("assessment_evidence")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_recorded_at")
        batch_op.drop_index("ix_assessment_measure")
        batch_op.drop_index("ix_assessment_cell")

    op.drop_table("assessment")
    op.drop_table("measure_group")
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_catalog_key"))

    op.drop_table("measure")
    op.drop_table("evidence_file")
    op.drop_table("actor_attribute")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_symbol"))

    op.drop_table("evidence")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_entity")

    op.drop_table("change_log")
    op.drop_table("catalog")
    op.drop_table("attribute_def")
    op.drop_table("actor")
    if op.get_bind().dialect.name == "postgresql":
        for statement in ("AGGREGATE json_group_object(anyelement, text)", "FUNCTION tcbm_json_object_final(jsonb)",
                          "FUNCTION tcbm_json_object_step(jsonb, anyelement, text)", "AGGREGATE group_concat(anyelement)",
                          "FUNCTION tcbm_concat_step(text, anyelement)"):
            op.execute(f"DROP {statement}")
