"""Reading report PDFs back in tests: page texts, body text without the page frame."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pypdf import PdfReader

NOW = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)  # the "generated" time printed in test reports

_FRAME = re.compile(r"^.*?Page \d+ of\s*\d+\n", re.S)


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def body_text(path: Path) -> str:
    """All pages' text without the running header and footer (drawn first on each page)."""
    return flat(" ".join(_FRAME.sub("", t, count=1) for t in page_texts(path)))


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces and runs of spaces collapsed."""
    return re.sub(r"\s+", " ", text)
