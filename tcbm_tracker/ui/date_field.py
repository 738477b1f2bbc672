"""A date box that takes a date typed in full (2025-06-01), as well as arrows and a calendar.

``QDateEdit`` edits section by section: with the whole text selected (as it is when reached by
Tab or a mnemonic), typing "2025-06-01" gave 2026-06-01, and "2025-11-25" changed nothing, since
"-" jumps to a section instead of being typed. Here digits and "-" typed over a selection from the start (the whole date, or the year) are
collected as plain text and read as an ISO date on Enter, on leaving the box, or at the tenth
character; a year alone keeps the month and day. Anything else keeps the date and says why
(``date_refused``). Arrows, the calendar and section editing work as in ``QDateEdit``.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QDateEdit, QWidget


class IsoDateEdit(QDateEdit):
    date_refused = Signal(str)  # a one-line reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setCalendarPopup(True)
        self._typed: str | None = None  # what is being typed over the selection, if anything

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        plain = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                          | Qt.KeyboardModifier.MetaModifier))
        line = self.lineEdit()
        # Typing starts over a selection from the start: all the text, or the year section (what
        # Tab and Alt+O select).
        from_start = line.hasSelectedText() and line.selectionStart() == 0
        if plain and text and (text.isdigit() or text == "-") and (self._typed is not None or from_start):
            self._typed = (self._typed or "") + text
            self._show(self._typed)
            if len(self._typed) >= 10:
                self._commit()
            return
        if self._typed is not None:
            key = event.key()
            if key == Qt.Key.Key_Backspace:
                self._typed = self._typed[:-1]
                self._show(self._typed)
                return
            if key == Qt.Key.Key_Escape:
                self._typed = None
                self._show_date()
                return
            self._commit()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self._typed is not None:
            self._commit()
        super().focusOutEvent(event)

    def typed_text(self) -> str | None:
        return self._typed

    def _show(self, text: str) -> None:
        # Signals blocked: QAbstractSpinBox would re-read the text section by section.
        line = self.lineEdit()
        line.blockSignals(True)
        line.setText(text)
        line.blockSignals(False)

    def _show_date(self) -> None:
        self._show(self.date().toString(self.displayFormat()))
        self.selectAll()

    def _commit(self) -> None:
        typed, self._typed = (self._typed or "").strip(), None
        try:
            day = self._parse(typed)
        except ValueError as exc:
            self._show_date()
            self.date_refused.emit(f"{typed!r} is not a date: {exc}")
            return
        low, high = self.minimumDate().toPython(), self.maximumDate().toPython()
        if not low <= day <= high:
            self._show_date()
            self.date_refused.emit(f"{day.isoformat()} is outside {low.isoformat()} … {high.isoformat()}")
            return
        if day == self.date().toPython():
            self._show_date()
        else:
            self.setDate(QDate(day.year, day.month, day.day))

    def _parse(self, typed: str) -> dt.date:
        if len(typed) == 4 and typed.isdigit():  # a year alone: same day and month that year
            current = self.date().toPython()
            year = int(typed)
            try:
                return current.replace(year=year)
            except ValueError:  # 29 February
                return current.replace(year=year, day=28)
        if not typed:
            raise ValueError("nothing typed")
        try:
            return dt.date.fromisoformat(typed)
        except ValueError:
            raise ValueError("use YYYY-MM-DD") from None
