"""Portable mode: one switch moves every file of the application under ``data/`` beside it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.services.installation import data_location
from tcbm_tracker.storage import locations


@pytest.fixture(autouse=True)
def _installed_mode_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts and ends in installed mode (the switch is process-wide)."""
    monkeypatch.setenv("XDG_CACHE_HOME", "unset")  # recorded, so that teardown restores the real value
    monkeypatch.delenv("XDG_CACHE_HOME")
    locations.set_portable_root(None)
    yield
    locations.set_portable_root(None)


def test_installed_mode_uses_the_per_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(locations.ENV_DB, str(tmp_path / "db.sqlite"))
    assert locations.detect_portable(app_dir=tmp_path) is None  # no marker file, no flag
    assert locations.default_database_path() == tmp_path / "db.sqlite"
    assert locations.settings_file() is None and locations.cache_dir() is None
    where = data_location()
    assert (where.portable, where.mode) == (False, "installed")
    assert where.database == tmp_path / "db.sqlite"
    assert "Installed mode" in where.describe()


def test_marker_file_beside_the_executable_moves_every_folder_into_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The environment variables that move the folders in installed mode are ignored: a stick
    # carried to another host must not follow that host's settings.
    monkeypatch.setenv(locations.ENV_DB, str(tmp_path / "elsewhere.sqlite"))
    (tmp_path / "portable").write_text("")
    root = locations.detect_portable(app_dir=tmp_path)
    data = (tmp_path / "data").resolve()
    assert root == data
    assert locations.default_database_path() == data / "tracker.sqlite"
    assert locations.config_dir() == data / "config"
    assert locations.log_dir() == data / "logs"
    assert locations.backup_dir() == data / "backups"
    assert locations.settings_file() == data / "settings.ini"
    assert locations.cache_dir() == data / "cache"
    where = data_location()
    assert (where.portable, where.mode, where.data_dir) == (True, "portable", data)
    assert where.describe() == f"Portable mode: all data in {data}"


def test_a_directory_named_portable_is_not_the_marker(tmp_path: Path) -> None:
    (tmp_path / "portable").mkdir()
    assert locations.detect_portable(app_dir=tmp_path) is None


def test_portable_flag_creates_the_database_beside_the_application(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    monkeypatch.setattr(sys, "argv", [str(app_dir / "tcbm-tracker")])
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert main(["--portable", "--user", "tester", "init"]) == 0
    data = (app_dir / "data").resolve()
    assert (data / "tracker.sqlite").is_file()
    assert list(home.iterdir()) == []  # nothing written in the home folder
    assert os.environ["XDG_CACHE_HOME"] == str(data / "cache")
