"""The log file: errors and slow operations, in a rotating file in the user's log folder.

Set up by the command line and the desktop application (``setup_logging``), never by library
code. What it must never hold is what users wrote: notes may carry confidential diplomatic
assessments. So the messages logged are the tracker's own (command names, durations, error
messages naming a field), and the message of an unexpected exception is withheld: it can
quote anything, such as the parameters of a failed SQL statement. The exception's type and
stack (file, line, function) are kept, which is what a bug report needs.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path
from types import TracebackType

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.storage.locations import log_dir

LOGGER_NAME = "tcbm_tracker"
FILE_NAME = "tcbm-tracker.log"
MAX_BYTES = 1_000_000
BACKUPS = 3  # tcbm-tracker.log.1 ... .3: at most 4 MB in all

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class WithholdingFormatter(logging.Formatter):
    """Exceptions as type and stack only; the message only for the tracker's own errors."""

    def format(self, record: logging.LogRecord) -> str:
        # logging caches the formatted exception on the record: another handler (a test
        # runner's, say) may have cached the full text, message included, before this one runs.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: ExcInfo) -> str:  # noqa: N802 - logging's name
        kind, exc, tb = ei
        if kind is None or exc is None:
            return ""
        frames = "".join(traceback.format_tb(tb))
        if isinstance(exc, TrackerError):
            last = f"{kind.__name__}: {exc.message}"
        else:
            last = f"{kind.__name__} (message withheld from the log: it may quote user text)"
        cause = exc.__cause__ or exc.__context__
        chained = f"\n(caused by {type(cause).__name__})" if cause is not None else ""
        return f"Traceback (most recent call last):\n{frames}{last}{chained}"


def log_file() -> Path | None:
    """The file the tracker logs to, if logging was set up in this process."""
    for handler in logging.getLogger(LOGGER_NAME).handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def setup_logging(folder: Path | None = None) -> Path | None:
    """Log to ``tcbm-tracker.log`` in ``folder`` (default: ``log_dir()``); returns its path.

    Safe to call again: a handler to another folder is replaced. A folder that cannot be
    created or written (a read-only home, say) means no log file, never a failed command.
    """
    path = (folder or log_dir()) / FILE_NAME
    logger = logging.getLogger(LOGGER_NAME)
    current = log_file()
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the terminal gets its one-line messages from the command line itself
    logger.disabled = False  # logging.config (as some libraries call it) can disable existing loggers
    if current == path:
        return path
    for handler in list(logger.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(WithholdingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return path
