"""Read-side queries: the matrix now, as of a date and as known at a date; dossier; measure
overview; coverage with its denominator; the fingerprint."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tcbm_tracker.domain import clock
from tcbm_tracker.domain.clock import end_of_day_iso, fixed_time, to_iso
from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services import figures
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.dto import Coverage
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker
from tests.sql_statements import record_statements, selects

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here

N_ACTORS, N_LTS, N_GGE = 195, 21, 16


def record(tracker: Tracker, actor: str, measure: str, status: str, effective: str | None = None,
           **kwargs: object) -> int:
    return tracker.assessments.record(AssessmentInput(actor, measure, status, effective=effective, **kwargs)).id  # type: ignore[arg-type]


def recorded_at(monkeypatch: pytest.MonkeyPatch, instant: str) -> None:
    """Make the next recordings carry this recording instant (UTC ISO), on either engine: the
    moment ``domain.clock.fixed_time`` would hold (a server's clock included), until the test ends."""
    monkeypatch.setattr(clock, "_fixed", dt.datetime.fromisoformat(instant.replace("Z", "+00:00")))


def local_noon(day: str) -> str:
    """Noon of ``day`` in the local time zone, as a stored UTC stamp: on that local day in every zone
    (a fixed UTC hour such as 10:00 falls on the day before in Pago Pago, or after in Kiritimati)."""
    return to_iso(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12)).astimezone())


# --- matrix --------------------------------------------------------------------------------

def test_fresh_matrix_is_all_not_assessed(tracker: Tracker) -> None:
    m = tracker.queries.matrix()
    assert len(m.actors) == N_ACTORS and len(m.measures) == N_LTS + N_GGE
    assert m.cells == {}
    assert m.status("FRA", "LTS-A.1") is Status.NOT_ASSESSED
    assert m.as_of == dt.date.today() and m.known_at is None


def test_matrix_current_and_as_of_past_dates(tracker: Tracker) -> None:
    record(tracker, "FRA", "LTS-B.4", "implemented", "2021-06-01")  # recorded first, effective later
    record(tracker, "FRA", "LTS-B.4", "planned", "2019-07-01")
    q = tracker.queries
    assert q.matrix().status("FRA", "LTS-B.4") is Status.IMPLEMENTED
    assert q.matrix(as_of="2019-06-30").status("FRA", "LTS-B.4") is Status.NOT_ASSESSED
    assert q.matrix(as_of="2019-07-01").status("FRA", "LTS-B.4") is Status.PLANNED
    assert q.matrix(as_of=dt.date(2021, 5, 31)).status("FRA", "LTS-B.4") is Status.PLANNED
    assert q.matrix(as_of="2021-06-01").status("FRA", "LTS-B.4") is Status.IMPLEMENTED
    # Other cells are untouched.
    assert q.matrix().status("USA", "LTS-B.4") is Status.NOT_ASSESSED
    assert len(q.matrix().cells) == 1


def test_a_later_recording_with_the_same_effective_date_wins(tracker: Tracker) -> None:
    record(tracker, "FRA", "LTS-A.1", "implemented", "2020-01-01")
    fix = record(tracker, "FRA", "LTS-A.1", "partially_implemented", "2020-01-01")
    cell = tracker.queries.matrix().cells[("FRA", "LTS-A.1")]
    assert (cell.assessment_id, cell.status) == (fix, Status.PARTIALLY_IMPLEMENTED)


