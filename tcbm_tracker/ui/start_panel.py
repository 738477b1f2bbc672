"""The "start here" panel: shown above the matrix while the database holds no assessment."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

START_TEXT = (
    "<b>Start here.</b> This database has the catalogues and the states, but no assessment yet.<br>"
    "• Move to a cell with the arrow keys (or type a state's name) and press <b>Enter</b> to record its "
    "status, with a note and evidence; <b>Shift+arrows</b> select several cells to record them together.<br>"
    "• <b>Ctrl+O</b> opens another tracker file; <b>F1</b> opens the user guide, <b>Ctrl+/</b> the keyboard shortcuts."
)


class StartPanel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(START_TEXT, parent)
        self.setObjectName("startPanel")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#startPanel { background: #eaf3fb; color: #12324f; padding: 8px 10px;"
                           " border: 1px solid #b9d3ea; }")
        self.hide()
