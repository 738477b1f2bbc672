"""Arabic and Chinese print in every report kind, wherever user text goes: table cells drawn as
one string (matrix actor names, coverage labels, chart labels, group cells), headings and
notes. Checked from the PDF: no ``[U+`` placeholder, the Chinese as typed, the Arabic joined."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest
from report_pdf import NOW, drawn_text, page_texts

from tcbm_tracker.reports.actor_summary import render_actor_summary
from tcbm_tracker.reports.changes_report import render_changes_report
from tcbm_tracker.reports.data import actor_summary_data, changes_report_data, matrix_report_data, measure_report_data
from tcbm_tracker.reports.matrix_report import render_matrix_report
from tcbm_tracker.reports.measure_report import render_measure_report
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import Tracker

ZH_ORG = "亚太空间合作组织"  # Asia-Pacific Space Cooperation Organization
AR_ORG = "المركز الإقليمي لعلوم الفضاء"  # a regional centre for space science (invented test name)
ZH_NOTE = "中文说明：国家空间碎片减缓标准。"
AR_NOTE = "ملاحظة عربية: معايير تخفيف الحطام الفضائي"
ZH_USER = "王伟"
ZH_CATALOG = "空间可持续性测试目录"  # a user catalogue titled in Chinese (invented)
AR_GROUP = "الإطار التنظيمي"  # a group titled in Arabic (invented)
ZH_GROUP = "国际合作"  # a group titled in Chinese (invented)


def _catalog(path: Path) -> Path:
    """A user catalogue whose titles are Chinese and Arabic: they reach table cells, coverage
    labels, chart labels and group bands."""
    measure = {"group": "A", "heading": None, "description": "测试", "source_document": "TEST/1",
               "pinpoint": None, "pinpoint_confirmed": False, "pinpoint_note": None, "agreed": None}
    path.write_text(json.dumps({
        "format": "tcbm-tracker/catalog", "format_version": 1, "key": "ZHTEST", "version": 1,
        "title": ZH_CATALOG, "short_title": ZH_CATALOG, "source_document": "TEST/1", "adopted": "2020-01-01",
        "description": "测试目录", "groups": [{"key": "A", "title": AR_GROUP}, {"key": "B", "title": ZH_GROUP}],
        "measures": [{**measure, "key": "ZH-1", "title": "空间碎片减缓"},
                     {**measure, "key": "ZH-2", "group": "B", "title": "登记"}],
    }, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def multilingual(seeded: Tracker, tmp_path: Path) -> Tracker:
    seeded.reference.load_catalog_file(_catalog(tmp_path / "zh.json"))
    seeded.reference.add_organization("APSCO", ZH_ORG)
    seeded.reference.add_organization("ARCSS", AR_ORG)
    other = Tracker(seeded.db, ZH_USER)
    day = dt.date(2024, 3, 1)
    other.assessments.record_many([
        AssessmentInput("APSCO", "LTS-B.4", "implemented", effective=day, note=ZH_NOTE),
        AssessmentInput("ARCSS", "LTS-B.4", "planned", effective=day, note=AR_NOTE),
        AssessmentInput("APSCO", "LTS-A.1", "partially_implemented", effective=day),
        AssessmentInput("APSCO", "ZH-1", "implemented", effective=day),
        AssessmentInput("ARCSS", "ZH-2", "planned", effective=day),
        AssessmentInput("FRA", "ZH-2", "planned", effective=day),
    ])
    return seeded


def _readable(visual: str) -> str:
    return unicodedata.normalize("NFKC", visual[::-1])


# [U+XXXX] for an Arabic letter or form, or a CJK character or punctuation
_ARABIC_OR_CJK = re.compile(r"\[U\+(0[67][0-9A-F]{2}|F[BE][0-9A-F]{2}|3[0-9A-F]{3}|[4-9][0-9A-F]{3}|F[9A][0-9A-F]{2}|FF[0-9A-F]{2})\]")


def _check(path: Path, warnings: tuple[str, ...]) -> str:
    """The PDF's text, checked: no placeholder for an Arabic or Chinese character anywhere (the
    seeded data's emoji are in no shipped font: those stay placeholders, and reported)."""
    text = "\n".join(page_texts(path))
    assert not _ARABIC_OR_CJK.search(text), [line for line in text.splitlines() if _ARABIC_OR_CJK.search(line)][:5]
    assert not any(_ARABIC_OR_CJK.search(w) or "CJK" in w or "ARABIC" in w for w in warnings), warnings
    return re.sub(r"\s+", " ", text)


