"""File > Exchange Package… and File > Trusted Copies…: the package API run as background jobs.

Import is three steps, none of which changes anything before the last: check the package
(signature, manifest, every member) and plan the merge in a job; show the preview, where the user
resolves each conflict (or refuses); apply it in a job (a backup and a seal first; all of it or
none). A package from a copy not on the trust list is previewed by its summary only; the user
may trust the signer, or go on as third-party information. Questions (which file) go through
``PackageQuestions``, which tests replace with plain functions, so nothing modal is exec()-ed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget

from tcbm_tracker.services.tracker import file_stem
from tcbm_tracker.ui.controller import TrackerController
from tcbm_tracker.ui.jobs import JobContext
from tcbm_tracker.ui.wording import count

if TYPE_CHECKING:
    from tcbm_tracker.exchange.packages.api import ImportPlan, PackageSummary
    from tcbm_tracker.ui.package_dialogs import ExchangePackageDialog, TrustedCopiesDialog
    from tcbm_tracker.ui.package_preview import PackagePreviewDialog

# The package API and the dialogs are imported when first used, not at start-up (see exchange_actions).

PACKAGES = "Exchange packages (*.tcbm);;All files (*)"
KEYS = "Public keys and packages (*.pem *.pub *.tcbm);;All files (*)"


def _ask_package(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import exchange package", "", PACKAGES)
    return Path(path) if path else None


def _ask_package_out(parent: QWidget, suggested: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Export exchange package", suggested, PACKAGES)
    if not path:
        return None
    return Path(path) if Path(path).suffix.lower() == ".tcbm" else Path(path + ".tcbm")


def _ask_key_file(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Trust a copy: its public key or a package it signed", "", KEYS)
    return Path(path) if path else None


def _ask_key_out(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save this copy's public key", "tcbm-copy-key.pem",
                                          "Public keys (*.pem);;All files (*)")
    return Path(path) if path else None


@dataclass
class PackageQuestions:
    ask_package: Callable[[QWidget], Path | None] = _ask_package
    ask_package_out: Callable[[QWidget, str], Path | None] = _ask_package_out
    ask_key_file: Callable[[QWidget], Path | None] = _ask_key_file
    ask_key_out: Callable[[QWidget], Path | None] = _ask_key_out


def _progress(ctx: JobContext, verb: str) -> Callable[[int, int], None]:
    return lambda done, total: ctx.progress(done, total, f"{verb}: {done:,} of {total:,}" if total else verb)


class PackageMenu(QObject):
    """The exchange-package actions of the File menu and the dialogs they open."""

    def __init__(self, controller: TrackerController, parent: QWidget, show_message: Callable[[str], None],
                 questions: PackageQuestions | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.window = parent
        self._status = show_message
        self.questions = questions or PackageQuestions()
        self.hub: ExchangePackageDialog | None = None
        self.trusted: TrustedCopiesDialog | None = None
        self.preview: PackagePreviewDialog | None = None
        self.last_result: Any = None
        self.actions: dict[str, QAction] = {}
        for key, text, shortcut, slot in [
            ("package", "E&xchange Package…", "Ctrl+Shift+X", self.show_hub),
            ("trusted", "Tr&usted Copies…", None, self.show_trusted),
        ]:
            action = QAction(text, parent)
            if shortcut:
                action.setShortcut(shortcut)
            action.triggered.connect(lambda checked=False, slot=slot: slot())
            self.actions[key] = action

    # --- plumbing -------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        """In the status bar, and in the Exchange Package window when it is open over it."""
        self._status(text)
        if self.hub is not None and self.hub.isVisible():
            self.hub.message.setText(text)

    def _submit(self, name: str, title: str | None, fn: Callable[[JobContext], Any], done: Callable[[Any], None],
                failed: Callable[[BaseException, str], None] | None = None) -> None:
        job = self.controller.runner.submit(name, fn, done, failed or self.controller.error_occurred.emit)
        if title is not None:
            self.controller.long_job_started.emit(job, title)

    def _open(self, dialog: QDialog, parent_dialog: QDialog | None = None) -> None:
        """Show ``dialog`` without a nested event loop; once it closes the keyboard goes back
        where it was (to the dialog it was opened from, or through the window's restore_focus)."""
        came_from = QApplication.focusWidget()
        restore = getattr(self.window, "restore_focus", None)

        def back(_result: int) -> None:
            if parent_dialog is not None and parent_dialog.isVisible():
                parent_dialog.activateWindow()
                if came_from is not None and came_from.window() is parent_dialog:
                    came_from.setFocus()
            elif restore is not None:
                restore(came_from)

        dialog.finished.connect(back)
        dialog.open()

    def _own_fingerprint(self, then: Callable[[str], None]) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        from tcbm_tracker.exchange.packages.api import own_identity

        self._submit("own identity", None, lambda ctx: own_identity(tracker).fingerprint, then)

    # --- the hub --------------------------------------------------------------------------------
    def show_hub(self) -> None:
        if self.controller.tracker is None:
            return
        from tcbm_tracker.ui.package_dialogs import ExchangePackageDialog

        self.hub = hub = ExchangePackageDialog(self.controller.today(), self.window)
        hub.export_requested.connect(self.export)
        hub.import_requested.connect(lambda: self.start_import())
        hub.trusted_requested.connect(self.show_trusted)
        self._open(hub)
        self._own_fingerprint(lambda f: hub.set_fingerprint(f))

    def export(self, since: dt.date | None) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        parent = self.hub if self.hub is not None and self.hub.isVisible() else self.window
        stem = file_stem(tracker) + (f"-since-{since.isoformat()}" if since else "-all")
        out = self.questions.ask_package_out(parent, f"{stem}-{dt.date.today().isoformat()}.tcbm")
        if out is None:
            return
        from tcbm_tracker.exchange.packages.api import export_package

        def done(result: Any) -> None:
            self.last_result = result
            self.show_message(f"Wrote {result.path}: {count(result.assessments, 'assessment')}, "
                              f"{count(result.evidence, 'evidence item')} ({count(result.evidence_files, 'file')}), "
                              f"signed by this copy ({result.exporter.short}…)")

        self._submit("export package", f"Exporting {out.name}",
                     lambda ctx: export_package(tracker, out, since=since, progress=_progress(ctx, "Writing")), done)

    # --- import ---------------------------------------------------------------------------------
    def start_import(self, path: Path | None = None) -> None:
        """Check a package and show its preview; ``path`` None asks which file."""
        if self.controller.tracker is None or self.controller.login_refuses("Not imported"):
            return
        if path is None:
            parent = self.hub if self.hub is not None and self.hub.isVisible() else self.window
            path = self.questions.ask_package(parent)
            if path is None:
                return
        self._plan(Path(path), untrusted=False)

    def preview_when_open(self, path: Path) -> None:
        """Check ``path`` and show its preview as soon as a database is open (at start-up the
        database opens on the job thread while the window is built)."""
        if self.controller.tracker is not None:
            self.start_import(path)
            return

        def opened(_db: object) -> None:
            self.controller.database_opened.disconnect(opened)
            self.start_import(path)

        self.controller.database_opened.connect(opened)

    def _plan(self, path: Path, *, untrusted: bool) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        from tcbm_tracker.exchange.packages.api import list_trusted, plan_import, read_package

        def job(ctx: JobContext) -> tuple[PackageSummary, ImportPlan | None, dict[str, str]]:
            ctx.progress(0, 0, f"Checking the signature and contents of {path.name}")
            summary = read_package(path)
            names = {c.fingerprint: c.name for c in list_trusted() if c.name}  # copies named in the conflict list
            if not summary.trusted and not untrusted:
                return summary, None, names  # the user decides first: trust the signer, or third-party
            return summary, plan_import(tracker, path, untrusted=untrusted, progress=_progress(ctx, "Comparing")), names

        self._submit("package preview", f"Checking {path.name}", job, lambda r: self._show_preview(path, *r))

    def _show_preview(self, path: Path, summary: PackageSummary, plan: ImportPlan | None, names: dict[str, str]) -> None:
        from tcbm_tracker.ui.package_preview import PackagePreviewDialog

        self.preview = preview = PackagePreviewDialog(summary, plan, self.window, names)
        preview.trust_requested.connect(lambda: self._trust_signer(path, summary))
        preview.third_party_requested.connect(lambda: self._plan(path, untrusted=True))
        if plan is not None:
            preview.import_confirmed.connect(lambda resolution: self._apply(path, plan, resolution))
        self._open(preview)

    def _trust_signer(self, path: Path, summary: PackageSummary) -> None:
        from tcbm_tracker.exchange.packages.api import trust_add

        fingerprint = summary.exporter.fingerprint

        def done(copy: Any) -> None:
            self.show_message(f"Now trusting copy {copy.fingerprint[:16]}…; checking {path.name} again")
            self._refresh_trusted()
            self._plan(path, untrusted=False)

        self._submit("trust signer", None, lambda ctx: trust_add(fingerprint), done)

    def _apply(self, path: Path, plan: ImportPlan, resolution: Any) -> None:
        tracker = self.controller.tracker
        if tracker is None:
            return
        from tcbm_tracker.exchange.packages.api import import_package

        def job(ctx: JobContext) -> Any:
            return import_package(tracker, path, resolution=resolution, untrusted=plan.third_party,
                                  progress=_progress(ctx, "Merging"))

        def done(result: Any) -> None:
            self.last_result = result
            if result.package_import_id is None:
                self.show_message(f"{path.name}: everything in it was already in this copy; nothing was changed")
            else:
                self.show_message(
                    f"Imported {path.name}: {count(result.assessments_added, 'assessment')}, "
                    f"{count(result.evidence_added, 'evidence item')}, {count(result.actors_added, 'actor')}, "
                    f"{count(result.catalogs_added, 'catalogue')}"
                    + (f"; {count(result.resolutions, 'conflict')} resolved as chosen" if result.resolutions else "")
                    + (" (as third-party information)" if plan.third_party else "")
                    + "; a backup was made first")
            self.controller.reload()

        self._submit("import package", f"Importing {path.name}", job, done)

    # --- the trust list -------------------------------------------------------------------------
    def show_trusted(self) -> None:
        from tcbm_tracker.ui.package_dialogs import TrustedCopiesDialog

        parent_dialog = self.hub if self.hub is not None and self.hub.isVisible() else None
        self.trusted = dialog = TrustedCopiesDialog(parent_dialog or self.window)
        dialog.add_requested.connect(self._trust_add)
        dialog.remove_requested.connect(self._trust_remove)
        dialog.browse_requested.connect(self._browse_key)
        dialog.save_key_requested.connect(self._save_key)
        self._open(dialog, parent_dialog)
        self._refresh_trusted()
        self._own_fingerprint(lambda f: dialog.set_fingerprint(f))

    def _refresh_trusted(self) -> None:
        from tcbm_tracker.exchange.packages.api import list_trusted

        def done(rows: Any) -> None:
            if self.trusted is not None:
                self.trusted.set_trusted(rows)

        self._submit("list trusted", None, lambda ctx: list_trusted(), done)

    def _told(self, exc: BaseException, details: str) -> None:
        """A refused trust-list change is said in the dialog, next to what was typed."""
        from tcbm_tracker.domain.errors import TrackerError

        if isinstance(exc, TrackerError) and self.trusted is not None and self.trusted.isVisible():
            self.trusted.show_message(f"Not changed: {exc}")
            return
        self.controller.error_occurred.emit(exc, details)

    def _trust_add(self, source: str, name: str | None) -> None:
        from tcbm_tracker.exchange.packages.api import trust_add

        def done(copy: Any) -> None:
            if self.trusted is not None:
                self.trusted.source.clear()
                self.trusted.name.clear()
                self.trusted.show_message(f"Trusted: {copy.name or 'a copy'} ({copy.fingerprint[:16]}…)")
            self._refresh_trusted()

        self._submit("trust add", None, lambda ctx: trust_add(source, name=name), done, self._told)

    def _trust_remove(self, fingerprint: str) -> None:
        from tcbm_tracker.exchange.packages.api import trust_remove

        def done(copy: Any) -> None:
            if self.trusted is not None:
                self.trusted.show_message(f"No longer trusted: {copy.name or 'the copy'} ({copy.fingerprint[:16]}…); "
                                          "its packages are refused from now on")
            self._refresh_trusted()

        self._submit("trust remove", None, lambda ctx: trust_remove(fingerprint), done, self._told)

    def _browse_key(self) -> None:
        dialog = self.trusted
        if dialog is None:
            return
        path = self.questions.ask_key_file(dialog)
        if path is not None:
            dialog.source.setText(str(path))
            dialog.name.setFocus()

    def _save_key(self) -> None:
        dialog = self.trusted
        out = self.questions.ask_key_out(dialog or self.window)
        if out is None:
            return
        from tcbm_tracker.exchange.packages.api import export_public_key

        def done(path: Any) -> None:
            if self.trusted is not None:
                self.trusted.show_message(f"Saved this copy's public key to {path}")

        self._submit("save key", None, lambda ctx: export_public_key(out), done, self._told)
