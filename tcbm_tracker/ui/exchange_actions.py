"""File > Import…, Export…, Backups… and Open Attached File…: background jobs with progress
and Cancel on the window's single job thread.

Import runs a dry run first and shows its preview; only the user's Import applies the files
(all rows or none, after a backup). Questions (which files, which evidence number) go through
``ExchangeQuestions``, which tests replace with plain functions, so nothing modal is exec()-ed.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QMenu, QWidget

from tcbm_tracker.domain.errors import DamagedDatabaseError, TrackerError
from tcbm_tracker.ui.controller import TrackerController
from tcbm_tracker.ui.jobs import JobContext

if TYPE_CHECKING:
    from tcbm_tracker.exchange.importer import ImportReport
    from tcbm_tracker.ui.exchange_dialogs import BackupsDialog, ImportPreviewDialog

# The exchange package and the dialogs are imported when first used, not at start-up: with Qt
# loaded, importing them cost about 160 ms of every launch for features used now and then.

SHEETS = "Spreadsheets (*.csv *.xlsx);;All files (*)"
EXPORT_FILTERS = {
    "Workbook for re-import: assessments and evidence (*.xlsx)": ("xlsx", "assessments", False),
    "Readable workbook: colours, one sheet per catalogue (*.xlsx)": ("xlsx", "assessments", True),
    "CSV: assessments (*.csv)": ("csv", "assessments", False),
    "CSV: evidence (*.csv)": ("csv", "evidence", False),
}


@dataclass(frozen=True)
class ExportChoice:
    path: Path
    what: str = "assessments"
    readable: bool = False


def _ask_import_paths(parent: QWidget) -> list[Path]:
    paths, _ = QFileDialog.getOpenFileNames(parent, "Import spreadsheets", "", SHEETS)
    return [Path(p) for p in paths]


def _ask_export(parent: QWidget) -> ExportChoice | None:
    path, chosen = QFileDialog.getSaveFileName(parent, "Export", "tcbm-record.xlsx", ";;".join(EXPORT_FILTERS))
    if not path:
        return None
    suffix, what, readable = EXPORT_FILTERS.get(chosen, ("xlsx", "assessments", False))
    out = Path(path) if Path(path).suffix.lower() in (".csv", ".xlsx") else Path(path).with_suffix("." + suffix)
    return ExportChoice(out, what, readable)


def _ask_evidence_number(parent: QWidget) -> int | None:
    number, ok = QInputDialog.getInt(parent, "Open attached file", "Evidence number:", 1, 1)
    return number if ok else None


@dataclass
class ExchangeQuestions:
    ask_import_paths: Callable[[QWidget], list[Path]] = _ask_import_paths
    ask_export: Callable[[QWidget], ExportChoice | None] = _ask_export
    ask_evidence_number: Callable[[QWidget], int | None] = _ask_evidence_number
    open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl


def write_attachment_copy(content: bytes, file_name: str, folder: Path | None = None) -> Path:
    """A private temporary copy of an attached file, keeping its extension (the system picks the
    program by it); the name is made by ``tempfile`` so it never lands on an existing file."""
    suffix = Path(file_name).suffix[:16] if Path(file_name).suffix.isascii() else ""
    stem = "".join(ch for ch in Path(file_name).stem if ch.isalnum() or ch in "-_")[:40] or "attachment"
    fd, name = tempfile.mkstemp(prefix=f"{stem}-", suffix=suffix, dir=folder)
    with open(fd, "wb") as fh:
        fh.write(content)
    return Path(name)


SERVER_BACKUPS = ("Backups are for database files: a shared database on a server is backed up by its "
                  "administrator with pg_dump (see docs/team-server.md)")


class ExchangeMenu(QObject):
    """The File menu's exchange actions, run as jobs on the controller's runner."""

    def __init__(self, controller: TrackerController, parent: QWidget, show_message: Callable[[str], None],
                 questions: ExchangeQuestions | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.window = parent
        self.show_message = show_message
        self.questions = questions or ExchangeQuestions()
        self.preview: ImportPreviewDialog | None = None
        self.backups: BackupsDialog | None = None
        self.last_report: ImportReport | None = None
        self.opened: list[Path] = []
        self.actions: dict[str, QAction] = {}
        for key, text, shortcut, slot in [
            ("import", "&Import Spreadsheets…", "Ctrl+Shift+I", self.start_import),
            ("export", "&Export…", "Ctrl+Shift+E", self.start_export),
            ("backups", "&Backups…", "Ctrl+Shift+B", self.show_backups),
            ("attachment", "Open &Attached File…", None, self.open_attachment),
        ]:
            action = QAction(text, parent)
            if shortcut:
                action.setShortcut(shortcut)
            action.triggered.connect(lambda checked=False, slot=slot: slot())
            self.actions[key] = action
        controller.error_occurred.connect(self._offer_backup)
        from tcbm_tracker.ui.package_actions import PackageMenu

        self.packages = PackageMenu(controller, parent, show_message)

    def fill_menu(self, menu: QMenu) -> None:
        for key in ("import", "export"):
            menu.addAction(self.actions[key])
        menu.addActions([self.packages.actions["package"], self.packages.actions["trusted"]])
        for key in ("backups", "attachment"):
            menu.addAction(self.actions[key])

    def _submit(self, name: str, title: str, fn: Callable[[JobContext], Any], done: Callable[[Any], None]) -> None:
        job = self.controller.runner.submit(name, fn, done, self._failed)
        self.controller.long_job_started.emit(job, title)

    def _open(self, dialog: QDialog) -> None:
        """Show ``dialog`` without a nested event loop; once it closes, the window is active again
        with the keyboard where it was (the window's ``restore_focus``: without a window manager
        that re-activates it, no widget would have the keyboard and no shortcut would work)."""
        came_from = QApplication.focusWidget()
        restore = getattr(self.window, "restore_focus", None)
        if restore is not None:
            dialog.finished.connect(lambda _result: restore(came_from))
        dialog.open()

    def _failed(self, exc: BaseException, details: str) -> None:
        from tcbm_tracker.exchange.importer import ImportRefused

        if isinstance(exc, ImportRefused):
            self._show_preview(exc.report)  # the rejections, listed: nothing was changed
            return
        self.controller.error_occurred.emit(exc, details)

    # --- import ---------------------------------------------------------------------------------
    def start_import(self) -> None:
        tracker = self.controller.tracker
        if tracker is None or self.controller.login_refuses("Not imported"):
            return
        paths = self.questions.ask_import_paths(self.window)
        if not paths:
            return
        from tcbm_tracker.exchange.service import ExchangeService

        def job(ctx: JobContext) -> ImportReport:
            return ExchangeService(tracker).import_files(paths, dry_run=True, progress=lambda n, name: ctx.progress(n, 0, f"Checking {name}: {n:,} rows"))

        self._submit("import preview", f"Checking {', '.join(p.name for p in paths)}", job,
                     lambda report: self._show_preview(report, paths))

    def _show_preview(self, report: ImportReport, paths: list[Path] | None = None) -> None:
        from tcbm_tracker.ui.exchange_dialogs import ImportPreviewDialog

        self.last_report = report
        self.preview = ImportPreviewDialog(report, self.window)
        if paths:
            self.preview.import_confirmed.connect(lambda: self._apply(paths))
        self._open(self.preview)

    def _apply(self, paths: list[Path]) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        from tcbm_tracker.exchange.service import ExchangeService

        def job(ctx: JobContext) -> ImportReport:
            return ExchangeService(tracker).import_files(paths, progress=lambda n, name: ctx.progress(n, 0, f"Importing {name}: {n:,} rows"))

        def done(report: ImportReport) -> None:
            self.last_report = report
            self.show_message(f"Imported {report.assessments_added:,} assessment(s) and {report.evidence_added:,} evidence "
                              f"item(s) from {', '.join(report.files)} (a backup was made first)")
            self.controller.reload()

        self._submit("import", f"Importing {', '.join(p.name for p in paths)}", job, done)

    # --- export ---------------------------------------------------------------------------------
    def start_export(self) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        choice = self.questions.ask_export(self.window)
        if choice is None:
            return
        from tcbm_tracker.exchange.service import ExchangeService

        as_of = None if self.controller.is_today else self.controller.as_of

        def job(ctx: JobContext) -> Path:
            ExchangeService(tracker).export(choice.path, what=choice.what, readable=choice.readable,
                                            as_of=as_of if choice.readable else None,
                                            progress=lambda n, total: ctx.progress(n, total, f"{n:,} of {total:,} rows"))
            return choice.path

        self._submit("export", f"Exporting to {choice.path.name}", job, lambda path: self.show_message(f"Wrote {path}"))

    # --- backups --------------------------------------------------------------------------------
    def show_backups(self) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        if self.controller.on_server:
            self.show_message(SERVER_BACKUPS)
            return
        from tcbm_tracker.services.backups import backup_folder
        from tcbm_tracker.ui.exchange_dialogs import BackupsDialog

        self.backups = BackupsDialog(str(backup_folder(tracker.path)), self.window)
        self.backups.backup_requested.connect(self._backup_now)
        self.backups.restore_requested.connect(lambda info: self.restore(tracker.path, info.path))
        self._open(self.backups)
        self._refresh_backups(tracker.path)

    def _refresh_backups(self, db_path: Path) -> None:
        from tcbm_tracker.services.backups import checked_backups

        def done(rows: list[Any]) -> None:
            if self.backups is not None:
                self.backups.set_backups(rows)

        self.controller.runner.submit("list backups", lambda ctx: checked_backups(db_path), done, self._failed)

    def _backup_now(self) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        from tcbm_tracker.services.backups import backup_now

        def done(info: Any) -> None:
            self.show_message(f"Backed up to {info.path}")
            self._refresh_backups(tracker.path)

        self._submit("backup", "Backing up", lambda ctx: backup_now(tracker.path), done)

    def restore(self, db_path: Path, backup: Path) -> None:
        """Close the database, restore the backup (verified; the current file backed up first), reopen."""
        from tcbm_tracker.services.backups import restore

        tracker = self.controller.tracker

        def job(ctx: JobContext) -> Any:
            if tracker is not None and tracker.path == db_path:
                tracker.close()  # no connection may stay open on the file being replaced
            return restore(db_path, backup)

        def done(result: Any) -> None:
            self.show_message(f"Restored {db_path.name} from {backup.name}; the previous file was backed up first")
            if self.backups is not None:
                self.backups.close()
            self.controller.open_database(db_path)

        def failed(exc: BaseException, details: str) -> None:
            self.controller.error_occurred.emit(exc, details)
            if tracker is not None and tracker.path == db_path:
                self.controller.open_database(db_path)  # refused: the same file, reopened as it was

        job_ = self.controller.runner.submit("restore", job, done, failed)
        self.controller.long_job_started.emit(job_, f"Restoring {backup.name}")

    def _offer_backup(self, exc: BaseException, details: str) -> None:
        """A damaged database: the error box (shown by the window) gets a button restoring the
        newest good backup."""
        if isinstance(exc, DamagedDatabaseError) and exc.backup is not None:
            # After the window's own slot has shown the error box.
            QTimer.singleShot(0, lambda: self._add_restore_button(exc))

    def _add_restore_button(self, exc: DamagedDatabaseError) -> None:
        box = getattr(self.window, "last_error", None)
        info = exc.backup
        path = Path(str(exc.message).split(" is damaged", 1)[0])
        if box is None or not hasattr(box, "addButton"):
            return
        from PySide6.QtWidgets import QMessageBox

        button = box.addButton(f"Restore the Backup of {info.made_at:%Y-%m-%d %H:%M}", QMessageBox.ButtonRole.AcceptRole)  # type: ignore[attr-defined]
        button.clicked.connect(lambda: self.restore(path, info.path))  # type: ignore[attr-defined]
        self.restore_button = button

    # --- attached files -------------------------------------------------------------------------
    def open_attachment(self, evidence_id: int | None = None) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        number = evidence_id if evidence_id is not None else self.questions.ask_evidence_number(self.window)
        if number is None:
            return

        def job(ctx: JobContext) -> Path:
            folder = Path(tempfile.gettempdir()) / "tcbm-tracker-attachments"
            folder.mkdir(mode=0o700, exist_ok=True)
            return _export_to_temp(tracker, number, folder)

        def done(path: Path) -> None:
            self.opened.append(path)
            if not self.questions.open_url(QUrl.fromLocalFile(str(path))):
                self.controller.error_occurred.emit(TrackerError(f"no program opens {path.suffix or 'this'} files; the copy is at {path}"), "")
            else:
                self.show_message(f"Opened {path.name} (a copy; the attached file itself is unchanged)")

        self._submit("open attachment", f"Opening the file of evidence {number}", job, done)


def _export_to_temp(tracker: Any, number: int, folder: Path) -> Path:
    """Write the attached file to a new private temporary file (hash checked on the way out)."""
    info = tracker.evidence.get(number)
    content = tracker.evidence.file_content(number)
    if info.file_sha256 is None or hashlib.sha256(content).hexdigest() != info.file_sha256:
        raise TrackerError(f"evidence {number}: the stored file does not match its recorded SHA-256; it was not opened")
    return write_attachment_copy(content, info.file_name or "attachment", folder)
