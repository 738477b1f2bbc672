"""The bar that appears once a report is written: open it, or show its folder.

A bar in the window rather than a dialog: it blocks nothing, keeps the keyboard where it was,
and is reached by Alt+P (open the report) and Alt+D (show the folder); Close hides it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget


class ReportDoneBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportDoneBar")
        self.setStyleSheet("QFrame#reportDoneBar { background: #e6f2ea; border-bottom: 1px solid #9cc7a8; }")
        # Opens the report or folder in the system's viewer (tests replace it).
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.label = QLabel()
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.open_button = QPushButton("Open Re&port")
        self.folder_button = QPushButton("Show Fol&der")
        self.close_button = QPushButton("Close")
        for button in (self.open_button, self.folder_button, self.close_button):
            button.setAutoDefault(False)
        self.open_button.clicked.connect(lambda: self._open(self.file))
        self.folder_button.clicked.connect(lambda: self._open(self.folder))
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 8, 3)
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.folder_button)
        row.addWidget(self.close_button)
        self.file: Path | None = None
        self.folder: Path | None = None
        self.hide()

    def offer(self, text: str, file: Path | None, folder: Path) -> None:
        """Say what was written; ``file`` None for a folder of reports (nothing single to open)."""
        self.file, self.folder = file, folder
        self.label.setText(text)
        self.open_button.setVisible(file is not None)
        self.show()

    def _open(self, path: Path | None) -> None:
        if path is not None:
            self.open_url(QUrl.fromLocalFile(str(path)))
