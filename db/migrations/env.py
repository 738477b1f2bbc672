"""Alembic environment: runs on the connection the application passes in, never from a URL."""

from alembic import context
from sqlmodel import SQLModel

import tcbm_tracker.storage.tables  # noqa: F401  (registers the tables on the metadata)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("TCBM Tracker migrations run through tcbm_tracker.storage.migrations")
    # render_as_batch: SQLite cannot ALTER most things; batch mode copies the table instead.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
