"""A paragraph that is one user field written right to left is set against the right margin; a
Latin one, or a sentence in the report's own words that starts with an Arabic name, against the
left; mixed Arabic, Latin and numbers keep their order. Positions are read back from the PDF."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

from pypdf import PdfReader
from report_pdf import NOW
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph, SimpleDocTemplate

from tcbm_tracker.reports.actor_summary import render_actor_summary, with_name
from tcbm_tracker.reports.data import actor_summary_data
from tcbm_tracker.reports.rtl_lines import aligned
from tcbm_tracker.reports.styles import Styles
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.tracker import Tracker

MARGIN = 72.0
LEFT, WIDTH = MARGIN + 6, A4[0] - 2 * MARGIN - 12  # the frame's own padding is 6 points
AR_SHORT = "ملاحظة قصيرة"
AR_MIXED = "تقرير 2023 عن المبادئ التوجيهية LTS-B.4 والفقرة 45"
AR_LONG = "نص عربي طويل جدا يمتد على عدة أسطر في الفقرة مع رقم 45 وكلمة LTS " * 4
LATIN = "A short Latin note"


def _is_arabic(text: str) -> bool:
    return any(0x600 <= ord(c) <= 0x6FF or 0xFB50 <= ord(c) <= 0xFEFF for c in text)


def _runs(path: Path, page: int = 0) -> list[tuple[float, float, str]]:
    """(x, y, text) of every text-showing operation on a page, in drawing order (left to right
    on a line); x is where the operation's text object starts, so the first one of a line gives
    where the line starts. pypdf returns each right-to-left piece in reading order."""
    out: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((round(x, 1), round(y, 1), text))

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return out


def _build(path: Path, paragraphs: list[Paragraph]) -> None:
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN)
    doc.build(paragraphs)


def test_an_arabic_paragraph_is_right_aligned_and_a_latin_one_left_aligned(tmp_path: Path) -> None:
    t = SafeText()
    paras = [Paragraph(t.para(s), aligned(Styles.body, s)) for s in (LATIN, AR_SHORT, AR_MIXED, AR_LONG)]
    # what reportlab leaves free on each line, which right alignment puts on the left
    free = []
    for p in paras:
        p.wrap(WIDTH, 10_000)
        lines = p.blPara.lines
        free.append([getattr(ln, "extraSpace", None) if not isinstance(ln, tuple) else ln[0] for ln in lines])
    _build(tmp_path / "a.pdf", paras)
    runs = _runs(tmp_path / "a.pdf")
    ys = sorted({y for _, y, _ in runs}, reverse=True)
    assert len(ys) >= 4 + 2  # the long paragraph wraps
    starts = {y: next(x for x, yy, _ in runs if yy == y) for y in ys}
    # Latin: from the left margin.
    assert abs(starts[ys[0]] - LEFT) < 0.5
    # Arabic, one line each: the line starts where the free space ends, so it ends at the right margin.
    assert abs(starts[ys[1]] - (LEFT + free[1][0])) < 0.5 and free[1][0] > WIDTH / 2
    assert abs(starts[ys[2]] - (LEFT + free[2][0])) < 0.5 and free[2][0] > 50
    # The long Arabic paragraph: every line ends at the right margin (the last one too, short).
    for line_y, extra in zip(ys[3:], free[3], strict=True):
        assert abs(starts[line_y] - (LEFT + max(extra, 0))) < 0.5, (line_y, starts[line_y], extra)
    assert free[3][-1] > 100  # its last line is short, so the check above is not trivial
    # Mixed order kept on the right-aligned line: 45, then LTS-B.4, then 2023, left to right.
    drawn = " ".join(s for _, y, s in runs if y == ys[2])
    assert drawn.index("45") < drawn.index("LTS-B.4") < drawn.index("2023"), drawn


def test_a_sentence_of_the_report_that_starts_with_an_arabic_name_stays_left_to_right(tmp_path: Path) -> None:
    t = SafeText()
    name = "منظمة الفضاء التجريبية"
    sentence = f"{name} implements 0 of the 2 measures assessed (0%), 1 partially and 1 planned."
    _build(tmp_path / "s.pdf", [Paragraph(with_name(t, sentence, name), Styles.body)])
    runs = _runs(tmp_path / "s.pdf")
    assert abs(runs[0][0] - LEFT) < 0.5  # from the left margin
    drawn = " ".join(s.strip() for _, _, s in runs)
    # the English words in their own order, after the name (drawn first, on the left)
    assert drawn.index("implements") < drawn.index("measures assessed") < drawn.index("1 planned."), drawn
    assert "منظمة" in unicodedata.normalize("NFKC", runs[0][2])


def test_a_report_title_in_arabic_is_right_aligned(seeded: Tracker, tmp_path: Path) -> None:
    data = actor_summary_data(seeded, "FRA", now=NOW)
    actor = dataclasses.replace(data.dossier.actor, name="المملكة العربية السعودية", note="ملاحظة: " + AR_MIXED)
    data = dataclasses.replace(data, dossier=dataclasses.replace(data.dossier, actor=actor))
    result = render_actor_summary(data, tmp_path / "t.pdf")
    runs = _runs(result.path)
    page_w = A4[0]
    title = [(x, y, s) for x, y, s in runs if _is_arabic(s) and y < A4[1] - 60]  # below the running header
    assert title, runs[:10]
    assert "العربية" in unicodedata.normalize("NFKC", title[0][2])  # pypdf reads each right-to-left piece back
    # The title's first drawn piece starts in the right half of the page; the English subtitle
    # under it starts at the left margin.
    assert title[0][0] > page_w / 2
    subtitle = [x for x, _, s in runs if s.startswith("Compliance summary")]
    assert subtitle and min(subtitle) < page_w / 4
    # "At a glance": an English sentence that starts with the Arabic name stays left to right,
    # from the left margin, the name first (not pushed to the right end of a right-to-left line).
    y = next(y for _, y, s in runs if "implements" in s)
    line = [(x, s) for x, yy, s in runs if yy == y]
    assert _is_arabic(line[0][1]) and line[0][0] < page_w / 4, line
    drawn = " ".join(s for _, s in line)
    assert drawn.index("implements") < drawn.index("measures assessed"), drawn


def test_brackets_inside_arabic_keep_their_place() -> None:
    """A bracket between Latin text and an Arabic word is drawn in the report face: it keeps the
    level of the Arabic around it, so it neither splits the line nor sends words to its other end."""
    from reportlab.platypus import Paragraph as P

    from tcbm_tracker.reports import rtl_lines

    note = "بيانات تجريبية: خطة لتقييم الاقتران في عام 2025 وفق المبدأ التوجيهي LTS-B.4 (مثال للعرض فقط)"
    p = P(SafeText().para(note), Styles.note)
    p.wrap(1000, 1000)
    (line,) = rtl_lines._reordered(p).lines
    drawn = [f.text.strip() for f in line.words if f.text.strip()]  # display order, left to right
    mirror = {"(": ")", ")": "("}
    back = [mirror.get(x, unicodedata.normalize("NFKC", x[::-1]) if _is_arabic(x) else x) for x in reversed(drawn)]
    assert "".join(back).replace(" ", "") == note.replace(" ", ""), back
