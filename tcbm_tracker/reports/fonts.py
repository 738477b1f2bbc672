"""The embedded report fonts (shipped in ``resources/fonts/``) and what each can show.

Reports never use the PDF base-14 fonts: those cover Latin-1 only. DejaVu Sans is the report's
face (Latin, Greek, Cyrillic, Hebrew, and Arabic letters without a good Arabic design); text it
cannot show well falls back per run of characters (see ``reports/text.py``):

- Arabic script: Noto Sans Arabic (regular and bold), shaped with HarfBuzz;
- Chinese, Japanese and Korean: Droid Sans Fallback (one face; it has no bold).

Only DejaVu is parsed for every report. The fallback faces are parsed the first time a report
needs one (the CJK face is 4 MB and takes ~150 ms to read), once per process.
"""

from __future__ import annotations

import copy
import functools
import struct
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.shipped import REINSTALL, fonts_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
FAMILY = REGULAR

ARABIC = "NotoSansArabic"
ARABIC_BOLD = "NotoSansArabic-Bold"
CJK = "DroidSansFallback"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}
_FALLBACK_FILES = {ARABIC: "NotoSansArabic-Regular.ttf", ARABIC_BOLD: "NotoSansArabic-Bold.ttf", CJK: "DroidSansFallbackFull.ttf"}
# (regular, bold) face of each fallback family; <b> inside a paragraph maps through these.
_FALLBACK_FAMILIES = {ARABIC: (ARABIC, ARABIC_BOLD), CJK: (CJK, CJK)}


class ReportFontError(TrackerError):
    """The shipped report font is missing or unreadable (a broken installation)."""


def _load(name: str, path: Path) -> None:
    try:
        # shapable=False: reportlab's own per-word shaping is never switched on; text.py shapes
        # the runs that need it, so Latin paragraphs pay nothing.
        pdfmetrics.registerFont(TTFont(name, str(path), shapable=False))
    except (OSError, TTFError, struct.error, IndexError, KeyError, ValueError) as exc:
        # A truncated or garbled file fails inside reportlab's parser with struct, index or key
        # errors as often as with TTFError; each is the same broken installation.
        raise ReportFontError(f"cannot load the report font {path} ({exc}): {REINSTALL}") from None


@functools.cache
def register_fonts(folder: Path | None = None) -> None:
    """Register the three DejaVu faces with reportlab once per process (~25 ms each)."""
    base = folder or fonts_dir()
    for name, file_name in _FILES.items():
        _load(name, base / file_name)
    # <b> and <i> inside paragraphs resolve through this mapping; there is no bold-oblique
    # face shipped, so bold wins.
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, ITALIC)
    addMapping(FAMILY, 1, 1, BOLD)


@functools.cache
def register_fallback(family: str) -> None:
    """Register one fallback family (``ARABIC`` or ``CJK``) the first time a report needs it."""
    register_fonts()
    regular, bold = _FALLBACK_FAMILIES[family]
    for name in {regular, bold}:
        _load(name, fonts_dir() / _FALLBACK_FILES[name])
    addMapping(regular, 0, 0, regular)
    addMapping(regular, 1, 0, bold)
    addMapping(regular, 0, 1, regular)  # no italic faces: upright is the honest fallback
    addMapping(regular, 1, 1, bold)


@functools.cache
def level_face(font_name: str, level: int) -> str:
    """Another name for a face, marking words at bidi level 1 or 2 that have no right-to-left
    letter of their own (a Latin word or a number inside an Arabic sentence), so that
    ``rtl_lines`` can order them after wrapping. The same font object underneath: one subset."""
    ensure(font_name)
    alias = f"{font_name}~{level}"
    face = copy.copy(pdfmetrics.getFont(font_name))
    face.fontName = alias
    pdfmetrics.registerFont(face)
    for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
        addMapping(alias, bold, italic, alias)
    return alias


def family_of(font_name: str) -> str:
    """The fallback family a face belongs to (for registering it before use)."""
    return ARABIC if font_name in (ARABIC, ARABIC_BOLD) else CJK if font_name == CJK else FAMILY


def ensure(font_name: str) -> None:
    """Make sure ``font_name`` is registered (fallback faces load lazily)."""
    font_name = font_name.split("~")[0]
    if font_name in _FALLBACK_FILES:
        register_fallback(family_of(font_name))
    else:
        register_fonts()


@functools.cache
def glyphs(font_name: str) -> frozenset[int]:
    """Code points the face can draw and the PDF can carry as text.

    Characters beyond the Basic Multilingual Plane (DejaVu has a few emoji there) are left
    out: reportlab writes them into the PDF's text map as malformed hex, so copy/paste and
    search would lose them. They get a visible ``[U+XXXX]`` marker like any missing glyph.
    """
    ensure(font_name)
    font = pdfmetrics.getFont(font_name)
    return frozenset(c for c in font.face.charToGlyph if c <= 0xFFFF and c not in _PRIVATE)


# Private-use code points text.py gives to shaped glyphs that no character maps to (Arabic
# ligatures and contextual forms absent from the font's cmap): 0xE000 + glyph id, so the same
# glyph always gets the same code point and output stays reproducible.
_PRIVATE = range(0xE000, 0xF900)


def fit_text(text: str, font_name: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` points on one line."""
    full = pdfmetrics.stringWidth(text, font_name, size)
    if full <= width:
        return text
    n = max(0, int(len(text) * width / full))  # a close first guess, then step to the exact fit
    while n > 0 and pdfmetrics.stringWidth(text[:n].rstrip() + "…", font_name, size) > width:
        n -= 1
    return text[:n].rstrip() + "…"
