"""Schema migrations with Alembic: version check, backup before migrating, newer-version refusal.

The scripts live in ``db/migrations`` (shipped inside the package). ``migrate`` brings a
database to the head revision; before it touches a database that already holds data it writes
a consistent copy (SQLite's online backup) beside it. A database whose revision this version
does not know was written by a newer version and is refused, untouched.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tcbm_tracker.domain.errors import (
    IncompleteDatabaseError,
    MigrationError,
    NewerSchemaError,
    StorageError,
    UninitialisedDatabaseError,
    UnknownSchemaError,
)
from tcbm_tracker.shipped import REINSTALL, ShippedResourceError, migrations_dir
from tcbm_tracker.storage.database import Database, translate_error
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection

    from tcbm_tracker.storage.sealed_backup import PendingSeal

# The head revision of the shipped scripts, so that opening an up-to-date database (every
# start of the app) needs no Alembic import: Alembic and its script parsing cost about 150 ms.
# A test checks that it matches the scripts' real head.
HEAD_REVISION = "0007"


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


def _scripts(location: Path, *, shipped: bool) -> tuple[ScriptDirectory, str, set[str]]:
    """The migration scripts, their head and every revision they know.

    A script missing from the shipped ones is a damaged installation: Alembic fails with a bare
    KeyError when a script's predecessor is missing, and when the newest script is missing it
    would upgrade a new database to a schema short of the one this version works with.
    """
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(location))
    with warnings.catch_warnings():
        # Alembic warns before its KeyError; the error below says it once, clearly.
        warnings.filterwarnings("ignore", message=r"Revision .* is not present", category=UserWarning)
        try:
            known = {s.revision for s in script.walk_revisions()}
            head = script.get_current_head()
        except KeyError as exc:
            raise ShippedResourceError(
                f"the migration script of schema {exc.args[0]} is missing from {location / 'versions'}: {REINSTALL}"
            ) from None
    if shipped and HEAD_REVISION not in known:
        raise ShippedResourceError(
            f"the migration script of schema {HEAD_REVISION} is missing from {location / 'versions'}: {REINSTALL}"
        )
    assert head is not None, "no migration scripts shipped"
    return script, head, known


def head_revision(script_location: Path | None = None) -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config(script_location or migrations_dir()))
    head = script.get_current_head()
    assert head is not None, "no migration scripts shipped"
    return head


def current_revision(db: Database) -> str | None:
    # The first read of a file: a damaged or locked file must be a user error, not a bug.
    try:
        with db.reading_connection() as conn:
            if "alembic_version" not in _table_names(db, conn):
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None
    except Exception as exc:
        raise db.user_error(exc) from None


def _table_names(db: Database, conn: Any) -> set[str]:
    """The tables of the database (SQLite's own ``sqlite_*`` tables left out)."""
    if db.dialect == "sqlite":  # read from the catalogue directly: no SQLAlchemy on a file's reads
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'"))
        return {row[0] for row in rows}
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


def _translate(db: Database, exc: BaseException) -> BaseException:
    """The user-facing error for a file's or a server's failure (``exc`` itself for a bug)."""
    if db.dialect != "sqlite":
        from tcbm_tracker.storage.server_database import translate_server_error

        return translate_server_error(exc, str(db.path)) or exc
    return translate_error(exc, db.path) or exc


def _foreign(db: Database) -> str:
    if db.dialect == "sqlite":
        return f"{db.path} is an SQLite database of another program; choose another file"
    return f"{db.path} holds tables of another program; choose another database"


def _has_tables(db: Database) -> bool:
    try:
        with db.reading_connection() as conn:
            return bool(_table_names(db, conn))
    except Exception as exc:
        raise db.user_error(exc) from None


def check_schema(db: Database, script_location: Path | None = None) -> str:
    """Return the database's revision if it is usable as it is; raise a clear error if not."""
    location = script_location or migrations_dir()
    revision = current_revision(db)
    if revision is None:
        if _has_tables(db):
            raise UninitialisedDatabaseError(_foreign(db))
        raise UninitialisedDatabaseError(f"{db.path} is not a TCBM Tracker database yet: run `tcbm-tracker init`")
    if revision == HEAD_REVISION and script_location is None:
        check_init_complete(db)
        return revision
    _, head, known = _scripts(location, shipped=script_location is None)
    if revision not in known:
        raise unknown_schema_error(db.path, revision, head)
    if revision != head:
        # A file is copied before it is upgraded; a server is backed up by its administrator.
        first = "a backup copy is made first" if db.dialect == "sqlite" else "back it up with pg_dump first"
        raise UninitialisedDatabaseError(
            f"{db.path} uses an older schema ({revision}): run `tcbm-tracker init` to upgrade it ({first})"
        )
    check_init_complete(db)
    return revision


def check_init_complete(db: Database) -> None:
    """Refuse a file whose ``init`` was cut short: it looks valid but holds no catalogues."""
    from tcbm_tracker.storage import meta

    try:
        with db.reading_connection() as conn:
            has_meta = "tracker_meta" in _table_names(db, conn)
            done = has_meta and meta.get(conn, meta.INIT_COMPLETE) is not None
    except Exception as exc:
        raise db.user_error(exc) from None
    if not done:
        raise IncompleteDatabaseError(
            f"{db.path} is incomplete (its set-up was interrupted): run `tcbm-tracker init` to finish it"
        )


def unknown_schema_error(path: Path, revision: str, head: str) -> StorageError:
    """A schema this version does not know: newer only if its number is higher than ours."""
    # Revisions are numbered ("0002", a test's "0900_extra"): the number says newer or older.
    theirs, ours = re.match(r"\d+", revision), re.match(r"\d+", head)
    if theirs and ours and int(theirs.group()) > int(ours.group()):
        return NewerSchemaError(
            f"{path} was written by a newer version of TCBM Tracker (schema {revision}); update TCBM Tracker to open it"
        )
    if theirs and ours:
        return UnknownSchemaError(
            f"{path} uses schema {revision}, older than this version's schema {head} but not one TCBM Tracker ever "
            "released, so it cannot be upgraded safely; restore a backup or open it with the build that wrote it"
        )
    # Not numbered as ours are: most likely newer (or another build); said as it is.
    return NewerSchemaError(
        f"{path} uses schema {revision!r}, which this version does not know (a newer version of TCBM Tracker or "
        "another build wrote it); update TCBM Tracker, or restore a backup"
    )


def backup_copy(db: Database, label: str) -> Path:
    """Write a consistent copy of the database into its backup folder and return its path.

    The same backups as every other (``storage.backup``): hashed, listed by ``backup list``,
    rotated; kept out of the database's own folder, which may be synced or shared. ``migrate``
    takes its copy inside its transaction instead, sealed (``storage.sealed_backup``).
    """
    from tcbm_tracker.storage.backup import make_backup, rotate

    info = make_backup(db.path, f"before-migration-{label}")
    rotate(db.path)
    return info.path


def migrate(db: Database, script_location: Path | None = None) -> MigrationResult:
    """Bring the database to the head revision, backing it up first if it holds data."""
    from alembic import command
    from sqlalchemy.exc import DBAPIError

    location = script_location or migrations_dir()
    cfg = _config(location)
    _, head, known = _scripts(location, shipped=script_location is None)
    revision = current_revision(db)
    if revision is not None and revision not in known:
        raise unknown_schema_error(db.path, revision, head)
    if revision == head:
        return MigrationResult(revision, head, None)
    if revision is None and _has_tables(db):
        raise UninitialisedDatabaseError(_foreign(db))
    if db.dialect != "sqlite":
        return _migrate_server(db, cfg, revision, head)
    backup = None
    pending: PendingSeal | None = None
    try:
        with db.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            # Batch mode rebuilds a table by copying it and dropping the old one; with foreign
            # keys on, dropping a referenced table (evidence, assessment) fails. SQLite ignores
            # this PRAGMA inside a transaction, so it is set before the transaction begins, and
            # every reference is checked before commit instead.
            raw.execute("PRAGMA foreign_keys = OFF")
            try:
                # Take the write lock first: a locked file fails here, before a backup is
                # written, and no other writer can slip in between the backup and the migration.
                with conn.begin():
                    if revision is not None:
                        from tcbm_tracker.storage.sealed_backup import sealed_backup

                        # The seal goes into this transaction: a migration that fails leaves none.
                        info, pending = sealed_backup(raw, db.path, f"before-migration-{revision}", "backup before migration")
                        backup = info.path
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    check_foreign_keys(conn, db.path)
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
    except BaseException as exc:
        if pending is not None:
            pending.rolled_back()  # the migration's transaction, and the seal in it, were rolled back
        if isinstance(exc, (DBAPIError, sqlite3.Error)):  # sqlite3.Error: from the backup copy
            raise translate_error(exc, db.path) or exc from None
        raise
    if pending is not None:
        pending.committed()
    return MigrationResult(revision, head, backup)


def _migrate_server(db: Database, cfg: Config, revision: str | None, head: str) -> MigrationResult:
    """Migrate a server database in one transaction (PostgreSQL's DDL is transactional).

    No backup copy is written by the client: a server's backups are the administrator's
    (``pg_dump``, docs/team-server.md). Foreign keys are enforced by the server throughout, so
    there is nothing to switch off or re-check. The record's write lock is held throughout, so
    no client writes half-way through a migration. On a database where ``server setup`` was run,
    its roles, grants and triggers are applied again in the same transaction, so that tables a
    migration adds are readable by readers (and guarded) from the moment they exist.
    """
    from alembic import command
    from sqlalchemy.exc import DBAPIError

    from tcbm_tracker.storage import server_roles

    try:
        with db.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as conn:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if server_roles.is_set_up(conn):
                    server_roles.setup(conn)
    except DBAPIError as exc:
        raise _translate(db, exc) from None
    return MigrationResult(revision, head, None)


def check_foreign_keys(conn: Connection, path: Path) -> None:
    """Refuse (the caller rolls back) a migration that left a reference to a missing row."""
    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if bad:
        table, rowid, parent, _ = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise MigrationError(
            f"migrating {path} would leave {table} row {rowid} referring to a missing {parent} row{more}; "
            "nothing was changed"
        )
