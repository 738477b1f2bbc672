"""What the window remembers between sessions (QSettings): geometry, layout, recent files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class WindowSettings:
    """A thin typed layer over a ``QSettings`` passed in (tests give one in a temp folder)."""

    def __init__(self, settings: QSettings) -> None:
        self.qsettings = settings

    def geometry(self) -> QByteArray | None:
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def state(self) -> QByteArray | None:
        value = self.qsettings.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)
        self.qsettings.sync()

    def last_folder(self) -> Path | None:
        """The folder last chosen in a file dialog (where the next one starts)."""
        value = self.qsettings.value("files/last_folder")
        return Path(value) if isinstance(value, str) and value else None

    def set_last_folder(self, folder: Path) -> None:
        self.qsettings.setValue("files/last_folder", str(Path(folder).resolve()))
        self.qsettings.sync()

    def recent_files(self) -> list[Path]:
        value = self.qsettings.value("files/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [Path(p) for p in items if p]

    def add_recent_file(self, path: Path) -> None:
        resolved = str(Path(path).resolve())
        items = [str(p) for p in self.recent_files() if str(p) != resolved]
        self.qsettings.setValue("files/recent", [resolved, *items][:MAX_RECENT])
        self.qsettings.sync()

    def recent_servers(self) -> list[str]:
        """Server addresses (and files) opened with Connect to Server…, newest first; never a password."""
        value = self.qsettings.value("servers/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(p) for p in items if p]

    def add_recent_server(self, address: str) -> None:
        from urllib.parse import urlsplit

        if "://" in address and urlsplit(address).password is not None:
            raise ValueError("a server address with a password is never stored")
        items = [a for a in self.recent_servers() if a != address]
        self.qsettings.setValue("servers/recent", [address, *items][:MAX_RECENT])
        self.qsettings.sync()
