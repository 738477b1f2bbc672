"""Shared test set-up: offscreen Qt for the whole suite, and a fresh tracker database per test."""

from __future__ import annotations

import os

# Set before anything imports Qt: every GUI test runs offscreen, on any machine, unless
# TCBM_TRACKER_TEST_PLATFORM names another Qt platform (packaging/xvfb-e2e.sh: xcb under Xvfb).
os.environ["QT_QPA_PLATFORM"] = os.environ.get("TCBM_TRACKER_TEST_PLATFORM") or "offscreen"

import sys  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

# The network is blocked for the whole run, child processes included (tests/offline/).
sys.path.insert(0, str(_Path(__file__).resolve().parent / "offline"))
# A throwaway PostgreSQL cluster for the server tests and for the service tests' second engine.
sys.path.insert(0, str(_Path(__file__).resolve().parent / "server"))
pytest_plugins = ["offline_plugin", "pytester", "pg_fixtures"]

import datetime as dt  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tcbm_tracker.domain.clock import fixed_time  # noqa: E402
from tcbm_tracker.services.setup import initialise  # noqa: E402
from tcbm_tracker.services.tracker import Tracker, open_tracker  # noqa: E402

SET_UP_AT = dt.datetime(2000, 1, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys, logs and backups of every test go to a folder of its own, never the user's."""
    base = tmp_path_factory.mktemp("user-folders")
    for name, sub in (("TCBM_TRACKER_CONFIG_DIR", "config"), ("TCBM_TRACKER_LOG_DIR", "log"), ("TCBM_TRACKER_BACKUP_DIR", "backups")):
        monkeypatch.setenv(name, str(base / sub))


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initialised database, copied for each test (initialising takes about half a second)."""
    path = tmp_path_factory.mktemp("template") / "tracker.sqlite"
    # Set up "long ago", as a tracker in real use would be: pictures "as known at" a past
    # date then contain the catalogues and actors, which were already loaded.
    with fixed_time(SET_UP_AT):
        initialise(path, user="tester")
    return path


@pytest.fixture
def db_path(tmp_path: Path, _seeded_template: Path) -> Path:
    """A fresh, initialised database file of this test's own."""
    target = tmp_path / "tracker.sqlite"
    target.write_bytes(_seeded_template.read_bytes())
    return target


@pytest.fixture
def tracker(db_path: Path) -> Iterator[Tracker]:
    t = open_tracker(db_path, user="tester")
    yield t
    t.close()
