"""Administering a server database: set up the roles once, grant them to logins, say who one is.

Run by the database's owner (who ran ``init``): the roles, grants and append-only triggers are
``storage.server_roles``'s. A file database has none of this, and is refused with a clear line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from tcbm_tracker.domain.errors import StorageError
from tcbm_tracker.storage import server_roles
from tcbm_tracker.storage.migrations import check_schema
from tcbm_tracker.storage.server_database import ServerDatabase, is_server_url, translate_server_error


@dataclass(frozen=True)
class Login:
    name: str
    roles: tuple[str, ...]


def _open(target: Path | str) -> ServerDatabase:
    if not is_server_url(target):
        raise StorageError(f"{target} is a database file: roles exist on a server database only (--db postgresql://...)")
    return ServerDatabase(str(target))


# What an administrator's command needs of the login that runs it (PostgreSQL's own rules).
SETUP_NEEDS = ("run it as the database's owner with the CREATEROLE attribute (ALTER ROLE ... CREATEROLE, "
               "as a superuser) or as a superuser")
GRANT_NEEDS = "run it as a login with the CREATEROLE attribute or as a superuser"


def _refused(exc: BaseException, db: ServerDatabase, command: str, needs: str) -> BaseException:
    """A server's refusal of an administrator's command, said as what the login lacks; else as any server error."""
    import psycopg

    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, psycopg.errors.InsufficientPrivilege):
        first = (str(orig).strip().splitlines() or [""])[0]
        return StorageError(f"{db.path}: the server refused `server {command}` ({first}): {needs}; nothing was changed")
    return translate_server_error(exc, str(db.path)) or exc


def setup_roles(target: Path | str) -> None:
    """Create the roles, grants and triggers on an initialised server database (safe to repeat)."""
    import psycopg

    db = _open(target)
    try:
        check_schema(db)
        with db.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as conn:
            try:
                with conn.begin():  # committed whole, or nothing (PostgreSQL's DDL is transactional)
                    server_roles.setup(conn)
            except (DBAPIError, psycopg.Error) as exc:  # setup's statements go to the driver directly
                raise _refused(exc, db, "setup", SETUP_NEEDS) from None
    finally:
        db.dispose()


def grant_role(target: Path | str, login: str, role: str) -> None:
    db = _open(target)
    try:
        if role not in server_roles.ROLES:
            raise StorageError(f"unknown role {role!r}: one of {', '.join(server_roles.ROLES)}")
        with db.engine.connect() as conn:
            try:
                with conn.begin():
                    server_roles.grant(conn, login, role)
            except DBAPIError as exc:
                if f'role "{login}" does not exist' in str(exc.orig):
                    raise StorageError(f"{db.path}: the server has no login {login!r}: an administrator creates it "
                                       "first (CREATE ROLE ... LOGIN); nothing was changed") from None
                if f'role "{role}" does not exist' in str(exc.orig):
                    raise StorageError(f"{db.path}: the server has no role {role}: run `tcbm-tracker server setup` "
                                       "first; nothing was changed") from None
                raise _refused(exc, db, "grant", GRANT_NEEDS) from None
    finally:
        db.dispose()


def whoami(target: Path | str) -> Login:
    db = _open(target)
    try:
        rights = db.login
        return Login(rights.name, rights.roles)
    finally:
        db.dispose()
