"""User text in places drawn as one string: table cells, one-line names, chart labels.

Tables draw a string cell in one face, far faster than a paragraph, so the reports keep strings
for the usual case: text the report face shows as it is (``SafeText.is_plain``). Text that needs
another face (Chinese), shaping or right-to-left order (Arabic) takes the paragraph path with
the fallback faces instead, or, where a cell has room for one line only (the matrix's actor
names), a ``OneLine`` of face runs cut with an ellipsis at the end of its reading order.
"""

from __future__ import annotations

import functools
from typing import Any

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from tcbm_tracker.reports.fonts import BOLD, REGULAR, fit_text
from tcbm_tracker.reports.rtl_lines import aligned
from tcbm_tracker.reports.scripts import base_level
from tcbm_tracker.reports.styles import INK, Styles
from tcbm_tracker.reports.text import SafeText, shorten

Runs = list[tuple[str, str]]
ELLIPSIS = "…"


@functools.cache
def cell_style(font: str = REGULAR, size: float = 8, leading: float | None = None) -> Any:
    """The paragraph style of a cell in ``font`` at ``size`` (``rtl_lines.aligned`` right-aligns it)."""
    base = Styles.cell_bold if font == BOLD else Styles.cell
    return base.clone(f"{base.name}-{font}-{size}-{leading}", fontName=font, fontSize=size, leading=leading or size * 1.25)


def lines(value: str, width: float, font: str = REGULAR, size: float = 8) -> str:
    """Plain cell text broken into lines that fit ``width`` (tables draw strings far faster than
    paragraphs). Only for text the face shows as it is: fixed labels, dates, numbers, or user
    text for which ``SafeText.is_plain`` holds (else ``text_cell``)."""
    return "\n".join(simpleSplit(value, font, size, width - 6)) or value


def text_cell(text: SafeText, value: str, width: float, font: str = REGULAR, size: float = 8, *,
              field: str | None = None) -> str | Paragraph:
    """User text in a table cell ``width`` points wide: wrapped plain lines when the report face
    shows it as it is, else a paragraph with the fallback faces (Chinese, shaped Arabic)."""
    if text.is_plain(value, font):
        return lines(value, width, font, size)
    return Paragraph(text.para(value, font, field=field), aligned(cell_style(font, size), value))


def runs_width(runs: Runs, size: float) -> float:
    return sum(stringWidth(piece, face, size) for face, piece in runs)


def fit_runs(runs: Runs, size: float, width: float, rtl: bool) -> Runs:
    """``runs`` (display order) cut to ``width`` points with an ellipsis where the reading ends:
    at the right of a left-to-right line, at the left of a right-to-left one."""
    if runs_width(runs, size) <= width:
        return runs
    budget = width - stringWidth(ELLIPSIS, REGULAR, size)
    ordered = list(reversed(runs)) if rtl else list(runs)
    kept: Runs = []
    for face, piece in ordered:
        w = stringWidth(piece, face, size)
        if w <= budget:
            kept.append((face, piece))
            budget -= w
            continue
        n = len(piece)
        while n > 0 and stringWidth(piece[-n:] if rtl else piece[:n], face, size) > budget:
            n -= 1
        if n:
            kept.append((face, piece[-n:].lstrip() if rtl else piece[:n].rstrip()))
        break
    kept.append((REGULAR, ELLIPSIS))
    return list(reversed(kept)) if rtl else kept


class OneLine(Flowable):
    """One line of user text in its faces, for a cell with room for one line: cut with an
    ellipsis when too long, and right-aligned when the text is right to left."""

    def __init__(self, text: SafeText, value: str, font: str = REGULAR, size: float = 8, *, field: str | None = None) -> None:
        super().__init__()
        self.runs = text.runs(value, font, field=field, auto=True)
        self.rtl = base_level(value) == 1
        self.size = size
        self.width = self.height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, self.size
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        runs = fit_runs(self.runs, self.size, self.width, self.rtl)
        x = self.width - runs_width(runs, self.size) if self.rtl else 0.0
        c.setFillColor(INK)
        for face, piece in runs:
            c.setFont(face, self.size)
            c.drawString(x, self.size * 0.2, piece)
            x += stringWidth(piece, face, self.size)


def one_line_cell(text: SafeText, value: str, width: float, font: str = REGULAR, size: float = 8) -> str | OneLine:
    """A one-line cell: the plain string cut with an ellipsis (fast), or a ``OneLine``."""
    if text.is_plain(value, font):
        return fit_text(value, font, size, width)
    return OneLine(text, value, font, size)


def label_paragraph(text: SafeText, value: str, width: float, font: str, size: float, leading: float,
                    max_lines: int = 2) -> Paragraph:
    """A chart label as a paragraph (for text the plain path cannot draw), at most ``max_lines``
    lines: shortened with a visible "…" otherwise. Right to left text is right-aligned."""
    style = aligned(cell_style(font, size, leading), value)
    shown = value
    trial = SafeText()  # the tries are not reported; the label finally shown is
    while len(shown) > 4:
        p = Paragraph(trial.para(shown, font), style)
        p.wrap(width, 10_000)
        if len(p.blPara.lines) <= max_lines:
            break
        shown = shorten(value, int(len(shown) * 0.8))[0]
    return Paragraph(text.para(shown, font), style)
