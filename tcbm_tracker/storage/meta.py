"""Facts about the database file itself, kept in ``tracker_meta``.

- ``database_id``: a random id given to the file when its schema reached 0002; seals sign it,
  so a seal of one tracker file cannot be passed off as a seal of another.
- ``init_complete``: written by ``init`` in the same transaction as the last of the shipped
  data, so a file whose ``init`` was interrupted is known as such and can be finished.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tcbm_tracker.storage.recording_time import recording_now
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

    from tcbm_tracker.storage.sql import RawConnection

DATABASE_ID = "database_id"
INIT_COMPLETE = "init_complete"


def get(conn: Connection | Session | RawConnection, key: str) -> str | None:
    row = conn.execute(text("SELECT value FROM tracker_meta WHERE key = :k").bindparams(k=key)).first()
    return None if row is None else str(row[0])


def put(session: Session, key: str, value: str) -> None:
    session.execute(
        text("INSERT INTO tracker_meta (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v")
        .bindparams(k=key, v=value)
    )


def database_id(session: Session) -> str:
    """The file's id; a file that lost it (only an edit outside the app can) gets a new one."""
    found = get(session, DATABASE_ID)
    if found is None:
        found = uuid.uuid4().hex
        put(session, DATABASE_ID, found)
    return found


def mark_init_complete(session: Session) -> None:
    if get(session, INIT_COMPLETE) is None:
        put(session, INIT_COMPLETE, recording_now(session))
