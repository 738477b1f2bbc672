"""The one place that wires the desktop application together: paths, services, Qt, window.

``run()`` starts the application on a database (creating the default one on first use);
``screenshot()`` renders the real window offscreen to a PNG for documentation and review.
The command line imports this module only when asked to start the GUI, so that the headless
commands never load Qt.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

from tcbm_tracker.storage.locations import APP_NAME, settings_file


def _application(argv: list[str] | None = None):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName("TCBM Tracker")
    # Matches packaging/tcbm-tracker.desktop: the desktop shows the right icon and name.
    app.setDesktopFileName("tcbm-tracker")
    from tcbm_tracker.ui.window_extras import app_icon

    app.setWindowIcon(app_icon())
    return app


def build_window(user: str | None = None, settings_path: Path | None = None, dialogs=None,  # type: ignore[no-untyped-def]
                 db_path: Path | str | None = None, create: bool = False):
    """Controller, runner and window, wired. With ``db_path`` (a file, or a ``postgresql://``
    URL) the database starts opening on the job thread first, while the window is being built
    (start-up time)."""
    from PySide6.QtCore import QSettings

    from tcbm_tracker.ui.controller import TrackerController
    from tcbm_tracker.ui.jobs import JobRunner

    runner = JobRunner()
    controller = TrackerController(runner, user=user)
    if db_path is not None:
        open_target(controller, db_path, create=create)
    from tcbm_tracker.ui.main_window import MainWindow
    from tcbm_tracker.ui.settings import WindowSettings

    # Portable mode keeps the settings in an INI file beside the data, never in the host's folders.
    settings_path = settings_path or settings_file()
    qsettings = QSettings(str(settings_path), QSettings.Format.IniFormat) if settings_path else QSettings()
    window = MainWindow(controller, WindowSettings(qsettings), dialogs)
    from tcbm_tracker.storage.locations import backup_dir, config_dir, log_dir

    window.extras.locations = {"Settings and keys": str(config_dir()), "Logs": str(log_dir()), "Backups": str(backup_dir())}
    runner.setParent(window)
    controller.setParent(window)
    return window


def open_target(controller, target: Path | str, *, create: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Open a database file, or a shared database on a server by its ``postgresql://`` URL."""
    from tcbm_tracker.storage.server_database import is_server_url

    if is_server_url(target):
        controller.open_server(str(target))
    else:
        controller.open_database(Path(target), create=create)


# Start-up benchmarks of an installed or bundled application (benchmarks/bench_bundle.py),
# which cannot inject code: print PAINTED and quit once the full matrix is first painted.
ENV_EXIT_AFTER_PAINT = "TCBM_TRACKER_EXIT_AFTER_PAINT"


