"""Where things live: shipped resources, migration scripts and the default database.

In a source checkout (or an editable install) ``resources/`` and ``db/`` sit beside the
package; in a wheel they are shipped inside it as ``_resources`` and ``_db``.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "tcbm-tracker"
ENV_DB = "TCBM_TRACKER_DB"
_PACKAGE = Path(__file__).resolve().parent.parent


def _shipped(name_in_wheel: str, name_in_checkout: str) -> Path:
    inside = _PACKAGE / name_in_wheel
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name_in_checkout


def resources_dir() -> Path:
    return _shipped("_resources", "resources")


def catalogs_dir() -> Path:
    return resources_dir() / "catalogs"


def actors_file() -> Path:
    return resources_dir() / "actors" / "states.json"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def migrations_dir() -> Path:
    return _shipped("_db", "db") / "migrations"


def default_database_path() -> Path:
    """``--db`` beats ``TCBM_TRACKER_DB`` beats the per-user data folder."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return user_data_path(APP_NAME, appauthor=False) / "tracker.sqlite"
