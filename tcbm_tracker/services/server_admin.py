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


def setup_roles(target: Path | str) -> None:
    """Create the roles, grants and triggers on an initialised server database (safe to repeat)."""
    db = _open(target)
    try:
        check_schema(db)
        with db.engine.connect().execution_options(tcbm_begin="IMMEDIATE") as conn:
            try:
                with conn.begin():  # committed whole, or nothing (PostgreSQL's DDL is transactional)
                    server_roles.setup(conn)
            except DBAPIError as exc:
                raise translate_server_error(exc, str(db.path)) or exc from None
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
                raise translate_server_error(exc, str(db.path)) or exc from None
    finally:
        db.dispose()


def whoami(target: Path | str) -> Login:
    db = _open(target)
    try:
        with db.reading_connection() as conn:
            return Login(db.current_user(), tuple(sorted(server_roles.roles_of(conn))))
    finally:
        db.dispose()
