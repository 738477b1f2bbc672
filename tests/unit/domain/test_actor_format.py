"""The actor list format (``domain.actor_format``): a valid list, and every refusal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker.domain.actor_format import load_actor_file, parse_actor_list
from tcbm_tracker.domain.errors import ActorFileError
from tcbm_tracker.domain.vocabulary import ActorKind


def actor_list(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "tcbm-tracker/actors",
        "format_version": 1,
        "version": 3,
        "as_of": "2025-01-01",
        "attributes": {
            "un_regional_group": {"label": "UN regional group", "values": {"WEOG": "Western European and Others Group",
                                                                          "APG": "Asia-Pacific Group"}},
            "remark": {"label": "Remark"},
        },
        "actors": [
            {"key": "FRA", "name": "France", "kind": "member_state", "attributes": {"un_regional_group": "WEOG"}},
            {"key": "pse", "name": "State of Palestine", "kind": "observer_state",
             "attributes": {"un_regional_group": "APG", "remark": "free text"}, "note": "observer"},
            {"key": "ESA", "name": "European Space Agency", "kind": "organization"},
        ],
    }
    doc.update(overrides)
    return doc


def refused(doc: Any, *fragments: str) -> None:
    with pytest.raises(ActorFileError) as info:
        parse_actor_list(doc, source="actors.json")
    assert "\n" not in info.value.message and info.value.message.startswith("actors.json")
    for fragment in fragments:
        assert fragment in info.value.message, info.value.message


def test_a_valid_list_parses(tmp_path: Path) -> None:
    path = tmp_path / "actors.json"
    path.write_text(json.dumps(actor_list()), encoding="utf-8")
    spec = load_actor_file(path)
    assert spec.version == 3 and spec.as_of == dt.date(2025, 1, 1)
    assert [a.key for a in spec.actors] == ["FRA", "PSE", "ESA"]
    assert [a.kind for a in spec.actors] == [ActorKind.MEMBER_STATE, ActorKind.OBSERVER_STATE, ActorKind.ORGANIZATION]
    assert spec.actors[1].attributes == {"un_regional_group": "APG", "remark": "free text"}
    assert spec.attributes["remark"].values == {}


@pytest.mark.parametrize("change, fragment", [
    ({"format": "tcbm-tracker/catalog"}, "not a TCBM Tracker actor list"),
    ({"format_version": 2}, "not a TCBM Tracker actor list"),
    ({"as_of": "2025-02-30"}, "not a real calendar date"),
    ({"as_of": "soon"}, "YYYY-MM-DD"),
    ({"version": 0}, "'version'"),
    ({"version": "1"}, "'version'"),
    ({"version": True}, "'version'"),
    ({"actors": []}, "no actors"),
    ({"attributes": {"un_regional_group": {"values": {}}}}, "needs a label"),
    ({"attributes": {"un_regional_group": {"label": "x", "values": ["WEOG"]}}}, "must map codes to labels"),
])
def test_list_level_refusals(change: dict[str, Any], fragment: str) -> None:
    refused(actor_list(**change), fragment)


def test_not_an_object() -> None:
    refused([actor_list()], "not a TCBM Tracker actor list")


def test_duplicate_key() -> None:
    doc = actor_list()
    doc["actors"][2] = {"key": "fra", "name": "France again", "kind": "member_state"}
    refused(doc, "actor key FRA is used twice")


def test_state_keys_must_be_alpha3_but_organizations_need_not() -> None:
    doc = actor_list()
    doc["actors"][0]["key"] = "FRAN"
    refused(doc, "actor #1", "ISO 3166-1 alpha-3")
    doc = actor_list()
    doc["actors"][2]["key"] = "EUMETSAT"
    assert parse_actor_list(doc).actors[2].key == "EUMETSAT"


@pytest.mark.parametrize("index, change, fragment", [
    (0, {"kind": "province"}, "unknown value 'province'"),
    (0, {"name": ""}, "name: is required"),
    (0, {"name": "<b>France</b>"}, "contains markup"),
    (0, {"name": "Fra\x00nce"}, "control characters"),
    (0, {"attributes": {"continent": "Europe"}}, "attribute 'continent' is not declared"),
    (0, {"attributes": {"un_regional_group": "NATO"}}, "'NATO' is not a value of 'un_regional_group'"),
    (0, {"attributes": ["WEOG"]}, "'attributes' must be an object"),
])
def test_actor_level_refusals(index: int, change: dict[str, Any], fragment: str) -> None:
    doc = actor_list()
    doc["actors"][index].update(change)
    refused(doc, f"actor #{index + 1}", fragment)


def test_an_actor_that_is_not_an_object() -> None:
    doc = actor_list()
    doc["actors"][1] = "PSE"
    refused(doc, "actor #2", "must be an object")


def test_file_errors(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json", encoding="utf-8")
    with pytest.raises(ActorFileError, match="bad.json: not valid JSON"):
        load_actor_file(bad_json)
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(json.dumps(actor_list(), ensure_ascii=False).replace("France", "Françe").encode("latin-1"))
    with pytest.raises(ActorFileError, match="latin1.json: not UTF-8 text"):
        load_actor_file(latin1)
    with pytest.raises(ActorFileError, match="cannot read actor file"):
        load_actor_file(tmp_path / "missing.json")


def test_actor_file_key_twice_deep_nesting_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "actors.json"
    path.write_text(json.dumps(actor_list()).replace('"version": 3', '"version": 3, "version": 4', 1), encoding="utf-8")
    with pytest.raises(ActorFileError) as info:
        load_actor_file(path)
    assert info.value.message == "actors.json: key 'version' appears twice in the same object"
    path.write_text('{"actors": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(ActorFileError) as info:
        load_actor_file(path)
    assert info.value.message == "actors.json: nested more than 64 levels deep"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(actor_list()).encode("utf-8"))
    assert load_actor_file(path).version == 3
