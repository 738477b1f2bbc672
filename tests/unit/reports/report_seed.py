"""A small, fully known dataset for the report tests: every status, history, evidence, hostile text.

Invented test data: the statuses and documents below are not findings about any real state.
"""

from __future__ import annotations

import datetime as dt

from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker

HOSTILE_NOTE = (
    'Literal markup: <b>bold?</b> & <img src="/etc/passwd"/> <link href="file:///etc/passwd">x</link> '
    "<para> unbalanced </i> &amp; &#60; ]]> perigee < 500 km. RTL: שלום עולם, مرحبا. Emoji: 😀 🛰 CJK: 中文."
)
LONG_NOTE = ("Paragraph one of a very long note about conjunction screening. " * 400 + "\n\n" + "x" * 3000 + "\n\n"
             + "Closing words of the long note. ") * 2
PAST = dt.date(2020, 1, 1)
CHANGE = dt.date(2023, 6, 1)

# FRA's current statuses (measure -> status); measures not listed stay "not assessed".
FRA_NOW = {
    "GGE-IV.1": "implemented",
    "GGE-IV.2": "partially_implemented",
    "GGE-IV.3": "planned",
    "GGE-IV.4": "not_implemented",
    "GGE-IV.5": "no_information",
    "GGE-IV.6": "not_applicable",
    "LTS-A.1": "implemented",
    "LTS-A.2": "implemented",
    "LTS-A.3": "partially_implemented",
    "LTS-B.1": "no_information",
    "LTS-B.2": "not_implemented",
    "LTS-B.4": "implemented",
    "LTS-C.1": "planned",
    "LTS-D.2": "not_applicable",
}


def seed(t: Tracker) -> dict[str, int]:
    """Record the dataset; returns the evidence ids by name."""
    ev = {
        "law": t.evidence.add(EvidenceInput(
            title="Test : loi fictive relative aux opérations spatiales", symbol=None, date="2008-06-03", language="fr",
            evidence_type="legislation", url="https://example.org/loi?a=1&b=2", pinpoint="art. 4")).id,
        "report": t.evidence.add(EvidenceInput(
            title="Test: national report on the LTS guidelines", symbol="SAMPLE/2023/CRP.1",
            date="2023-02-06", language="en", evidence_type="un_process", url="http://example.org/report.pdf")).id,
        "russian": t.evidence.add(EvidenceInput(
            title="Тест: основы политики в области космической деятельности", date="2013-04-19",
            language="ru", evidence_type="policy_strategy")).id,
        "greek": t.evidence.add(EvidenceInput(title="Δοκιμή: εθνική διαστημική στρατηγική", language="el")).id,
    }
    items = [AssessmentInput("FRA", "LTS-B.4", "not_implemented", effective=PAST, note="Before the 2023 screening service.")]
    for measure, status in FRA_NOW.items():
        note = None
        evidence: list[int] = []
        if measure == "LTS-B.4":
            note, evidence = LONG_NOTE, [ev["report"], ev["law"]]
        elif measure == "GGE-IV.1":
            note, evidence = HOSTILE_NOTE, [ev["russian"]]
        elif measure == "LTS-A.1":
            evidence = [ev["law"]]
        elif measure == "GGE-IV.2":
            evidence = [ev["greek"]]
        items.append(AssessmentInput("FRA", measure, status, provenance="official_record", confidence="high",
                                     note=note, effective=CHANGE, evidence_ids=evidence))
    items += [
        AssessmentInput("CIV", "LTS-B.4", "planned", effective=CHANGE, note="Côte d'Ivoire: plan announced."),
        AssessmentInput("TUR", "LTS-B.4", "partially_implemented", effective=CHANGE, evidence_ids=[ev["report"]]),
        AssessmentInput("RUS", "LTS-B.4", "implemented", effective=CHANGE, evidence_ids=[ev["russian"]]),
        AssessmentInput("GRC", "LTS-B.4", "no_information", effective=CHANGE),
        AssessmentInput("USA", "LTS-B.4", "not_implemented", effective=PAST),
    ]
    t.assessments.record_many(items)
    return ev
