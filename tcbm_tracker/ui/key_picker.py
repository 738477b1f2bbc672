"""A searchable combo box of (label, key) items, as the actor and measure views use to choose.

Typing filters by any part of the label; refilling the list or following a choice made
elsewhere never emits ``key_chosen``, which fires only when the user picks an item.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from tcbm_tracker.ui.keyboard import ReturnChoosesBestMatch


class KeyPicker(QComboBox):
    key_chosen = Signal(str)

    def __init__(self, accessible_name: str, min_chars: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(min_chars)
        self.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.setAccessibleName(accessible_name)
        self.activated.connect(self._activated)
        # "Fra", Enter: France, without first choosing it in the list.
        self._return = ReturnChoosesBestMatch(self, self._activated)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter pressed on the picker (the focus widget) or in the completer's open list comes
        # here, not through the line edit's event filter.
        if self._return.handle(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def set_items(self, items: Iterable[tuple[str, str]]) -> None:
        """Replace the items (label, key), keeping the current key selected if it is still there."""
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        for label, key in items:
            self.addItem(label, key)
        if current:
            self.setCurrentIndex(self.findData(current))
        self.blockSignals(False)

    def select(self, key: str) -> None:
        """Show ``key`` as the current item without announcing it as the user's choice."""
        self.blockSignals(True)
        self.setCurrentIndex(self.findData(key))
        self.blockSignals(False)

    def _activated(self, index: int) -> None:
        key = self.itemData(index)
        if key:
            self.key_chosen.emit(key)
