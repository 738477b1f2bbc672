"""Live updates: other writers' changes reach this window within a second, and a lost database is said.

A timer asks the change feed (``services.change_feed``) what changed after the last change-log
position seen; the question runs as a job on the background thread like every database call,
one poll at a time. Changed cells are read again as of the date shown and handed to the window
as ``CellUpdate``s, so that the matrix repaints those cells only; a change the cells cannot
express (an actor added, a catalogue loaded, a page of changes too long) asks for a full reload.

On a server, a thread listening for the server's notifications (``ui.commit_listener``) asks
for a poll the moment another client commits: the timer is then only the fallback.

When the feed cannot read the database (a file moved away, a stick pulled out, a server gone),
``availability_changed(False, reason)`` is emitted once and polling goes on; the first poll that
reads again emits ``availability_changed(True, "")`` and catches up from where it stopped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from tcbm_tracker.services.change_feed import ChangeFeed, ChangeNotice, DatabaseUnavailableError, FeedBatch, writer_name
from tcbm_tracker.services.dto import CellState
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.ui.commit_listener import CommitListenerThread
from tcbm_tracker.ui.controller import MatrixData, TrackerController
from tcbm_tracker.ui.jobs import JobContext

POLL_MS = 1_000  # "within a second"
MAX_CELLS = 200  # more changed cells than this in one poll: one full reload is cheaper


@dataclass(frozen=True)
class LiveChanges:
    """What one poll found: the notices, the changed cells read again, or "reload everything"."""

    notices: tuple[ChangeNotice, ...]  # every change, this window's own included
    others: tuple[ChangeNotice, ...]  # changes by other people
    cells: dict[tuple[str, str], CellState | None]  # None: not assessed as of the date shown
    as_of: dt.date
    full_reload: bool


class LiveUpdates(QObject):
    changes_arrived = Signal(object)  # LiveChanges
    availability_changed = Signal(bool, str)  # readable, reason when not

    def __init__(self, controller: TrackerController, interval_ms: int = POLL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.available = True
        self.reason = ""
        self._feed: ChangeFeed | None = None
        self._feed_for: Tracker | None = None
        self._cursor: int | None = None
        self._polling = False
        self._poll_again = False  # a notification came during a poll: poll once more after it
        self._error_said = False
        self.listener: CommitListenerThread | None = None
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.poll)
        controller.database_opened.connect(self._opened)
        controller.matrix_loaded.connect(self._matrix_loaded)
        controller.database_closed.connect(self.stop)

    @property
    def feed(self) -> ChangeFeed | None:
        """The feed of the open database (tests set ``feed.fail_with`` to drill a lost server)."""
        tracker = self.controller.tracker
        if tracker is None:
            return None
        if self._feed_for is not tracker:
            self._feed, self._feed_for, self._cursor = ChangeFeed.of(tracker.db), tracker, None
        return self._feed

    def _opened(self, _path: object) -> None:
        self._set_available(True, "")
        feed = self.feed  # bound to the new database; its matrix (next) gives the position to count from
        self.timer.start()
        self._stop_listening()
        listener = feed.listener() if feed is not None else None
        if listener is not None:
            self.listener = CommitListenerThread(listener, self)
            self.listener.heard.connect(self._heard)
            self.listener.start()

    def _heard(self) -> None:
        if self._polling:
            self._poll_again = True  # the running poll may have read the log before that commit
        else:
            self.poll()

    def _matrix_loaded(self, data: MatrixData) -> None:
        if self._cursor is None and self.feed is not None and data.log_head is not None:
            self._cursor = data.log_head

    def poll(self) -> None:
        feed, tracker = self.feed, self.controller.tracker
        if feed is None or tracker is None or self._polling:
            return
        self._polling = True
        cursor, day = self._cursor, self.controller.as_of
        me = writer_name(tracker.user)

        def job(ctx: JobContext) -> tuple[int, LiveChanges | None]:
            if cursor is None:
                return feed.head(), None
            batch = feed.since(cursor)
            return batch.head, _read_changes(tracker, batch, day, me)

        def done(result: tuple[int, LiveChanges | None]) -> None:
            self._polling = False
            if self.feed is not feed:
                return  # another database was opened meanwhile
            self._cursor, changes = result
            self._error_said = False
            self._set_available(True, "")
            if changes is not None and changes.notices:
                self.changes_arrived.emit(changes)
            if self._poll_again:
                self._poll_again = False
                self.poll()

        def failed(exc: BaseException, details: str) -> None:
            self._polling = self._poll_again = False
            if isinstance(exc, DatabaseUnavailableError):
                self._set_available(False, str(exc))
            elif not self._error_said:  # something else went wrong: said once, polling goes on
                self._error_said = True
                self.controller.error_occurred.emit(exc, details)

        self.controller.runner.submit("live updates", job, done, failed)

    def _set_available(self, available: bool, reason: str) -> None:
        if available == self.available and reason == self.reason:
            return
        self.available, self.reason = available, reason
        self.controller.unavailable_reason = None if available else reason
        self.availability_changed.emit(available, reason)

    def stop(self) -> None:
        self.timer.stop()
        self._stop_listening()

    def _stop_listening(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.stop()


def _read_changes(tracker: Tracker, batch: FeedBatch, day: dt.date, me: str) -> LiveChanges:
    others = tuple(n for n in batch.notices if n.user != me)
    cells = batch.cells
    full = batch.more or batch.touches_more_than_cells or len(cells) > MAX_CELLS
    states: dict[tuple[str, str], CellState | None] = {}
    if not full:
        for actor, measure in cells:
            history = tracker.assessments.history(actor, measure)
            current = next((h for h in history if h.effective_date <= day), None)
            states[(actor, measure)] = None if current is None else CellState(
                current.id, current.status, current.provenance, current.confidence, current.effective_date,
                current.recorded_at)
    return LiveChanges(batch.notices, others, states, day, full)
