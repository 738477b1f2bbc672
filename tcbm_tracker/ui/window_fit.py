"""The first window fits the screen it opens on: a 1366x768 laptop, 1080p at 150% scaling.

Qt places a window of a fixed size (1400 x 860 here) partly off a smaller screen, with the
status bar and the scroll bar out of reach. The size asked for is capped to the screen's
*available* geometry (without task bars and docks), less room for the window manager's title
bar and borders, and a saved geometry from a larger screen is brought back inside it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication, QWidget

PREFERRED = QSize(1400, 860)
# Title bar and borders the window manager adds outside the widget's geometry (not known before
# the window is shown; generous for the usual themes).
FRAME_WIDTH = 16
FRAME_HEIGHT = 40


def available_geometry(window: QWidget) -> QRect:
    """The free part of the screen the window opens on (its own, else the primary one)."""
    screen = window.screen() or QApplication.primaryScreen()
    return screen.availableGeometry()


def fitted_geometry(preferred: QSize, available: QRect) -> QRect:
    """``preferred`` capped to ``available`` (less the frame), centred on it."""
    room_w = max(available.width() - FRAME_WIDTH, 200)
    room_h = max(available.height() - FRAME_HEIGHT, 200)
    w, h = min(preferred.width(), room_w), min(preferred.height(), room_h)
    x = available.x() + (available.width() - w) // 2
    y = available.y() + FRAME_HEIGHT - 8 + (room_h - h) // 2
    return QRect(x, y, w, h)


def fits(geometry: QRect, available: QRect) -> bool:
    grown = geometry.adjusted(-FRAME_WIDTH // 2, -(FRAME_HEIGHT - 8), FRAME_WIDTH // 2, 8)
    return available.contains(grown)


def fit_to_screen(window: QWidget, *, restored: bool) -> bool:
    """Size and place ``window`` for its screen; a restored geometry is kept when it fits.

    Returns True when the window was made smaller than preferred (a small screen).
    """
    available = available_geometry(window)
    if restored and fits(window.geometry(), available):
        return False
    # A saved size from a larger screen keeps what still fits of it.
    target = fitted_geometry(window.size() if restored else PREFERRED, available)
    # Placed by the size the window will really take: its layout's minimum (the filter bar's
    # combo boxes) is applied only when it is shown, and a window centred by a smaller width
    # would then grow past the screen's right edge.
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    if least.width() > target.width() or least.height() > target.height():
        target = fitted_geometry(target.size().expandedTo(least), available)
        target.moveLeft(max(available.x(), target.x()))
        target.moveTop(max(available.y(), target.y()))
    window.setGeometry(target)
    return target.size() != PREFERRED
