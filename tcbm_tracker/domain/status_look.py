"""How each status looks, on screen and on paper: one symbol and one pair of colours.

The desktop app and the PDF reports draw from this one table, so a diplomat who reads green
"✓ Implemented" in the window finds the same green tick on the printed summary. Colours are
from the Okabe-Ito palette, which stays distinguishable with the common forms of colour
blindness; every status also has a symbol, so it never depends on colour alone and survives a
black-and-white printout. Text on every fill meets WCAG AA contrast (4.5:1): black, not white,
on the green and the vermillion. "No information" (someone looked and found nothing) is a neutral grey
question mark, deliberately far from the vermillion cross of "Not implemented".
"""

from __future__ import annotations

from dataclasses import dataclass

from tcbm_tracker.domain.vocabulary import Status

# WCAG 2 level AA for normal text: every status's ink on its fill reaches this contrast ratio.
AA_CONTRAST = 4.5


@dataclass(frozen=True)
class StatusLook:
    symbol: str
    fill: str  # background, "#rrggbb"
    ink: str  # text and symbol drawn on the fill


STATUS_LOOK: dict[Status, StatusLook] = {
    Status.NOT_ASSESSED: StatusLook("·", "#ffffff", "#6b6b6b"),
    Status.NO_INFORMATION: StatusLook("?", "#d9d9d9", "#333333"),
    Status.NOT_IMPLEMENTED: StatusLook("✗", "#d55e00", "#000000"),  # vermillion; white on it is only 3.9:1
    Status.PLANNED: StatusLook("○", "#56b4e9", "#0b2a3d"),  # sky blue
    Status.PARTIALLY_IMPLEMENTED: StatusLook("◐", "#f0e442", "#3d3800"),  # yellow
    Status.IMPLEMENTED: StatusLook("✓", "#009e73", "#000000"),  # bluish green; white on it is only 3.4:1
    Status.NOT_APPLICABLE: StatusLook("–", "#f2f2f2", "#6b6b6b"),
}


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
