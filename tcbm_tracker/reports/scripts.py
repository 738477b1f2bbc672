"""Which characters need right-to-left ordering or shaping, without loading the shaping engine.

``text.py`` asks this for every character it has not seen printed plainly; only a line that
holds such a character loads ``shaping.py`` (HarfBuzz and the bidi algorithm).
"""

from __future__ import annotations

import functools
import unicodedata

_RTL_CLASSES = frozenset({"R", "AL", "RLE", "RLO", "RLI"})
_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


@functools.cache
def is_rtl(ch: str) -> bool:
    """A strong right-to-left character (Hebrew, Arabic, Syriac, Thaana, N'Ko...)."""
    return unicodedata.bidirectional(ch) in _RTL_CLASSES


@functools.cache
def is_arabic(ch: str) -> bool:
    """A character of the Arabic script blocks (letters, marks, Arabic-Indic digits)."""
    o = ord(ch)
    return any(a <= o <= b for a, b in _ARABIC_BLOCKS)


@functools.cache
def is_neutral(ch: str) -> bool:
    """Spaces, punctuation and digits: they take the font of the run they sit in when it can."""
    return unicodedata.bidirectional(ch) in ("WS", "ON", "CS", "ES", "ET", "EN", "AN", "NSM", "B", "S", "BN")


def base_level(text: str) -> int:
    """A line's direction from its first strong character, as a browser does for ``dir="auto"``:
    1 (right to left) when that is a right-to-left letter, else 0 (an all-neutral line too)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return 0
        if kind in ("R", "AL"):
            return 1
    return 0


def display_order(lv: list[int]) -> list[int]:
    """Indices of items at bidi levels ``lv`` in display order (rule L2: from the highest level
    down to the lowest odd one, reverse every run at that level or higher)."""
    order = list(range(len(lv)))
    top = max(lv, default=0)
    lowest_odd = min((x for x in lv if x % 2), default=top + 1)
    for k in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if lv[order[i]] >= k:
                j = i
                while j < len(order) and lv[order[j]] >= k:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
