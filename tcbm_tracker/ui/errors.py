"""Showing errors: user errors get a plain message that says what to do, bugs get details.

A ``TrackerError`` (locked, read-only, damaged, newer-version database, a write that failed, a
bad value) is something the user can act on: a non-blocking message box names it and says what
to do, and nothing was changed. Anything else is a bug: a dialog with the traceback in a
copyable text box, also written to stderr. Both are shown with ``open()``/``show()`` so that the
window keeps running (and tests can drive them).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tcbm_tracker.domain.errors import (
    DamagedDatabaseError,
    DatabaseLockedError,
    DiskFullError,
    IncompleteDatabaseError,
    KeyFileError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    ReadOnlyLoginError,
    StorageError,
    TrackerError,
    UninitialisedDatabaseError,
    UnknownSchemaError,
    ValidationError,
)

# (title, what to do), most specific class first.
_ADVICE: list[tuple[type[TrackerError], str, str]] = [
    (DatabaseLockedError, "The database is busy",
     "Another program is writing to this file. Nothing was changed. Wait a moment and try again; "
     "if it keeps happening, close the other program (or the other TCBM Tracker window)."),
    (ReadOnlyDatabaseError, "The database is read-only",
     "Nothing was changed. You can still look at the data. To record changes, make the file and its "
     "folder writable, or copy the file somewhere writable and open the copy."),
    (ReadOnlyLoginError, "Your server login may only read",
     "Nothing was changed. You can still look at the record and print reports. To record, ask the server's "
     "administrator for the role tcbm_editor (tcbm-tracker server grant LOGIN tcbm_editor)."),
    (DamagedDatabaseError, "The database is damaged",
     "It was not opened for writing, and nothing was changed. The message names the newest good "
     "backup copy: restore it with File > Backups... (the damaged file is kept as a backup too)."),
    (NotADatabaseError, "The file cannot be opened",
     "The file is damaged or is not a TCBM Tracker database. Nothing was changed. Open another file, "
     "or restore a backup copy (File > Backups...)."),
    (DiskFullError, "The disk is full",
     "Nothing was changed. Free some space on the disk, then try again. The data can still be read."),
    (KeyFileError, "The signing key cannot be used",
     "Reports and seals are signed with this copy's key, which could not be read or made. Nothing was "
     "changed. Restore the key file from a backup (the message names it)."),
    (UnknownSchemaError, "The database's schema is not known",
     "It was not written by a released version of TCBM Tracker, so it cannot be upgraded safely. "
     "Nothing was changed. Restore a backup copy."),
    (IncompleteDatabaseError, "The database was not finished",
     "Its set-up was interrupted. Nothing was changed. Run `tcbm-tracker init` on it to finish it, "
     "then open it again."),
    (NewerSchemaError, "The database is from a newer version",
     "It was written by a newer version of TCBM Tracker. Nothing was changed. Install the newer "
     "version to open it."),
    (UninitialisedDatabaseError, "The file is not ready to use",
     "Nothing was changed. Choose File > New Database to create a tracker database, or open another file."),
    (StorageError, "The change could not be saved",
     "Nothing was changed. Check that the disk has free space and the file is still reachable, then try again."),
    (ValidationError, "That value is not accepted",
     "Correct the value and try again. Nothing was changed."),
    (TrackerError, "That could not be done", "Nothing was changed."),
]


def advice_for(exc: TrackerError) -> tuple[str, str]:
    for cls, title, advice in _ADVICE:
        if isinstance(exc, cls):
            return title, advice
    raise AssertionError("TrackerError is the last entry")


def show_user_error(parent: QWidget | None, exc: TrackerError) -> QMessageBox:
    title, advice = advice_for(exc)
    box = QMessageBox(QMessageBox.Icon.Warning, title, exc.message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("userErrorBox")
    box.setInformativeText(advice)
    box.open()
    return box


class BugReportDialog(QDialog):
    """An unexpected error: what happened in one line, the details copyable below."""

    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unexpected error")
        self.setObjectName("bugReportDialog")
        layout = QVBoxLayout(self)
        log = _log_file()
        where = f"<br><br>The log (no notes are ever written to it) is {_escape(log)}." if log else ""
        intro = QLabel(
            f"<b>Something went wrong inside TCBM Tracker.</b><br>{_escape(summary)}<br><br>"
            "Edits accepted before this were saved. Please copy the details below into a bug report." + where
        )
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setMinimumSize(560, 220)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


def _log_file() -> str | None:
    """The log file set up by the application (found through logging: the GUI never imports storage)."""
    for handler in logging.getLogger("tcbm_tracker").handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return str(handler.baseFilename)
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def show_bug(parent: QWidget | None, exc: BaseException, details: str) -> BugReportDialog:
    print(details, file=sys.stderr)
    logging.getLogger("tcbm_tracker.gui").error("unexpected error", exc_info=exc)
    dialog = BugReportDialog(f"{type(exc).__name__}: {exc}", details, parent)
    dialog.setModal(False)
    dialog.show()
    return dialog


def show_error(parent: QWidget | None, exc: BaseException, details: str = "") -> QWidget:
    """The one entry point: a message box for a user error, the bug dialog for anything else."""
    if isinstance(exc, TrackerError):
        return show_user_error(parent, exc)
    return show_bug(parent, exc, details or "".join(traceback.format_exception(exc)))


def install_excepthook(parent: Callable[[], QWidget | None]) -> None:
    """Show an exception escaping a Qt slot instead of letting it pass silently to stderr."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(parent(), exc, "".join(traceback.format_exception(kind, exc, tb)))

    sys.excepthook = hook
