"""Errors a user can cause and fix, as opposed to bugs.

Every ``TrackerError`` carries a one-line message that names what was wrong; the command line
prints it as is and the GUI shows it in a dialog. Anything that is not a ``TrackerError`` is a
bug and is reported with its traceback.
"""

from __future__ import annotations


class TrackerError(Exception):
    """A problem with the user's input or environment; the message is shown to the user."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(TrackerError):
    """A value the user typed or imported breaks a rule; ``field`` names which one."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class NotFoundError(TrackerError):
    """An actor, measure, catalogue or evidence key that does not exist."""


class CatalogError(TrackerError):
    """A catalogue file that cannot be loaded (malformed, duplicate key, older version...)."""


class ActorFileError(TrackerError):
    """An actor list file that cannot be loaded."""


class StorageError(TrackerError):
    """The database file cannot be used as asked."""

    exit_code = 3


class NotADatabaseError(StorageError):
    """The file exists but is not an SQLite database (or is damaged beyond opening)."""


class ReadOnlyDatabaseError(StorageError):
    """The file or its folder cannot be written."""


class ReadOnlyLoginError(StorageError):
    """The server login may read the shared record but not record in it (``tcbm_reader`` only)."""


class DatabaseLockedError(StorageError):
    """Another process holds the write lock for longer than we are willing to wait."""


class NewerSchemaError(StorageError):
    """The database was written by a newer version of TCBM Tracker."""


class UninitialisedDatabaseError(StorageError):
    """The database has no tracker schema yet; ``tcbm-tracker init`` creates it."""


class MigrationError(StorageError):
    """A schema upgrade that would leave the data inconsistent; it is rolled back."""


class IncompleteDatabaseError(UninitialisedDatabaseError):
    """``init`` was interrupted before it finished; running it again finishes the file."""


class KeyFileError(StorageError):
    """The copy's signing key file cannot be read, is damaged, or cannot be written."""


class UnknownSchemaError(StorageError):
    """The database's schema is not one this version knows, and not a newer release's either."""


class DamagedDatabaseError(StorageError):
    """SQLite's quick check failed: the file is never opened for writing; ``backup`` names the
    newest good backup copy (or is None), so that the user can be offered it."""

    def __init__(self, message: str, backup: object | None = None) -> None:
        super().__init__(message)
        self.backup = backup


class DiskFullError(StorageError):
    """A write did not fit on the disk; it was rolled back."""
