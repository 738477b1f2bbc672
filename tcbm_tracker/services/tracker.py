"""Opening a tracker database: the one object the CLI and the GUI hold.

``Tracker`` bundles the services over one ``Database``. ``open_tracker`` refuses a file that is
not a usable tracker database with a clear message; ``services.setup.initialise`` creates or
upgrades one.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import UninitialisedDatabaseError
from tcbm_tracker.services.queries import QueryService
from tcbm_tracker.services.reference import ReferenceService
from tcbm_tracker.services.report_check import ReportCheckService
from tcbm_tracker.storage.database import DEFAULT_BUSY_TIMEOUT_MS, Database
from tcbm_tracker.storage.migrations import check_schema

if TYPE_CHECKING:  # imported on first use: a report process needs only queries and reference
    from tcbm_tracker.services.assessments import AssessmentService
    from tcbm_tracker.services.evidence import EvidenceService
    from tcbm_tracker.services.integrity import IntegrityService


def clean_user(user: str | None) -> str | None:
    """The author name recorded with every change: one plain line, checked like any input."""
    return v.clean_text("user", user, max_chars=v.MAX_SHORT_CHARS)


class Tracker:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = clean_user(user)  # who records changes; None means the login name
        self.checked_for_writing = False  # the command line's start-up check ran before opening

    @property
    def path(self) -> Path:
        return self.db.path

    @cached_property
    def reference(self) -> ReferenceService:
        return ReferenceService(self.db, self.user)

    @cached_property
    def assessments(self) -> AssessmentService:
        from tcbm_tracker.services.assessments import AssessmentService

        return AssessmentService(self.db, self.user)

    @cached_property
    def evidence(self) -> EvidenceService:
        from tcbm_tracker.services.evidence import EvidenceService

        return EvidenceService(self.db, self.user)

    @cached_property
    def queries(self) -> QueryService:
        return QueryService(self.db)

    @cached_property
    def integrity(self) -> IntegrityService:
        from tcbm_tracker.services.integrity import IntegrityService

        return IntegrityService(self.db)

    @cached_property
    def report_check(self) -> ReportCheckService:
        return ReportCheckService(self.db)

    def close(self) -> None:
        self.db.dispose()


def is_server(tracker: Tracker) -> bool:
    """The tracker's database is a shared one on a server (``postgresql://``), not a file."""
    return getattr(tracker.db, "dialect", "sqlite") == "postgresql"


def read_only_login(tracker: Tracker) -> str | None:
    """Why a server login may only look, in one line naming the login and its role; None when it
    may record, and for a file (whose read-only mode has its own words)."""
    if not is_server(tracker):
        return None
    from tcbm_tracker.storage.server_database import ServerDatabase

    db = tracker.db
    return db.login.read_only_reason if isinstance(db, ServerDatabase) else None


def server_url(tracker: Tracker) -> str | None:
    """The URL a server database was opened with (it may hold a password: never show it); None for a file."""
    if not is_server(tracker):
        return None
    from tcbm_tracker.storage.server_database import ServerDatabase

    return tracker.db.url if isinstance(tracker.db, ServerDatabase) else None


def database_label(tracker: Tracker) -> str:
    """How an export names the database it came from: a file's name, or a server database's
    display name (its database, server and login)."""
    return str(tracker.path) if is_server(tracker) else tracker.path.name


def file_stem(tracker: Tracker) -> str:
    """The start of a file name suggested for something made from this database: a file's own
    stem (``tracker`` for tracker.sqlite); on a server, the database's name there (``tcbm``), as
    a server's display name (database, server, login) makes no file name."""
    if not is_server(tracker):
        return tracker.path.stem
    from tcbm_tracker.storage.server_database import ServerDatabase

    db = tracker.db
    name = db.login.database if isinstance(db, ServerDatabase) else ""
    # Any database name is allowed on a server; a file name keeps letters, digits, '.', '_', '-'.
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "tcbm"


def server_display_name(url: str) -> str:
    """A server URL as shown to a user (the database, server and login; never a password)."""
    from tcbm_tracker.storage.server_database import describe

    return describe(url)


def open_database(target: Path | str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Database:
    """A file's ``Database``, or a ``ServerDatabase`` for a ``postgresql://`` URL."""
    from tcbm_tracker.storage.locations import is_server_url

    if is_server_url(target):
        from tcbm_tracker.storage.server_database import ServerDatabase

        return ServerDatabase(str(target), busy_timeout_ms=busy_timeout_ms)
    return Database(Path(target), busy_timeout_ms=busy_timeout_ms)


def open_tracker(path: Path | str, *, user: str | None = None, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Tracker:
    """Open an existing, up-to-date tracker database (a file, or a ``postgresql://`` URL)."""
    from tcbm_tracker.storage.locations import is_server_url

    user = clean_user(user)
    db: Database
    if is_server_url(path):
        from tcbm_tracker.storage.server_database import ServerDatabase  # SQLAlchemy and psycopg: a server only

        db = server = ServerDatabase(str(path), busy_timeout_ms=busy_timeout_ms)
        try:
            # Changes are recorded under the server's login, never a name the client claims
            # (``server setup``'s triggers refuse any other). Whether that login may record is
            # learnt in the same round trip (``ServerDatabase.can_write``).
            user = server.login.name
        except BaseException:
            db.dispose()
            raise
    else:
        path = Path(path)
        if not path.exists():
            raise UninitialisedDatabaseError(f"no tracker database at {path}: run `tcbm-tracker init` to create it")
        db = Database(path, busy_timeout_ms=busy_timeout_ms)
    try:
        check_schema(db)
    except BaseException:
        db.dispose()
        raise
    return Tracker(db, user)
