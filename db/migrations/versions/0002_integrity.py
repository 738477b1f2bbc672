"""ids never reused, init-complete marker, seals

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 04:00:00

- ``AUTOINCREMENT`` on the change log and on every logged table with integer ids, so that an
  id (or log position) is never handed out twice; each counter starts past the highest id the
  table or its log entries ever used, so an id deleted before this upgrade is not reused either.
- ``tracker_meta``: the database's own id (seals are bound to it) and the marker that ``init``
  finished; a database that already holds catalogues was finished by the version that made it.
- ``seal``: signatures by the copy's key over the change-log head.

Tables are rebuilt (batch mode); the migration runs with foreign keys off and every reference
is checked before commit (``storage.migrations.migrate``).

On PostgreSQL, integer ids already come from sequences that never hand a number out twice:
nothing is rebuilt, and each sequence is moved past the highest id used, as above.
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# table -> (id column, the entity name its rows carry in the change log)
CHAINED = {
    "change_log": ("seq", None),
    "actor_attribute": ("id", "actor_attribute"),
    "evidence": ("id", "evidence"),
    "assessment": ("id", "assessment"),
}


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for table in CHAINED:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass
    for table, (column, entity) in CHAINED.items():
        highest = bind.exec_driver_sql(f"SELECT max({column}) FROM {table}").scalar() or 0
        if entity is not None:
            logged = bind.execute(
                sa.text("SELECT max(CAST(entity_key AS INTEGER)) FROM change_log WHERE entity = :e"), {"e": entity}
            ).scalar()
            highest = max(highest, logged or 0)
        if highest and sqlite:
            bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
            bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, highest))
        elif highest:
            bind.execute(sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), :n)"), {"t": table, "c": column, "n": highest})

    op.create_table(
        "tracker_meta",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "seal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(), nullable=False),
        sa.Column("made_at", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("key_fingerprint", sa.String(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    bind.execute(sa.text("INSERT INTO tracker_meta (key, value) VALUES ('database_id', :v)"), {"v": uuid.uuid4().hex})
    # init loads catalogues and actors in one transaction, and 0001 had no marker: a database
    # holding catalogues was finished; one without was cut short and `init` will finish it.
    if bind.exec_driver_sql("SELECT count(*) FROM catalog").scalar():
        now = (
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
            if sqlite
            else """to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
        )
        bind.execute(sa.text(f"INSERT INTO tracker_meta (key, value) VALUES ('init_complete', {now})"))


def downgrade() -> None:
    op.drop_table("seal")
    op.drop_table("tracker_meta")
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in CHAINED:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
