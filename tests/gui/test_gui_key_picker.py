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
