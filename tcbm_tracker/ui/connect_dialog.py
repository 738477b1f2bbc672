"""File > Connect to Server…: open a shared database by URL, with the servers used before.

The address is what ``--db`` takes: ``postgresql://user@host/database`` (a team server),
``sqlite:///path/to/file.sqlite`` or a plain file path. A URL holding a password is refused:
passwords are never written to settings or logs, and libpq reads them from its own password
file (``~/.pgpass``, or the file ``PGPASSFILE`` names). Recent servers are kept without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from tcbm_tracker.ui.main_window import MainWindow

SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
PASSWORD_ADVICE = ("passwords are never stored: remove it from the address and put it in libpq's password "
                   "file (~/.pgpass, or the file PGPASSFILE names)")


@dataclass(frozen=True)
class Target:
    """Where to connect: a server URL (``url``) or a database file (``path``)."""

    text: str  # as typed, trimmed: what the recent list keeps
    url: str | None = None
    path: Path | None = None


def parse_target(text: str) -> Target:
    """Check an address as typed; raises ``ValueError`` with a one-line reason when it is unusable."""
    text = text.strip()
    if not text:
        raise ValueError("type a server address (postgresql://user@host/database) or a database file path")
    if "://" not in text:
        return Target(text, path=Path(text).expanduser())
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ValueError("a sqlite:/// address needs a file path after it (sqlite:///home/me/tracker.sqlite)")
        # As SQLAlchemy reads it: sqlite:///relative.sqlite, sqlite:////absolute/path.sqlite.
        return Target(text, path=Path(path[1:]).expanduser())
    if scheme not in SERVER_SCHEMES:
        raise ValueError(f"unknown kind of address {parts.scheme!r}: use postgresql://user@host/database "
                         "or a database file path")
    if parts.password is not None or "password" in {k.lower() for k in parse_qs(parts.query)}:
        raise ValueError(f"the address holds a password; {PASSWORD_ADVICE}")
    if not parts.hostname and "host" not in parse_qs(parts.query):
        raise ValueError("the server address names no host: postgresql://user@host/database")
    if not parts.path.strip("/"):
        raise ValueError("the server address names no database: add it after the host (postgresql://user@host/tcbm)")
    return Target(text, url=text)


def address_to_keep(url: str) -> str:
    """A server URL as the recent servers keep it: as given, less any password (in its user part
    or its query), which libpq then reads from its password file."""
    parts = urlsplit(url)
    query = [p for p in parts.query.split("&") if p and p.split("=", 1)[0].lower() != "password"]
    if parts.password is None and len(query) == len([p for p in parts.query.split("&") if p]):
        return url
    name = parts.netloc.rpartition("@")[0].split(":", 1)[0]
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{name}@{host}" if name else host
    return urlunsplit(parts._replace(netloc=netloc, query="&".join(query)))


class ConnectDialog(QDialog):
    """The address field (typed, or one of the recent servers) and the reason it is refused."""

    def __init__(self, recent: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to Server")
        self.setObjectName("connectDialog")
        self.address = QComboBox()
        self.address.setEditable(True)
        self.address.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.address.addItems(recent)
        self.address.setCurrentIndex(0 if recent else -1)
        self.address.setMinimumContentsLength(48)
        self.address.lineEdit().setPlaceholderText("postgresql://me@db.example.org/tcbm")
        label = QLabel("Server &address or database file:")
        label.setBuddy(self.address)
        help_text = QLabel("Your password is not typed here: libpq reads it from ~/.pgpass (or PGPASSFILE). "
                           "Recent servers are listed without passwords.")
        help_text.setWordWrap(True)
        help_text.setStyleSheet("color: palette(placeholder-text);")
        self.reason = QLabel()
        self.reason.setObjectName("connectReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #a00000;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton("&Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setDefault(True)
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        for widget in (label, self.address, help_text, self.reason, self.buttons):
            box.addWidget(widget)
        self.address.editTextChanged.connect(lambda _text: self.revalidate())
        self.target: Target | None = None
        self.revalidate()
        self.address.setFocus(Qt.FocusReason.OtherFocusReason)
        # Room for two lines of each wrapped text: a reason appearing must not be cut off.
        lines = self.fontMetrics().lineSpacing() * 2 + 4
        help_text.setMinimumHeight(lines)
        self.reason.setMinimumHeight(lines)
        self.resize(600, self.sizeHint().height())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter connects, or does nothing while the address is refused: QDialog would otherwise
        # press another button (Cancel) and lose what was typed.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self._accept_if_valid()
            return
        super().keyPressEvent(event)

    def revalidate(self) -> None:
        try:
            parse_target(self.address.currentText())
        except ValueError as exc:
            typed = bool(self.address.currentText().strip())
            self.reason.setText(str(exc)[0].upper() + str(exc)[1:] + "." if typed else "")
            self.connect_button.setEnabled(False)
        else:
            self.reason.setText("")
            self.connect_button.setEnabled(True)

    def _accept_if_valid(self) -> None:
        try:
            self.target = parse_target(self.address.currentText())
        except ValueError:
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, recent: list[str]) -> Target | None:
        dialog = cls(recent, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        target = dialog.target if accepted else None
        dialog.deleteLater()
        return target


AskTarget = Callable[[QWidget | None, list[str]], "Target | None"]


class ServerConnector(QObject):
    """The File menu's Connect to Server… action: asks, opens, and remembers what opened; a server
    opened otherwise (``--db URL gui``, ``gui URL``, ``TCBM_TRACKER_DB``) is remembered too."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction("Connect to &Server…", window)
        self.action.setStatusTip("Open a shared database on a server (or a database file) by its address")
        self.action.triggered.connect(self.connect_to_server)
        self.ask: AskTarget = ConnectDialog.ask  # tests answer without opening anything modal
        self._pending: str | None = None
        window.controller.database_opened.connect(self._opened)
        window.controller.error_occurred.connect(self._failed)

    def connect_to_server(self) -> None:
        target = self.ask(self.window, self.window.settings.recent_servers())
        if target is None:
            return
        self._pending = target.text
        if target.path is not None:
            self.window.controller.open_database(target.path)
        elif target.url is not None:
            self.window.controller.open_server(target.url)

    def _opened(self, _path: object) -> None:
        # What this dialog opened, as typed; else a server opened by its URL (never a file).
        address = self._pending if self._pending is not None else self._server_url()
        self._pending = None
        if address is not None:
            self.window.settings.add_recent_server(address)

    def _server_url(self) -> str | None:
        from tcbm_tracker.services.tracker import server_url

        tracker = self.window.controller.tracker
        url = server_url(tracker) if tracker is not None else None
        return address_to_keep(url) if url is not None else None

    def _failed(self, _exc: object, _details: str) -> None:
        self._pending = None  # not kept: an address that did not open is not a recent server
