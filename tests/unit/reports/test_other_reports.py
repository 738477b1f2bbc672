"""Measure, matrix and changes reports from the seeded tracker, read back from the PDF."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from report_pdf import NOW, body_text, page_texts
from report_seed import FRA_NOW

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.reports import build_changes_report, build_matrix_report, build_measure_report
from tcbm_tracker.reports.styles import STATUS_LOOKS
from tcbm_tracker.services.tracker import Tracker

B4 = {"FRA": Status.IMPLEMENTED, "RUS": Status.IMPLEMENTED, "TUR": Status.PARTIALLY_IMPLEMENTED, "CIV": Status.PLANNED,
      "USA": Status.NOT_IMPLEMENTED, "GRC": Status.NO_INFORMATION}


def _sections(text: str) -> dict[Status, str]:
    """The text under each "<symbol> <label> (n)" heading of "Actors by status"."""
    out: dict[Status, str] = {}
    start = text.index("Actors by status")
    marks = []
    for s, lk in STATUS_LOOKS.items():
        m = re.compile(re.escape(f"{lk.symbol} {lk.label} (")).search(text, start)
        assert m, s
        marks.append((m.start(), s))
    marks.sort()
    last = marks[-1][0]
    end = min(i for i in (text.find(h, last) for h in ("Evidence cited", "Notes in full", "About this report")) if i > 0)
    for (pos, s), (nxt, _) in zip(marks, [*marks[1:], (end, None)], strict=True):
        out[s] = text[pos:nxt]
    return out


def test_measure_report_lists_each_actor_under_its_status(seeded: Tracker, tmp_path: Path) -> None:
    result = build_measure_report(seeded, "lts-b.4", tmp_path / "b4.pdf", now=NOW)
    text = body_text(result.path)
    assert "Perform conjunction assessment during all orbital phases of controlled flight" in text
    assert "A/74/20, annex II, guideline B.4" in text
    sections = _sections(text)
    for key, status in B4.items():
        holders = [s for s, body in sections.items() if f"({key})" in body]
        assert holders == [status], key
    assert "Not assessed (189)" in sections[Status.NOT_ASSESSED]
    assert "Algeria (DZA)" in sections[Status.NOT_ASSESSED]
    assert f"{STATUS_LOOKS[Status.IMPLEMENTED].symbol} Implemented (2)" in text
    assert PdfReader(result.path).metadata.title.startswith("Measure report: LTS-B.4")


def test_measure_report_as_of_shows_the_past(seeded: Tracker, tmp_path: Path) -> None:
    text = body_text(build_measure_report(seeded, "LTS-B.4", tmp_path / "b4.pdf", as_of="2021-06-01", now=NOW).path)
    sections = _sections(text)
    assert "(FRA)" in sections[Status.NOT_IMPLEMENTED] and "(USA)" in sections[Status.NOT_IMPLEMENTED]
    assert "Implemented (0)" in text


def _matrix_rows(pdf: Path) -> dict[str, list[str]]:
    """Actor key -> the symbols printed in its row (read back from the heat map)."""
    rows: dict[str, list[str]] = {}
    symbols = {lk.symbol for lk in STATUS_LOOKS.values()}
    for page in page_texts(pdf):
        lines = page.split("\n")
        for i, line in enumerate(lines):
            if re.fullmatch(r"[A-Z]{3}", line.strip()) and i + 1 < len(lines):
                cells = []
                for nxt in lines[i + 1:]:
                    if nxt.strip() in symbols:
                        cells.append(nxt.strip())
                    else:
                        break
                if cells:
                    rows.setdefault(line.strip(), cells)
    return rows


def test_matrix_cells_match_the_recorded_statuses(seeded: Tracker, tmp_path: Path) -> None:
    result = build_matrix_report(seeded, tmp_path / "m.pdf", catalog="LTS2019", now=NOW)
    measures = [m.key for m in seeded.reference.measures("LTS2019")]
    rows = _matrix_rows(result.path)
    assert len(rows) == 195
    expected = [STATUS_LOOKS[Status(FRA_NOW.get(k, "not_assessed"))].symbol for k in measures]
    assert rows["FRA"] == expected
    b4 = measures.index("LTS-B.4")
    for key, status in B4.items():
        assert rows[key][b4] == STATUS_LOOKS[status].symbol, key
    text = body_text(result.path)
    assert "LTS-B.4 Perform conjunction assessment" in text  # coverage per measure with titles
    pages = page_texts(result.path)
    assert 4 <= len(pages) <= 12
    assert all(re.search(rf"Page {n} of\s*{len(pages)}\b", p) for n, p in enumerate(pages, start=1))
    box = PdfReader(result.path).pages[0].mediabox
    assert box.width > box.height  # landscape


def test_matrix_filters_and_as_of(seeded: Tracker, tmp_path: Path) -> None:
    result = build_matrix_report(seeded, tmp_path / "m.pdf", group="LTS2019/B", region="WEOG", as_of="2021-01-01", now=NOW)
    rows = _matrix_rows(result.path)
    assert "FRA" in rows and "USA" in rows and "RUS" not in rows
    nm, na = STATUS_LOOKS[Status.NOT_IMPLEMENTED].symbol, STATUS_LOOKS[Status.NOT_ASSESSED].symbol
    assert rows["FRA"] == [na, na, na, nm, *[na] * 6]  # only LTS-B.4 was recorded by 2021
    assert "as of 2021-01-01" in body_text(result.path)


def test_changes_report_lists_what_changed_and_who_recorded_it(seeded: Tracker, tmp_path: Path) -> None:
    result = build_changes_report(seeded, "2020-01-01", tmp_path / "c.pdf", now=NOW)
    text = body_text(result.path)
    assert "20 recorded from 2020-01-01" in text
    assert "tester (20)" in text
    # FRA LTS-B.4 was recorded twice: first not implemented, then implemented over it.
    first = text.index("France (FRA) LTS-B.4")
    second = text.index("France (FRA) LTS-B.4", first + 1)
    assert re.search(r"Not assessed ✗ Not implemented 2020-01-01", text[first:first + 200])
    assert re.search(r"✗ Not implemented ✓ Implemented 2023-06-01", text[second:second + 200])
    assert "Côte d'Ivoire (CIV)" in text and "Türkiye (TUR)" in text
    assert "Measures concerned" in text and "[1]" in text


def test_changes_report_with_nothing_to_show(tracker: Tracker, tmp_path: Path) -> None:
    result = build_changes_report(tracker, "2025-01-01", tmp_path / "c.pdf", catalog="GGE2013", now=NOW)
    text = body_text(result.path)
    assert "No assessment was recorded on or after 2025-01-01." in text
    assert result.pages == 1


def test_a_long_organisation_key_fits_its_matrix_column(seeded: Tracker) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from tcbm_tracker.reports.data import matrix_report_data
    from tcbm_tracker.reports.fonts import REGULAR
    from tcbm_tracker.reports.matrix_report import CELL_FONT, KEY_W, NAME_W, heat_map
    from tcbm_tracker.reports.text import SafeText

    seeded.reference.add_organization("SPACEORGKEY12345", "A sample organisation with a long key")
    data = matrix_report_data(seeded, catalog="LTS2019", now=NOW)
    t = heat_map(data, list(data.matrix.measures), SafeText())
    widths = t._colWidths
    assert widths[1] >= stringWidth("SPACEORGKEY12345", REGULAR, CELL_FONT) + 4  # the key never runs into the map
    assert widths[0] + widths[1] == NAME_W + KEY_W  # taken from the name column: the map keeps its width
