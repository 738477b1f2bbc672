"""Report test set-up: reproducible PDFs (reportlab invariant mode), a seeded tracker, PDF reading."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab import rl_config

from tcbm_tracker.services.tracker import Tracker
from report_seed import seed

NOW = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)


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


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


_FRAME = re.compile(r"^.*?Page \d+ of\s*\d+\n", re.S)


def body_text(path: Path) -> str:
    """All pages' text without the running header and footer (drawn first on each page)."""
    return flat(" ".join(_FRAME.sub("", t, count=1) for t in page_texts(path)))


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces and runs of spaces collapsed."""
    return re.sub(r"\s+", " ", text)
