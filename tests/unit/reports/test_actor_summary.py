"""The state compliance summary, built from a seeded tracker and read back from the PDF."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_pdf import NOW, body_text, flat, page_texts
from report_seed import CHANGE, FRA_NOW, HOSTILE_NOTE, PAST

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.reports import build_actor_summary
from tcbm_tracker.reports.styles import look
from tcbm_tracker.services.tracker import Tracker


def _status_pattern(status: Status) -> str:
    lk = look(status)
    return re.escape(lk.symbol) + r"\s+" + r"\s+".join(map(re.escape, lk.label.split()))


def _statuses_in_order(text: str, keys: list[str]) -> dict[str, Status]:
    """For each measure key (in table order), the first status printed after it."""
    found: dict[str, Status] = {}
    any_status = "|".join(f"(?P<s{i}>{_status_pattern(s)})" for i, s in enumerate(Status))
    pos = text.index("\nMeasures\n")
    for key in keys:
        m = re.compile(re.escape(key) + r"\s").search(text, pos)
        assert m, f"{key} missing from the measures table"
        s = re.compile(any_status).search(text, m.end())
        assert s, f"no status after {key}"
        index = int(next(name for name, value in s.groupdict().items() if value)[1:])
        found[key] = list(Status)[index]
        pos = s.end()
    return found


@pytest.fixture
def fra_pdf(seeded: Tracker, tmp_path: Path) -> Path:
    result = build_actor_summary(seeded, "FRA", tmp_path / "fra.pdf", now=NOW)
    assert result.path == tmp_path / "fra.pdf"
    return result.path


def test_every_measure_appears_with_its_recorded_status(seeded: Tracker, fra_pdf: Path) -> None:
    keys = [m.key for m in seeded.reference.measures()]
    text = "\n".join(page_texts(fra_pdf))
    shown = _statuses_in_order(text, keys)
    expected = {k: Status(FRA_NOW.get(k, "not_assessed")) for k in keys}
    assert shown == expected


def test_coverage_rows_count_each_status_with_the_denominator(fra_pdf: Path) -> None:
    text = flat(" ".join(page_texts(fra_pdf)))
    lts = Counter(Status(s) for k, s in FRA_NOW.items() if k.startswith("LTS"))
    not_assessed = 21 - sum(lts.values())
    in_scope = 21 - lts[Status.NOT_APPLICABLE]
    assessed = in_scope - not_assessed
    rate = round(100 * lts[Status.IMPLEMENTED] / assessed)  # over the assessed measures, not all in scope
    row = (f"LTS2019 {lts[Status.NOT_APPLICABLE]} {in_scope} {lts[Status.IMPLEMENTED]} "
           f"{lts[Status.PARTIALLY_IMPLEMENTED]} {lts[Status.PLANNED]} {lts[Status.NOT_IMPLEMENTED]} "
           f"{lts[Status.NO_INFORMATION]} {not_assessed} {assessed} ({round(100 * assessed / in_scope)}%) "
           f"{rate}% {lts[Status.IMPLEMENTED]} of {assessed} assessed")
    assert row == "LTS2019 1 20 3 1 1 1 1 13 7 (35%) 43% 3 of 7 assessed"
    assert row in text
    assert "2 excluded here" in text  # one not-applicable measure per catalogue
    # Each catalogue's groups follow it, counted from their own measures.
    assert "B. Safety of space operations 0 10 1 0 0 1 1 7 3 (30%) 33% 1 of 3 assessed" in text
    assert "IV. Enhancing the transparency of outer space activities 1 10 1 1 1 1 1 5 5 (50%) 20% 1 of 5 assessed" in text
    # A group nobody has assessed shows no rate, not 0%.
    assert "VII. Outreach 0 1 0 0 0 0 0 1 0 – none assessed" in text


def test_as_of_a_past_date_shows_the_state_then(seeded: Tracker, tmp_path: Path) -> None:
    out = build_actor_summary(seeded, "FRA", tmp_path / "past.pdf", as_of=PAST.replace(year=2021), now=NOW).path
    text = "\n".join(page_texts(out))
    keys = [m.key for m in seeded.reference.measures()]
    shown = _statuses_in_order(text, keys)
    assert shown["LTS-B.4"] is Status.NOT_IMPLEMENTED  # recorded effective 2020, replaced in 2023
    assert all(s is Status.NOT_ASSESSED for k, s in shown.items() if k != "LTS-B.4")
    assert "as of 2021-01-01" in text
    assert CHANGE.isoformat() not in text


def test_known_at_before_anything_was_recorded_shows_nothing_assessed(seeded: Tracker, tmp_path: Path) -> None:
    out = build_actor_summary(seeded, "FRA", tmp_path / "k.pdf", known_at="2024-01-01", now=NOW).path
    text = "\n".join(page_texts(out))
    shown = _statuses_in_order(text, [m.key for m in seeded.reference.measures()])
    assert set(shown.values()) == {Status.NOT_ASSESSED}
    assert "as recorded by 2024-01-01" in text


def test_every_page_has_header_page_n_of_m_date_catalogues_and_fingerprint(seeded: Tracker, fra_pdf: Path) -> None:
    pages = page_texts(fra_pdf)
    fingerprint = seeded.queries.fingerprint()
    assert 3 <= len(pages) <= 30
    for n, text in enumerate(pages, start=1):
        assert "Compliance summary" in text and "France (FRA)" in text
        assert re.search(rf"Page {n} of\s*{len(pages)}\b", text), text[:300]
        assert "Generated 2025-06-02 09:30 UTC" in text
        assert "Catalogues: GGE2013 v2, LTS2019 v2" in text
        assert f"Data fingerprint {fingerprint[:16]}" in text


def test_metadata_outline_and_full_fingerprint(seeded: Tracker, fra_pdf: Path) -> None:
    reader = PdfReader(fra_pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Compliance summary: France (FRA)"
    assert meta.author == "tester"
    assert meta.subject and "France" in meta.subject
    assert f"sha256:{seeded.queries.fingerprint()}" in str(meta.get("/Keywords"))
    titles = [item["/Title"] for item in reader.outline if isinstance(item, dict)]
    assert titles[:4] == ["France", "At a glance", "Coverage", "Measures"]
    assert {"Evidence cited", "Notes in full", "About this report"} <= set(titles)


def test_fonts_are_embedded_and_only_the_shipped_faces(fra_pdf: Path) -> None:
    reader = PdfReader(fra_pdf)
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            # reportlab embeds TrueType subsets as simple fonts, each with its own descriptor.
            assert "/FontFile2" in font["/FontDescriptor"].get_object()  # the font program is in the file
    faces = {n.split("+")[-1] for n in names}
    # The seeded note holds Hebrew and Arabic (DejaVu and Noto Sans Arabic) and Chinese (Droid).
    assert {"DejaVuSans", "NotoSansArabic-Regular", "DroidSansFallback"} <= faces
    assert faces <= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "NotoSansArabic-Regular", "NotoSansArabic-Bold",
                     "DroidSansFallback"}


def test_hostile_note_appears_literally_and_pulls_nothing_in(fra_pdf: Path) -> None:
    text = flat(" ".join(page_texts(fra_pdf)))
    for fragment in ('<b>bold?</b>', '<img src="/etc/passwd"/>', '<link href="file:///etc/passwd">x</link>', '<para>',
                     'unbalanced </i> &amp; &#60; ]]> perigee < 500 km', "[U+1F600]", "中文"):
        assert fragment in text
    assert set("שלוםעולם") <= set(text)  # right-to-left letters kept (in logical order)
    assert '<img src="/etc/passwd"/>' in HOSTILE_NOTE  # the fixture really is hostile
    reader = PdfReader(fra_pdf)
    for page in reader.pages:
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        assert all(x.get_object()["/Subtype"] == "/Form" for x in xobjects.values())  # no image was pulled in
    uris = [a.get_object().get("/A", {}).get("/URI") for p in PdfReader(fra_pdf).pages for a in p.get("/Annots", []) or []]
    assert sorted(u for u in uris if u) == ["http://example.org/report.pdf", "https://example.org/loi?a=1&b=2"]


def test_long_note_is_shortened_beside_its_measure_and_printed_whole_at_the_end(fra_pdf: Path) -> None:
    pages = page_texts(fra_pdf)
    text = body_text(fra_pdf)
    assert "(shortened; the full note, " in text
    start = text.index("Notes in full")
    assert text.count("Paragraph one of a very long note about conjunction screening.", start) == 800
    assert text.count("Closing words of the long note.", start) == 2
    note_pages = [i for i, p in enumerate(pages) if "Paragraph one of a very long note" in p]
    assert len(note_pages) >= 3  # split across pages, not squeezed into one


def test_unconfirmed_pinpoints_are_marked(fra_pdf: Path) -> None:
    text = flat(" ".join(page_texts(fra_pdf)))
    assert "A/68/189, sect. IV † pinpoint not confirmed" in text
    assert "A/68/189, para. 37 †" not in text  # para. 37 is confirmed


def test_evidence_is_numbered_in_order_of_citation(fra_pdf: Path) -> None:
    text = flat(" ".join(page_texts(fra_pdf)))
    refs = text[text.index("Evidence cited"):]
    assert re.search(r"\[1\] Тест: основы политики", refs)  # cited first (GGE-IV.1)
    assert re.search(r"\[2\] Δοκιμή: εθνική διαστημική στρατηγική", refs)
    assert "SAMPLE/2023/CRP.1" in refs and "pinpoint: art. 4" in refs


def test_same_data_gives_the_same_bytes(seeded: Tracker, tmp_path: Path) -> None:
    a = build_actor_summary(seeded, "CIV", tmp_path / "a.pdf", now=NOW).path.read_bytes()
    b = build_actor_summary(seeded, "CIV", tmp_path / "b.pdf", now=NOW).path.read_bytes()
    assert a == b
    assert "Côte d'Ivoire" in flat(" ".join(page_texts(tmp_path / "a.pdf")))


def test_catalog_option_limits_the_summary(seeded: Tracker, tmp_path: Path) -> None:
    out = build_actor_summary(seeded, "TUR", tmp_path / "t.pdf", catalog="lts2019", now=NOW).path
    text = flat(" ".join(page_texts(out)))
    assert "Türkiye" in text and "GGE-IV.1" not in text and "LTS-D.2" in text
    assert "Catalogues: LTS2019 v2" in text


def test_a_withdrawn_assessment_prints_no_provenance_or_confidence(tracker: Tracker, tmp_path: Path) -> None:
    from tcbm_tracker.services.assessments import AssessmentInput

    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented", provenance="official_record",
                                               confidence="high", effective="2024-01-01"))
    # Recording "not assessed" withdraws the assessment (the GUI's undo does it); its provenance
    # and confidence are only the form's defaults, not a judgement.
    tracker.assessments.record(AssessmentInput("FRA", "LTS-A.1", "not_assessed", effective="2024-02-01"))
    text = body_text(build_actor_summary(tracker, "FRA", tmp_path / "w.pdf", catalog="LTS2019", now=NOW).path)
    row = text[text.index("LTS-A.1 Adopt"):text.index("LTS-A.2 ")]
    assert "· Not assessed (withdrawn)" in row
    assert "2024-02-01" in row  # when the withdrawal took effect
    for judgement in ("Analyst", "Official", "confidence"):
        assert judgement not in row, row
