"""Qt colours and brushes for each status, built from the shared table in ``domain.status_look``.

A status is always shown with its colour, its symbol and its label together.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QBrush, QColor

from tcbm_tracker.domain.status_look import STATUS_LOOK
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
    status: _style(status, look.symbol, look.fill, look.ink) for status, look in STATUS_LOOK.items()
}

# Brushes are built once: ``data()`` is called thousands of times per repaint.
BACKGROUND_BRUSHES: dict[Status, QBrush] = {s: QBrush(st.background) for s, st in STYLES.items()}
FOREGROUND_BRUSHES: dict[Status, QBrush] = {s: QBrush(st.foreground) for s, st in STYLES.items()}

# Rank used when sorting by a measure column: nothing known first, done last.
STATUS_RANK: dict[Status, int] = {s: i for i, s in enumerate(STATUS_ORDER)}


def status_text(status: Status) -> str:
    """``✓ Implemented``: the readable form used in tables and lists."""
    return f"{STYLES[status].symbol} {status.label}"