def test_known_at_excludes_a_later_correction(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    # "Known at yesterday" means the end of the user's local yesterday: record at its local noon.
    yesterday = dt.date.today() - dt.timedelta(days=1)
    recorded_at(monkeypatch, to_iso(dt.datetime.combine(yesterday, dt.time(12)).astimezone()))
    record(tracker, "FRA", "LTS-A.1", "implemented", "2020-01-01")
    monkeypatch.undo()
    record(tracker, "FRA", "LTS-A.1", "not_implemented", "2020-01-01", note="correction recorded today")
    q = tracker.queries
    assert q.matrix().status("FRA", "LTS-A.1") is Status.NOT_IMPLEMENTED
    shown_yesterday = q.matrix(known_at=yesterday)
    assert shown_yesterday.status("FRA", "LTS-A.1") is Status.IMPLEMENTED
    assert shown_yesterday.known_at == end_of_day_iso(yesterday)
    day_before = yesterday - dt.timedelta(days=1)
    assert q.matrix(known_at=day_before).status("FRA", "LTS-A.1") is Status.NOT_ASSESSED
    assert q.matrix(known_at=dt.date.today()).status("FRA", "LTS-A.1") is Status.NOT_IMPLEMENTED


def test_as_of_and_known_at_together(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded_at(monkeypatch, local_noon("2024-03-01"))
    record(tracker, "JPN", "GGE-IV.3", "planned", "2023-01-01")
    recorded_at(monkeypatch, local_noon("2024-09-01"))
    record(tracker, "JPN", "GGE-IV.3", "implemented", "2024-08-01")
    recorded_at(monkeypatch, local_noon("2025-01-05"))
    record(tracker, "JPN", "GGE-IV.3", "partially_implemented", "2023-01-01", note="correction of the 2023 status")
    q = tracker.queries
    assert q.matrix(as_of="2023-06-01").status("JPN", "GGE-IV.3") is Status.PARTIALLY_IMPLEMENTED
    assert q.matrix(as_of="2023-06-01", known_at="2024-12-31").status("JPN", "GGE-IV.3") is Status.PLANNED
    assert q.matrix(as_of="2024-08-01", known_at="2024-08-31").status("JPN", "GGE-IV.3") is Status.PLANNED
    assert q.matrix(as_of="2024-08-01", known_at="2024-09-01").status("JPN", "GGE-IV.3") is Status.IMPLEMENTED
    assert q.matrix(known_at="2024-02-29").status("JPN", "GGE-IV.3") is Status.NOT_ASSESSED


def test_matrix_filters(tracker: Tracker) -> None:
    record(tracker, "FRA", "LTS-B.4", "implemented")
    record(tracker, "NGA", "LTS-A.1", "no_information")
    q = tracker.queries
    lts = q.matrix(catalog="lts2019")
    assert [m.key for m in lts.measures][:2] == ["LTS-A.1", "LTS-A.2"] and len(lts.measures) == N_LTS
    assert set(lts.cells) == {("FRA", "LTS-B.4"), ("NGA", "LTS-A.1")}
    assert q.matrix(catalog="GGE2013").cells == {}
    b = q.matrix(group="LTS2019/B")
    assert len(b.measures) == 10 and all(m.group_key == "B" for m in b.measures)
    assert len(q.matrix(group="b").measures) == 10
    weog = q.matrix(region="WEOG")
    assert "FRA" in {a.key for a in weog.actors} and "NGA" not in {a.key for a in weog.actors}
    assert ("NGA", "LTS-A.1") not in weog.cells
    assert [a.key for a in q.matrix(region="none").actors] == ["VAT"]
    assert [a.key for a in q.matrix(statuses=["implemented"]).actors] == ["FRA"]
    assert {a.key for a in q.matrix(statuses=["implemented", "no-information"]).actors} == {"FRA", "NGA"}
    # Not assessed is a status like any other for filtering: every actor has such a cell.
    assert len(q.matrix(statuses=["not_assessed"]).actors) == N_ACTORS


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"catalog": "NOPE2000"}, NotFoundError, "unknown catalogue 'NOPE2000'"),
    ({"group": "LTS2019/Z"}, NotFoundError, "unknown group"),
    ({"statuses": ["done"]}, ValidationError, "status: unknown value 'done'"),
    ({"as_of": "2023-02-30"}, ValidationError, "as of: '2023-02-30' is not a real calendar date"),
    ({"known_at": "2999-01-01"}, ValidationError, "known at: 2999-01-01 is in the future"),
])
def test_matrix_bad_arguments(tracker: Tracker, kwargs: dict[str, object], error: type[Exception], fragment: str) -> None:
    with pytest.raises(error) as info:
        tracker.queries.matrix(**kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)


# --- dossier and measure overview ----------------------------------------------------------

