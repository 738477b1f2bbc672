"""Every UN language prints: Arabic joined and right to left, Chinese in its own face, Russian,
French and Spanish as typed, in names, titles, notes and evidence, checked from the PDF."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

from pypdf import PdfReader
from report_pdf import NOW, body_text, drawn_text
from reportlab.platypus import Paragraph

from tcbm_tracker.reports import rtl_lines
from tcbm_tracker.reports.actor_summary import render_actor_summary
from tcbm_tracker.reports.data import actor_summary_data
from tcbm_tracker.reports.shaping import levels
from tcbm_tracker.reports.styles import Styles
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.dto import EvidenceInfo
from tcbm_tracker.services.tracker import Tracker

AR_NAME = "المملكة العربية السعودية"
AR_NOTE = "العربية: النص العربي — برنامج بناء القدرات لوكالة الفضاء السعودية"
AR_TITLE = "الاستراتيجية الوطنية للفضاء"
AR_MIXED = "تقرير 2023 عن المبادئ التوجيهية LTS-B.4 والفقرة 45"
ZH = "中文：中文文本，能力建设合作。"
RU = "Русский: Программа сотрудничества в области наращивания потенциала."
FR = "Français : coopération régionale élaborée à Genève ; données « ouvertes » — où ça ? Très bientôt."
ES = "Español: cooperación internacional, señalización y año."
NOTE = f"Multilingual note. {AR_NOTE}. {ZH} {RU} {FR} {ES}"


def _evidence(i: int, title: str, language: str) -> EvidenceInfo:
    return EvidenceInfo(id=2000 + i, symbol=None, title=title, date="2023-03-01", language=language,
                        evidence_type="policy_strategy", url=None, pinpoint=None, file_name=None, file_sha256=None,
                        file_size=None, recorded_by="x", created_at="2025-01-01T00:00:00.000000Z")


def _multilingual(tracker: Tracker) -> object:
    data = actor_summary_data(tracker, "FRA", now=NOW)
    d = data.dossier
    actor = dataclasses.replace(d.actor, name=f"{AR_NAME} 沙特阿拉伯", note=AR_MIXED)
    entries = list(d.entries)
    first = entries[0]
    evidence = (_evidence(1, f"{AR_TITLE} (National Space Strategy)", "ar"), _evidence(2, "国家航天战略", "zh"),
                _evidence(3, "Стратегия", "ru"))
    entries[0] = dataclasses.replace(first, evidence=evidence, assessment=dataclasses.replace(first.assessment, note=NOTE))
    return dataclasses.replace(data, dossier=dataclasses.replace(d, actor=actor, entries=tuple(entries)))


def _readable(visual_arabic: str) -> str:
    """What a reader gets from an extracted right-to-left run: back to reading order, joined
    forms folded to the letters (NFKC), so it compares with the logical string."""
    return unicodedata.normalize("NFKC", visual_arabic[::-1])


def _arabic_runs(text: str) -> list[str]:
    return re.findall(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF][\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF :.]*", text)


def test_arabic_is_joined_and_right_to_left_chinese_has_no_markers(seeded: Tracker, tmp_path: Path) -> None:
    result = render_actor_summary(_multilingual(seeded), tmp_path / "ml.pdf")  # type: ignore[arg-type]
    text = body_text(result.path)
    assert "[U+" not in text, text[:2000]
    assert result.warnings == ()
    # Chinese, Russian, French, Spanish: as typed.
    for s in (ZH, "国家航天战略", "沙特阿拉伯", RU, FR, ES, "Стратегия"):
        assert s in text
    # Arabic, as drawn (left to right on the page): joined (presentation) forms in visual
    # order; read back right to left, each phrase is the logical string.
    runs = _arabic_runs("".join(drawn_text(result.path)))  # consecutive drawings joined: words are drawn one by one
    readable = [_readable(r.strip()) for r in runs]
    for phrase in (AR_NAME, AR_TITLE, "النص العربي"):  # each fits on its line
        assert any(phrase in r for r in readable), (phrase, readable)
    # Every Arabic run drawn, read right to left, is a piece of what was typed (the note wraps
    # over lines, each line's piece in display order).
    typed = " ".join([AR_NAME, AR_NOTE, AR_TITLE, AR_MIXED])
    assert all(r.strip(" :.") in typed for r in readable), readable
    joined = "".join(runs)
    assert any(0xFE70 <= ord(c) <= 0xFEFF for c in joined)  # contextual forms were drawn
    assert "\uFEFB" in joined  # the lam-alef ligature of الاستراتيجية
    assert not any("العربية" in piece for piece in drawn_text(result.path))  # never the unjoined logical string
    # The embedded faces: DejaVu for Latin/Cyrillic, Noto Sans Arabic, Droid Sans Fallback.
    fonts = {str(f["/BaseFont"]).split("+")[-1] for p in PdfReader(result.path).pages
             for f in (p["/Resources"].get("/Font") or {}).values()}
    assert {"DejaVuSans", "NotoSansArabic-Regular", "DroidSansFallback"} <= fonts, fonts


def _drawn_lines(markup: str, width: float) -> list[str]:
    """The words of each wrapped line in the order they are drawn, left to right."""
    p = Paragraph(markup, Styles.cell)
    p.wrap(width, 10_000)
    lines = rtl_lines._reordered(p).lines
    if p.blPara.kind == 0:  # one style: (extra space, words)
        return [" ".join(words) for _, words in lines]
    return [" ".join(f.text.strip() for f in line.words) for line in lines]


def test_mixed_arabic_latin_and_numbers_keep_their_order() -> None:
    t = SafeText()
    (visual,) = _drawn_lines(t.para(AR_MIXED), 1000)
    # The field starts right to left (its first strong letter is Arabic): the Latin key and the
    # numbers stay left to right inside it, and the whole reads back as typed.
    assert visual.index("45") < visual.index("LTS-B.4") < visual.index("2023")
    words = [_readable(w) if any(0x600 <= ord(c) <= 0xFEFF for c in w) else w for w in visual.split()]
    assert " ".join(reversed(words)) == AR_MIXED


def test_a_long_arabic_note_wraps_with_its_first_words_on_the_first_line() -> None:
    t = SafeText()
    note = "نص عربي طويل جدا يمتد على عدة أسطر في خلية ضيقة من الجدول مع رقم 45 وكلمة LTS"
    lines = _drawn_lines(t.para(note), 100)
    assert len(lines) >= 3
    back = [" ".join(_readable(w) if any(0x600 <= ord(c) <= 0xFEFF for c in w) else w for w in reversed(line.split()))
            for line in lines]
    assert " ".join(back) == note  # each line read right to left, the lines top to bottom
    assert back[0].startswith("نص عربي")
    # A Latin line is drawn as it was wrapped, untouched.
    assert _drawn_lines(t.para("plain words " * 10), 100)[0] == "plain words plain words"


def test_bidi_levels_follow_the_first_strong_character() -> None:
    assert set(levels("abc")) == {0}
    assert levels("abc عرب")[-1] == 1 and levels("abc عرب")[0] == 0
    lv = levels("عرب 123 abc")
    assert lv[0] == 1 and lv[4] == 2 and lv[-1] == 2


def test_a_latin_line_takes_the_single_escape_path() -> None:
    t = SafeText()
    assert t.para("Plain & simple, Россия, Ελλάδα") == "Plain &amp; simple, Россия, Ελλάδα"
    assert t.fallback_fonts == set()


def test_unshowable_characters_are_reported_with_their_field(seeded: Tracker, tmp_path: Path) -> None:
    t = SafeText()
    t.para("clef 𝄞 here", field="note on LTS-C.3")
    t.para("another 𝄞 and \x07")
    (unshown, control) = t.warnings()
    assert "U+1D11E" in unshown and "note on LTS-C.3" in unshown and '"another [U+1D11E] and [U+0007]"' in unshown
    assert "U+0007" in control and '"another' in control


def test_a_report_names_the_field_an_unshowable_character_came_from(seeded: Tracker, tmp_path: Path) -> None:
    data = actor_summary_data(seeded, "FRA", now=NOW)
    d = data.dossier
    first = d.entries[0]
    entries = (dataclasses.replace(first, evidence=(_evidence(1, "Title with a clef 𝄞", "en"),),
                                   assessment=dataclasses.replace(first.assessment, note="Note with a clef 𝄞")),
               *d.entries[1:])
    actor = dataclasses.replace(d.actor, name="Name 𝄞", note="Actor note 𝄞")
    data = dataclasses.replace(data, dossier=dataclasses.replace(d, actor=actor, entries=entries))
    (line,) = render_actor_summary(data, tmp_path / "f.pdf").warnings
    assert "U+1D11E MUSICAL SYMBOL G CLEF" in line
    for field in ("actor name", "note on this actor", f"{first.measure.key} — note", "title of evidence 2001",
                  "report subject"):
        assert field in line, (field, line)
    # The page-1 summary sentence names the actor too: that occurrence is the actor's name as well.
    assert "(7 times)" in line and "implements" not in line and not line.endswith("more"), line


def test_a_cell_drawn_as_one_string_gets_joined_arabic_in_display_order() -> None:
    t = SafeText()
    drawn = t.plain("مرحبا بالعالم")  # a table cell drawn with drawString: DejaVu's own Arabic forms
    assert all(0xFE70 <= ord(c) <= 0xFEFF or c == " " for c in drawn)
    assert _readable(drawn) == "مرحبا بالعالم"
    assert t.plain("中文") == "[U+4E2D][U+6587]"  # one face per cell: reported, not lost
    assert len(t.warnings()) == 1
