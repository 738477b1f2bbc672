"""How each status looks: a colour-blind-safe colour, a symbol and a label, always together.

Colours follow the Okabe-Ito palette, which stays distinguishable with the common forms of
colour blindness; every cell also carries a symbol, so a status never depends on colour alone
(and survives a black-and-white printout). "No information" (someone looked, found nothing) is a
neutral grey question mark, deliberately far from the red cross of "Not implemented".
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QBrush, QColor

from tcbm_tracker.domain.vocabulary import STATUS_ORDER, Status


@dataclass(frozen=True)
class StatusStyle:
    status: Status
    symbol: str
    background: QColor
    foreground: QColor

    @property
    def label(self) -> str:
        return self.status.label


def _style(status: Status, symbol: str, background: str, foreground: str) -> StatusStyle:
    return StatusStyle(status, symbol, QColor(background), QColor(foreground))


STYLES: dict[Status, StatusStyle] = {
    s.status: s
    for s in (
        _style(Status.NOT_ASSESSED, "·", "#ffffff", "#9a9a9a"),
        _style(Status.NO_INFORMATION, "?", "#dcdcdc", "#333333"),
        _style(Status.NOT_IMPLEMENTED, "✕", "#d55e00", "#ffffff"),  # vermillion
        _style(Status.PLANNED, "○", "#56b4e9", "#0b2a3d"),  # sky blue
        _style(Status.PARTIALLY_IMPLEMENTED, "◐", "#f0e442", "#3d3800"),  # yellow
        _style(Status.IMPLEMENTED, "●", "#009e73", "#ffffff"),  # bluish green
        _style(Status.NOT_APPLICABLE, "–", "#f4f4f4", "#6b6b6b"),
    )
}

# Brushes are built once: ``data()`` is called thousands of times per repaint.
BACKGROUND_BRUSHES: dict[Status, QBrush] = {s: QBrush(st.background) for s, st in STYLES.items()}
FOREGROUND_BRUSHES: dict[Status, QBrush] = {s: QBrush(st.foreground) for s, st in STYLES.items()}

# Rank used when sorting by a measure column: nothing known first, done last.
STATUS_RANK: dict[Status, int] = {s: i for i, s in enumerate(STATUS_ORDER)}


def status_text(status: Status) -> str:
    """``● Implemented``: the readable form used in tables and lists."""
    return f"{STYLES[status].symbol} {status.label}"
