"""What undo records (services.undo), without Qt: copies of what was in force, on the edit's date."""

from __future__ import annotations

import datetime as dt

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.services.undo import NOTHING_BEFORE_NOTE, in_force, plan_edit, restoring

DATES = ["2017-06-01", "2018-01-01", "2019-05-31", "2019-06-01", "2020-01-01", "2022-01-01", "2023-06-01", None]


def picture(tracker: Tracker) -> dict[str | None, dict[tuple[str, str], tuple[object, ...]]]:
    """Every cell's status, provenance, note and evidence on each date."""
    out = {}
    for day in DATES:
        matrix = tracker.queries.matrix(as_of=day)
        infos = {i.id: i for i in tracker.assessments.get_many([c.assessment_id for c in matrix.cells.values()])}
        out[day] = {cell: (c.status, c.provenance, c.confidence, infos[c.assessment_id].note,
                           infos[c.assessment_id].evidence_ids) if c.status is not Status.NOT_ASSESSED else (Status.NOT_ASSESSED,)
                    for cell, c in matrix.cells.items()}
        out[day] = {cell: v for cell, v in out[day].items() if v != (Status.NOT_ASSESSED,)}
    return out


def history_with_evidence(tracker: Tracker) -> int:
    law = tracker.evidence.add(EvidenceInput(title="Space operations act", symbol="A/AC.105/2018/1"))
    decree = tracker.evidence.add(EvidenceInput(title="Decree"))
    tracker.assessments.record_many([
        AssessmentInput("FRA", "LTS-A.1", Status.PLANNED, Provenance.SELF_REPORTED, Confidence.HIGH, "Plan announced",
                        effective=dt.date(2018, 1, 1), evidence_ids=(law.id,)),
        AssessmentInput("FRA", "LTS-A.1", Status.IMPLEMENTED, Provenance.OFFICIAL_RECORD, Confidence.MEDIUM, "In force",
                        effective=dt.date(2022, 1, 1), evidence_ids=(law.id, decree.id)),
        AssessmentInput("KEN", "LTS-A.1", Status.NO_INFORMATION, Provenance.THIRD_PARTY, Confidence.LOW,
                        effective=dt.date(2023, 1, 1)),
    ])
    return law.id


def test_restore_copies_the_assessment_in_force_with_its_evidence(tracker: Tracker) -> None:
    law = history_with_evidence(tracker)
    items = [AssessmentInput("FRA", "LTS-A.1", Status.NOT_IMPLEMENTED, effective=dt.date(2019, 6, 1)),
             AssessmentInput("KEN", "LTS-A.1", Status.NOT_IMPLEMENTED, effective=dt.date(2019, 6, 1))]
    fra, ken = restoring(tracker.assessments, items)
    assert fra == AssessmentInput("FRA", "LTS-A.1", Status.PLANNED, Provenance.SELF_REPORTED, Confidence.HIGH,
                                  "Plan announced", dt.date(2019, 6, 1), (law,))
    # KEN's assessment takes effect later (2023): on 2019-06-01 nothing was in force.
    assert (ken.status, ken.effective, ken.note, tuple(ken.evidence_ids)) == (
        Status.NOT_ASSESSED, dt.date(2019, 6, 1), NOTHING_BEFORE_NOTE, ())


def test_each_item_is_read_at_its_own_effective_date_however_it_is_given(tracker: Tracker) -> None:
    history_with_evidence(tracker)
    # A back-dated date given as text was read as today's picture (Implemented), and restored on 2019-06-01.
    items = [AssessmentInput("FRA", "LTS-A.1", Status.NOT_IMPLEMENTED, effective="2019-06-01"),
             AssessmentInput("FRA", "LTS-A.1", Status.NOT_IMPLEMENTED, effective=None)]
    back, now = restoring(tracker.assessments, items)
    assert (back.status, back.effective) == (Status.PLANNED, dt.date(2019, 6, 1))
    assert (now.status, now.effective) == (Status.IMPLEMENTED, dt.date.today())


def test_large_back_dated_bulk_edit_undone_restores_every_date(tracker: Tracker) -> None:
    history_with_evidence(tracker)
    tracker.assessments.record_many([AssessmentInput(a, m.key, Status.PARTIALLY_IMPLEMENTED, note=f"{a} {m.key}",
                                                     effective=dt.date(2019 + i % 4, 3, 1))
                                     for a in ("BRA", "JPN") for i, m in enumerate(tracker.reference.measures())])
    before = picture(tracker)
    edit = [AssessmentInput(a, m.key, Status.NOT_IMPLEMENTED, note="Bulk correction", effective=dt.date(2019, 6, 1))
            for a in ("FRA", "KEN", "BRA", "JPN", "DEU") for m in tracker.reference.measures()]
    assert len(edit) == 185
    plan = plan_edit(tracker.assessments, edit, "set 185 cells")
    tracker.assessments.record_many(plan.applied)
    assert picture(tracker) != before
    tracker.assessments.record_many(plan.restore)
    assert picture(tracker) == before  # on every date, before and after the edit's date
    assert {r.effective for r in plan.restore} == {dt.date(2019, 6, 1)}
    # Redo writes the edit again.
    tracker.assessments.record_many(plan.applied)
    assert tracker.queries.matrix(as_of="2020-01-01").status("BRA", "LTS-A.1") is Status.NOT_IMPLEMENTED


def test_in_force_answers_for_many_cells_at_once(tracker: Tracker) -> None:
    history_with_evidence(tracker)
    cells = [(a.key, m.key) for a in tracker.reference.actors() for m in tracker.reference.measures()]
    assert len(cells) > 7000
    found = in_force(tracker.assessments, cells, dt.date(2022, 6, 1))
    assert {cell: info.status for cell, info in found.items()} == {("FRA", "LTS-A.1"): Status.IMPLEMENTED}
    assert found[("FRA", "LTS-A.1")].evidence_ids and len(found[("FRA", "LTS-A.1")].evidence_ids) == 2
