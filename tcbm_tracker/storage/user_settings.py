"""This copy's own settings kept outside the database: who prints the reports.

A small JSON object in ``settings.json`` in the config folder (``locations.config_dir()``,
beside the copy's key; under ``data/config`` in portable mode), read alike by the command
line, the report jobs and the desktop application (the window's layout stays in Qt's own
settings). It is written to a temporary file and renamed over the old one, so an interrupted
write leaves the previous settings whole; a file that cannot be read is named, never
overwritten.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.storage.locations import config_dir

SETTINGS_NAME = "settings.json"


class SettingsFileError(TrackerError):
    """The settings file exists but cannot be read or written."""


def settings_path(folder: Path | None = None) -> Path:
    return (folder or config_dir()) / SETTINGS_NAME


def read_settings(folder: Path | None = None) -> dict[str, str]:
    """Every stored setting (key -> text); an absent file holds none."""
    path = settings_path(folder)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsFileError(f"cannot read the settings file {path}: {exc}") from None
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SettingsFileError(f"the settings file {path} is not valid JSON ({exc}); fix it or delete it") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise SettingsFileError(f"the settings file {path} is not an object of text values; fix it or delete it")
    return dict(data)


def write_settings(values: dict[str, str], folder: Path | None = None) -> None:
    """Replace the stored settings with ``values`` (atomically)."""
    path = settings_path(folder)
    tmp = path.with_name(f".{SETTINGS_NAME}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(values, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SettingsFileError(f"cannot write the settings file {path}: {exc.strerror or exc}") from None
