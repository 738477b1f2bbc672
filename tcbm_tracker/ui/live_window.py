"""What the window does with live updates: repaint changed cells, say who changed what, show a
banner while the database cannot be read.

Kept out of ``main_window`` (one hook there): the matrix gets only the changed cells, an open
dossier, measure view or cell history of a changed cell is read again, the status bar names the
author of other people's changes, and an open editor of a changed cell says so before saving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from tcbm_tracker.domain.local_time import clock_time
from tcbm_tracker.services.change_feed import ChangeNotice
from tcbm_tracker.ui.live_updates import POLL_MS, LiveChanges, LiveUpdates

if TYPE_CHECKING:
    from tcbm_tracker.ui.main_window import MainWindow

BANNER_STYLE = ("background: #f8d7da; color: #58151c; padding: 6px 10px; border-bottom: 1px solid #e4a1a8; "
                "font-weight: 600;")


def describe(notice: ChangeNotice, actor_names: dict[str, str]) -> str:
    """``alice recorded France · LTS-B.4 at 10:42`` (local clock time)."""
    try:
        when = clock_time(notice.at)
    except ValueError:
        when = notice.at
    if notice.cell is not None:
        actor, measure = notice.cell
        what = f"{actor_names.get(actor, actor)} · {measure}"
    else:
        what = f"{notice.entity.replace('_', ' ')} {notice.key}"
    return f"{notice.user} {notice.action} {what} at {when}"


class LiveWindow(QObject):
    """Connects a ``LiveUpdates`` to the views of one main window."""

    def __init__(self, window: MainWindow, interval_ms: int = POLL_MS) -> None:
        super().__init__(window)
        self.window = window
        self.live = LiveUpdates(window.controller, interval_ms, self)
        self.banner = QLabel()
        self.banner.setObjectName("connectionBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        layout = window.centralWidget().layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.banner)
        self.last_message = ""
        self._saved_text: str | None = None  # the status bar's "saved" text while disconnected
        self.live.changes_arrived.connect(self._changes)
        self.live.availability_changed.connect(self._availability)

    def _availability(self, available: bool, reason: str) -> None:
        w = self.window
        if available:
            self.banner.hide()
            if self._saved_text is not None:
                w.saved_label.setText(self._saved_text)
                self._saved_text = None
            w.statusBar().showMessage("The database can be read again: live updates resumed", 8000)
            return
        tracker = w.controller.tracker
        if tracker is not None and w.controller.on_server:
            # The driver's own words (socket, errno) go in the tooltip: the banner names the server.
            gone = "cannot reach the server" in reason
            said = f"The server cannot be reached ({tracker.path})" if gone else f"The server cannot be read: {reason}"
        else:
            said = reason if reason.lower().startswith("cannot") else f"cannot reach the database: {reason}"
            said = said[:1].upper() + said[1:]
        self.banner.setText(f"{said}. Showing what was last read; edits are refused until the database is "
                            "back. Reconnecting by itself…")
        self.banner.setToolTip(reason)
        self.banner.show()
        if self._saved_text is None:  # "All changes saved" would be untrue of an edit tried now
            self._saved_text = w.saved_label.text()
        w.saved_label.setText("Not connected")

    def _changes(self, changes: LiveChanges) -> None:
        w, c = self.window, self.window.controller
        if changes.full_reload or changes.as_of != c.as_of:
            c.reload()
        else:
            w.matrix_view.model.update_cells(changes.cells)
            actors = {a for a, _ in changes.cells}
            measures = {m for _, m in changes.cells}
            dossier = w.dossier_view.dossier
            if dossier is not None and c.current_actor in actors:
                c.load_dossier(c.current_actor)
            if c.current_measure in measures:
                c.load_measure(c.current_measure)
        history = w.history_view.history
        if history is not None and (history.actor, history.measure) in changes.cells:
            c.load_history(history.actor, history.measure)
        w._refresh_changes()
        if changes.others:
            names = w._actor_names
            text = describe(changes.others[-1], names)
            if len(changes.others) > 1:
                text += f" (and {len(changes.others) - 1:,} more changes)"
            self.last_message = text
            w.statusBar().showMessage(text, 15_000)
            self._tell_editors(changes.others)

    def _tell_editors(self, notices: tuple[ChangeNotice, ...]) -> None:
        editors = [d for d in self.window.findChildren(QDialog)
                   if d.isVisible() and hasattr(d, "note_changed_elsewhere")]
        for notice in notices:
            if notice.cell is None:
                continue
            try:
                when = clock_time(notice.at)
            except ValueError:
                when = notice.at
            for editor in editors:
                editor.note_changed_elsewhere(notice.cell, notice.user, when)
