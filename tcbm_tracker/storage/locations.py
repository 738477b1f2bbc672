"""Where the user's files live: the database (``--db`` beats ``TCBM_TRACKER_DB`` beats the
per-user data folder), and the per-user folders for keys, logs and backups (platformdirs).

Keys live in the config folder, never beside or inside the database, so that a copy of the
database file alone does not carry the key that seals it. Each folder can be moved with an
environment variable, which tests use to keep the user's real folders untouched.

Portable mode (a file named ``portable`` beside the executable, or ``--portable``) is one
switch, :func:`set_portable_root`: every folder then lives under that root (``data/`` beside
the application), the environment variables are ignored, and the window's settings go to an
INI file there, so that the application runs from a USB stick and leaves nothing on the host.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

APP_NAME = "tcbm-tracker"
ENV_DB = "TCBM_TRACKER_DB"
ENV_CONFIG_DIR = "TCBM_TRACKER_CONFIG_DIR"
ENV_LOG_DIR = "TCBM_TRACKER_LOG_DIR"
ENV_BACKUP_DIR = "TCBM_TRACKER_BACKUP_DIR"
PORTABLE_MARKER = "portable"
PORTABLE_DATA = "data"

_portable_root: Path | None = None


def set_portable_root(root: Path | None) -> None:
    """Keep every file of the application under ``root`` (``None``: the per-user folders)."""
    global _portable_root
    _portable_root = Path(root).resolve() if root is not None else None


def portable_root() -> Path | None:
    return _portable_root


def application_dir() -> Path:
    """The folder holding the executable: the bundle's folder when frozen, else the script's."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(sys.argv[0]).resolve().parent


def detect_portable(flag: bool = False, app_dir: Path | None = None) -> Path | None:
    """Switch portable mode on if ``flag`` is set or the marker file sits beside the executable;
    returns the data folder in use (``None``: the per-user folders)."""
    folder = app_dir or application_dir()
    if flag or (folder / PORTABLE_MARKER).is_file():
        set_portable_root(folder / PORTABLE_DATA)
    return _portable_root


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def default_database_path() -> Path:
    if _portable_root is not None:
        return _portable_root / "tracker.sqlite"
    return _from_env(ENV_DB) or user_data_path(APP_NAME, appauthor=False) / "tracker.sqlite"


def config_dir() -> Path:
    """The per-user config folder: the copy's signing key and its list of trusted copies."""
    if _portable_root is not None:
        return _portable_root / "config"
    return _from_env(ENV_CONFIG_DIR) or user_config_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    """The per-user log folder (rotating log files)."""
    if _portable_root is not None:
        return _portable_root / "logs"
    return _from_env(ENV_LOG_DIR) or user_log_path(APP_NAME, appauthor=False)


def backup_dir() -> Path:
    """The per-user backup folder."""
    if _portable_root is not None:
        return _portable_root / "backups"
    return _from_env(ENV_BACKUP_DIR) or user_data_path(APP_NAME, appauthor=False) / "backups"


def settings_file() -> Path | None:
    """The window settings' INI file in portable mode; ``None``: Qt's per-user default."""
    return _portable_root / "settings.ini" if _portable_root is not None else None


def cache_dir() -> Path | None:
    """Where libraries' caches (fontconfig) go in portable mode; ``None``: their own default."""
    return _portable_root / "cache" if _portable_root is not None else None


@dataclass(frozen=True)
class DataLocation:
    """Which mode is active and where the data is (for the About box and ``--version``)."""

    portable: bool
    data_dir: Path
    database: Path

    @property
    def mode(self) -> str:
        return "portable" if self.portable else "installed"

    def describe(self) -> str:
        if self.portable:
            return f"Portable mode: all data in {self.data_dir}"
        return f"Installed mode: database {self.database}, keys and settings in {self.data_dir}"


def data_location() -> DataLocation:
    if _portable_root is not None:
        return DataLocation(True, _portable_root, default_database_path())
    return DataLocation(False, config_dir(), default_database_path())


SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_url(target: object) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL; anything else is a file path.

    Here rather than beside the server engine (``server_database``), so that telling a file from
    a server does not import SQLAlchemy."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in SERVER_SCHEMES and "://" in target
