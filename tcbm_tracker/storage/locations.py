"""Where the user's database lives by default: ``--db`` beats ``TCBM_TRACKER_DB`` beats the
per-user data folder (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "tcbm-tracker"
ENV_DB = "TCBM_TRACKER_DB"


def default_database_path() -> Path:
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return user_data_path(APP_NAME, appauthor=False) / "tracker.sqlite"
