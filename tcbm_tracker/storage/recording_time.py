"""The recording time of a write: the server's clock on a server database, this computer's on a file.

On a shared server, a client whose clock is wrong must not be able to record a wrong time: every
stamp written inside a server write transaction (``recorded_at``, ``created_at``, the change
log's ``at``, a seal's ``made_at``) is read from the server (``clock_timestamp()``, in UTC, in the
one format the tracker stores). A file has no other clock than the computer's. A fixed time set
by ``domain.clock.fixed_time`` (fixtures set up "in the past") wins on both engines; on a server
set up with ``server setup`` a trigger still refuses a stamp far from the server's own clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tcbm_tracker.domain.clock import is_fixed, utc_now_iso
from tcbm_tracker.storage.sql import text

# The same text as ``domain.clock.to_iso``: 2026-12-02T11:14:12.123456Z
SERVER_NOW_SQL = "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def latest_recording_sql(dialect: str) -> str:
    """The latest ``recorded_at`` a new recording must come after (see ``monotonic_now``).

    On a server, rows merged from packages (stamped by other computers' clocks) are left out:
    one laptop's clock running ahead must not push the server's own stamps into the future,
    where its check (``server setup``) would refuse them.
    """
    merged_out = " WHERE package_import_id IS NULL" if dialect != "sqlite" else ""
    return f"SELECT max(recorded_at) FROM assessment{merged_out}"


def recording_now(session: Any) -> str:
    """Now, as stored, for a write made through ``session`` (a session or a connection)."""
    if is_fixed():
        return utc_now_iso()
    # A connection has a dialect; a session hands out its connection. (Duck-typed: a file's
    # reads and SQL writes run on sqlite3 directly, and SQLAlchemy is not imported for them.)
    conn = session if hasattr(session, "dialect") else session.connection()
    if conn.dialect.name == "sqlite":
        return utc_now_iso()
    return str(conn.execute(text(SERVER_NOW_SQL)).scalar_one())


def now_and_latest_recording(session: Any, *, now: Callable[[Any], str] = recording_now) -> tuple[str, str | None]:
    """The recording time and the latest recording (``latest_recording_sql``), for a write through
    an ORM ``session``. On a server both come from one statement: every round trip of a write is
    spent holding the record's write lock, which the other writers are waiting for. ``now`` reads
    the time on a file (or a fixed time); a server's own clock needs no other reading."""
    dialect = session.connection().dialect.name
    latest_sql = latest_recording_sql(dialect)
    if is_fixed() or dialect == "sqlite":
        stamp = now(session)
        return stamp, session.exec(text(latest_sql)).one()[0]
    row = session.exec(text(f"{SERVER_NOW_SQL}, ({latest_sql})")).one()
    return str(row[0]), row[1]
