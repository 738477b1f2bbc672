"""The embedded report font (DejaVu Sans, shipped in ``resources/fonts/``) and what it can show.

Reports never use the PDF base-14 fonts: those cover Latin-1 only, so "Türkiye" or a Russian
title would lose letters. DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew and Arabic; what it
lacks (CJK ideographs, most emoji) is found here, per face, so that the text layer can print a
visible marker and report it instead of letting the PDF show an empty box.
"""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.shipped import fonts_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
FAMILY = REGULAR

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}


class ReportFontError(TrackerError):
    """The shipped report font is missing or unreadable (a broken installation)."""


@functools.cache
def register_fonts(folder: Path | None = None) -> None:
    """Register the three faces with reportlab once per process (parsing a TTF takes ~50 ms)."""
    base = folder or fonts_dir()
    for name, file_name in _FILES.items():
        path = base / file_name
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (OSError, TTFError) as exc:
            raise ReportFontError(f"cannot load the report font {path}: {exc}") from None
    # <b> and <i> inside paragraphs resolve through this mapping; there is no bold-oblique
    # face shipped, so bold wins.
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, ITALIC)
    addMapping(FAMILY, 1, 1, BOLD)


@functools.cache
def glyphs(font_name: str) -> frozenset[int]:
    """Code points the face can draw and the PDF can carry as text.

    Characters beyond the Basic Multilingual Plane (DejaVu has a few emoji there) are left
    out: reportlab writes them into the PDF's text map as malformed hex, so copy/paste and
    search would lose them. They get a visible ``[U+XXXX]`` marker like any missing glyph.
    """
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    return frozenset(c for c in font.face.charToGlyph if c <= 0xFFFF)


def fit_text(text: str, font_name: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` points on one line."""
    full = pdfmetrics.stringWidth(text, font_name, size)
    if full <= width:
        return text
    n = max(0, int(len(text) * width / full))  # a close first guess, then step to the exact fit
    while n > 0 and pdfmetrics.stringWidth(text[:n].rstrip() + "…", font_name, size) > width:
        n -= 1
    return text[:n].rstrip() + "…"
