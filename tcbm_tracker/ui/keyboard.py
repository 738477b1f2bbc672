"""Keyboard helpers shared by the views: type-to-select in lists whose items start with a
symbol, and "type a name" in the matrix from any column.

Qt's own type-to-select matches the start of an item's text: "✓ Implemented" never matches
"imp", and in the matrix it searches the current column, which holds status symbols.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox


class TypedText:
    """Letters typed in quick succession, as one search string (Qt's keyboard input interval)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._text = ""
        self._last = 0.0

    def add(self, text: str) -> str:
        now = self._clock()
        interval = QApplication.keyboardInputInterval() / 1000
        self._text = (self._text + text) if now - self._last <= interval else text
        self._last = now
        return self._text

    def restart(self, text: str) -> str:
        self._text = text
        return text


def best_match(labels: Sequence[str], typed: str, start: int = 0) -> int:
    """The index of the first label (from ``start``, wrapping) whose words start with ``typed``,
    else the first containing it; -1 if none. Case and a leading symbol are ignored."""
    needle = typed.casefold().strip()
    if not needle or not labels:
        return -1
    order = [(start + i) % len(labels) for i in range(len(labels))]
    folded = [label.casefold() for label in labels]
    for i in order:
        if folded[i].startswith(needle) or any(word.startswith(needle) for word in folded[i].split()):
            return i
    for i in order:
        if needle in folded[i]:
            return i
    return -1


class TypeToSelectCombo(QComboBox):
    """A non-editable combo box that selects the item whose label has a word starting with the
    letters typed ("imp" -> "✓ Implemented", "has pl" -> "Has ○ Planned")."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._typed = TypedText()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text and text.isprintable() and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            typed = self._typed.add(text)
            labels = [self.itemText(i) for i in range(self.count())]
            found = best_match(labels, typed, self.currentIndex() if len(typed) > 1 else self.currentIndex() + 1)
            if found < 0 and len(typed) > 1:  # nothing has these letters: start again from this one
                found = best_match(labels, self._typed.restart(text), self.currentIndex() + 1)
            if found >= 0:
                self.setCurrentIndex(found)
            event.accept()
            return
        super().keyPressEvent(event)


class ReturnChoosesBestMatch(QObject):
    """On an editable combo box: Enter after typing part of a label chooses the best match
    (a prefix first), as if picked from the list; ``chosen(index)`` is called."""

    def __init__(self, combo: QComboBox, chosen: Callable[[int], None]) -> None:
        super().__init__(combo)
        self.combo = combo
        self.chosen = chosen
        combo.lineEdit().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return self.handle(event)

    def handle(self, event: QEvent) -> bool:
        """True when ``event`` was Enter and chose an item (or nothing matched): the event is used.

        The combo box must call this from its own ``keyPressEvent`` too: a key pressed while it
        has the focus, or while the completer's list is open, reaches the line edit through a
        direct call that skips the line edit's event filters."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            popup = self.combo.completer().popup() if self.combo.completer() else None
            if popup is not None and popup.isVisible() and popup.currentIndex().isValid():
                return False  # an item highlighted in the list: Qt picks it
            typed = self.combo.lineEdit().text()
            labels = [self.combo.itemText(i) for i in range(self.combo.count())]
            exact = [i for i, label in enumerate(labels) if label.casefold() == typed.casefold()]
            found = exact[0] if exact else best_match(labels, typed)
            if popup is not None:
                popup.hide()
            if found >= 0:
                self.combo.setCurrentIndex(found)
                self.chosen(found)
            return True
        return False
