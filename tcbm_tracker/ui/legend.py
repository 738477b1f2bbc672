"""The status legend shown under the matrix: swatch, symbol and label for every status."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from tcbm_tracker.domain.vocabulary import STATUS_ORDER
from tcbm_tracker.ui.status_style import STYLES


class StatusLegend(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(10)
        for status in STATUS_ORDER:
            st = STYLES[status]
            swatch = QLabel(st.symbol)
            swatch.setAlignment(Qt.AlignmentFlag.AlignCenter)
            swatch.setFixedSize(22, 18)
            swatch.setStyleSheet(
                f"background: {st.background.name()}; color: {st.foreground.name()};"
                "border: 1px solid #b0b0b0; border-radius: 3px; font-weight: bold;")
            text = QLabel(status.label)
            pair = QHBoxLayout()
            pair.setSpacing(5)
            pair.addWidget(swatch)
            pair.addWidget(text)
            layout.addLayout(pair)
