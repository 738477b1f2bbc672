"""Background jobs: every database call runs on one worker thread, one job at a time, in order.

One thread means one writer (SQLite allows no more) and a strict order: an undo submitted after
an edit always runs after it. Jobs never touch widgets; they report through signals that Qt
delivers on the GUI thread. A job may report progress and is cancelled cooperatively: the next
``progress()`` call after ``cancel()`` raises ``JobCancelled`` inside the job, before anything
is committed.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class JobCancelled(Exception):
    """Raised inside a job when the user pressed Cancel."""


class JobSignals(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)  # exception, formatted traceback
    cancelled = Signal()
    finished = Signal()


class JobContext:
    """What a running job sees: progress reporting and the cancel flag."""

    def __init__(self, signals: JobSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled()

    def progress(self, done: int, total: int, text: str = "", *, check: bool = True) -> None:
        """Report progress; by default also the point where a cancelled job stops."""
        if check:
            self.check()
        self._signals.progressed.emit(done, total, text)


class Job(QRunnable):
    def __init__(self, name: str, fn: Callable[[JobContext], Any]) -> None:
        super().__init__()
        # Python keeps the job alive (JobRunner._running); Qt must not delete it under us.
        self.setAutoDelete(False)
        self.name = name
        self.fn = fn
        self.signals = JobSignals()
        self.context = JobContext(self.signals)
        # Set before ``finished`` is emitted: a slot connected after a quick job already ended
        # (the job starts when submitted) would otherwise never hear of it.
        self.done = threading.Event()

    def cancel(self) -> None:
        self.context.cancel()

    def run(self) -> None:
        try:
            self.context.check()
            result = self.fn(self.context)
        except JobCancelled:
            self.signals.cancelled.emit()
        except BaseException as exc:  # delivered to the GUI thread, which decides what to show
            self.signals.failed.emit(exc, "".join(traceback.format_exception(exc)))
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.done.set()
            self.signals.finished.emit()


class JobRunner(QObject):
    """The single-thread pool that runs every job."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._running: set[Job] = set()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def submit(
        self,
        name: str,
        fn: Callable[[JobContext], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException, str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> Job:
        job = Job(name, fn)
        if on_success is not None:
            job.signals.succeeded.connect(on_success)
        if on_failure is not None:
            job.signals.failed.connect(on_failure)
        if on_progress is not None:
            job.signals.progressed.connect(on_progress)
        if on_cancel is not None:
            job.signals.cancelled.connect(on_cancel)
        def done() -> None:
            self._done(job)
            # This slot holds the job, and the job's signals hold this slot: a cycle through Qt
            # that Python's collector cannot see. Cut it, or every job ever run (its closure,
            # its signals object) stays in memory for the rest of the session.
            job.signals.finished.disconnect(done)

        job.signals.finished.connect(done)
        was_busy = self.busy
        self._running.add(job)
        if not was_busy:
            self.busy_changed.emit(True)
        self.pool.start(job.run)  # a callable: PySide6 keeps a started QRunnable referenced for ever
        return job

    def _done(self, job: Job) -> None:
        self._running.discard(job)
        if not self._running:
            self.busy_changed.emit(False)

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until every submitted job has run (for shutdown, screenshots and scripts)."""
        return self.pool.waitForDone(msecs)