def _arabic_drawn(path: Path) -> str:
    """Every Arabic glyph drawn, in drawing order, read back right to left, spaces collapsed."""
    shown = "".join(drawn_text(path))
    arabic = "".join(c for c in shown if 0x600 <= ord(c) <= 0x6FF or 0xFB50 <= ord(c) <= 0xFEFF or c == " ")
    return " ".join(_readable(arabic).split())


def test_matrix_report_prints_arabic_and_chinese_names_and_titles(multilingual: Tracker, tmp_path: Path) -> None:
    result = render_matrix_report(matrix_report_data(multilingual, now=NOW), tmp_path / "m.pdf")
    text = _check(result.path, result.warnings)
    assert ZH_ORG in text  # an actor name in the heat map: a one-line cell
    assert f"ZHTEST — {ZH_CATALOG}: UN member states" in text  # a coverage label
    assert "المركز الإقليمي" in _arabic_drawn(result.path)  # joined, read right to left


def test_measure_report_prints_arabic_and_chinese(multilingual: Tracker, tmp_path: Path) -> None:
    result = render_measure_report(measure_report_data(multilingual, "LTS-B.4", now=NOW), tmp_path / "b4.pdf")
    text = _check(result.path, result.warnings)
    assert ZH_ORG in text and "国家空间碎片减缓标准" in text
    assert "معايير تخفيف الحطام" in _arabic_drawn(result.path)
    result = render_measure_report(measure_report_data(multilingual, "ZH-1", now=NOW), tmp_path / "zh1.pdf")
    text = _check(result.path, result.warnings)
    assert "空间碎片减缓" in text and ZH_CATALOG in text


def test_changes_report_prints_arabic_and_chinese(multilingual: Tracker, tmp_path: Path) -> None:
    result = render_changes_report(changes_report_data(multilingual, "2020-01-01", now=NOW), tmp_path / "c.pdf")
    text = _check(result.path, result.warnings)
    assert ZH_ORG in text and ZH_USER in text and "登记" in text
    assert "المركز الإقليمي" in _arabic_drawn(result.path)


def test_actor_reports_print_chinese_and_arabic_everywhere(multilingual: Tracker, tmp_path: Path) -> None:
    result = render_actor_summary(actor_summary_data(multilingual, "APSCO", now=NOW), tmp_path / "a.pdf")
    text = _check(result.path, result.warnings)
    assert ZH_ORG in text and "国家空间碎片减缓标准" in text and "空间碎片减缓" in text
    # the group's band over its measures, its coverage row and its chart label
    assert text.count(f"B. {ZH_GROUP}") >= 3, text.count(f"B. {ZH_GROUP}")
    result = render_actor_summary(actor_summary_data(multilingual, "ARCSS", now=NOW), tmp_path / "ar.pdf")
    _check(result.path, result.warnings)
    drawn = _arabic_drawn(result.path)
    assert "المركز الإقليمي لعلوم الفضاء" in drawn
    assert AR_GROUP in drawn  # the group band of the measure table and the chart label


def test_a_one_line_cell_is_cut_where_its_reading_ends() -> None:
    from tcbm_tracker.reports.fonts import REGULAR
    from tcbm_tracker.reports.one_line import ELLIPSIS, fit_runs, runs_width

    runs = [(REGULAR, "abcdefghij"), (REGULAR, "klmnopqrst")]
    ltr = fit_runs(runs, 8, 60, rtl=False)
    assert ltr[0][1].startswith("abc") and ltr[-1][1] == ELLIPSIS and runs_width(ltr, 8) <= 60
    rtl = fit_runs(runs, 8, 60, rtl=True)  # display order: the reading starts at the right
    assert rtl[0][1] == ELLIPSIS and rtl[-1][1].endswith("rst") and runs_width(rtl, 8) <= 60
    assert fit_runs(runs, 8, 1000, rtl=True) == runs
