"""Painting the matrix cells: one cached picture per status and cell size.

The standard delegate lays out text and asks the model for a dozen roles for every cell on
every repaint; with a few thousand cells on screen that is most of the time a filter takes.
Here each cell costs one ``data()`` call and one ``drawPixmap``: the coloured square with its
symbol is rendered once per status and size, and selection and focus are drawn over it so
that the status colour stays visible under a selection.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.ui.matrix_model import STATUS_ROLE
from tcbm_tracker.ui.status_style import STYLES

# Tested as plain ints: an ``&`` on the Python enum flag costs more than drawing the cell.
_SELECTED = QStyle.StateFlag.State_Selected.value
_FOCUS = QStyle.StateFlag.State_HasFocus.value
_SELECTION_OVERLAY = QColor(20, 80, 200, 80)
_SELECTION_PEN = QPen(QColor(20, 70, 180), 1)
_FOCUS_PEN = QPen(QColor(0, 0, 0), 2)
_BY_VALUE = {s.value: st for s, st in STYLES.items()}


class StatusCellDelegate(QStyledItemDelegate):
    def __init__(self, parent: object = None, covered_columns: int = 0) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        # Columns painted by an overlay (the frozen Actor and Coverage columns): not painted
        # here as well, a few hundred data() calls less per repaint.
        self.covered_columns = covered_columns
        # One table, one font: the key leaves the font out (QFont.key() would cost more than the draw).
        self._cache: dict[tuple[str, int, int, float], QPixmap] = {}

    def _picture(self, key: tuple[str, int, int, float], font: QFont) -> QPixmap:
        value, width, height, ratio = key
        style = _BY_VALUE[value]
        picture = QPixmap(round(width * ratio), round(height * ratio))
        picture.setDevicePixelRatio(ratio)
        picture.fill(style.background)
        p = QPainter(picture)
        symbol_font = QFont(font)
        if style.status not in (Status.NOT_ASSESSED, Status.NOT_APPLICABLE):
            symbol_font.setBold(True)
        p.setFont(symbol_font)
        p.setPen(style.foreground)
        p.drawText(QRect(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, style.symbol)
        p.end()
        self._cache[key] = picture
        return picture

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        value = index.data(STATUS_ROLE)
        if value is None:  # the actor and coverage columns
            if index.column() >= self.covered_columns:
                super().paint(painter, option, index)
            return
        rect = option.rect  # type: ignore[attr-defined]
        key = (value, rect.width(), rect.height(), painter.device().devicePixelRatioF())
        picture = self._cache.get(key)
        if picture is None:
            picture = self._picture(key, option.font)  # type: ignore[attr-defined]
        painter.drawPixmap(rect.x(), rect.y(), picture)
        state = option.state.value  # type: ignore[attr-defined]
        if state & _SELECTED:
            painter.fillRect(rect, _SELECTION_OVERLAY)
            painter.setPen(_SELECTION_PEN)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if state & _FOCUS:
            painter.setPen(_FOCUS_PEN)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
