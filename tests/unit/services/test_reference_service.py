"""Reference data: user catalogues (add, upgrade in place, refusals), organizations, dated attributes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tcbm_tracker.domain.errors import CatalogError, NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import ActorKind, Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import Tracker


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def user_catalogue(version: int, measures: list[tuple[str, str, str]], key: str = "NAT2024") -> dict[str, Any]:
    return {
        "format": "tcbm-tracker/catalog", "format_version": 1, "key": key, "version": version,
        "title": "National space sustainability commitments", "source_document": "Ministry note 2024/17",
        "groups": [{"key": "P", "title": "Policy"}, {"key": "O", "title": "Operations"}],
        "measures": [{"key": k, "group": g, "title": t} for k, g, t in measures],
    }


V1 = [("NAT-1", "P", "Publish a space policy"), ("NAT-2", "O", "Share orbital data"), ("NAT-3", "O", "Notify re-entries")]
V2 = [("NAT-1", "P", "Publish and update a national space policy"), ("NAT-2", "O", "Share orbital data"),
      ("NAT-4", "O", "Perform conjunction assessment")]


def write(tmp_path: Path, doc: dict[str, Any], name: str) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def with_v1(tracker: Tracker, tmp_path: Path) -> Tracker:
    r = tracker.reference.load_catalog_file(write(tmp_path, user_catalogue(1, V1), "nat-v1.json"))
    assert (r.key, r.action, r.old_version, r.new_version, r.added) == ("NAT2024", "added", None, 1, ["NAT-1", "NAT-2", "NAT-3"])
    return tracker


def test_user_catalogue_is_added(with_v1: Tracker) -> None:
    cat = with_v1.reference.catalog("nat2024")
    assert (cat.version, cat.builtin, cat.source_document) == (1, False, "Ministry note 2024/17")
    assert [m.key for m in with_v1.reference.measures("NAT2024")] == ["NAT-1", "NAT-2", "NAT-3"]
    assert len(with_v1.queries.matrix().measures) == 37 + 3
    with_v1.assessments.record(AssessmentInput("FRA", "nat-2", "implemented"))
    assert with_v1.integrity.verify().ok


def test_catalogue_upgrade_in_place(with_v1: Tracker, tmp_path: Path) -> None:
    t = with_v1
    kept = t.assessments.record(AssessmentInput("FRA", "NAT-1", "implemented", effective="2024-02-01"))
    dropped = t.assessments.record(AssessmentInput("FRA", "NAT-3", "planned", effective="2024-02-01"))
    r = t.reference.load_catalog_file(write(tmp_path, user_catalogue(2, V2), "nat-v2.json"))
    assert (r.action, r.old_version, r.new_version) == ("upgraded", 1, 2)
    assert (r.added, r.updated, r.retired) == (["NAT-4"], ["NAT-1"], ["NAT-3"])
    assert t.reference.catalog("NAT2024").version == 2
    # The changed title is updated; the new measure is there; the dropped one is retired, not deleted.
    assert t.reference.measure("NAT-1").title == "Publish and update a national space policy"
    assert [m.key for m in t.reference.measures("NAT2024")] == ["NAT-1", "NAT-2", "NAT-4"]
    retired = t.reference.measure("NAT-3")
    assert retired.retired is True and retired.title == "Notify re-entries"
    assert "NAT-3" in {m.key for m in t.reference.measures("NAT2024", include_retired=True)}
    # Assessments are kept, on both the updated and the retired measure.
    assert t.assessments.history("FRA", "NAT-1") == [kept]
    assert t.assessments.history("FRA", "NAT-3") == [dropped]
    m = t.queries.matrix(catalog="NAT2024")
    assert [x.key for x in m.measures] == ["NAT-1", "NAT-2", "NAT-4"]
    assert m.status("FRA", "NAT-1") is Status.IMPLEMENTED
    # A retired measure takes no new assessment.
    with pytest.raises(ValidationError, match="NAT-3 was retired by a newer catalogue version"):
        t.assessments.record(AssessmentInput("FRA", "NAT-3", "implemented"))
    assert t.integrity.verify().ok


def test_an_older_version_is_refused_and_changes_nothing(with_v1: Tracker, tmp_path: Path, db_path: Path) -> None:
    with_v1.reference.load_catalog_file(write(tmp_path, user_catalogue(2, V2), "nat-v2.json"))
    before = dump(db_path)
    with pytest.raises(CatalogError, match="version 1 is older than the loaded version 2; nothing was changed"):
        with_v1.reference.load_catalog_file(write(tmp_path, user_catalogue(1, V1), "nat-v1-again.json"))
    assert dump(db_path) == before


def test_the_same_version_is_a_no_op(with_v1: Tracker, tmp_path: Path, db_path: Path) -> None:
    before = dump(db_path)
    r = with_v1.reference.load_catalog_file(write(tmp_path, user_catalogue(1, V1), "nat-v1-again.json"))
    assert (r.action, r.added, r.updated, r.retired) == ("unchanged", [], [], [])
    assert dump(db_path) == before


def test_the_same_version_with_different_content_is_refused(with_v1: Tracker, tmp_path: Path, db_path: Path) -> None:
    before = dump(db_path)
    with pytest.raises(CatalogError, match="version 1 is already loaded with different content"):
        with_v1.reference.load_catalog_file(write(tmp_path, user_catalogue(1, V2), "nat-v1-edited.json"))
    assert dump(db_path) == before


def test_a_key_owned_by_another_catalogue_is_refused(with_v1: Tracker, tmp_path: Path, db_path: Path) -> None:
    before = dump(db_path)
    thief = user_catalogue(1, [("OWN-1", "P", "Own measure"), ("LTS-B.4", "O", "Borrowed guideline")], key="OTHER2024")
    with pytest.raises(CatalogError, match="measure key LTS-B.4 already belongs to catalogue LTS2019; nothing was changed"):
        with_v1.reference.load_catalog_file(write(tmp_path, thief, "other.json"))
    # The same through an upgrade of an existing user catalogue.
    upgrade = user_catalogue(3, V2 + [("GGE-IV.1", "P", "Borrowed")])
    with pytest.raises(CatalogError, match="GGE-IV.1 already belongs to catalogue GGE2013"):
        with_v1.reference.load_catalog_file(write(tmp_path, upgrade, "nat-v3.json"))
    assert dump(db_path) == before
    assert with_v1.reference.measure("LTS-B.4").catalog_key == "LTS2019"


def test_a_malformed_catalogue_file_changes_nothing(tracker: Tracker, tmp_path: Path, db_path: Path) -> None:
    before = dump(db_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CatalogError, match="bad.json: not valid JSON"):
        tracker.reference.load_catalog_file(bad)
    with pytest.raises(CatalogError, match="cannot read catalogue file"):
        tracker.reference.load_catalog_file(tmp_path / "absent.json")
    assert dump(db_path) == before


def test_lookups_suggest_close_keys(tracker: Tracker) -> None:
    with pytest.raises(NotFoundError, match=r"unknown measure 'LTS-B.40' \(did you mean LTS-B.4"):
        tracker.reference.measure("LTS-B.40")
    with pytest.raises(NotFoundError, match=r"unknown catalogue 'LTS2018' \(did you mean LTS2019"):
        tracker.reference.catalog("LTS2018")
    with pytest.raises(NotFoundError, match=r"unknown actor 'France' \(did you mean FRA\?\)"):
        tracker.reference.actor("France")


# --- organizations ---------------------------------------------------------------------------

def test_add_organization(tracker: Tracker, db_path: Path) -> None:
    esa = tracker.reference.add_organization("esa", "European Space Agency", note="Intergovernmental, 23 member states")
    assert (esa.key, esa.name, esa.kind, esa.region) == ("ESA", "European Space Agency", ActorKind.ORGANIZATION, None)
    assert len(tracker.reference.actors()) == 196
    tracker.assessments.record(AssessmentInput("ESA", "LTS-B.6", "implemented"))
    assert tracker.queries.matrix().status("ESA", "LTS-B.6") is Status.IMPLEMENTED
    assert tracker.integrity.verify().ok
    before = dump(db_path)
    for key, name, fragment in [("ESA", "Again", "ESA already exists"), ("FRA", "France bis", "FRA already exists"),
                                ("E", "Too short", "not an actor key"), ("EUMET SAT", "Spaces", "not an actor key"),
                                ("EUMETSAT", "<b>EUMETSAT</b>", "contains markup"), ("EUMETSAT", " ", "name: is required")]:
        with pytest.raises(ValidationError, match=fragment):
            tracker.reference.add_organization(key, name)
    assert dump(db_path) == before


# --- dated attributes ------------------------------------------------------------------------

def test_set_attribute_and_attributes_as_of_dates(tracker: Tracker) -> None:
    ref = tracker.reference
    # The shipped list records memberships as of 2025-01-01; earlier dates take the earliest value.
    assert ref.actor("TUR", as_of=dt.date(2000, 1, 1)).region == "WEOG"
    ref.set_attribute("TUR", "un_regional_group", "APG", "2025-06-01")
    assert ref.actor("TUR", as_of=dt.date(2025, 5, 31)).region == "WEOG"
    assert ref.actor("TUR", as_of=dt.date(2025, 6, 1)).region == "APG"
    assert ref.actor("TUR").region == "APG"
    ref.set_attribute("TUR", "un_regional_group", None, "2025-09-01")  # membership ended
    assert ref.actor("TUR").region is None
    assert ref.actor("TUR", as_of=dt.date(2025, 8, 1)).region == "APG"
    # Queries use the groups in force on their date.
    assert "TUR" in {a.key for a in tracker.queries.matrix(region="APG", as_of="2025-07-01").actors}
    assert "TUR" in {a.key for a in tracker.queries.matrix(region="WEOG", as_of="2025-01-01").actors}
    assert "TUR" not in {a.key for a in tracker.queries.matrix(region="WEOG").actors}
    assert tracker.integrity.verify().ok


def test_set_attribute_refusals_change_nothing(tracker: Tracker, db_path: Path) -> None:
    tracker.reference.set_attribute("FRA", "un_regional_group", "WEOG", "2025-03-01")
    before = dump(db_path)
    ref = tracker.reference
    cases: list[tuple[tuple[Any, ...], type[Exception], str]] = [
        (("FRA", "un_regional_group", "NATO", "2025-04-01"), ValidationError, "'NATO' is not one of"),
        (("FRA", "continent", "Europe", "2025-04-01"), ValidationError, "unknown attribute 'continent'"),
        (("FRA", "un_regional_group", "EEG", "2025-03-01"), ValidationError, "already has a un_regional_group value recorded as of 2025-03-01"),
        (("FRA", "un_regional_group", "EEG", "2025-02-30"), ValidationError, "not a real calendar date"),
        (("FRA", "un_regional_group", "EEG", (dt.date.today() + dt.timedelta(days=3)).isoformat()), ValidationError, "in the future"),
        (("XYZ", "un_regional_group", "EEG", "2025-04-01"), NotFoundError, "unknown actor 'XYZ'"),
    ]
    for args, error, fragment in cases:
        with pytest.raises(error, match=fragment):
            ref.set_attribute(*args)
    assert dump(db_path) == before
    assert ref.attribute_labels("un_regional_group")["WEOG"] == "Western European and Others Group"


def test_a_retired_measure_can_come_back(with_v1: Tracker, tmp_path: Path) -> None:
    t = with_v1
    old = t.assessments.record(AssessmentInput("FRA", "NAT-3", "planned", effective="2024-02-01"))
    t.reference.load_catalog_file(write(tmp_path, user_catalogue(2, V2), "nat-v2.json"))
    r = t.reference.load_catalog_file(write(tmp_path, user_catalogue(3, V2 + [V1[2]]), "nat-v3.json"))
    assert r.updated == ["NAT-3"] and r.retired == []
    assert t.reference.measure("NAT-3").retired is False
    assert t.queries.matrix(catalog="NAT2024").status("FRA", "NAT-3") is Status.PLANNED
    assert t.assessments.history("FRA", "NAT-3") == [old]
    assert t.integrity.verify().ok


def test_init_keeps_a_newer_version_of_a_shipped_catalogue(tracker: Tracker, db_path: Path, tmp_path: Path) -> None:
    from tcbm_tracker.services.setup import initialise
    from tcbm_tracker.shipped import catalogs_dir

    doc = json.loads((catalogs_dir() / "LTS2019.json").read_text(encoding="utf-8"))
    doc["version"] += 1
    doc["measures"][0]["description"] = "Revised description of guideline A.1."
    r = tracker.reference.load_catalog_file(write(tmp_path, doc, "LTS2019-newer.json"))
    assert (r.action, r.updated) == ("upgraded", ["LTS-A.1"])
    report = initialise(db_path)
    assert "LTS2019" not in {c.key for c in report.catalogs}  # the shipped version is not loaded over the newer one
    assert tracker.reference.catalog("LTS2019").version == doc["version"]
    assert tracker.reference.measure("LTS-A.1").description == "Revised description of guideline A.1."
    assert tracker.integrity.verify().ok


def test_a_newer_shipped_actor_list_renames_a_state(db_path: Path, tmp_path: Path) -> None:
    from tcbm_tracker.domain.actor_format import load_actor_file
    from tcbm_tracker.services.tracker import open_tracker
    from tcbm_tracker.shipped import actors_file
    from tcbm_tracker.storage.database import Database
    from tcbm_tracker.storage.seeding import load_actor_list

    doc = json.loads(actors_file().read_text(encoding="utf-8"))
    doc["version"] += 1
    next(a for a in doc["actors"] if a["key"] == "CZE")["name"] = "Czech Republic (renamed in a test)"
    newer = write(tmp_path, doc, "states-v2.json")
    db = Database(db_path)
    with db.write() as s:
        result = load_actor_list(s, load_actor_file(newer), user="tester")
    db.dispose()
    assert result.updated == ["CZE"] and result.added == []
    t = open_tracker(db_path)
    assert t.reference.actor("CZE").name == "Czech Republic (renamed in a test)"
    assert t.integrity.verify().ok
    t.close()


def test_actors_are_found_by_their_short_names(tracker: Tracker) -> None:
    assert [a.key for a in tracker.reference.find_actors("United States")] == ["USA"]
    assert [a.key for a in tracker.reference.find_actors("united kingdom")] == ["GBR"]
    assert [a.key for a in tracker.reference.find_actors("cote d'ivoire")] == ["CIV"]  # accents ignored
    assert [a.key for a in tracker.reference.find_actors("fra")] == ["FRA"]
    assert tracker.reference.find_actors("no such state") == []
