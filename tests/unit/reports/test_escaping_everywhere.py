"""Every report prints every user field literally, each field checked on its own.

Each text field a user controls (catalogue titles and notes, measure texts, actor names and
notes, evidence titles and pinpoints, attachment file names, assessment notes, who recorded)
carries its own token ``&amp;Xnn``. Printed literally it reads ``&amp;Xnn``; if any one place
passed it to a reportlab paragraph unescaped, that place would print ``&Xnn`` (the entity
decoded), so removing the escaping at any single place fails this test, even for a field
printed in several places. (A tag such as ``<Xnn>`` would not do: reportlab drops unknown tags
silently, and the field's other, escaped places would still show it.) The tokens pass the input
rules (no control characters, no tag-like markup), so they go in through the services.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from report_pdf import NOW, body_text

from tcbm_tracker.reports import build_actor_summary, build_changes_report, build_matrix_report, build_measure_report
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker, open_tracker


def tok(name: str) -> str:
    return f"&amp;{name}"


def _catalogue(path: Path) -> Path:
    doc = {
        "format": "tcbm-tracker/catalog", "format_version": 1, "key": "ESC2024", "version": 1,
        "title": "Catalogue " + tok("CAT01"), "short_title": "Short " + tok("CAT02"),
        "source_document": "Doc " + tok("CAT03"), "description": "Described " + tok("CAT04"),
        "groups": [{"key": "P", "title": "Group " + tok("GRP01")}],
        "measures": [{
            "key": "ESC-1", "group": "P", "title": "Measure " + tok("MEA01"), "heading": "Heading " + tok("MEA02"),
            "description": "Description " + tok("MEA03"), "pinpoint": "para. " + tok("MEA04"), "pinpoint_confirmed": True,
            "pinpoint_source": "Source " + tok("MEA06"), "pinpoint_note": "Pinpoint note " + tok("MEA05"), "agreed": tok("A1"),
        }],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def hostile(db_path: Path, tmp_path: Path) -> Tracker:
    author = open_tracker(db_path, user="Analyst " + tok("USR01"))
    author.reference.load_catalog_file(_catalogue(tmp_path / "esc.json"))
    author.reference.add_organization("ESCORG", "Organisation " + tok("ACT01"), note="Actor note " + tok("ACT02"))
    author.reference.add_organization("ESCNA", "Unassessed " + tok("ACT03"))  # listed by name when not assessed
    attachment = tmp_path / f"{tok('FIL01')}.pdf"
    attachment.write_bytes(b"%PDF-1.4 attachment")
    ev = author.evidence.add(EvidenceInput(title="Evidence " + tok("EVI01"), pinpoint="p. " + tok("EVI02"),
                                           url="https://example.org/a?b=" + tok("EVI03"), file=attachment))
    # A note longer than a cell shows is printed again in full under "Notes in full", with its label.
    author.assessments.record(AssessmentInput("ESCORG", "ESC-1", "implemented", note="Note " + tok("NOT01") + " and more." * 60,
                                              effective=dt.date(2024, 1, 2), evidence_ids=[ev.id]))
    author.assessments.record(AssessmentInput("FRA", "ESC-1", "planned", note="Note " + tok("NOT02"),
                                              effective=dt.date(2024, 1, 3)))
    author.close()
    t = open_tracker(db_path, user="Reporter " + tok("USR02"))
    yield t
    t.close()


ALL = ["CAT01", "CAT02", "CAT03", "CAT04", "GRP01", "MEA01", "MEA02", "MEA03", "MEA04", "MEA05", "A1", "ACT01", "ACT02",
       "ACT03", "EVI01", "EVI02", "EVI03", "FIL01", "NOT01", "NOT02", "USR01", "USR02"]


def _missing(text: str, names: list[str]) -> list[str]:
    """Tokens not printed literally, and any token read as markup anywhere: a field printed in
    several places is caught even if only one of them loses its escaping."""
    misread = [f"&{n}" for n in ALL if f"&{n}" in text]
    return [n for n in names if tok(n) not in text] + misread


def test_measure_report_prints_every_field_literally(hostile: Tracker, tmp_path: Path) -> None:
    text = body_text(build_measure_report(hostile, "ESC-1", tmp_path / "m.pdf", now=NOW).path)
    assert _missing(text, ["CAT01", "CAT03", "GRP01", "MEA01", "MEA02", "MEA03", "MEA04", "MEA05", "A1", "ACT01", "ACT03", "NOT01",
                           "NOT02", "EVI01", "EVI02", "EVI03", "FIL01", "USR02"]) == []


def test_matrix_report_prints_every_field_literally(hostile: Tracker, tmp_path: Path) -> None:
    text = body_text(build_matrix_report(hostile, tmp_path / "x.pdf", catalog="ESC2024", now=NOW).path)
    assert _missing(text, ["CAT01", "CAT03", "MEA01", "MEA04", "ACT01", "USR02"]) == []


def test_changes_report_prints_every_field_literally(hostile: Tracker, tmp_path: Path) -> None:
    text = body_text(build_changes_report(hostile, "2000-01-01", tmp_path / "c.pdf", catalog="ESC2024", now=NOW).path)
    assert _missing(text, ["CAT01", "MEA01", "ACT01", "USR01", "NOT01", "NOT02", "EVI01", "FIL01", "USR02"]) == []


def test_actor_summary_prints_every_field_literally(hostile: Tracker, tmp_path: Path) -> None:
    text = body_text(build_actor_summary(hostile, "ESCORG", tmp_path / "a.pdf", catalog="ESC2024", now=NOW).path)
    assert _missing(text, ["CAT01", "CAT02", "CAT03", "GRP01", "MEA01", "MEA04", "ACT01", "ACT02", "NOT01", "EVI01",
                           "EVI02", "EVI03", "FIL01", "USR02"]) == []
