"""The catalogue file format (``domain.catalog_format``): what a valid file is, and every refusal."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker.domain.catalog_format import MAX_FILE_BYTES, load_catalog_file, parse_catalog
from tcbm_tracker.domain.errors import CatalogError


def catalogue(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "tcbm-tracker/catalog",
        "format_version": 1,
        "key": "TST2020",
        "version": 1,
        "title": "A test catalogue",
        "source_document": "A/75/1",
        "adopted": "2020-01-31",
        "groups": [{"key": "A", "title": "First group"}, {"key": "B", "title": "Second group"}],
        "measures": [
            {"key": "TST-A.1", "group": "A", "title": "First measure", "pinpoint": "para. 1", "pinpoint_confirmed": True,
             "pinpoint_source": "A/75/1 as printed, para. 1 checked"},
            {"key": "TST-A.2", "group": "A", "title": "Second measure", "pinpoint": "para. 2"},
            {"key": "TST-B.1", "group": "B", "title": "Third measure", "description": "Line one\nline two < three",
             "source_document": "A/75/2"},
        ],
    }
    doc.update(overrides)
    return doc


def write(tmp_path: Path, doc: Any, name: str = "catalog.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def refused(doc: Any, *fragments: str) -> str:
    with pytest.raises(CatalogError) as info:
        parse_catalog(doc, source="cat.json")
    message = info.value.message
    assert "\n" not in message and message.startswith("cat.json")
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_valid_catalogue_parses(tmp_path: Path) -> None:
    spec = load_catalog_file(write(tmp_path, catalogue()))
    assert (spec.key, spec.version, spec.title, spec.short_title) == ("TST2020", 1, "A test catalogue", "A test catalogue")
    assert [g.key for g in spec.groups] == ["A", "B"]
    assert [m.key for m in spec.measures] == ["TST-A.1", "TST-A.2", "TST-B.1"]
    assert [m.sort_order for m in spec.measures] == [0, 1, 2]
    first, second, third = spec.measures
    assert first.pinpoint_confirmed is True
    # An absent flag never promotes a pinpoint to confirmed.
    assert second.pinpoint == "para. 2" and second.pinpoint_confirmed is False
    # A measure's source document defaults to the catalogue's.
    assert first.source_document == "A/75/1" and third.source_document == "A/75/2"
    assert third.description == "Line one\nline two < three"


def test_measure_keys_are_normalised_to_upper_case() -> None:
    doc = catalogue()
    doc["measures"][0]["key"] = "tst-a.1"
    doc["key"] = "tst2020"
    spec = parse_catalog(doc)
    assert spec.key == "TST2020" and spec.measures[0].key == "TST-A.1"


def test_confirmed_flag_without_a_pinpoint_is_not_confirmed() -> None:
    doc = catalogue()
    doc["measures"][0].pop("pinpoint")
    assert parse_catalog(doc).measures[0].pinpoint_confirmed is False


def test_malformed_json_names_the_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "tcbm-tracker/catalog",\n  "key": "X" "version": 1}', encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog_file(path)
    assert "broken.json" in info.value.message and "not valid JSON" in info.value.message
    assert "line 2" in info.value.message


def test_non_utf8_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    text = json.dumps(catalogue(title="Coopération"), ensure_ascii=False)
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(CatalogError) as info:
        load_catalog_file(path)
    assert "latin1.json" in info.value.message and "not UTF-8" in info.value.message


def test_missing_file_and_oversized_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read catalogue file"):
        load_catalog_file(tmp_path / "nowhere.json")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(CatalogError, match="at most"):
        load_catalog_file(big)


@pytest.mark.parametrize("doc", [[], "text", 3, None])
def test_not_an_object(doc: Any) -> None:
    refused(doc, "must be a JSON object")


@pytest.mark.parametrize("fmt", [None, "tcbm-tracker/actors", "catalog", ""])
def test_wrong_format(fmt: Any) -> None:
    doc = catalogue(format=fmt)
    refused(doc, "not a TCBM Tracker catalogue")


def test_wrong_format_version() -> None:
    refused(catalogue(format_version=2), "format version 2 is not supported")
    refused(catalogue(format_version="1"), "'format_version' must be int")


def test_measure_key_used_twice() -> None:
    doc = catalogue()
    doc["measures"][2]["key"] = "tst-a.1"  # the same key in another case is the same key
    refused(doc, "measure key TST-A.1 is used twice")


def test_group_key_used_twice() -> None:
    refused(catalogue(groups=[{"key": "A", "title": "One"}, {"key": "A", "title": "Two"}]), "group key 'A' is used twice")


def test_unknown_group() -> None:
    doc = catalogue()
    doc["measures"][1]["group"] = "Z"
    refused(doc, "measure TST-A.2", "group 'Z' is not one of the catalogue's groups")


@pytest.mark.parametrize("field", ["key", "version", "title", "source_document", "groups", "measures", "format_version"])
def test_missing_catalogue_fields(field: str) -> None:
    doc = catalogue()
    del doc[field]
    refused(doc, repr(field) if field != "key" else "'key'")


@pytest.mark.parametrize("field", ["key", "group", "title"])
def test_missing_measure_fields(field: str) -> None:
    doc = catalogue()
    del doc["measures"][1][field]
    refused(doc, f"missing field {field!r}")


@pytest.mark.parametrize("field", ["key", "title"])
def test_missing_group_fields(field: str) -> None:
    doc = catalogue()
    del doc["groups"][0][field]
    refused(doc, "group #1", f"missing field {field!r}")


def test_wrong_types() -> None:
    refused(catalogue(version="2"), "'version' must be int")
    refused(catalogue(version=True), "'version' must be int")
    refused(catalogue(version=0), "version must be a whole number from 1 to")
    refused(catalogue(groups={"A": "x"}), "'groups' must be list")
    doc = catalogue()
    doc["measures"][0]["pinpoint_confirmed"] = "yes"
    refused(doc, "'pinpoint_confirmed' must be bool")
    doc = catalogue()
    doc["measures"][0] = "TST-A.1"
    refused(doc, "measure #1", "must be an object")


def test_empty_groups_or_measures() -> None:
    refused(catalogue(groups=[]), "at least one group")
    refused(catalogue(measures=[]), "at least one measure")


def test_bad_keys() -> None:
    refused(catalogue(key="T"), "not a catalogue key")
    doc = catalogue()
    doc["measures"][0]["key"] = "TST A 1"
    refused(doc, "measure #1", "not a measure key")


def test_markup_and_control_characters_in_titles() -> None:
    doc = catalogue()
    doc["measures"][0]["title"] = "<script>alert(1)</script>"
    refused(doc, "measure TST-A.1", "contains markup")
    refused(catalogue(title="Catalogue\x1b[31m"), "control characters")
    doc = catalogue()
    doc["groups"][0]["title"] = "Group\nwith a break"
    refused(doc, "group #1", "line breaks")


def test_impossible_adoption_date() -> None:
    refused(catalogue(adopted="2019-02-30"), "not a real calendar date")


def test_input_document_is_not_modified() -> None:
    doc = catalogue()
    before = copy.deepcopy(doc)
    parse_catalog(doc)
    assert doc == before


# --- what json.loads alone lets through ----------------------------------------------------


def test_a_key_written_twice_is_refused_naming_it(tmp_path: Path) -> None:
    # A reviewer reading the first "title" must not be shown a file whose second one wins.
    text = json.dumps(catalogue()).replace('"title": "A test catalogue"', '"title": "A test catalogue", "title": "Other"', 1)
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog_file(path)
    message = info.value.message
    assert message == "twice.json: key 'title' appears twice in the same object"


def test_a_key_written_twice_inside_a_measure_is_refused(tmp_path: Path) -> None:
    text = json.dumps(catalogue()).replace('"group": "A"', '"group": "A", "group": "B"', 1)
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match="key 'group' appears twice"):
        load_catalog_file(path)


@pytest.mark.parametrize("depth", [100_000, 65])
def test_deep_nesting_is_a_clear_error_not_a_crash(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"format": "tcbm-tracker/catalog", "x": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog_file(path)
    assert info.value.message == "deep.json: nested more than 64 levels deep"


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    path = write(tmp_path, catalogue(title="[" * 100 + ' \\" {' * 70))
    assert load_catalog_file(path).title.startswith("[[[")


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    # Windows Notepad saves UTF-8 with a byte-order mark.
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(catalogue(title="Coopération"), ensure_ascii=False).encode("utf-8"))
    assert load_catalog_file(path).title == "Coopération"
def test_a_confirmed_pinpoint_needs_its_source() -> None:
    doc = catalogue()
    assert parse_catalog(doc).measures[0].pinpoint_source == "A/75/1 as printed, para. 1 checked"
    del doc["measures"][0]["pinpoint_source"]
    refused(doc, "TST-A.1: a confirmed pinpoint needs 'pinpoint_source' naming the document and where it was checked")
    doc["measures"][0]["pinpoint_confirmed"] = False  # shipped as not confirmed instead: accepted
    assert parse_catalog(doc).measures[0].pinpoint_confirmed is False
