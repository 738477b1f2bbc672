"""Report test fixtures: reproducible PDFs (reportlab invariant mode) and a seeded tracker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from report_seed import seed
from reportlab import rl_config

from tcbm_tracker.services.tracker import Tracker


@pytest.fixture(autouse=True)
def invariant_pdfs() -> Iterator[None]:
    """Fixed creation dates and ids, so a PDF's bytes depend only on its content."""
    old = rl_config.invariant
    rl_config.invariant = 1
    yield
    rl_config.invariant = old


@pytest.fixture(autouse=True)
def time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Reports print local times: run in UTC unless a test switches zone with ``time_zone("Europe/Paris")``.

    Spawned batch workers inherit ``TZ`` from the environment, so they print the same times.
    """

    def switch(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    switch("UTC")
    yield switch
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def seeded(tracker: Tracker) -> Tracker:
    seed(tracker)
    return tracker