def _quit_after_first_full_paint(app, window):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEvent, QObject

    class Painted(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and window.matrix_view.model.rowCount() > 0:
                print("PAINTED", flush=True)
                app.quit()
            return False

    watch = Painted(window)
    window.matrix_view.table.viewport().installEventFilter(watch)
    return watch


def run(db_path: Path | str, *, user: str | None = None, create: bool = False, package: Path | None = None) -> int:
    """Start the desktop application; returns the exit code. With ``package`` (a ``.tcbm`` the
    file manager opened) the window shows that package's import preview once the database is open."""
    # The database stack (SQLAlchemy, SQLModel, the services) is imported before Qt, as the
    # command line does anyway: once PySide6 is loaded, every first import of a module pays for
    # PySide6's import hook (it reads the module's source to look for PySide6): importing Qt and
    # this stack took ~570 ms in that order and ~470 ms in this one (medians of 10 runs).
    import tcbm_tracker.services.backups  # noqa: F401  (the start-up check, run by the open job)
    import tcbm_tracker.services.tracker  # noqa: F401
    from tcbm_tracker.storage.log_file import setup_logging

    setup_logging()
    app = _application(sys.argv[:1])
    from tcbm_tracker.ui.errors import install_excepthook

    app.gui_watch = watch_gui_thread(app)  # type: ignore[attr-defined]  # kept alive with the app

    from tcbm_tracker.storage.server_database import is_server_url

    # A server database is never created here (`tcbm-tracker init` does, by its administrator).
    create = create and not is_server_url(db_path) and not Path(db_path).exists()
    window = build_window(user, db_path=db_path, create=create)
    if package is not None:
        window.exchange.packages.preview_when_open(Path(package))
    install_excepthook(lambda: window)
    if os.environ.get(ENV_EXIT_AFTER_PAINT):
        _quit_after_first_full_paint(app, window)
    window.show()
    return int(app.exec())


GUI_TICK_MS = 100
SLOW_GUI_MS = 200  # the window stops answering visibly beyond this


def watch_gui_thread(parent):  # type: ignore[no-untyped-def]
    """Log each time the GUI thread was busy for more than ``SLOW_GUI_MS`` at a stretch.

    A timer ticks every ``GUI_TICK_MS``; a tick arriving late means the event loop was blocked
    for that long (a slow paint, a query run on the GUI thread). Cheaper than timing every
    event, and it catches what no single event handler would admit to.
    """
    import logging

    from PySide6.QtCore import QTimer

    log = logging.getLogger("tcbm_tracker.gui")
    timer = QTimer(parent)
    timer.setInterval(GUI_TICK_MS)
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        busy_ms = (now - last[0]) * 1000 - GUI_TICK_MS
        last[0] = now
        if busy_ms > SLOW_GUI_MS:
            log.info("GUI thread busy for %.0f ms", busy_ms)

    timer.timeout.connect(tick)
    timer.start()
    return timer


def wait_until_idle(window, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Process events until no job is queued or running (jobs may queue more jobs when done)."""
    app = _application()
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < 3 and time.monotonic() < deadline:
        app.processEvents()
        if window.controller.runner.busy:
            quiet = 0
            window.controller.runner.pool.waitForDone(20)
        else:
            quiet += 1
            time.sleep(0.01)


def screenshot(db_path: Path | str, view: str, out: Path, *, size: tuple[int, int] = (1440, 900),
               as_of: dt.date | None = None, sort: str = "actor") -> Path:
    """Render the window (or the editor over it) offscreen and save it as a PNG.

    ``view`` is ``matrix``, ``actor:KEY``, ``measure:KEY``, ``changes``, ``history:ACTOR:MEASURE``
    or ``editor:ACTOR:MEASURE``; ``sort`` orders the matrix by ``actor`` name or by ``coverage``
    (highest first).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    app = _application()
    from PySide6.QtCore import QPoint, qInstallMessageHandler

    # The offscreen platform warns that it cannot pass size hints to a window manager it does
    # not have; that is expected here and only clutters the output.
    qInstallMessageHandler(lambda mode, context, message: None if "propagateSizeHints" in message
                           else sys.stderr.write(message + "\n"))
    from PySide6.QtGui import QColor, QPainter

    from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog

    kind, _, rest = view.partition(":")
    if kind not in ("matrix", "actor", "measure", "changes", "history", "editor") or (kind in ("actor", "measure") and not rest):
        from tcbm_tracker.domain.errors import ValidationError

        raise ValidationError("view", f"{view!r}; use matrix, actor:KEY, measure:KEY, changes, history:ACTOR:MEASURE "
                                      "or editor:ACTOR:MEASURE")
    with tempfile.TemporaryDirectory() as settings_dir:
        window = build_window(settings_path=Path(settings_dir) / "settings.ini")
        window.resize(*size)
        from PySide6.QtCore import Qt as _Qt

        # The history panel as on a screen of this size (the offscreen screen itself is small).
        window.resizeDocks([window.history_dock], [210 if size[1] >= 800 else 120], _Qt.Orientation.Vertical)
        errors: list[BaseException] = []
        window.controller.error_occurred.connect(lambda exc, details: errors.append(exc))
        open_target(window.controller, db_path)
        wait_until_idle(window)
        if errors:
            raise errors[0]
        if as_of is not None:
            window.set_as_of(as_of)
            wait_until_idle(window)
        window.show()
        app.processEvents()
        if (window.width(), window.height()) != tuple(size):
            # Qt keeps a window at least its minimum size: say so rather than write another size.
            from tcbm_tracker.domain.errors import ValidationError

            least = window.minimumSizeHint()
            window.close()
            raise ValidationError("size", f"{size[0]}x{size[1]} is smaller than the window can be; "
                                          f"use at least {least.width()}x{least.height()}")
        if sort == "coverage":
            from PySide6.QtCore import Qt

            from tcbm_tracker.ui.matrix_model import COVERAGE_COLUMN

            window.matrix_view.table.sortByColumn(COVERAGE_COLUMN, Qt.SortOrder.DescendingOrder)
        cell: tuple[str, str] | None = None
        if kind in ("history", "editor"):
            actor, _, measure = rest.partition(":")
            cell = (actor.upper(), measure.upper())
            window.matrix_view.select_cells([cell])
            window.controller.load_history(*cell)
        elif kind == "actor":
            window.open_actor(rest.upper())
        elif kind == "measure":
            window.open_measure(rest.upper())
        elif kind == "changes":
            window.tabs.setCurrentWidget(window.changes_view)
        wait_until_idle(window)
        if errors:
            raise errors[0]
        app.processEvents()
        pixmap = window.grab()
        if kind == "editor" and cell is not None:
            contexts: list[object] = []
            window.controller.edit_context_ready.disconnect()
            window.controller.edit_context_ready.connect(contexts.append)
            window.controller.prepare_edit([cell])
            wait_until_idle(window)
            tracker = window.controller.tracker
            assert tracker is not None and contexts
            dialog = AssessmentEditorDialog(contexts[0], tracker.assessments.validate, lambda parent: None, window)  # type: ignore[arg-type]
            dialog.show()
            app.processEvents()
            shot = dialog.grab()
            painter = QPainter(pixmap)
            painter.fillRect(pixmap.rect(), QColor(0, 0, 0, 70))  # dim the window behind the dialog
            painter.drawPixmap(QPoint((pixmap.width() - shot.width()) // 2, (pixmap.height() - shot.height()) // 3), shot)
            painter.end()
            dialog.close()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(out), "PNG"):
            from tcbm_tracker.domain.errors import TrackerError

            raise TrackerError(f"cannot write {out}")
        window.close()
    return out
