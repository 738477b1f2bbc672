"""The main window: assembles the views, menus, toolbar and status bar around the controller.

It holds no data and no rules: views show what the controller loads, and user actions become
controller calls. Dialogs are reached through ``Dialogs`` (passed in), so that tests can
answer them without opening anything modal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressDialog,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid as shiboken_valid

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.dto import Dossier, MeasureOverview
from tcbm_tracker.ui.connect_dialog import ServerConnector
from tcbm_tracker.ui.controller import CellHistory, ChangesSince, MatrixData, TrackerController
from tcbm_tracker.ui.date_field import IsoDateEdit
from tcbm_tracker.ui.dossier_view import ActorDossierView
from tcbm_tracker.ui.edits import EditContext
from tcbm_tracker.ui.errors import show_error
from tcbm_tracker.ui.exchange_actions import ExchangeMenu
from tcbm_tracker.ui.history_view import CellHistoryView, ChangesView
from tcbm_tracker.ui.jobs import Job
from tcbm_tracker.ui.live_window import LiveWindow
from tcbm_tracker.ui.matrix_view import MatrixView
from tcbm_tracker.ui.measure_view import MeasureView
from tcbm_tracker.ui.report_actions import ReportExporter, ReportMenu, ReportSubjects
from tcbm_tracker.ui.settings import WindowSettings
from tcbm_tracker.ui.sort_menu import SortMenu
from tcbm_tracker.ui.window_dialogs import Dialogs
from tcbm_tracker.ui.window_extras import WindowExtras
from tcbm_tracker.ui.window_fit import fit_to_screen
from tcbm_tracker.ui.wording import count


def _with_standard(key: QKeySequence, standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """``key`` first, then the platform's own keys for ``standard`` (without repeating ``key``):
    a key listed twice on one action makes Qt report an ambiguous shortcut and run nothing."""
    return [key] + [k for k in QKeySequence.keyBindings(standard) if k != key]


class MainWindow(QMainWindow):
    def __init__(self, controller: TrackerController, settings: WindowSettings, dialogs: Dialogs | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings
        self.dialogs = dialogs or Dialogs()
        self.last_error: QWidget | None = None
        self.progress: QProgressDialog | None = None
        self._actor_names: dict[str, str] = {}
        # The actor the user looked at last (a dossier opened, a cell or row of an actor made
        # current): what Ctrl+P reports on, named in the menu.
        self._last_actor: str | None = None
        # The change list is read when its tab is shown (not at start-up, where the job would
        # compete with the first paint of the matrix); True while it may be out of date.
        self._changes_stale = True
        self.reports = ReportMenu(
            ReportExporter(controller, self),
            ReportSubjects(actor=self.current_actor, measure=self.current_measure,
                           matrix_filter=lambda: self.matrix_view.current_filter(),
                           changes_since=lambda: self.changes_view.since_date()),
            ask_path=lambda parent, request: self._remember_folder(self.dialogs.ask_report_path(parent, request)),
            show_message=lambda text: self.statusBar().showMessage(text, 10_000),
            parent=self,
        )
        self.exchange = ExchangeMenu(controller, self, lambda text: self.statusBar().showMessage(text, 10_000))
        self.setObjectName("mainWindow")
        self.setWindowTitle("TCBM Tracker")

        self.matrix_view = MatrixView()
        self.dossier_view = ActorDossierView()
        self.measure_view = MeasureView()
        self.changes_view = ChangesView(controller.today())
        self.history_view = CellHistoryView()
        self.history_view.details.open_attachment = self.exchange.open_attachment  # "Open the attached file" links
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.matrix_view, "&Matrix")
        self.tabs.addTab(self.dossier_view, "&Actor")
        self.tabs.addTab(self.measure_view, "Mea&sure")
        self.tabs.addTab(self.changes_view, "Cha&nges")  # Alt+H is the Help menu
        self.tabs.currentChanged.connect(self._tab_changed)
        self.as_of_banner = QLabel()
        self.as_of_banner.setObjectName("asOfBanner")
        self.as_of_banner.setStyleSheet("background: #fff4c2; color: #4a3b00; padding: 4px 8px; border-bottom: 1px solid #e0c860;")
        self.as_of_banner.hide()
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.as_of_banner)
        box.addWidget(self.reports.done_bar)
        box.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.history_dock = QDockWidget("Cell history", self)
        self.history_dock.setObjectName("historyDock")
        self.history_dock.setWidget(self.history_view)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)

        self._build_actions()
        self._build_status_bar()
        self._connect()
        self.live = LiveWindow(self)  # other writers' changes, and a banner when the file is gone
        # The grid has the keyboard at start: arrows move, typing a name jumps to that actor.
        self.matrix_view.table.setFocus(Qt.FocusReason.OtherFocusReason)
        geometry = settings.geometry()
        restored = geometry is not None and self.restoreGeometry(geometry)
        small = fit_to_screen(self, restored=restored)  # never larger than the screen it opens on
        self.resizeDocks([self.history_dock], [120 if small else 210], Qt.Orientation.Vertical)
        if (state := settings.state()) is not None:
            self.restoreState(state)

    # --- assembly --------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        c = self.controller
        self.new_action = self._action("&New Database…", self.new_database, QKeySequence.StandardKey.New)
        self.open_action = self._action("&Open Database…", self.open_database, QKeySequence.StandardKey.Open)
        self.quit_action = self._action("&Quit", self.close)
        # Ctrl+Q everywhere: Windows' standard key list has no Quit shortcut (Alt+F4 is the
        # window manager's), so StandardKey.Quit alone leaves Ctrl+Q dead there.
        self.quit_action.setShortcuts(_with_standard(QKeySequence("Ctrl+Q"), QKeySequence.StandardKey.Quit))
        self.undo_action = c.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = c.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(_with_standard(QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo))
        self.edit_action = self._action("&Edit Assessment…", self.edit_selection, "F2",
                                        "Edit the selected cells (Enter also works)")
        self.find_action = self._action("&Find", self._focus_search, QKeySequence.StandardKey.Find)
        self.history_action = self.history_dock.toggleViewAction()
        self.history_action.setShortcut("Ctrl+H")

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.server = ServerConnector(self)
        file_menu.addAction(self.server.action)
        file_menu.addSeparator()
        self.exchange.fill_menu(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.edit_action, self.find_action])
        view_menu = self.menuBar().addMenu("&View")
        for i, name in enumerate(("Matrix", "Actor", "Measure", "Changes")):
            # ``triggered`` passes ``checked``: it must not land in ``i`` (it did, and every key showed tab 0).
            view_menu.addAction(self._action(name, lambda checked=False, i=i: self.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}"))
        view_menu.addSeparator()
        self.sort_menu = SortMenu(self.matrix_view, lambda: self.tabs.setCurrentWidget(self.matrix_view), self)
        view_menu.addMenu(self.sort_menu.menu)
        view_menu.addAction(self.history_action)
        self.today_action = self._action("Show &Today", lambda: self.set_as_of(self.controller.today()), "Ctrl+T",
                                         "Show the record as it stands today")
        view_menu.addAction(self.today_action)
        self.reports_menu = self.menuBar().addMenu("&Reports")
        self.reports.fill_menu(self.reports_menu)
        help_menu = self.menuBar().addMenu("&Help")
        self.extras = WindowExtras(self, edit_menu, help_menu)  # Copy, Help pages, About, icon

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.open_action, self.undo_action, self.redo_action, self.edit_action])
        toolbar.addSeparator()
        as_of_label = QLabel(" As &of ")
        toolbar.addWidget(as_of_label)
        self.as_of_edit = IsoDateEdit()
        self.as_of_edit.date_refused.connect(lambda reason: self.statusBar().showMessage(f"As of: {reason}", 8000))
        as_of_label.setBuddy(self.as_of_edit)  # Alt+O: the date, from the keyboard
        self.as_of_edit.setObjectName("asOfDate")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setToolTip("Show the matrix and dossiers as they stood on this date")
        today = self.controller.today()
        self.as_of_edit.setDateRange(QDate(1957, 10, 4), QDate(today.year, today.month, today.day))
        self.as_of_edit.setDate(QDate(today.year, today.month, today.day))
        toolbar.addWidget(self.as_of_edit)
        toolbar.addAction(self.today_action)
        self.addToolBar(toolbar)
        # A date typed digit by digit should reload once, not at every keystroke.
        self._as_of_timer = QTimer(self, singleShot=True, interval=300)
        self._as_of_timer.timeout.connect(lambda: self.controller.set_as_of(self.as_of_edit.date().toPython()))
        self.as_of_edit.dateChanged.connect(self._as_of_timer.start)

    def _build_status_bar(self) -> None:
        self.path_label = QLabel("No database open")
        self.counts_label = QLabel()
        self.saved_label = QLabel()
        self.busy_label = QLabel()
        bar = self.statusBar()
        bar.addWidget(self.path_label, 1)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.saved_label)

    def _connect(self) -> None:
        c, mv = self.controller, self.matrix_view
        c.database_opened.connect(self._database_opened)
        c.database_closed.connect(self._database_closed)
        c.matrix_loaded.connect(self._matrix_loaded)
        c.dossier_loaded.connect(self._dossier_loaded)
        c.measure_loaded.connect(self._measure_loaded)
        c.history_loaded.connect(self._history_loaded)
        c.changes_loaded.connect(self._changes_loaded)
        c.edit_context_ready.connect(self._open_editor)
        c.assessments_saved.connect(self._saved)
        c.as_of_changed.connect(self._as_of_changed)
        c.long_job_started.connect(self._show_progress)
        c.error_occurred.connect(self.show_error)
        c.runner.busy_changed.connect(lambda busy: self.busy_label.setText("Working…" if busy else ""))
        mv.edit_requested.connect(c.prepare_edit)
        mv.actor_opened.connect(self.open_actor)
        mv.measure_opened.connect(self.open_measure)
        mv.history_requested.connect(self._history_requested)
        mv.current_cell_changed.connect(self._current_cell_changed)
        self.dossier_view.actor_chosen.connect(self.open_actor)
        self.dossier_view.edit_requested.connect(c.prepare_edit)
        self.dossier_view.cell_selected.connect(self._current_cell_changed)
        self.measure_view.cell_selected.connect(self._current_cell_changed)
        self.measure_view.measure_chosen.connect(self.open_measure)
        self.measure_view.edit_requested.connect(c.prepare_edit)
        self.changes_view.since_changed.connect(lambda since: self._load_changes())

    # --- controller answers ------------------------------------------------------------------------
    def _database_opened(self, path: Path) -> None:
        # A server's "path" is its display name (never a password); it is kept with the recent
        # servers (File > Connect to Server…), not with the recent files.
        on_server = self.controller.on_server
        name = str(path) if on_server else path.name
        if not on_server:
            self.settings.add_recent_file(path)
        if self.controller.read_only:
            # Said at once, not only when the first edit is refused; on a server, which login
            # and role, and the role that records.
            # The status bar keeps it short (a server's name is long already); the login, its role
            # and the role that records are in the tooltip and in every refusal.
            login = self.controller.read_only_login
            self.setWindowTitle(f"{name} (read-only) — TCBM Tracker")
            self.path_label.setText(f"{'Shared ' if login else ''}{path} — read-only: you can look and print, not record")
            self.path_label.setToolTip(login.capitalize() if login else "")
            self.saved_label.setText("")
        else:
            self.setWindowTitle(f"{name} — TCBM Tracker")
            self.path_label.setText(f"Shared {path}" if on_server else str(path))
            self.path_label.setToolTip("")
            self.saved_label.setText("All changes saved")
        self._refresh_changes()

    def _database_closed(self) -> None:
        self.setWindowTitle("TCBM Tracker")
        self.path_label.setText("No database open")

    def _matrix_loaded(self, data: MatrixData) -> None:
        self.matrix_view.set_data(data)
        m = data.matrix
        self._actor_names = {a.key: a.name for a in m.actors}
        if self._last_actor is not None:
            self._viewed_actor(self._last_actor)  # its name, now known
        self.dossier_view.region_labels = data.region_labels
        self.dossier_view.standing_labels = data.standing_labels
        self.extras.catalogs = data.catalogs
        self.matrix_view.start_panel.setVisible(not m.cells and self.controller.is_today)  # an empty record: say where to start
        self.dossier_view.set_actors(m.actors)
        self.measure_view.set_measures(m.measures, data.region_labels)
        # A cell whose current assessment is "not assessed" (an undo, a reset) is not assessed.
        assessed = sum(1 for c in m.cells.values() if c.status is not Status.NOT_ASSESSED)
        self.counts_label.setText(f"{count(len(m.actors), 'actor')} · {count(len(m.measures), 'measure')} · "
                                  f"{assessed:,} of {len(m.actors) * len(m.measures):,} cells assessed")

    def _dossier_loaded(self, dossier: Dossier) -> None:
        self.dossier_view.set_dossier(dossier)

    def _measure_loaded(self, overview: MeasureOverview) -> None:
        self.measure_view.set_overview(overview)

    def _history_loaded(self, history: CellHistory) -> None:
        self.history_view.set_history(history)

    def _changes_loaded(self, changes: ChangesSince) -> None:
        self.changes_view.set_changes(changes, self._actor_names)

    def _saved(self, saved: list[Any]) -> None:
        when = self.controller.last_saved_at
        stamp = when.strftime("%H:%M:%S") if when else ""
        self.saved_label.setText(f"Saved {len(saved):,} assessment{'s' if len(saved) != 1 else ''} at {stamp}")
        self.statusBar().showMessage(f"Recorded {len(saved):,} assessment{'s' if len(saved) != 1 else ''}", 4000)
        self._refresh_changes()
        current = self.matrix_view.table.currentIndex()
        if current.isValid():
            source = self.matrix_view.proxy.mapToSource(current)
            measure = self.matrix_view.model.measure_at(source.column())
            if measure is not None:
                self.controller.load_history(self.matrix_view.model.actor_at(source.row()).key, measure.key)

    def _as_of_changed(self, day: dt.date) -> None:
        qd = QDate(day.year, day.month, day.day)
        if self.as_of_edit.date() != qd:
            self.as_of_edit.blockSignals(True)
            self.as_of_edit.setDate(qd)
            self.as_of_edit.blockSignals(False)
        past = not self.controller.is_today
        self.as_of_banner.setVisible(past)
        if past:
            self.as_of_banner.setText(f"Showing the record as it stood on {day.isoformat()}. "
                                      "New assessments take effect from that date. Ctrl+T returns to today.")

    def _open_editor(self, context: EditContext) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        validate_evidence = tracker.evidence.validate
        came_from = QApplication.focusWidget()
        request = self.dialogs.ask_assessment(self, context, tracker.assessments.validate,
                                              lambda parent: self.dialogs.ask_evidence(parent, validate_evidence))
        self.restore_focus(came_from)
        if request is not None:
            self.controller.record(request)

    def restore_focus(self, widget: QWidget | None = None) -> None:
        """Make the window active again, with the keyboard where it was before a dialog.

        Without a window manager that re-activates the parent (Xvfb, some tiling managers, the
        offscreen platform) the window stays inactive once a dialog closes: no widget has the
        focus and the window's shortcuts (Ctrl+Z, Ctrl+Q, F2) stop working until a click.
        """
        self.activateWindow()
        if widget is None or not shiboken_valid(widget) or widget.window() is not self or not widget.isVisible():
            widget = self.matrix_view.table if self.tabs.currentWidget() is self.matrix_view else self.tabs.currentWidget()
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_progress(self, job: Job, title: str) -> None:
        dialog = QProgressDialog(title + "…", "Cancel", 0, 0, self)
        dialog.setWindowTitle("TCBM Tracker")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        # Shown only if the job takes longer than this (opening a file usually does not: no flash).
        dialog.setMinimumDuration(150)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        # Starts the 150 ms count now: until its first setValue() a QProgressDialog keeps the
        # 4-second delay of its constructor, so a job that reports no progress (undo, redo)
        # showed no Cancel for 4 s.
        dialog.setValue(0)

        def progressed(done: int, total: int, text: str) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)
            if text:
                dialog.setLabelText(text)

        came_from = QApplication.focusWidget()

        closed = [False]

        def finished() -> None:
            if closed[0]:
                return
            closed[0] = True
            was_shown = dialog.isVisible()
            # reset() stops the timer that would otherwise still pop the dialog up after a quick job.
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
            if was_shown:  # it took the activation: give the keyboard back (see restore_focus)
                self._after_progress(dialog, came_from)

        job.signals.progressed.connect(progressed)
        job.signals.finished.connect(finished)
        job.signals.cancelled.connect(lambda: self.statusBar().showMessage("Cancelled: nothing was changed", 5000))
        dialog.canceled.connect(job.cancel)
        self.progress = dialog
        if job.done.is_set():
            # The job ended before this was connected (it starts when submitted; a quick one can
            # end first): its ``finished`` was emitted to nobody, and the dialog would pop up
            # 150 ms later and stay, modal, over a finished job.
            finished()

    def _after_progress(self, progress: QWidget, came_from: QWidget | None) -> None:
        """Where the keyboard goes once a progress dialog that was shown closes: to a dialog the
        job's result opened (a preview), else back where it was, also inside a dialog (the job
        may have started from one), else to the window."""
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not progress and modal.isVisible():
            modal.activateWindow()
            return
        if (came_from is not None and shiboken_valid(came_from) and came_from.window() is not self
                and came_from.isVisible()):
            came_from.window().activateWindow()
            came_from.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.restore_focus(came_from)

    def show_error(self, exc: BaseException, details: str = "") -> None:
        came_from = QApplication.focusWidget()
        if self.controller.tracker is None:
            self.matrix_view.opening_failed()
        self.last_error = show_error(self, exc, details)
        self.last_error.finished.connect(lambda _result: self.restore_focus(came_from))  # type: ignore[attr-defined]

    # --- user actions ---------------------------------------------------------------------------------
    def _remember_folder(self, path: Path | None) -> Path | None:
        if path is not None:
            self.extras.remember_folder(path)
        return path

    def open_database(self) -> None:
        path = self._remember_folder(self.dialogs.ask_open_path(self))
        if path is not None:
            self.controller.open_database(path)

    def new_database(self) -> None:
        path = self._remember_folder(self.dialogs.ask_new_path(self))
        if path is not None:
            if path.exists():
                # A user error (a message box that says what to do), not a bug report.
                self.show_error(TrackerError(f"{path} already exists: nothing was changed; "
                                             "choose File > Open Database to open it, or another name for a new one"))
                return
            self.controller.open_database(path, create=True)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files():
            self.recent_menu.addAction(str(path), lambda p=path: self.controller.open_database(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def open_actor(self, key: str) -> None:
        self._viewed_actor(key)
        # Asked for first: showing the tab then finds a dossier on its way (and opens no other).
        self.controller.load_dossier(key)
        self.tabs.setCurrentWidget(self.dossier_view)

    def _viewed_actor(self, key: str) -> None:
        self._last_actor = key
        name = self._actor_names.get(key, key).replace("&", "&&")
        self.reports.actions["actor"].setText(f"&Compliance Summary of {name}…")

    def open_measure(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.measure_view)
        self.controller.load_measure(key)

    def set_as_of(self, day: dt.date) -> None:
        self._as_of_timer.stop()
        self.controller.set_as_of(day)

    def current_actor(self) -> str | None:
        """The actor a report is about: the one viewed last (the Reports menu names it)."""
        return self._last_actor

    def current_measure(self) -> str | None:
        if self.tabs.currentWidget() is self.measure_view and self.measure_view.overview is not None:
            return self.measure_view.overview.measure.key
        cells = self.matrix_view.selected_cells()
        if cells:
            return cells[0][1]
        return self.measure_view.overview.measure.key if self.measure_view.overview is not None else None

    def edit_selection(self) -> None:
        """F2 / Edit Assessment: the selection of the tab in view (never a hidden tab's)."""
        view = self.tabs.currentWidget()
        if view is self.matrix_view:
            self.matrix_view.request_edit()
        elif view is self.dossier_view:
            self.dossier_view.request_edit()
        elif view is self.measure_view:
            self.measure_view.request_edit()
        else:
            self.statusBar().showMessage("Choose a cell in the Matrix, Actor or Measure tab to edit it", 5000)

    def _focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.matrix_view)
        self.matrix_view.search.setFocus()
        self.matrix_view.search.selectAll()

    def _history_requested(self, actor: str, measure: str) -> None:
        self.history_dock.show()
        self.controller.load_history(actor, measure)

    def _current_cell_changed(self, actor: str, measure: str) -> None:
        if actor:
            self._viewed_actor(actor)
        if measure and self.history_dock.isVisible():
            self.controller.load_history(actor, measure)

    def _load_changes(self) -> None:
        self._changes_stale = False
        self.controller.load_changes(self.changes_view.since_date())

    def _refresh_changes(self) -> None:
        """The record changed: reload the change list now if it is shown, else when it is."""
        if self.tabs.currentWidget() is self.changes_view:
            self._load_changes()
        else:
            self._changes_stale = True

    def _tab_cell(self, view: QWidget | None) -> tuple[str, str] | None:
        """The cell at the cursor of a tab's table (None when there is none)."""
        if view is self.matrix_view:
            current = self.matrix_view.table.currentIndex()
            if not current.isValid():
                return None
            source = self.matrix_view.proxy.mapToSource(current)
            measure = self.matrix_view.model.measure_at(source.column())
            return (self.matrix_view.model.actor_at(source.row()).key, measure.key) if measure else None
        if view is self.dossier_view or view is self.measure_view:
            cells = view.selected_cells() if view.table.currentIndex().isValid() else []
            return cells[0] if cells else None
        return None

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.dossier_view and self.dossier_view.dossier is not None:
            self._viewed_actor(self.dossier_view.dossier.actor.key)  # back to a dossier: that actor again
        # The history panel follows the row under the cursor of the tab now in view. Only the
        # panel: showing a tab again is not viewing its actor (Ctrl+P keeps the actor last viewed).
        if (cell := self._tab_cell(self.tabs.widget(index))) is not None and cell[1] and self.history_dock.isVisible():
            self.controller.load_history(*cell)
        if self.tabs.widget(index) is self.changes_view and self._changes_stale:
            self._load_changes()
        elif (self.tabs.widget(index) is self.dossier_view and self.dossier_view.dossier is None
              and self.controller.current_actor is None and self._actor_names):
            cells = self.matrix_view.selected_cells()
            self.open_actor(cells[0][0] if cells else next(iter(self._actor_names)))
        elif self.tabs.widget(index) is self.measure_view and self.measure_view.overview is None:
            cells = self.matrix_view.selected_cells()
            if cells:
                self.open_measure(cells[0][1])
            elif self.matrix_view.model.measures:
                self.open_measure(self.matrix_view.model.measures[0].key)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())
        self.live.live.stop()
        # Let a write that is under way finish: an accepted edit is never dropped on quit.
        self.controller.runner.wait_for_done(30_000)
        self.controller.close_database()
        self.controller.runner.wait_for_done(5_000)
        super().closeEvent(event)
