"""What users expect of any desktop window, kept out of the main window's assembly:
Edit > Copy, Help > User Guide / Keyboard Shortcuts / About, the window icon, and the folder
file dialogs start in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPlainTextEdit, QTableView, QTextEdit

from tcbm_tracker import __version__
from tcbm_tracker.services.dto import CatalogInfo
from tcbm_tracker.shipped import icon_file, user_guide_file
from tcbm_tracker.ui.copy_cells import matrix_tsv, table_rows_tsv
from tcbm_tracker.ui.help_dialogs import TextWindow, about_html, keyboard_markdown, user_guide_markdown

if TYPE_CHECKING:
    from tcbm_tracker.ui.main_window import MainWindow


def app_icon() -> QIcon:
    return QIcon(str(icon_file()))


class WindowExtras:
    def __init__(self, window: MainWindow, edit_menu: QMenu, help_menu: QMenu) -> None:
        self.window = window
        self.catalogs: Sequence[CatalogInfo] = ()
        self.locations: dict[str, str] = {}  # "Settings and keys": folder, ... (set by the app)
        self.last_page: TextWindow | None = None
        window.setWindowIcon(app_icon())
        steady_undo_labels(window.undo_action, window.redo_action, window.controller.undo_stack)

        self.copy_action = self._action("&Copy", self.copy, QKeySequence.StandardKey.Copy,
                                        "Copy the selected cells or rows as tab-separated text with headers")
        edit_menu.addSeparator()
        edit_menu.addAction(self.copy_action)
        self.guide_action = self._action("&User Guide", self.show_guide, QKeySequence.StandardKey.HelpContents)
        self.keys_action = self._action("&Keyboard Shortcuts", self.show_keys, "Ctrl+/")
        self.about_action = self._action("&About TCBM Tracker", self.show_about)
        help_menu.addActions([self.guide_action, self.keys_action])
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _action(self, text: str, slot: Callable[[], None], shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # --- Edit > Copy -------------------------------------------------------------------------------
    def copy(self) -> None:
        """Copy what the focused widget shows selected; text fields copy their own selection."""
        focus = QApplication.focusWidget()
        if isinstance(focus, QLineEdit | QTextEdit | QPlainTextEdit):
            focus.copy()
            return
        matrix = self.window.matrix_view.table
        if focus is matrix or focus is self.window.matrix_view.frozen:
            text = matrix_tsv(matrix)
        elif isinstance(focus, QTableView):
            text = table_rows_tsv(focus)
        else:
            text = ""
        if text:
            QApplication.clipboard().setText(text)
            lines = text.count("\n") - 1
            self.window.statusBar().showMessage(f"Copied {lines:,} row{'s' if lines != 1 else ''} with headers", 4000)

    # --- Help --------------------------------------------------------------------------------------
    def _open(self, page: TextWindow) -> TextWindow:
        if self.last_page is not None:
            try:
                self.last_page.close()
            except RuntimeError:  # already deleted on close
                pass
        self.last_page = page
        page.show_beside()
        return page

    def show_guide(self) -> None:
        guide = user_guide_file()
        self._open(TextWindow("TCBM Tracker user guide", self.window, markdown=user_guide_markdown(guide),
                              search_path=guide.parent))

    def show_keys(self) -> None:
        self._open(TextWindow("Keyboard shortcuts", self.window, markdown=keyboard_markdown(user_guide_markdown())))

    def show_about(self) -> None:
        tracker = self.window.controller.tracker
        database = Path(tracker.path) if tracker is not None else None
        self._open(TextWindow("About TCBM Tracker", self.window,
                              html=about_html(__version__, database, self.locations, self.catalogs)))

    # --- where file dialogs start ------------------------------------------------------------------
    def dialog_folder(self) -> str:
        """The folder last used in a file dialog, else the open database's folder, else ''."""
        last = self.window.settings.last_folder()
        if last is not None and last.is_dir():
            return str(last)
        tracker = self.window.controller.tracker
        if tracker is None or self.window.controller.on_server:  # a server has no folder here
            return ""
        return str(Path(tracker.path).parent)

    def remember_folder(self, chosen: Path) -> None:
        folder = chosen if chosen.is_dir() else chosen.parent
        self.window.settings.set_last_folder(folder)


def steady_undo_labels(undo: QAction, redo: QAction, stack: QUndoStack) -> None:
    """"Undo" and "Redo" always read so; what they would undo is in the tooltip and status tip.

    ``QUndoStack.createUndoAction`` renames its action after every edit ("Undo Record 37
    cells"), which made the toolbar jump sideways; these slots run after the stack's own.
    """

    def steady(action: QAction, label: str, verb: str, text: str) -> None:
        action.setText(label)
        detail = f"{verb} {text}" if text else f"Nothing to {verb.lower()}"
        action.setToolTip(detail)
        action.setStatusTip(detail)

    stack.undoTextChanged.connect(lambda text: steady(undo, "&Undo", "Undo", text))
    stack.redoTextChanged.connect(lambda text: steady(redo, "&Redo", "Redo", text))
    steady(undo, "&Undo", "Undo", stack.undoText())
    steady(redo, "&Redo", "Redo", stack.redoText())
