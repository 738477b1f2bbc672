"""The look of every report: paragraph styles, colours, and how each status is drawn.

Status colours come from the Okabe-Ito palette, which stays distinguishable under the common
colour-vision deficiencies. Colour is never the only signal: every status also has a symbol and
a label, so a page printed in black and white still reads. "No information" (someone looked and
found nothing: grey, "?") is deliberately unlike "Not implemented" (vermillion, "✗"), and "Not
assessed" (nobody looked yet) is a blank white cell with a dot.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle

from tcbm_tracker.domain.status_look import STATUS_LOOK
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.reports.fonts import BOLD, REGULAR

# No text in a report is set smaller than this (points): small print must still be read on paper.
MIN_TEXT_SIZE = 7.5

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#5F6B76")
RULE = colors.HexColor("#C9D1D9")
BAND = colors.HexColor("#EEF2F6")  # table header and zebra rows
GROUP_BAND = colors.HexColor("#E3EAF2")  # group rows inside a table
ACCENT = colors.HexColor("#0B4F8A")
WARNING = colors.HexColor("#9A3412")


@dataclass(frozen=True)
class StatusLook:
    status: Status
    fill: colors.Color
    text: colors.Color
    symbol: str

    @property
    def label(self) -> str:
        return self.status.label



# The same symbols and colours as the desktop app (domain.status_look).
STATUS_LOOKS: dict[Status, StatusLook] = {
    status: StatusLook(status, colors.HexColor(look.fill), colors.HexColor(look.ink), look.symbol)
    for status, look in STATUS_LOOK.items()
}

# Order for legends, charts and "actors by status": done first, unknown last.
LEGEND_ORDER: tuple[Status, ...] = (
    Status.IMPLEMENTED,
    Status.PARTIALLY_IMPLEMENTED,
    Status.PLANNED,
    Status.NOT_IMPLEMENTED,
    Status.NO_INFORMATION,
    Status.NOT_APPLICABLE,
    Status.NOT_ASSESSED,
)

UNCONFIRMED_MARK = "†"
PALETTE_NOTE = (
    "Colours follow the Okabe–Ito palette, chosen to stay distinct for colour-blind readers; "
    "each status also carries its symbol, so the page reads in black and white."
)


def look(status: Status) -> StatusLook:
    return STATUS_LOOKS[status]


def _style(name: str, **kw: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": REGULAR, "fontSize": 9, "leading": 12, "textColor": INK}
    base.update(kw)
    return ParagraphStyle(name, **base)


class Styles:
    """Paragraph styles shared by all reports (created once; ParagraphStyle is not frozen)."""

    title = _style("title", fontName=BOLD, fontSize=18, leading=22, spaceAfter=4, textColor=ACCENT)
    subtitle = _style("subtitle", fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=10)
    lead = _style("lead", fontSize=12, leading=15.5, spaceAfter=8)
    h1 = _style("h1", fontName=BOLD, fontSize=13, leading=16, spaceBefore=12, spaceAfter=6, textColor=ACCENT)
    h2 = _style("h2", fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=9, spaceAfter=4)
    body = _style("body", spaceAfter=4)
    standing = _style("standing", fontSize=8.5, leading=11, textColor=INK, backColor=colors.HexColor("#F4F6F8"),
                      borderPadding=(4, 5, 4, 5), spaceBefore=4, spaceAfter=8)
    small = _style("small", fontSize=7.5, leading=9.5, textColor=MUTED)
    note = _style("note", fontSize=8, leading=10.5, spaceAfter=3)
    cell = _style("cell", fontSize=8, leading=10)
    cell_bold = _style("cell_bold", fontName=BOLD, fontSize=8, leading=10)
    reference = _style("reference", fontSize=8, leading=10.5, leftIndent=22, firstLineIndent=-22, spaceAfter=3)
