"""Schema migrations with Alembic: version check, backup before migrating, newer-version refusal.

The scripts live in ``db/migrations`` (shipped inside the package). ``migrate`` brings a
database to the head revision; before it touches a database that already holds data it writes
a consistent copy (SQLite's online backup) beside it. A database whose revision this version
does not know was written by a newer version and is refused, untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from tcbm_tracker.domain.errors import NewerSchemaError, UninitialisedDatabaseError
from tcbm_tracker.shipped import migrations_dir
from tcbm_tracker.storage.database import Database, translate_error

if TYPE_CHECKING:
    from alembic.config import Config

# The head revision of the shipped scripts, so that opening an up-to-date database (every
# start of the app) needs no Alembic import: Alembic and its script parsing cost about 150 ms.
# A test checks that it matches the scripts' real head.
HEAD_REVISION = "0004"


@dataclass(frozen=True)
class MigrationResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def _config(script_location: Path) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    return cfg


def head_revision(script_location: Path | None = None) -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(script_location or migrations_dir()))
    head = script.get_current_head()
    assert head is not None, "no migration scripts shipped"
    return head


def current_revision(db: Database) -> str | None:
    # The first read of a file: a damaged or locked file must be a user error, not a bug.
    try:
        with db.engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")).first():
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None
    except DBAPIError as exc:
        raise translate_error(exc, db.path) or exc from None


def _has_tables(db: Database) -> bool:
    try:
        with db.engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    except DBAPIError as exc:
        raise translate_error(exc, db.path) or exc from None


def check_schema(db: Database, script_location: Path | None = None) -> str:
    """Return the database's revision if it is usable as it is; raise a clear error if not."""
    location = script_location or migrations_dir()
    revision = current_revision(db)
    if revision is None:
        if _has_tables(db):
            raise UninitialisedDatabaseError(f"{db.path} is an SQLite database of another program; choose another file")
        raise UninitialisedDatabaseError(f"{db.path} is not a TCBM Tracker database yet: run `tcbm-tracker init`")
    if revision == HEAD_REVISION and script_location is None:
        return revision
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(location))
    if revision not in {s.revision for s in script.walk_revisions()}:
        raise NewerSchemaError(
            f"{db.path} was written by a newer version of TCBM Tracker (schema {revision}); update TCBM Tracker to open it"
        )
    head = script.get_current_head()
    if revision != head:
        raise UninitialisedDatabaseError(
            f"{db.path} uses an older schema ({revision}): run `tcbm-tracker init` to upgrade it (a backup copy is made first)"
        )
    return revision


def backup_copy(db: Database, label: str) -> Path:
    """Write a consistent copy of the database into its backup folder and return its path.

    The same backups as every other (``storage.backup``): hashed, listed by ``backup list``,
    rotated; kept out of the database's own folder, which may be synced or shared.
    """
    from tcbm_tracker.storage.backup import make_backup, rotate

    info = make_backup(db.path, f"before-migration-{label}")
    rotate(db.path)
    return info.path


def migrate(db: Database, script_location: Path | None = None) -> MigrationResult:
    """Bring the database to the head revision, backing it up first if it holds data."""
    from alembic import command
    from alembic.script import ScriptDirectory

    location = script_location or migrations_dir()
    cfg = _config(location)
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    assert head is not None
    revision = current_revision(db)
    known = {s.revision for s in script.walk_revisions()}
    if revision is not None and revision not in known:
        raise NewerSchemaError(
            f"{db.path} was written by a newer version of TCBM Tracker (schema {revision}); update TCBM Tracker to open it"
        )
    if revision == head:
        return MigrationResult(revision, head, None)
    if revision is None and _has_tables(db):
        raise UninitialisedDatabaseError(f"{db.path} is an SQLite database of another program; choose another file")
    backup = None
    try:
        # Take the write lock first: a locked file fails here, before a backup is written, and
        # no other writer can slip in between the backup and the migration.
        with db.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as conn, conn.begin():
            if revision is not None:
                backup = backup_copy(db, revision)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except DBAPIError as exc:
        raise translate_error(exc, db.path) or exc from None
    return MigrationResult(revision, head, backup)
