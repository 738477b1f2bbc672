"""The shipped catalogues and actor list, checked against the project's reference facts.

The two tables below are copied verbatim from the project's reference on the measures
(``reference/measures.md``: LTS official titles, GGE keys and paragraph references) and parsed
here, so that any drift in ``resources/`` from the reference fails a test.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tcbm_tracker.domain.actor_format import load_actor_file
from tcbm_tracker.domain.catalog_format import CatalogSpec, MeasureSpec, load_catalog_file
from tcbm_tracker.domain.vocabulary import ActorKind
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.shipped import actors_file, catalogs_dir

# | Key | Group | Official title (verbatim) | Agreed |
LTS_TABLE = """\
| LTS-A.1 | A. Policy and regulatory framework for space activities | Adopt, revise and amend, as necessary, national regulatory frameworks for outer space activities | 2016 |
| LTS-A.2 | A | Consider a number of elements when developing, revising or amending, as necessary, national regulatory frameworks for outer space activities | 2016 |
| LTS-A.3 | A | Supervise national space activities | 2016 |
| LTS-A.4 | A | Ensure the equitable, rational and efficient use of the radio frequency spectrum and the various orbital regions used by satellites | 2016 |
| LTS-A.5 | A | Enhance the practice of registering space objects | 2018 |
| LTS-B.1 | B. Safety of space operations | Provide updated contact information and share information on space objects and orbital events | 2018 |
| LTS-B.2 | B | Improve accuracy of orbital data on space objects and enhance the practice and utility of sharing orbital information on space objects | 2016 |
| LTS-B.3 | B | Promote the collection, sharing and dissemination of space debris monitoring information | 2016 |
| LTS-B.4 | B | Perform conjunction assessment during all orbital phases of controlled flight | 2018 |
| LTS-B.5 | B | Develop practical approaches for pre-launch conjunction assessment | 2018 |
| LTS-B.6 | B | Share operational space weather data and forecasts | 2016 |
| LTS-B.7 | B | Develop space weather models and tools and collect established practices on the mitigation of space weather effects | 2016 |
| LTS-B.8 | B | Design and operation of space objects regardless of their physical and operational characteristics | 2018 |
| LTS-B.9 | B | Take measures to address risks associated with the uncontrolled re-entry of space objects | 2018 |
| LTS-B.10 | B | Observe measures of precaution when using sources of laser beams passing through outer space | 2018 |
| LTS-C.1 | C. International cooperation, capacity-building and awareness | Promote and facilitate international cooperation in support of the long-term sustainability of outer space activities | 2018 |
| LTS-C.2 | C | Share experience related to the long-term sustainability of outer space activities and develop new procedures, as appropriate, for information exchange | 2018 |
| LTS-C.3 | C | Promote and support capacity-building | 2016 |
| LTS-C.4 | C | Raise awareness of space activities | 2016 |
| LTS-D.1 | D. Scientific and technical research and development | Promote and support research into and the development of ways to support sustainable exploration and use of outer space | 2016 |
| LTS-D.2 | D | Investigate and consider new measures to manage the space debris population in the long term | 2016 |
"""

# | Key | Section / heading | Measure (summary) | Reference |
GGE_TABLE = """\
| GGE-IV.1 | IV. Information exchange on space policies | Publish national space policies and strategies (security-related ones included), major space research and applications programmes; optionally defence policy and doctrine | para. 37 (confirmed) |
| GGE-IV.2 | IV. General information | Information exchange on major military outer space expenditure and other national security space activities | sect. IV (para. 38 likely, UNCONFIRMED) |
| GGE-IV.3 | IV. Information exchange and notifications | Exchange of orbital parameters of space objects and, where practicable, notification of potential orbital conjunctions | para. 39 (a) (confirmed) |
| GGE-IV.4 | IV. Information exchange and notifications | Exchange of information on forecast natural hazards in outer space (space weather) | sect. IV (paragraph UNCONFIRMED) |
| GGE-IV.5 | IV. Risk-reduction notifications | Notification of scheduled manoeuvres that may pose a risk to the flight safety of other States' space objects | sect. IV (paragraph UNCONFIRMED) |
| GGE-IV.6 | IV. Risk-reduction notifications | Notification of predicted high-risk re-entry events (significant damage or radioactive contamination possible), to affected States, the Secretary-General and relevant organizations | sect. IV (paragraph UNCONFIRMED) |
| GGE-IV.7 | IV. Risk-reduction notifications | Notification of emergency situations (malfunctions, natural or man-made hazards raising risk to others' space objects) | sect. IV (paragraph UNCONFIRMED) |
| GGE-IV.8 | IV. Risk-reduction notifications | Avoid intentional orbital break-ups creating long-lived debris; where judged necessary, inform potentially affected States of the plans and mitigation steps | sect. IV (para. 45 reported but no source recorded: UNCONFIRMED) |
| GGE-IV.9 | IV. Contacts and visits | Voluntary familiarization visits | sect. IV (paragraph UNCONFIRMED) |
| GGE-IV.10 | IV. Contacts and visits | Expert visits: launch sites, flight command and control centres; invitation of observers to launches | sect. IV (paragraph UNCONFIRMED) |
| GGE-IV.11 | IV. Contacts and visits | Demonstrations of rocket and space technologies | sect. IV (paragraph UNCONFIRMED) |
| GGE-V.1 | V. International cooperation | International cooperation in peaceful uses, including capacity-building and assistance to emerging space actors | sect. V |
| GGE-VI.1 | VI. Consultative mechanisms | Use of consultations (bilateral and multilateral, including those under article IX of the Outer Space Treaty) to clarify situations and prevent misunderstanding | sect. VI |
| GGE-VII.1 | VII. Outreach | Outreach: seminars, conferences, regional fora on space security and TCBMs | sect. VII |
| GGE-VIII.1 | VIII. Coordination | Coordination among United Nations entities on outer space TCBMs | sect. VIII |
| GGE-IX.1 | IX. Conclusions and recommendations | Review and implement the report's TCBMs voluntarily; support political commitments (unilateral declarations, bilateral commitments, a multilateral code of conduct) | sect. IX |
"""


GGE_SECTIONS = {  # "Sections (confirmed titles)" of A/68/189 that hold measures
    "IV": "Enhancing the transparency of outer space activities",
    "V": "International cooperation",
    "VI": "Consultative mechanisms",
    "VII": "Outreach",
    "VIII": "Coordination",
    "IX": "Conclusions and recommendations",
}


def rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.splitlines() if line.strip()]


def by_key(spec: CatalogSpec) -> dict[str, MeasureSpec]:
    return {m.key: m for m in spec.measures}


@pytest.fixture(scope="module")
def lts() -> CatalogSpec:
    return load_catalog_file(catalogs_dir() / "LTS2019.json")


@pytest.fixture(scope="module")
def gge() -> CatalogSpec:
    return load_catalog_file(catalogs_dir() / "GGE2013.json")


def test_only_the_two_reference_catalogues_are_shipped() -> None:
    assert sorted(p.name for p in catalogs_dir().glob("*.json")) == ["GGE2013.json", "LTS2019.json"]


# --- LTS2019 -------------------------------------------------------------------------------

def test_lts_catalogue_identity(lts: CatalogSpec) -> None:
    assert lts.key == "LTS2019"
    assert lts.source_document == "A/74/20, annex II"
    assert lts.adopted == "2019-06-21"


def test_lts_has_the_21_guidelines_in_reference_order(lts: CatalogSpec) -> None:
    assert [m.key for m in lts.measures] == [r[0] for r in rows(LTS_TABLE)]
    assert len(lts.measures) == 21


def test_lts_group_counts_are_5_10_4_2(lts: CatalogSpec) -> None:
    assert Counter(m.group for m in lts.measures) == {"A": 5, "B": 10, "C": 4, "D": 2}
    # And each guideline sits in the group its key names (no A.6, A.7...).
    assert all(m.key.startswith(f"LTS-{m.group}.") for m in lts.measures)


def test_lts_group_titles_match_the_reference(lts: CatalogSpec) -> None:
    expected = {r[1].split(". ", 1)[0]: r[1].split(". ", 1)[1] for r in rows(LTS_TABLE) if ". " in r[1]}
    assert {g.key: g.title for g in lts.groups} == expected


@pytest.mark.parametrize("key, group, title, agreed", [tuple(r) for r in rows(LTS_TABLE)])
def test_lts_official_titles_verbatim(lts: CatalogSpec, key: str, group: str, title: str, agreed: str) -> None:
    m = by_key(lts)[key]
    assert m.title == title
    assert m.group == group[0]
    assert m.agreed == agreed
    assert m.source_document == "A/74/20, annex II"


def test_lts_agreed_in_2016_and_2018(lts: CatalogSpec) -> None:
    assert Counter(m.agreed for m in lts.measures) == {"2016": 12, "2018": 9}


# --- GGE2013 -------------------------------------------------------------------------------

def test_gge_catalogue_identity(gge: CatalogSpec) -> None:
    assert gge.key == "GGE2013"
    assert gge.source_document == "A/68/189"
    assert gge.adopted == "2013-07-29"
    assert {g.key: g.title for g in gge.groups} == GGE_SECTIONS


def test_gge_has_the_16_reference_keys_in_order(gge: CatalogSpec) -> None:
    assert [m.key for m in gge.measures] == [r[0] for r in rows(GGE_TABLE)]
    assert len(gge.measures) == 16


@pytest.mark.parametrize("key, heading, summary, reference", [tuple(r) for r in rows(GGE_TABLE)])
def test_gge_measure_matches_reference(gge: CatalogSpec, key: str, heading: str, summary: str, reference: str) -> None:
    m = by_key(gge)[key]
    section, _, sub_heading = heading.partition(". ")
    assert m.group == section == key.split("-")[1].split(".")[0]
    assert m.heading == sub_heading
    assert m.description == summary
    assert m.source_document == "A/68/189"
    para = re.fullmatch(r"(para\. \d+(?: \([a-z]\))?) \(confirmed\)", reference)
    if para:
        # A confirmed paragraph is cited as such.
        assert m.pinpoint == para.group(1)
        assert m.pinpoint_confirmed is True
    elif "UNCONFIRMED" in reference:
        # An unconfirmed paragraph is never presented as confirmed: the section only, flagged.
        assert m.pinpoint == f"sect. {section}"
        assert m.pinpoint_confirmed is False
        assert m.pinpoint_note and "not confirmed" in m.pinpoint_note
    else:
        assert m.pinpoint == reference == f"sect. {section}"


def test_no_paragraph_number_is_invented(gge: CatalogSpec, lts: CatalogSpec) -> None:
    """Every paragraph number a shipped measure mentions appears in the reference for that key."""
    reference = {r[0]: r[3] for r in rows(GGE_TABLE)}
    for m in gge.measures + lts.measures:
        text = " ".join(filter(None, [m.pinpoint, m.pinpoint_note, m.description, m.title, m.heading]))
        for number in re.findall(r"para(?:graph|\.)\s*(\d+)", text):
            assert f"para. {number}" in reference.get(m.key, ""), (m.key, number)


def test_unconfirmed_pinpoints_are_exactly_the_reference_ones(gge: CatalogSpec, lts: CatalogSpec) -> None:
    unconfirmed = {r[0] for r in rows(GGE_TABLE) if "UNCONFIRMED" in r[3]}
    assert {m.key for m in gge.measures + lts.measures if not m.pinpoint_confirmed} == unconfirmed
    assert len(unconfirmed) == 9


def test_every_confirmed_pinpoint_names_where_it_was_checked(gge: CatalogSpec, lts: CatalogSpec) -> None:
    for m in gge.measures + lts.measures:
        assert bool(m.pinpoint_source) == m.pinpoint_confirmed, m.key
    cited = {m.key: m.pinpoint_source for m in gge.measures}
    assert "Canada's implementation submission" in (cited["GGE-IV.1"] or "") and "para. 37" in (cited["GGE-IV.1"] or "")
    assert "Canada's implementation submission" in (cited["GGE-IV.3"] or "") and "para. 39 (a)" in (cited["GGE-IV.3"] or "")


def test_gge_text_cites_nothing_later_than_the_report(gge: CatalogSpec) -> None:
    """The report is dated 29 July 2013 (issued, not adopted); its endorsement (5 December 2013)
    is the latest event the catalogue may mention."""
    texts = [gge.description or ""] + [" ".join(filter(None, [m.title, m.description, m.heading, m.pinpoint_note])) for m in gge.measures]
    years = {int(y) for t in texts for y in re.findall(r"\b(19\d\d|20\d\d)\b", t)}
    assert years <= {2013}, years
    assert "issued on 29 July 2013" in (gge.description or "") and "adopted" not in (gge.description or "").replace("'adopted' date", "")


def test_lts_descriptions_paraphrase_without_adding(lts: CatalogSpec) -> None:
    d = {m.key: m.description or "" for m in lts.measures}
    assert "tracked" in d["LTS-B.8"] and "debris mitigation" in d["LTS-B.8"]
    assert "regular" not in d["LTS-B.2"]


def test_measure_keys_are_unique_across_catalogues(gge: CatalogSpec, lts: CatalogSpec) -> None:
    keys = [m.key for m in gge.measures + lts.measures]
    assert len(keys) == len(set(keys)) == 37


# --- the loaded database matches the files ---------------------------------------------------

def test_initialised_database_holds_the_shipped_catalogues(tracker: Tracker, gge: CatalogSpec, lts: CatalogSpec) -> None:
    cats = {c.key: c for c in tracker.reference.catalogs()}
    assert set(cats) == {"GGE2013", "LTS2019"}
    assert all(c.builtin for c in cats.values())
    for spec in (gge, lts):
        loaded = tracker.reference.measures(spec.key)
        assert [m.key for m in loaded] == [m.key for m in spec.measures]
        for info, m in zip(loaded, spec.measures, strict=True):
            assert (info.title, info.group_key, info.pinpoint, info.pinpoint_confirmed, info.retired) == (
                m.title, m.group, m.pinpoint, m.pinpoint_confirmed, False)
    b4 = tracker.reference.measure("lts-b.4")
    assert b4.group_title == "Safety of space operations"
    assert b4.citation == "A/74/20, annex II, guideline B.4"
    # An unconfirmed pinpoint says so wherever it is cited.
    assert tracker.reference.measure("GGE-IV.5").citation == "A/68/189, sect. IV (pinpoint not confirmed)"


# --- actors ----------------------------------------------------------------------------------

REGIONS = {"AFRICA", "APG", "EEG", "GRULAC", "WEOG"}


def test_shipped_actor_list() -> None:
    spec = load_actor_file(actors_file())
    kinds = Counter(a.kind for a in spec.actors)
    assert len(spec.actors) == 195
    assert kinds == {ActorKind.MEMBER_STATE: 193, ActorKind.OBSERVER_STATE: 2}
    observers = {a.key: a.name for a in spec.actors if a.kind is ActorKind.OBSERVER_STATE}
    assert observers == {"VAT": "Holy See", "PSE": "State of Palestine"}
    assert all(re.fullmatch(r"[A-Z]{3}", a.key) for a in spec.actors)
    assert set(spec.attributes["un_regional_group"].values) == REGIONS
    members = [a for a in spec.actors if a.kind is ActorKind.MEMBER_STATE]
    assert all(a.attributes.get("un_regional_group") in REGIONS for a in members)
    regions = {a.key: a.attributes.get("un_regional_group") for a in spec.actors}
    assert (regions["FRA"], regions["USA"], regions["CHN"], regions["RUS"], regions["BRA"], regions["NGA"]) == (
        "WEOG", "WEOG", "APG", "EEG", "GRULAC", "AFRICA")
    names = {a.key: a.name for a in spec.actors}
    assert names["FRA"] == "France" and names["CIV"] == "Côte d'Ivoire"


def test_loaded_actors(tracker: Tracker) -> None:
    actors = tracker.reference.actors()
    assert len(actors) == 195
    assert Counter(a.kind for a in actors) == {ActorKind.MEMBER_STATE: 193, ActorKind.OBSERVER_STATE: 2}
    assert {a.key for a in actors if a.kind is ActorKind.OBSERVER_STATE} == {"VAT", "PSE"}
    assert tracker.reference.actor("fra").region == "WEOG"
    assert tracker.reference.actor("VAT").region is None
    # Sorted by name as people expect: "Côte d'Ivoire" among the Cs, before "Croatia".
    names = [a.name for a in actors]
    assert names.index("Côte d'Ivoire") < names.index("Croatia")
