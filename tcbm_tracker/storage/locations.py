"""Where the user's files live: the database (``--db`` beats ``TCBM_TRACKER_DB`` beats the
per-user data folder), and the per-user folders for keys, logs and backups (platformdirs).

Keys live in the config folder, never beside or inside the database, so that a copy of the
database file alone does not carry the key that seals it. Each folder can be moved with an
environment variable, which tests use to keep the user's real folders untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

APP_NAME = "tcbm-tracker"
ENV_DB = "TCBM_TRACKER_DB"
ENV_CONFIG_DIR = "TCBM_TRACKER_CONFIG_DIR"
ENV_LOG_DIR = "TCBM_TRACKER_LOG_DIR"
ENV_BACKUP_DIR = "TCBM_TRACKER_BACKUP_DIR"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def default_database_path() -> Path:
    return _from_env(ENV_DB) or user_data_path(APP_NAME, appauthor=False) / "tracker.sqlite"


def config_dir() -> Path:
    """The per-user config folder: the copy's signing key and its list of trusted copies."""
    return _from_env(ENV_CONFIG_DIR) or user_config_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    """The per-user log folder (rotating log files)."""
    return _from_env(ENV_LOG_DIR) or user_log_path(APP_NAME, appauthor=False)


def backup_dir() -> Path:
    """The per-user backup folder."""
    return _from_env(ENV_BACKUP_DIR) or user_data_path(APP_NAME, appauthor=False) / "backups"
