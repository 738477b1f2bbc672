"""The strip above the matrix: what the current column is, in full, as the cursor moves.

Column headers are a few characters wide ("LTS / B.4"); this line names the measure in full
(key, group, title and where it comes from), so the reader need not hover for a tooltip.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from tcbm_tracker.services.dto import MeasureInfo
from tcbm_tracker.ui.bidi import isolate

_HINT = "Move the cursor onto a column to see which measure it is."


class MeasureStrip(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_HINT, parent)
        self.setObjectName("measureStrip")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAccessibleName("Current measure")
        self.setStyleSheet("QLabel#measureStrip { background: #eef2f7; color: #1d2a38; padding: 3px 6px;"
                           " border: 1px solid #d5dde7; }")
        # Two lines at most, whatever the title: the grid below keeps its place.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 10)
        self.measure_key = ""

    def show_measure(self, measure: MeasureInfo | None, column_note: str = "") -> None:
        """The measure of the current column, or ``column_note`` on the Actor and Coverage columns.

        Only the column is named (the frozen Actor column shows the row), so moving up and down
        a column changes nothing here: no text layout on PageDown.
        """
        if measure is None:
            self.measure_key = ""
            text = escape(column_note) if column_note else _HINT
        else:
            self.measure_key = measure.key
            group = f"{escape(measure.group_key)}. {escape(measure.group_title)} — " if measure.group_title else ""
            text = (f"<b>{escape(measure.key)}</b> {escape(isolate(measure.title))}"
                    f" <span style='color:#5a6877'>({group}{escape(measure.citation)})</span>")
        if text != self.text():
            self.setText(text)