def test_dossier(tracker: Tracker) -> None:
    ev = tracker.evidence.add(EvidenceInput(title="National space law", symbol="A/AC.105/C.2/2020/CRP.5",
                                            evidence_type="legislation"))
    record(tracker, "FRA", "LTS-A.1", "implemented", "2008-06-03", evidence_ids=[ev.id], note="Loi relative aux opérations spatiales")
    record(tracker, "FRA", "LTS-A.2", "not_applicable", "2010-01-01")
    record(tracker, "FRA", "GGE-IV.1", "no_information", "2015-01-01")
    d = tracker.queries.dossier("fra")
    assert d.actor.key == "FRA" and d.actor.region == "WEOG" and d.as_of == dt.date.today()
    assert [e.measure.key for e in d.entries][:2] == ["GGE-IV.1", "GGE-IV.2"]
    assert len(d.entries) == N_GGE + N_LTS
    by_key = {e.measure.key: e for e in d.entries}
    a1 = by_key["LTS-A.1"]
    assert a1.status is Status.IMPLEMENTED and a1.evidence == (ev,)
    assert a1.assessment is not None and a1.assessment.note == "Loi relative aux opérations spatiales"
    assert by_key["LTS-B.1"].status is Status.NOT_ASSESSED and by_key["LTS-B.1"].assessment is None
    cov = {c.label: c for c in d.coverage_by_catalog}
    assert (cov["LTS2019"].total, cov["LTS2019"].in_scope, cov["LTS2019"].assessed, cov["LTS2019"].implemented) == (21, 20, 1, 1)
    assert (cov["GGE2013"].total, cov["GGE2013"].assessed, cov["GGE2013"].implemented) == (16, 1, 0)
    assert cov["GGE2013"].count(Status.NO_INFORMATION) == 1 and cov["GGE2013"].count(Status.NOT_IMPLEMENTED) == 0
    groups = {c.label: c.total for c in d.coverage_by_group}
    assert groups["LTS2019 B. Safety of space operations"] == 10
    # As of a past date, and limited to one catalogue.
    past = tracker.queries.dossier("FRA", catalog="LTS2019", as_of="2019-07-01")
    assert len(past.entries) == N_LTS
    assert {e.measure.key: e.status for e in past.entries if e.status is not Status.NOT_ASSESSED} == {
        "LTS-A.1": Status.IMPLEMENTED, "LTS-A.2": Status.NOT_APPLICABLE}
    # Before the guidelines were adopted there is nothing to be assessed against: "not yet adopted".
    before = tracker.queries.dossier("FRA", as_of="2009-01-01")
    assert before.not_yet_adopted == {"GGE2013": "2013-07-29", "LTS2019": "2019-06-21"} and before.entries == ()


