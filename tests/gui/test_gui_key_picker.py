"""The searchable key picker of the actor and measure views."""

from __future__ import annotations

from tcbm_tracker.ui.key_picker import KeyPicker


def test_refilling_and_following_keep_quiet_and_picking_announces(qtbot) -> None:  # type: ignore[no-untyped-def]
    picker = KeyPicker("Actor", 20)
    qtbot.addWidget(picker)
    chosen: list[str] = []
    picker.key_chosen.connect(chosen.append)

    picker.set_items([("France (FRA)", "FRA"), ("Kenya (KEN)", "KEN")])
    picker.select("KEN")
    picker.set_items([("Chile (CHL)", "CHL"), ("France (FRA)", "FRA"), ("Kenya (KEN)", "KEN")])
    assert picker.currentData() == "KEN" and chosen == []  # refill kept the choice, said nothing

    picker.activated.emit(1)  # the user picks France
    assert chosen == ["FRA"]


def test_enter_chooses_the_typed_part_where_qt_delivers_the_key(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The picker has the focus and typing opens the completer's list: Enter reaches the picker
    (or that list), never the line edit's own event filter."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    picker = KeyPicker("Actor", 20)
    qtbot.addWidget(picker)
    picker.set_items([("France (FRA)", "FRA"), ("Kenya (KEN)", "KEN"), ("New Zealand (NZL)", "NZL")])
    chosen: list[str] = []
    picker.key_chosen.connect(chosen.append)
    picker.show()
    picker.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is picker)
    for typed, where, key in (("zeal", "list", "NZL"), ("keny", "picker", "KEN")):
        picker.lineEdit().selectAll()
        qtbot.keyClicks(picker, typed)
        popup = QApplication.activePopupWidget()
        if where == "picker" and popup is not None:
            popup.hide()
        qtbot.keyClick(popup if where == "list" else picker, Qt.Key.Key_Return)
        assert chosen[-1:] == [key] and picker.currentData() == key
