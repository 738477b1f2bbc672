"""How each status looks, on screen and on paper: one symbol and one pair of colours.

The desktop app and the PDF reports draw from this one table, so a diplomat who reads green
"✓ Implemented" in the window finds the same green tick on the printed summary. Colours are
from the Okabe-Ito palette, which stays distinguishable with the common forms of colour
blindness; every status also has a symbol, so it never depends on colour alone and survives a
black-and-white printout. "No information" (someone looked and found nothing) is a neutral grey
question mark, deliberately far from the vermillion cross of "Not implemented".
"""

from __future__ import annotations

from dataclasses import dataclass

from tcbm_tracker.domain.vocabulary import Status


@dataclass(frozen=True)
class StatusLook:
    symbol: str
    fill: str  # background, "#rrggbb"
    ink: str  # text and symbol drawn on the fill


STATUS_LOOK: dict[Status, StatusLook] = {
    Status.NOT_ASSESSED: StatusLook("·", "#ffffff", "#8a8a8a"),
    Status.NO_INFORMATION: StatusLook("?", "#d9d9d9", "#333333"),
    Status.NOT_IMPLEMENTED: StatusLook("✗", "#d55e00", "#ffffff"),  # vermillion
    Status.PLANNED: StatusLook("○", "#56b4e9", "#0b2a3d"),  # sky blue
    Status.PARTIALLY_IMPLEMENTED: StatusLook("◐", "#f0e442", "#3d3800"),  # yellow
    Status.IMPLEMENTED: StatusLook("✓", "#009e73", "#ffffff"),  # bluish green
    Status.NOT_APPLICABLE: StatusLook("–", "#f2f2f2", "#6b6b6b"),
}