def test_a_dossier_is_one_statement_while_the_log_stands_and_brings_each_assessments_evidence_in_order(
        tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    """The assessments in force joined to their evidence, with the head of the change log: one
    statement (a round trip on a server). After a change, the actor with its attributes, the
    catalogues' adoption with their keys and the measures are read again: one statement each.
    The joined rows give what the assessments' own reads give."""
    first = tracker.evidence.add(EvidenceInput(title="Report", symbol="A/AC.105/1"))
    second = tracker.evidence.add(EvidenceInput(title="Statement", url="https://example.org/s"))
    both = record(tracker, "FRA", "LTS-B.4", "implemented", "2020-01-01", evidence_ids=[second.id, first.id],
                  evidence_pinpoints={second.id: "para. 3"})
    one = record(tracker, "FRA", "LTS-A.1", "planned", "2020-01-01", evidence_ids=[second.id])
    none = record(tracker, "FRA", "GGE-IV.1", "implemented", "2020-01-01")
    record(tracker, "DEU", "LTS-B.4", "planned", "2020-01-01", evidence_ids=[first.id])
    seen = record_statements(monkeypatch, tracker.db)
    d = tracker.queries.dossier("FRA")
    assert len(selects(seen)) == 4, seen
    seen.clear()
    assert tracker.queries.dossier("FRA") == d
    assert len(selects(seen)) == 1, seen
    assert d.actor == tracker.reference.actor("FRA")
    got = {e.measure.key: e for e in d.entries if e.assessment is not None}
    assert sorted(got) == ["GGE-IV.1", "LTS-A.1", "LTS-B.4"]
    assert [got[k].assessment for k in ("LTS-B.4", "LTS-A.1", "GGE-IV.1")] == tracker.assessments.get_many([both, one, none])
    assert got["LTS-B.4"].assessment.evidence_ids == (first.id, second.id)  # type: ignore[union-attr]
    assert got["LTS-B.4"].evidence == (first, second) and got["LTS-A.1"].evidence == (second,)
    assert got["GGE-IV.1"].evidence == ()


def test_what_another_window_changes_in_the_actors_shows_at_the_next_read(
        tracker: Tracker, engine_target: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The actors and measures a read keeps (``services.reference_cache``) are read again once the
    change log has moved, whoever moved it: here another window on the same database."""
    from tcbm_tracker.services.tracker import open_tracker

    record(tracker, "FRA", "LTS-A.1", "planned", "2020-01-01")
    assert tracker.queries.dossier("FRA").actor.region == "WEOG"
    assert "XYZ" not in {a.key for a in tracker.queries.matrix().actors}
    other = open_tracker(engine_target, user="other")
    try:
        other.reference.set_attribute("FRA", "un_regional_group", "APG", dt.date.today())
        other.reference.add_organization("XYZ", "Example Space Organization")
    finally:
        other.close()
    seen = record_statements(monkeypatch, tracker.db)
    assert tracker.queries.dossier("FRA").actor.region == "APG"
    assert len(selects(seen)) == 4, seen  # the assessments, then what was kept, read again
    assert "XYZ" in {a.key for a in tracker.queries.matrix().actors}
    assert tracker.queries.dossier("XYZ").actor.name == "Example Space Organization"
    assert tracker.queries.dossier("FRA", as_of="2020-06-01").actor.region == "WEOG"  # kept by date, too


def test_dossier_unknown_actor(tracker: Tracker) -> None:
    with pytest.raises(NotFoundError, match="unknown actor 'ATLANTIS'"):
        tracker.queries.dossier("ATLANTIS")


def test_measure_overview(tracker: Tracker) -> None:
    record(tracker, "FRA", "LTS-B.4", "implemented", "2019-06-21")
    record(tracker, "USA", "LTS-B.4", "implemented", "2019-06-21")
    record(tracker, "CHN", "LTS-B.4", "planned", "2022-01-01")
    record(tracker, "MDV", "LTS-B.4", "not_applicable", "2020-01-01")
    o = tracker.queries.measure_overview("lts-b.4")
    assert o.measure.key == "LTS-B.4" and len(o.entries) == N_ACTORS
    statuses = {e.actor.key: e.status for e in o.entries if e.status is not Status.NOT_ASSESSED}
    assert statuses == {"FRA": Status.IMPLEMENTED, "USA": Status.IMPLEMENTED, "CHN": Status.PLANNED,
                        "MDV": Status.NOT_APPLICABLE}
    c = o.coverage
    assert (c.total, c.not_applicable, c.in_scope, c.assessed, c.implemented) == (195, 1, 194, 3, 2)
    old = tracker.queries.measure_overview("LTS-B.4", as_of="2020-06-01")
    assert {e.actor.key for e in old.entries if e.status is not Status.NOT_ASSESSED} == {"FRA", "USA", "MDV"}
    with pytest.raises(NotFoundError, match="unknown measure 'LTS-B.99'"):
        tracker.queries.measure_overview("LTS-B.99")


# --- coverage ------------------------------------------------------------------------------

def test_coverage_of_a_fresh_database_states_its_denominator(tracker: Tracker) -> None:
    (lts,) = tracker.queries.coverage(by="catalog", catalog="LTS2019")
    assert (lts.label, lts.total, lts.in_scope, lts.assessed, lts.implemented) == ("LTS2019", 4095, 4095, 0, 0)
    # Nothing assessed is no rate at all, never 0%.
    assert lts.implementation_rate is None and lts.count(Status.NOT_ASSESSED) == 4095
    assert figures.rate_phrase(lts) == "– (none of 4095 assessed)"


def test_coverage_excludes_not_applicable_and_keeps_no_information_apart(tracker: Tracker) -> None:
    record(tracker, "FRA", "LTS-A.1", "implemented")
    record(tracker, "FRA", "LTS-A.2", "not_applicable")
    record(tracker, "FRA", "LTS-A.3", "no_information")
    record(tracker, "USA", "LTS-A.1", "not_implemented")
    record(tracker, "USA", "LTS-A.2", "partially_implemented")
    (lts,) = tracker.queries.coverage(by="catalog", catalog="LTS2019")
    assert lts.total == 4095 and lts.not_applicable == 1 and lts.in_scope == 4094
    assert lts.assessed == 4  # not_applicable is neither in scope nor "assessed"
    # The rate is over the assessed cells; how much is assessed is a figure of its own.
    assert lts.implemented == 1 and lts.implementation_rate == pytest.approx(1 / 4)
    assert lts.assessment_coverage == pytest.approx(4 / 4094)
    assert lts.count(Status.NO_INFORMATION) == 1
    assert lts.count(Status.NOT_IMPLEMENTED) == 1  # USA's only: no information is not "not implemented"
    by_actor = {c.label: c for c in tracker.queries.coverage(by="actor")}
    fra = by_actor["FRA"]
    assert (fra.total, fra.in_scope, fra.assessed, fra.implemented) == (37, 36, 2, 1)
    assert fra.count(Status.NOT_IMPLEMENTED) == 0
    assert len(by_actor) == 195
    by_measure = {c.label: c for c in tracker.queries.coverage(by="measure", catalog="LTS2019")}
    assert (by_measure["LTS-A.2"].total, by_measure["LTS-A.2"].in_scope) == (195, 194)
    by_region = {c.label: c for c in tracker.queries.coverage(by="region")}
    # Member states per regional group; observer states in a row of their own, never "no regional group".
    assert {label.split(":")[0] for label in by_region} == {"AFRICA", "APG", "EEG", "GRULAC", "WEOG",
                                                             "Non-member observer states (counted apart)"}
    observers = next(c for label, c in by_region.items() if label.startswith("Non-member observer states"))
    assert observers.total == 2 * 37 and "Holy See" in observers.label
    weog = next(c for label, c in by_region.items() if label.startswith("WEOG"))
    assert weog.implemented == 1 and weog.not_applicable == 1
    by_group = {c.label: c.total for c in tracker.queries.coverage(by="group", catalog="LTS2019")}
    assert by_group == {"LTS2019 A. Policy and regulatory framework for space activities": 195 * 5,
                        "LTS2019 B. Safety of space operations": 195 * 10,
                        "LTS2019 C. International cooperation, capacity-building and awareness": 195 * 4,
                        "LTS2019 D. Scientific and technical research and development": 195 * 2}
    assert sum(c.total for c in tracker.queries.coverage(by="catalog")) == 195 * 37


def test_coverage_as_of_a_date(tracker: Tracker) -> None:
    record(tracker, "FRA", "LTS-A.1", "implemented", "2020-01-01")
    (before,) = tracker.queries.coverage(catalog="LTS2019", as_of="2019-12-31")
    (after,) = tracker.queries.coverage(catalog="LTS2019", as_of="2020-01-01")
    assert (before.implemented, after.implemented) == (0, 1)


def test_coverage_bad_grouping(tracker: Tracker) -> None:
    with pytest.raises(ValidationError, match="by: 'planet'"):
        tracker.queries.coverage(by="planet")


def test_coverage_with_nothing_in_the_denominator() -> None:
    c = Coverage("x", 2, {Status.NOT_APPLICABLE: 2})
    assert (c.in_scope, c.assessed, c.implementation_rate, c.assessment_coverage) == (0, 0, None, None)


# --- fingerprint ---------------------------------------------------------------------------

def test_fingerprint_is_the_change_log_head_and_moves_with_every_change(tracker: Tracker) -> None:
    first = tracker.queries.fingerprint()
    assert len(first) == 64 and first == tracker.integrity.verify().head
    record(tracker, "FRA", "LTS-A.1", "planned")
    second = tracker.queries.fingerprint()
    assert second != first and second == tracker.integrity.verify().head
    tracker.queries.matrix()
    assert tracker.queries.fingerprint() == second  # reading changes nothing


def test_region_filter_takes_any_case_and_refuses_unknown_groups(tracker: Tracker) -> None:
    q = tracker.queries
    assert {a.key for a in q.matrix(region="weog").actors} == {a.key for a in q.matrix(region="WEOG").actors}
    assert "FRA" in {a.key for a in q.matrix(region="weog").actors}
    with pytest.raises(ValidationError, match="region: unknown regional group 'NATO'; use one of: AFRICA, APG"):
        q.matrix(region="NATO")


# --- pictures of the past keep the measures and actors they had --------------------------------

def _catalogue(version: int, measures: list[tuple[str, str]]) -> dict[str, object]:
    return {"format": "tcbm-tracker/catalog", "format_version": 1, "key": "NAT2024", "version": version,
            "title": "National commitments", "source_document": "Ministry note 2024/17",
            "groups": [{"key": "P", "title": "Policy"}],
            "measures": [{"key": k, "group": "P", "title": t} for k, t in measures]}


def test_a_measure_retired_today_is_still_part_of_last_year(tracker: Tracker, tmp_path: Path) -> None:
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps(_catalogue(1, [("NAT-1", "Publish a policy"), ("NAT-2", "Share orbital data")])))
    v2 = tmp_path / "v2.json"
    v2.write_text(json.dumps(_catalogue(2, [("NAT-1", "Publish a policy")])))
    with fixed_time(dt.datetime(2024, 1, 10, tzinfo=dt.UTC)):
        tracker.reference.load_catalog_file(v1)
        record(tracker, "FRA", "NAT-2", "implemented", "2024-01-05")
    tracker.reference.load_catalog_file(v2)  # today: NAT-2 is dropped (retired, kept)

    assert [m.key for m in tracker.queries.matrix(catalog="NAT2024").measures] == ["NAT-1"]
    last_year = tracker.queries.matrix(catalog="NAT2024", as_of="2024-06-01")
    assert [m.key for m in last_year.measures] == ["NAT-1", "NAT-2"]
    assert last_year.status("FRA", "NAT-2") is Status.IMPLEMENTED
    cov = tracker.queries.dossier("FRA", catalog="NAT2024", as_of="2024-06-01").coverage_by_catalog[0]
    assert (cov.implemented, cov.in_scope) == (1, 2)


def test_a_measure_added_by_a_later_version_counts_only_from_its_adoption(tracker: Tracker, tmp_path: Path) -> None:
    shipped = Path(__file__).parents[3] / "resources" / "catalogs" / "LTS2019.json"
    doc = json.loads(shipped.read_text(encoding="utf-8"))
    doc["version"], doc["adopted"] = doc["version"] + 1, "2025-06-01"  # the next version after the shipped one
    extra = dict(doc["measures"][-1], key="LTS-D.3", title="A guideline added by a later version (test)")
    doc["measures"].append(extra)
    v2 = tmp_path / "lts-v2.json"
    v2.write_text(json.dumps(doc), encoding="utf-8")
    tracker.reference.load_catalog_file(v2)
    q = tracker.queries
    assert len(q.matrix(catalog="LTS2019").measures) == 22
    assert len(q.matrix(catalog="LTS2019", as_of="2025-05-31").measures) == 21  # not before v2 took effect
    assert len(q.matrix(catalog="LTS2019", as_of="2025-06-01").measures) == 22
    (cov,) = q.coverage(catalog="LTS2019", as_of="2025-01-01")
    assert cov.total == 21 * 195
    # The catalogue's first adoption still dates the guidelines, not v2's.
    early = q.matrix(catalog="LTS2019", as_of="2015-01-01")
    assert early.measures == () and early.not_yet_adopted == {"LTS2019": "2019-06-21"}


def test_as_known_at_a_date_leaves_out_actors_added_later(tracker: Tracker) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    tracker.reference.add_organization("ESA", "European Space Agency")
    keys_then = {a.key for a in tracker.queries.matrix(known_at=yesterday).actors}
    keys_now = {a.key for a in tracker.queries.matrix().actors}
    assert "ESA" in keys_now and "ESA" not in keys_then and len(keys_then) == 195
