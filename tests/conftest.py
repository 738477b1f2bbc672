"""Shared test set-up: offscreen Qt for the whole suite, and a fresh tracker database per test."""

from __future__ import annotations

import os

# Set before anything imports Qt: every GUI test runs offscreen, on any machine.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tcbm_tracker.services.setup import initialise  # noqa: E402
from tcbm_tracker.services.tracker import Tracker, open_tracker  # noqa: E402


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initialised database, copied for each test (initialising takes about half a second)."""
    path = tmp_path_factory.mktemp("template") / "tracker.sqlite"
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
