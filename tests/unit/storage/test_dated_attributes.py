"""Dated attributes of the actor list (COPUOS membership, the United States' standing in WEOG,
search aliases): parsed with their sources, loaded with their own dates, upgraded in place."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tcbm_tracker.domain.actor_format import parse_actor_list
from tcbm_tracker.domain.errors import ActorFileError
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tcbm_tracker.shipped import actors_file
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.seeding import load_actor_list

D = dt.date


def _attrs(t: Tracker, key: str, day: dt.date) -> dict[str, str]:
    return dict(t.reference.actor(key, as_of=day).attributes)


def test_copuos_membership_holds_from_its_confirmed_date(tracker: Tracker) -> None:
    # Chad: added by resolution 1721 E (XVI) of 20 December 1961.
    assert "copuos_member" not in _attrs(tracker, "TCD", D(1961, 12, 19))
    assert _attrs(tracker, "TCD", D(1961, 12, 20))["copuos_member"] == "member"
    # A founding member of the permanent Committee (12 December 1959): not before it existed.
    assert "copuos_member" not in _attrs(tracker, "USA", D(1959, 12, 11))
    assert _attrs(tracker, "USA", D(1959, 12, 12))["copuos_member"] == "member"
    # A membership whose date is not confirmed is known as of the list's date.
    assert _attrs(tracker, "AUT", D(2025, 6, 1))["copuos_member"] == "member"
    # A state no source shows as a member is not recorded as one.
    assert "copuos_member" not in _attrs(tracker, "TUV", D(2025, 6, 1))


def test_the_united_states_is_wEOG_for_elections_but_an_observer_of_the_group(tracker: Tracker) -> None:
    usa = tracker.reference.actor("USA")
    assert usa.name == "United States of America"
    assert usa.attributes["un_regional_group"] == "WEOG"
    assert usa.attributes["un_regional_group_standing"] == "observer"
    labels = tracker.reference.attribute_labels("un_regional_group_standing")
    assert "attends meetings of the Western European and Others Group as an observer" in labels["observer"]
    assert "un_regional_group_standing" not in tracker.reference.actor("FRA").attributes  # full member
    assert tracker.reference.actor("GBR").name == "United Kingdom of Great Britain and Northern Ireland"
    assert tracker.reference.actor("GBR").attributes["aliases"] == "United Kingdom"
    assert tracker.reference.actor("USA").attributes["aliases"] == "United States"


def test_the_shipped_file_gives_a_source_for_every_membership() -> None:
    doc = json.loads(actors_file().read_text(encoding="utf-8"))
    members = [a for a in doc["actors"] if "copuos_member" in a["attributes"]]
    assert len(members) >= 70
    assert all(a["attributes"]["copuos_member"]["source"] for a in members)
    pse = next(a for a in doc["actors"] if a["key"] == "PSE")
    assert pse["kind"] == "observer_state" and "since 1986" in pse["note"] and "not on the UN's list" in pse["note"]


def _doc(**attrs: Any) -> dict[str, Any]:
    return {"format": "tcbm-tracker/actors", "format_version": 1, "version": 1, "as_of": "2025-01-01",
            "attributes": {"copuos_member": {"label": "COPUOS member", "values": {"member": "Member"}, "since": "1959-12-12"},
                           "aliases": {"label": "Also known as"}},
            "actors": [{"key": "FRA", "name": "France", "kind": "member_state", "attributes": attrs, "note": None}]}


@pytest.mark.parametrize("value, message", [
    ({"value": "member", "from": "1959-12-12"}, "needs 'value', 'from' and a 'source'"),
    ({"value": "member", "from": "12/12/1959", "source": "x"}, "copuos_member from"),
    ({"value": "chair", "from": None, "source": "x"}, "is not a value of 'copuos_member'"),
])
def test_a_bad_dated_value_is_refused_with_one_clear_line(value: Any, message: str) -> None:
    with pytest.raises(ActorFileError) as err:
        parse_actor_list(_doc(copuos_member=value))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_an_existing_database_gains_the_dated_membership_in_place(db_path: Path) -> None:
    """A database loaded from a list without COPUOS membership upgrades when the newer list loads."""
    before = _doc()
    after = copy.deepcopy(before)
    after["version"] = 2
    after["actors"][0]["attributes"]["copuos_member"] = {"value": "member", "from": "1961-12-20", "source": "test source"}
    after["actors"][0]["aliases"] = ["French Republic"]
    db = Database(db_path)
    with db.write() as s:  # the template database already holds FRA: drop its membership to start clean
        s.exec(text("DELETE FROM actor_attribute WHERE actor_key = 'FRA' AND name = 'copuos_member'"))
    with db.write() as s:
        load_actor_list(s, parse_actor_list(before), user="tester")
    with db.write() as s:
        first = load_actor_list(s, parse_actor_list(after), user="tester")
    with db.write() as s:
        again = load_actor_list(s, parse_actor_list(after), user="tester")
    db.dispose()
    assert first.attributes_changed == 3 and again.attributes_changed == 0  # "none" before, member, aliases
    t = open_tracker(db_path)
    try:
        assert "copuos_member" not in _attrs(t, "FRA", D(1961, 12, 19))
        assert _attrs(t, "FRA", D(1961, 12, 20))["copuos_member"] == "member"
        assert t.reference.actor("FRA").attributes["aliases"] == "French Republic"
    finally:
        t.close()
