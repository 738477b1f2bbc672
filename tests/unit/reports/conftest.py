"""Report test fixtures: reproducible PDFs (reportlab invariant mode) and a seeded tracker."""

from __future__ import annotations

from collections.abc import Iterator

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


@pytest.fixture
def seeded(tracker: Tracker) -> Tracker:
    seed(tracker)
    return tracker
