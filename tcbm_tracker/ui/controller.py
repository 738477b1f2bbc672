"""The application's state and use-cases, without widgets: which database is open, the "as of"
date, the undo stack, and the jobs that load views and record edits.

Views ask; the controller runs a job on the single background thread and answers with a signal
carrying DTOs. Errors come back as ``error_occurred`` and the window decides how to show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from tcbm_tracker.domain.errors import NotFoundError, ReadOnlyLoginError, StorageError
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.change_feed import ChangeFeed, DatabaseUnavailableError
from tcbm_tracker.services.dto import (
    AssessmentInfo,
    CatalogInfo,
    Change,
    Dossier,
    EvidenceInfo,
    Matrix,
    MeasureOverview,
)
from tcbm_tracker.services.tracker import (
    DEFAULT_BUSY_TIMEOUT_MS,
    Tracker,
    is_server,
    open_tracker,
    read_only_login,
    server_display_name,
)
from tcbm_tracker.ui.edits import Cell, EditContext, EditOutcome, EditRequest, RecordAssessmentsCommand, run_edit
from tcbm_tracker.ui.jobs import Job, JobContext, JobRunner

REGION_ATTRIBUTE = "un_regional_group"
STANDING_ATTRIBUTE = "un_regional_group_standing"  # the United States: an observer of WEOG
# Edits of more cells than this show a progress dialog (they take well over 150 ms).
LONG_EDIT_CELLS = 50
UNDO_LIMIT = 200  # edits Ctrl+Z can take back (docs/desktop.md)


@dataclass(frozen=True)
class MatrixData:
    matrix: Matrix
    catalogs: tuple[CatalogInfo, ...]
    region_labels: dict[str, str]
    standing_labels: dict[str, str] = field(default_factory=dict)  # "observer" -> the UN's wording
    # The change-log position read just before the matrix: live updates count changes from it,
    # so that a write landing while the matrix is read is not missed.
    log_head: int | None = None


@dataclass(frozen=True)
class CellHistory:
    actor: str
    measure: str
    entries: tuple[AssessmentInfo, ...]
    evidence: dict[int, EvidenceInfo] = field(default_factory=dict)  # every item the entries cite


@dataclass(frozen=True)
class ChangesSince:
    since: dt.date
    changes: tuple[Change, ...]


class TrackerController(QObject):
    database_opened = Signal(object)  # Path
    database_closed = Signal()
    matrix_loaded = Signal(object)  # MatrixData
    dossier_loaded = Signal(object)  # Dossier
    measure_loaded = Signal(object)  # MeasureOverview
    history_loaded = Signal(object)  # CellHistory
    changes_loaded = Signal(object)  # ChangesSince
    edit_context_ready = Signal(object)  # EditContext
    assessments_saved = Signal(object)  # list[AssessmentInfo]
    as_of_changed = Signal(object)  # dt.date
    long_job_started = Signal(object, str)  # Job, title
    error_occurred = Signal(object, str)  # exception, details

    def __init__(self, runner: JobRunner, *, user: str | None = None, today: Callable[[], dt.date] = dt.date.today,
                 busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.user = user
        self.busy_timeout_ms = busy_timeout_ms
        self.today = today
        self.tracker: Tracker | None = None
        self.as_of: dt.date = today()
        self.undo_stack = QUndoStack(self)
        # A bounded undo history, as editors keep one: each step holds its edit's plan (every
        # cell's assessment to restore), so an unbounded stack grows for as long as the window
        # is open. Older edits stay in the record; only Ctrl+Z no longer reaches them.
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.last_saved_at: dt.datetime | None = None
        self.current_actor: str | None = None
        self.current_measure: str | None = None
        # Why the open database cannot be read now (set by live updates); None while it can.
        self.unavailable_reason: str | None = None

    # --- plumbing ---------------------------------------------------------------------------
    def _submit(self, name: str, fn: Callable[[Tracker, JobContext], Any], on_success: Callable[[Any], None],
                *, long_title: str | None = None, on_failure: Callable[[BaseException, str], None] | None = None) -> Job | None:
        tracker = self.tracker
        if tracker is None:
            return None
        job = self.runner.submit(name, lambda ctx: _explained(fn, tracker, ctx), on_success,
                                 on_failure or self._failed)
        if long_title is not None:
            self.long_job_started.emit(job, long_title)
        return job

    def _failed(self, exc: BaseException, details: str) -> None:
        self.error_occurred.emit(exc, details)

    def _read_failed(self, exc: BaseException, details: str) -> None:
        """A view that could not be read while the database cannot be (a server gone): the banner
        already says so, and the view keeps what it showed. Any other failure is said."""
        if isinstance(exc, DatabaseUnavailableError) or (self.unavailable_reason is not None
                                                         and isinstance(exc, StorageError)):
            return
        self._failed(exc, details)

    @property
    def read_only(self) -> bool:
        """The open file cannot be written, or the server login may only read (found when it was
        opened): views and reports work, edits are refused."""
        return self.tracker is not None and not self.tracker.db.can_write

    @property
    def read_only_login(self) -> str | None:
        """On a server whose login may only read: why, naming the login and its role (else None)."""
        return None if self.tracker is None else read_only_login(self.tracker)

    @property
    def is_today(self) -> bool:
        return self.as_of == self.today()

    # --- databases ----------------------------------------------------------------------------
    def open_database(self, path: Path, *, create: bool = False) -> None:
        """Open ``path`` (initialising it first when ``create``); the previous database stays
        open if this fails. The job also reads the matrix, so that the window can show it the
        moment the file is open (at start-up this overlaps with building the window)."""
        path = Path(path)
        user, busy, day = self.user, self.busy_timeout_ms, self.as_of

        def job(ctx: JobContext) -> tuple[Tracker, MatrixData]:
            if create:
                # Set-up (seeding, the table classes) is only needed to create a file: not imported at start-up.
                from tcbm_tracker.services.setup import initialise

                ctx.progress(0, 0, f"Creating {path.name}…")
                initialise(path, user=user)
            else:
                # The quick check (a damaged file is refused, naming the newest good backup) and
                # the day's automatic backup, before the file is opened for writing.
                from tcbm_tracker.services.backups import startup_check

                ctx.progress(0, 0, f"Checking {path.name}…")
                startup_check(path)
            ctx.progress(0, 0, f"Opening {path.name}…")
            return _with_first_matrix(open_tracker(path, user=user, busy_timeout_ms=busy), ctx, path.name, day)

        opening = self.runner.submit("open", job, self._opened, self._failed)
        self.long_job_started.emit(opening, f"Opening {path.name}")

    def open_server(self, url: str) -> None:
        """Open a shared database on a server by URL (what ``--db URL`` opens); answers like
        ``open_database``. The previous database stays open if this fails.

        No start-up check or daily backup: those are a file's (a server is backed up with
        ``pg_dump`` by its administrator). Changes are recorded under the server login."""
        busy, day = self.busy_timeout_ms, self.as_of
        where = server_display_name(url)

        def job(ctx: JobContext) -> tuple[Tracker, MatrixData]:
            ctx.progress(0, 0, f"Connecting to {where}…")
            return _with_first_matrix(open_tracker(url, busy_timeout_ms=busy), ctx, where, day)

        opening = self.runner.submit("open server", job, self._opened, self._failed)
        self.long_job_started.emit(opening, "Connecting to the server")

    @property
    def on_server(self) -> bool:
        """The open database is a shared one on a server (not a file)."""
        return self.tracker is not None and is_server(self.tracker)

    def _opened(self, result: tuple[Tracker, MatrixData]) -> None:
        tracker, data = result
        old = self.tracker
        self.tracker = tracker
        if old is not None:
            # Queued behind any job still using it, so that nothing runs on a disposed engine.
            self.runner.submit("close", lambda ctx: old.close())
        self.undo_stack.clear()
        self.database_opened.emit(tracker.path)
        if data.matrix.as_of == self.as_of:
            self.matrix_loaded.emit(data)
            if self.current_actor:
                self.load_dossier(self.current_actor)
            if self.current_measure:
                self.load_measure(self.current_measure)
        else:  # the date changed while the file was opening
            self.reload()

    def close_database(self) -> None:
        tracker, self.tracker = self.tracker, None
        if tracker is not None:
            self.runner.submit("close", lambda ctx: tracker.close())
            self.undo_stack.clear()
            self.database_closed.emit()

    # --- loading views --------------------------------------------------------------------------
    def set_as_of(self, day: dt.date) -> None:
        if day == self.as_of:
            return
        self.as_of = day
        self.as_of_changed.emit(day)
        self.reload()

    def reload(self) -> None:
        """Reload the matrix and the open dossier and measure view (after an edit or a date change)."""
        self.load_matrix()
        if self.current_actor:
            self.load_dossier(self.current_actor)
        if self.current_measure:
            self.load_measure(self.current_measure)

    def load_matrix(self) -> None:
        day = self.as_of

        self._submit("matrix", lambda t, ctx: _matrix_data(t, day), self.matrix_loaded.emit, on_failure=self._read_failed)

    def load_dossier(self, actor: str) -> None:
        self.current_actor = actor
        day = self.as_of
        self._submit("dossier", lambda t, ctx: t.queries.dossier(actor, as_of=day), self._dossier_done,
                     on_failure=self._read_failed)

    def _dossier_done(self, dossier: Dossier) -> None:
        self.dossier_loaded.emit(dossier)

    def load_measure(self, measure: str) -> None:
        self.current_measure = measure
        day = self.as_of
        self._submit("measure", lambda t, ctx: t.queries.measure_overview(measure, as_of=day), self._measure_done,
                     on_failure=self._read_failed)

    def _measure_done(self, overview: MeasureOverview) -> None:
        self.measure_loaded.emit(overview)

    def load_history(self, actor: str, measure: str) -> None:
        def job(t: Tracker, ctx: JobContext) -> CellHistory:
            entries = tuple(t.assessments.history(actor, measure))
            cited = sorted({i for a in entries for i in a.evidence_ids})
            return CellHistory(actor, measure, entries, {i: t.evidence.get(i) for i in cited})

        self._submit("history", job, self.history_loaded.emit, on_failure=self._read_failed)

    def load_changes(self, since: dt.date) -> None:
        self._submit("changes", lambda t, ctx: ChangesSince(since, tuple(t.assessments.changes_since(since))),
                     self.changes_loaded.emit, on_failure=self._read_failed)

    # --- editing ------------------------------------------------------------------------------------
    def prepare_edit(self, cells: list[Cell]) -> None:
        """Load what the editor needs for these cells; answers with ``edit_context_ready``."""
        if not cells or self._refused("Editing is paused") or self.login_refuses():
            return
        cells_t = tuple(cells)
        default_effective = self.as_of

        def job(t: Tracker, ctx: JobContext) -> EditContext:
            actors = {a.key: a.name for a in t.reference.actors()}
            measures = {m.key: m.title for m in t.reference.measures()}
            current = None
            if len(cells_t) == 1:
                history = t.assessments.history(*cells_t[0])
                current = next((h for h in history if h.effective_date <= default_effective), None)
            return EditContext(cells_t, {a: actors[a] for a, _ in cells_t}, {m: measures[m] for _, m in cells_t},
                               current, tuple(t.evidence.list()), default_effective)

        self._submit("prepare edit", job, self.edit_context_ready.emit)

    def record(self, request: EditRequest) -> Job | None:
        """Write an accepted edit; on success it goes on the undo stack."""
        if self._refused("Not saved") or self.login_refuses():
            return None
        title = f"Recording {len(request.cells):,} assessments" if len(request.cells) > LONG_EDIT_CELLS else None
        return self._submit("edit", lambda t, ctx: _checked_edit(t, request, ctx), self._recorded, long_title=title)

    def _refused(self, what: str) -> bool:
        """Say why an edit cannot be made while the database cannot be read (nothing is written)."""
        reason = self.unavailable_reason
        if reason is None:
            return False
        self.error_occurred.emit(DatabaseUnavailableError(
            f"{what}: the database cannot be read ({reason}). The window reconnects by itself when it is back."), "")
        return True

    def login_refuses(self, what: str = "Not recorded") -> bool:
        """Refuse an edit or an import at once, with the reason, when the server login may only
        read: no editor or file dialog opens for a change the server would refuse."""
        reason = self.read_only_login
        if reason is None:
            return False
        self.error_occurred.emit(ReadOnlyLoginError(f"{what}: {reason}"), "")
        return True

    def _recorded(self, outcome: EditOutcome) -> None:
        self.undo_stack.push(RecordAssessmentsCommand(outcome, self._write_inputs))
        self._saved(outcome.saved)

    def _write_inputs(self, command: RecordAssessmentsCommand, items: list[AssessmentInput], description: str) -> None:
        """Undo and redo: record the given inputs as one transaction.

        Called from inside QUndoStack.undo()/redo(), before the stack moves: ``index`` is where
        the stack stands now, and where it goes back to if the write fails.
        """
        title = f"{description}" if len(items) > LONG_EDIT_CELLS else None
        index = self.undo_stack.index()

        def job(t: Tracker, ctx: JobContext) -> list[AssessmentInfo]:
            ctx.check()
            _check_readable(t)
            return t.assessments.record_many(items)

        self._submit("undo/redo", job, self._saved, long_title=title,
                     on_failure=lambda exc, details: self._undo_failed(index, exc, details))

    def _undo_failed(self, index: int, exc: BaseException, details: str) -> None:
        """Nothing was written: put the stack back where it was, without writing anything."""
        stack = self.undo_stack
        low, high = sorted((stack.index(), index))
        moved = [stack.command(i) for i in range(low, high)]
        for command in moved:
            if isinstance(command, RecordAssessmentsCommand):
                command.skip_next = True
        stack.setIndex(index)
        for command in moved:
            if isinstance(command, RecordAssessmentsCommand):
                command.skip_next = False
        self.error_occurred.emit(exc, details)

    def _saved(self, saved: list[AssessmentInfo]) -> None:
        self.last_saved_at = dt.datetime.now()
        self.assessments_saved.emit(saved)
        self.reload()


def _with_first_matrix(tracker: Tracker, ctx: JobContext, where: str, day: dt.date) -> tuple[Tracker, MatrixData]:
    """A database just opened, with its matrix read so that the window shows it at once; closed
    again if the read fails or is cancelled (the database open before stays open)."""
    try:
        ctx.progress(0, 0, f"Reading {where}…")
        return tracker, _matrix_data(tracker, day)
    except BaseException:
        tracker.close()
        raise


def _matrix_data(tracker: Tracker, day: dt.date) -> MatrixData:
    head = ChangeFeed.of(tracker.db).head()
    return MatrixData(tracker.queries.matrix(as_of=day), tuple(tracker.reference.catalogs()),
                      tracker.reference.attribute_labels(REGION_ATTRIBUTE),
                      tracker.reference.attribute_labels(STANDING_ATTRIBUTE), head)


def _checked_edit(tracker: Tracker, request: EditRequest, ctx: JobContext) -> EditOutcome:
    """Record an edit, refused as not saved when the database went away since the editor opened.

    SQLite would write through its open handle into a file moved away (or lost with a pulled
    stick): the user would believe it saved where it is not.
    """
    _check_readable(tracker)
    try:
        return run_edit(tracker, request, ctx)
    except StorageError as exc:
        # A server lost during the write: the transaction was rolled back with the connection.
        # Said as "not saved" in so many words, whatever the driver's wording of the loss.
        if not isinstance(exc, DatabaseUnavailableError) and is_server(tracker):
            _check_readable(tracker)
        raise


def _check_readable(tracker: Tracker) -> None:
    try:
        ChangeFeed.of(tracker.db).probe()
    except DatabaseUnavailableError as exc:
        raise DatabaseUnavailableError(f"Not saved: {exc}") from None


def _explained(fn: Callable[[Tracker, JobContext], Any], tracker: Tracker, ctx: JobContext) -> Any:
    """Run a job; a lookup that found nothing is checked against damage to the file, and a
    server's failure against the server being gone (``DatabaseUnavailableError``)."""
    try:
        return fn(tracker, ctx)
    except NotFoundError as exc:
        raise tracker.integrity.explain_not_found(exc) from None
    except StorageError as exc:
        # A server that went away: said as such (the banner's reason), not as a failed query.
        if is_server(tracker) and not isinstance(exc, DatabaseUnavailableError):
            ChangeFeed.of(tracker.db).probe()
        raise
