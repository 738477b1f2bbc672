"""Global identities of rows and copies, shared by the package writer and the merge.

A copy is known by its key fingerprint and its database's id. A row recorded in a copy is known
everywhere as ``<database id>/<id, 12 digits>`` (the same text ``services.mapping.IDENTITY_SQL``
computes); a row merged from elsewhere keeps the identity it came with (``uid``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tcbm_tracker.exchange.packages.api import CopyIdentity
from tcbm_tracker.storage import copy_key, meta
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from tcbm_tracker.services.tracker import Tracker


def local_uid(database_id: str, row_id: int) -> str:
    return f"{database_id}/{int(row_id):012d}"


def uid_of(stored_uid: str | None, database_id: str, row_id: int) -> str:
    return stored_uid if stored_uid is not None else local_uid(database_id, row_id)


def local_id(uid: str, database_id: str) -> int | None:
    """The local id a derived identity names in this database, or None if it names another copy's row."""
    prefix, _, number = uid.rpartition("/")
    if prefix != database_id or not number.isdigit():
        return None
    return int(number)


def database_id(tracker: Tracker) -> str:
    with tracker.db.read() as s:
        found = meta.get(s, meta.DATABASE_ID)
    if found is not None:
        return found
    with tracker.db.write() as s:  # only a file edited outside the app lacks one
        return meta.database_id(s)


def own_identity(tracker: Tracker) -> CopyIdentity:
    return CopyIdentity(copy_key.load_or_create().fingerprint, database_id(tracker))


def count_rows(tracker: Tracker, table: str) -> int:
    with tracker.db.read() as s:
        return int(s.exec(text(f"SELECT count(*) FROM {table}")).one()[0])  # type: ignore[call-overload]
