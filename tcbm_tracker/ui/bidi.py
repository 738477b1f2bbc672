"""Bidirectional text in mixed lines: a name or title in any script, then dates and numbers.

An Arabic title followed by an ISO date is laid out right to left as one run, so the date's
parts appear reversed ("02-12-2026"). Wrapping the title in FIRST STRONG ISOLATE ... POP
DIRECTIONAL ISOLATE (Unicode bidi algorithm, UAX #9) keeps its direction to itself.
"""

from __future__ import annotations

FSI = "\u2068"
PDI = "\u2069"
_RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a Hebrew, Arabic, Syriac or Thaana letter."""
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in _RTL_RANGES)


def isolate(text: str) -> str:
    """``text`` isolated when it holds right-to-left letters (left alone otherwise, so that
    plain Latin text, tests and copies stay free of invisible characters)."""
    return f"{FSI}{text}{PDI}" if has_rtl(text) else text
