"""The actor picker finds a state by its short name; the dossier states the United States'
standing in WEOG as the UN words it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tcbm_tracker.ui.dossier_view import ActorDossierView


def test_short_name_finds_the_state_and_the_dossier_words_its_standing(qtbot, reader) -> None:  # type: ignore[no-untyped-def]
    view = ActorDossierView()
    qtbot.addWidget(view)
    view.show()
    view.set_actors(tuple(reader.reference.actors()))
    view.region_labels = reader.reference.attribute_labels("un_regional_group")
    view.standing_labels = reader.reference.attribute_labels("un_regional_group_standing")
    chosen: list[str] = []
    view.actor_chosen.connect(chosen.append)
    view.picker.setFocus()
    view.picker.lineEdit().selectAll()
    qtbot.keyClicks(view.picker.lineEdit(), "United States")
    popup = view.picker.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == [
        "United States of America (USA) — also United States"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: chosen == ["USA"], timeout=3000)
    view.set_dossier(reader.queries.dossier("USA"))
    title = view.title.text()
    assert title.startswith("United States of America (USA) — UN member state · Western European and Others Group (")
    assert "attends meetings of the Western European and Others Group as an observer" in title
    view.set_dossier(reader.queries.dossier("FRA"))
    assert "observer" not in view.title.text()
