"""The figures printed in reports: rates over assessed cells with their denominator, "–" never 0%
for nothing assessed, and member states, observer states and organizations counted apart.

Invented test data: the statuses below are not findings about any real state.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_pdf import NOW, body_text, flat, page_texts
from reportlab.pdfbase.pdfmetrics import stringWidth

from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.reports.api import build_actor_summary, build_changes_report, build_matrix_report, build_measure_report
from tcbm_tracker.reports.components import legend
from tcbm_tracker.reports.fonts import REGULAR
from tcbm_tracker.reports.styles import LEGEND_ORDER, MIN_TEXT_SIZE, Styles
from tcbm_tracker.services import user_settings
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.report_check import UnverifiedDataError
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.tables import AttributeDefRow

B4_STATUSES = {
    "CHN": "implemented", "DEU": "implemented", "JPN": "implemented", "USA": "implemented", "FRA": "implemented",
    "ITA": "partially_implemented", "RUS": "partially_implemented", "IND": "not_implemented", "BRA": "not_implemented",
    "EGY": "no_information", "KEN": "no_information", "MDV": "not_applicable",
}


def define_attribute(tracker: Tracker, key: str, values: dict[str, str]) -> None:
    """Declare an actor attribute the shipped list may not have yet (as the actor loader would)."""
    if tracker.reference.attribute_labels(key):
        return  # shipped already
    with tracker.db.write() as s:
        s.add(AttributeDefRow(key=key, label=key, values_json=json.dumps(values)))
        s.flush()
        changelog.record(s, "attribute_def", key, "added", "tester")


def _b4(tracker: Tracker) -> None:
    tracker.reference.add_organization("ESA", "European Space Agency")
    items = [AssessmentInput(k, "LTS-B.4", s, effective="2021-01-01") for k, s in B4_STATUSES.items()]
    items.append(AssessmentInput("ESA", "LTS-B.4", "implemented", effective="2021-01-01"))
    tracker.assessments.record_many(items)


def test_a_state_with_no_data_shows_no_rate_never_zero_percent(tracker: Tracker, tmp_path: Path) -> None:
    text = body_text(build_actor_summary(tracker, "TUV", tmp_path / "tuv.pdf", now=NOW).path)
    assert "0%" not in text
    assert "GGE2013 0 16 0 0 0 0 0 16 0 – none assessed" in text
    assert "LTS2019 0 21 0 0 0 0 0 21 0 – none assessed" in text


def test_measure_rate_is_over_assessed_member_states_with_its_denominator(tracker: Tracker, tmp_path: Path) -> None:
    _b4(tracker)
    text = body_text(build_measure_report(tracker, "LTS-B.4", tmp_path / "b4.pdf", now=NOW).path)
    # 193 member states, MDV not applicable: 192 in scope, 11 assessed, 5 implement it.
    assert "UN member states: 193 1 192 5 2 0 2 2 181 11 (6%) 45% 5 of 11 assessed" in text
    assert "All actors" not in text  # the old row: 5 of 196 actors, "3%"
    # The organization has a row of its own; no "No regional group" row mixing it with the Holy See.
    assert "Intergovernmental organizations: 1 0 1 1 0 0 0 0 0 1 (100%) 100% 1 of 1 assessed" in text
    assert "No regional group" not in text
    assert "Non-member observer states (counted apart): Holy See, State of Palestine 0 2" in text
    assert "Implementation rate: implemented ÷ assessed" in text  # the rule, stated on the page


def test_a_member_observing_its_group_is_named_in_the_group_row(tracker: Tracker, tmp_path: Path) -> None:
    # The shipped actor list declares the standing attribute; the United States is set in it.
    tracker.reference.set_attribute("USA", "un_regional_group_standing", "observer", "2000-01-01")
    _b4(tracker)
    us = tracker.reference.actor("USA").name
    text = body_text(build_measure_report(tracker, "LTS-B.4", tmp_path / "b4.pdf", now=NOW).path)
    assert f"Western European and Others Group (WEOG): 28 members + {us}, observer" in text
    matrix = body_text(build_matrix_report(tracker, tmp_path / "m.pdf", catalog="LTS2019", now=NOW).path)
    assert f"(WEOG): 28 members + {us}, observer" in matrix
    assert "No regional group" not in matrix and "Intergovernmental organizations: 1" in matrix


def test_page_one_of_every_report_says_what_the_statuses_are(seeded: Tracker, tmp_path: Path) -> None:
    builds = {
        "actor": lambda p: build_actor_summary(seeded, "FRA", p, now=NOW),
        "measure": lambda p: build_measure_report(seeded, "GGE-IV.1", p, now=NOW),
        "matrix": lambda p: build_matrix_report(seeded, p, now=NOW),
        "changes": lambda p: build_changes_report(seeded, "2000-01-01", p, now=NOW),
    }
    for name, build in builds.items():
        first = flat(page_texts(build(tmp_path / f"{name}.pdf").path)[0])
        assert "The TCBMs and LTS guidelines are voluntary." in first, name
        # No reporter in the settings: the user of this copy, unnamed (not the login name).
        assert ("Statuses record implementation as reported or assessed by the user of this copy of the tracker; "
                "they are not an official UN finding.") in first, name
        assert "the GGE-… keys are this tracker's own numbering" in first, name
    user_settings.set_setting("reporter.name", "Jane Doe")
    user_settings.set_setting("reporter.organisation", "Ministère des Affaires étrangères")
    for name, build in builds.items():
        first = flat(page_texts(build(tmp_path / f"{name}-named.pdf").path)[0])
        assert ("as reported or assessed by the user of this copy of the tracker, Jane Doe (Ministère des Affaires "
                "étrangères); they are not an official UN finding.") in first, name
    user_settings.unset_setting("reporter.name")
    first = flat(page_texts(builds["actor"](tmp_path / "org.pdf").path)[0])
    assert "by the user of this copy of the tracker, Ministère des Affaires étrangères; they are not" in first


def test_the_legend_gives_every_label_room(tmp_path: Path) -> None:
    for per_row in (4, 7):
        t = legend(500, per_row=per_row)
        widths = t._colWidths
        for c, status in enumerate(LEGEND_ORDER):
            col = 2 * (c % per_row) + 1
            assert stringWidth(status.label, REGULAR, 8) + 8 <= widths[col], (per_row, status)


def test_the_by_column_keeps_a_user_name_whole(tracker: Tracker, tmp_path: Path) -> None:
    tracker.assessments.record_many([AssessmentInput("FRA", "LTS-A.3", "implemented", effective="2021-01-01")],
                                    recorded_by="analyst.kim")
    text = "\n".join(page_texts(build_changes_report(tracker, "2000-01-01", tmp_path / "c.pdf", now=NOW).path))
    assert "analyst.kim" in text


def test_a_date_before_a_catalogue_was_adopted_says_not_yet_adopted(tracker: Tracker, tmp_path: Path) -> None:
    text = body_text(build_actor_summary(tracker, "FRA", tmp_path / "fra.pdf", as_of="2015-01-01", now=NOW).path)
    assert "LTS2019: not yet adopted on 2015-01-01 (adopted 2019-06-21)" in text
    assert "LTS-A.1" not in text and "GGE-IV.1" in text
    matrix = body_text(build_matrix_report(tracker, tmp_path / "m.pdf", catalog="LTS2019", as_of="2015-01-01", now=NOW).path)
    assert "LTS2019: not yet adopted on 2015-01-01 (adopted 2019-06-21)" in matrix and "LTS-A.1" not in matrix


def test_page_one_says_where_the_state_stands_and_what_went_down(tracker: Tracker, tmp_path: Path) -> None:
    tracker.assessments.record_many([
        AssessmentInput("RUS", "LTS-B.4", "implemented", effective="2021-01-01"),
        AssessmentInput("RUS", "LTS-B.4", "not_implemented", effective="2024-11-15"),
        AssessmentInput("RUS", "LTS-A.1", "implemented", effective="2024-09-01"),
        AssessmentInput("RUS", "LTS-A.2", "planned", effective="2020-01-01"),
    ])
    first = flat(page_texts(build_actor_summary(tracker, "RUS", tmp_path / "rus.pdf", as_of="2025-06-01", now=NOW).path)[0])
    assert ("Russian Federation implements 1 of the 3 measures assessed (33%), 1 planned; 3 of the 37 measures in "
            "scope have been assessed (8%).") in first
    today = dt.datetime.now(dt.UTC).date().isoformat()  # when the assessments were recorded (tests run in UTC)
    assert f"Record last reviewed: {today} (the most recent assessment recorded)." in first
    assert "What changed since 2024-06-01: 2 statuses, 1 of them down (further from implementation)." in first
    assert "LTS-B.4 ✓ Implemented ✗ Not implemented ▼ went down" in first
    assert "LTS-A.1 · Not assessed ✓ Implemented" in first
    # An explicit --since; and a state with no record at all says so.
    later = flat(page_texts(build_actor_summary(tracker, "RUS", tmp_path / "r2.pdf", as_of="2025-06-01", since="2024-12-01",
                                                now=NOW).path)[0])
    assert "What changed since 2024-12-01: no status changed." in later
    tuv = flat(page_texts(build_actor_summary(tracker, "TUV", tmp_path / "tuv.pdf", now=NOW).path)[0])
    assert "None of the 37 measures in scope has been assessed for Tuvalu: there is no implementation rate." in tuv
    assert "Record last reviewed: never: no assessment has been recorded." in tuv


def test_rows_cite_the_document_with_the_pinpoint_of_their_own_citation(tracker: Tracker, tmp_path: Path) -> None:
    replies = tracker.evidence.add(EvidenceInput(title="Replies received from Governments", symbol="A/72/65",
                                                 evidence_type="un_process", pinpoint="p. 5")).id
    tracker.assessments.record_many([
        AssessmentInput("FRA", "LTS-B.4", "implemented", "self_reported", effective="2021-01-01",
                        evidence_ids=[replies], evidence_pinpoints={replies: "p. 21"}),
        AssessmentInput("DEU", "LTS-B.4", "implemented", "self_reported", effective="2021-01-01", evidence_ids=[replies]),
        AssessmentInput("JPN", "LTS-B.4", "implemented", "official_record", effective="2021-01-01"),
    ])
    text = body_text(build_measure_report(tracker, "LTS-B.4", tmp_path / "b4.pdf", now=NOW).path)
    assert "France (FRA) WEOG Reported by the state itself Medium confidence 2021-01-01 [1] A/72/65, p. 21" in text
    assert "Germany (DEU) WEOG Reported by the state itself Medium confidence 2021-01-01 [1] A/72/65, p. 5" in text
    assert "Japan (JPN) APG Official record Medium confidence 2021-01-01 ⚠ No evidence for an official record" in text
    fra = body_text(build_actor_summary(tracker, "FRA", tmp_path / "fra.pdf", now=NOW).path)
    assert "[1] A/72/65, p. 21" in fra


def test_a_pinpoint_must_belong_to_a_cited_item(tracker: Tracker) -> None:
    replies = tracker.evidence.add(EvidenceInput(title="Replies", symbol="A/72/65", evidence_type="un_process")).id
    before = tracker.queries.fingerprint()
    with pytest.raises(ValidationError, match="is not cited"):
        tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", evidence_pinpoints={replies: "p. 2"}))
    assert tracker.queries.fingerprint() == before


def test_a_report_from_failed_data_is_refused_or_stamped(tracker: Tracker, db_path: Path, tmp_path: Path) -> None:
    tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented"))
    con = sqlite3.connect(db_path)  # an edit outside the app
    con.execute("UPDATE assessment SET status = 'not_implemented' WHERE id = 1")
    con.commit()
    con.close()
    out = tmp_path / "fra.pdf"
    with pytest.raises(UnverifiedDataError, match="failed verification.*--allow-unverified"):
        build_actor_summary(tracker, "FRA", out)
    assert not out.exists()
    pages = page_texts(build_actor_summary(tracker, "FRA", out, allow_unverified=True).path)
    assert len(pages) > 1 and all("DATA FAILED VERIFICATION" in p for p in pages)


def _font_sizes(path: Path) -> set[float]:
    """Every font size set on every page (the ``Tf`` operators of the content streams)."""
    sizes: set[float] = set()
    for page in PdfReader(path).pages:
        data = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
        sizes |= {float(m) for m in re.findall(r"/\S+ ([\d.]+) Tf", data)}
    return sizes


def test_no_text_is_smaller_than_the_minimum_and_the_language_is_set(seeded: Tracker, tmp_path: Path) -> None:
    assert all(getattr(Styles, n).fontSize >= MIN_TEXT_SIZE for n in vars(Styles) if not n.startswith("_"))
    paths = [
        build_actor_summary(seeded, "FRA", tmp_path / "a.pdf", now=NOW).path,
        build_measure_report(seeded, "LTS-B.4", tmp_path / "m.pdf", now=NOW).path,
        build_matrix_report(seeded, tmp_path / "x.pdf", now=NOW).path,
        build_changes_report(seeded, "2000-01-01", tmp_path / "c.pdf", now=NOW).path,
    ]
    for path in paths:
        sizes = _font_sizes(path)
        assert sizes and min(sizes) >= MIN_TEXT_SIZE, (path.name, sorted(sizes))
        assert PdfReader(path).trailer["/Root"]["/Lang"] == "en"


def test_a_group_band_repeats_on_a_page_that_starts_mid_group(tracker: Tracker, tmp_path: Path) -> None:
    note = "\n".join(f"Line {n} of a note long enough to take room on the page." for n in range(5))
    keys = [m.key for m in tracker.reference.measures() if m.key.startswith("LTS-B.")]
    tracker.assessments.record_many([AssessmentInput("FRA", k, "implemented", note=note) for k in keys])
    pages = page_texts(build_actor_summary(tracker, "FRA", tmp_path / "fra.pdf", now=NOW).path)
    with_b = [flat(p) for p in pages if re.search(r"LTS-B\.\d+ ", p) and "Measure Status" in flat(p)]
    assert len(with_b) >= 2  # the group does run over a page break
    assert all("B. Safety of space operations" in p for p in with_b)


def test_about_this_report_follows_on_the_same_page_rather_than_leaving_one_half_empty(
        seeded: Tracker, tmp_path: Path) -> None:
    for path in (build_actor_summary(seeded, "FRA", tmp_path / "a.pdf", now=NOW).path,
                 build_measure_report(seeded, "LTS-B.4", tmp_path / "m.pdf", now=NOW).path):
        page = next(flat(p) for p in page_texts(path) if "About this report" in p)
        before = page.split("About this report")[0].split("(full value in the document properties)")[-1]
        assert re.search(r"Page \d+ of \d+ \S", before), path.name  # something precedes the heading on its page


def test_a_measure_report_before_its_adoption_says_not_yet_adopted(tracker: Tracker, tmp_path: Path) -> None:
    assert tracker.queries.measure_overview("LTS-B.4", as_of="2015-01-01").not_yet_adopted == "2019-06-21"
    assert tracker.queries.measure_overview("LTS-B.4", as_of="2020-01-01").not_yet_adopted is None
    text = body_text(build_measure_report(tracker, "LTS-B.4", tmp_path / "b4.pdf", as_of="2015-01-01", now=NOW).path)
    assert "Not yet adopted on 2015-01-01: this measure took effect on 2019-06-21" in text


def test_the_changes_report_gives_each_citation_its_pinpoint(tracker: Tracker, tmp_path: Path) -> None:
    replies = tracker.evidence.add(EvidenceInput(title="Replies", symbol="A/72/65", evidence_type="un_process")).id
    tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", evidence_ids=[replies],
                                                evidence_pinpoints={replies: "p. 21"}))
    text = body_text(build_changes_report(tracker, "2000-01-01", tmp_path / "c.pdf", now=NOW).path)
    assert "Cites [1] A/72/65, p. 21." in text


def test_the_summary_states_a_group_observer_and_copuos_membership_in_words(tracker: Tracker, tmp_path: Path) -> None:
    define_attribute(tracker, "un_regional_group_standing", {"observer": "Observer"})
    define_attribute(tracker, "copuos_member", {"member": "Member"})
    tracker.reference.set_attribute("USA", "un_regional_group_standing", "observer", "2000-01-01")
    if tracker.reference.actor("USA").attributes.get("copuos_member") != "member":  # shipped data may have it
        tracker.reference.set_attribute("USA", "copuos_member", "member", "1959-12-12")
    first = flat(page_texts(build_actor_summary(tracker, "USA", tmp_path / "usa.pdf", now=NOW).path)[0])
    assert "UN regional group: Western European and Others Group (WEOG)" not in first
    assert "UN regional group: not a member of any regional group; attends meetings of the Western European" in first
    assert "COPUOS member: Member of the Committee on the Peaceful Uses of Outer Space" in first
    assert "un_regional_group_standing" not in first and "copuos_member" not in first


def test_each_heat_map_is_also_said_in_words(tracker: Tracker, tmp_path: Path) -> None:
    tracker.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", "implemented"),
                                     AssessmentInput("DEU", "LTS-A.1", "not_implemented")])
    text = body_text(build_matrix_report(tracker, tmp_path / "m.pdf", catalog="LTS2019", now=NOW).path)
    assert ("In words: 195 actors × 21 measures; 4,095 cells in scope, 2 of 4095 assessed (<1%); "
            "implementation rate 50% (1 of 2 assessed).") in text
