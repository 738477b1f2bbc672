"""Hostile text straight into the layout (report data built by hand, past every input rule)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_pdf import NOW, body_text, page_texts

from tcbm_tracker.reports.actor_summary import render_actor_summary
from tcbm_tracker.reports.data import actor_summary_data
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.dto import EvidenceInfo
from tcbm_tracker.services.tracker import Tracker


def _evidence(i: int, title: str, url: str | None, symbol: str | None = None) -> EvidenceInfo:
    return EvidenceInfo(id=1000 + i, symbol=symbol, title=title, date=None, language=None, evidence_type="not-a-type",
                        url=url, pinpoint=None, file_name=None, file_sha256=None, file_size=None, recorded_by="x",
                        created_at="2025-01-01T00:00:00.000000Z")


def _hostile_summary(tracker: Tracker) -> object:
    data = actor_summary_data(tracker, "FRA", now=NOW)
    d = data.dossier
    actor = dataclasses.replace(d.actor, name="Côte d'Ivoire <b>\x07</b> Türkiye Россия Ελλάδα 中国",
                                note='<img src="/etc/passwd"/> & <link href="file:///etc/passwd">x</link>')
    evidence = (
        _evidence(1, '<link href="file:///etc/passwd">click</link> <para>', "file:///etc/passwd"),
        _evidence(2, "javascript link", "javascript:alert(1)"),
        _evidence(3, "ok & <fine>", "https://example.org/a?b=1&c=<2>", symbol="<SYM>"),
        _evidence(4, "T" * 50_000, None),
        _evidence(5, "recorded before user names were refused", "https://undocs.org@evil.example/A/72/65"),
        # Schemes other than http(s) that do have a site: only the scheme rule keeps them unlinked.
        _evidence(6, "script with a site", "javascript://example.org/%0Aalert(1)"),
        _evidence(7, "file on a server", "file://server/etc/passwd"),
    )
    entries = list(d.entries)
    first, second, third = entries[0], entries[1], entries[2]
    entries[0] = dataclasses.replace(first, evidence=evidence,
                                     assessment=dataclasses.replace(first.assessment, note="A" * 50_000))
    entries[1] = dataclasses.replace(second, assessment=dataclasses.replace(second.assessment, note="line\n" * 2_000))
    entries[2] = dataclasses.replace(third, assessment=dataclasses.replace(third.assessment, note="bell\x07 nul\x00 tab\there"))
    return dataclasses.replace(data, dossier=dataclasses.replace(d, actor=actor, entries=tuple(entries)))


def test_hostile_text_builds_prints_literally_and_links_only_http(seeded: Tracker, tmp_path: Path) -> None:
    result = render_actor_summary(_hostile_summary(seeded), tmp_path / "h.pdf")  # type: ignore[arg-type]
    text = body_text(result.path)
    assert "Côte d'Ivoire <b>[U+0007]</b> Türkiye Россия Ελλάδα 中国" in text
    assert '<img src="/etc/passwd"/> & <link href="file:///etc/passwd">x</link>' in text
    assert '<link href="file:///etc/passwd">click</link> <para>' in text and "file:///etc/passwd" in text
    assert "javascript:alert(1)" in text and "<SYM> ok & <fine>" in text
    assert "bell[U+0007] nul[U+0000] tab here" in text
    # The 50,000-character "word" in a note is wrapped and split over pages in the notes section.
    assert text.replace(" ", "").count("A" * 1000) >= 1
    assert sum(p.count("AAAAAAAAAA") > 0 for p in page_texts(result.path)) >= 3
    uris = [a.get_object()["/A"].get("/URI") for p in PdfReader(result.path).pages for a in (p.get("/Annots") or [])
            if "/A" in a.get_object()]
    assert "https://example.org/a?b=1&c=<2>" in uris
    assert all(str(u).startswith(("http://", "https://")) for u in uris)  # file: and javascript: stay text
    assert "javascript://example.org/%0Aalert(1)" in text and "file://server/etc/passwd" in text
    # An address hiding its site behind a user name is printed with the real site and never linked.
    assert "https://undocs.org@evil.example/A/72/65 (not a link: the real site is evil.example)" in text
    assert not any("evil.example" in str(u) for u in uris)
    assert any("U+0007" in w and "control" in w for w in result.warnings)
    assert not any("U+4E2D" in w for w in result.warnings)  # Chinese prints in its own face
    assert 5 <= result.pages <= 60


def test_a_runaway_name_flows_over_pages_instead_of_stopping_the_build(seeded: Tracker, tmp_path: Path) -> None:
    data = actor_summary_data(seeded, "CIV", now=NOW)
    name = "Côte d'Ivoire " * 4_000  # 56,000 characters: taller than a page as a title
    d = dataclasses.replace(data.dossier, actor=dataclasses.replace(data.dossier.actor, name=name))
    result = render_actor_summary(dataclasses.replace(data, dossier=d), tmp_path / "n.pdf")
    assert result.pages > 3
    assert body_text(result.path).count("Côte d'Ivoire") >= 4_000


def test_safe_text_escapes_markup_and_marks_what_it_cannot_show() -> None:
    t = SafeText()
    assert t.para("<b>&amp;</b>") == "&lt;b&gt;&amp;amp;&lt;/b&gt;"
    assert t.para("a\r\nb\nc") == "a<br/>b<br/>c"
    assert "[U+1F600]" in t.para("smile 😀") and "[U+0001]" in t.plain("x\x01y")
    assert t.plain("a\nb") == "a b"
    assert t.link("file:///etc/passwd") == "file:///etc/passwd"
    assert t.link("javascript:alert(1)") == "javascript:alert(1)"
    assert t.link("https://e.org/?a=1&b=\"2\"") == ('<a href="https://e.org/?a=1&amp;b=&quot;2&quot;" color="#0B4F8A">'
                                                   'https://e.org/?a=1&amp;b="2"</a>')
    assert t.replaced == {"😀": 1, "\x01": 1}
    assert len(t.warnings()) == 2


def test_a_link_shows_the_site_it_really_opens() -> None:
    t = SafeText()
    assert t.link("https://undocs.org@evil.example/A/72/65") == (
        "https://undocs.org@evil.example/A/72/65 (not a link: the real site is evil.example)")
    assert t.link("http://a:b@Evil.Example:8080/") == "http://a:b@Evil.Example:8080/ (not a link: the real site is evil.example)"
    assert t.link("https://evil.example\\undocs.org/") == "https://evil.example\\undocs.org/ (not a link: the real site is evil.example)"
    # A look-alike site name (Cyrillic "о" in "org") is linked, with the name it really has.
    assert t.link("https://undocs.\u043erg/A/1") == ('<a href="https://undocs.\u043erg/A/1" color="#0B4F8A">'
                                                 "https://undocs.\u043erg/A/1 (site: undocs.xn--rg-emc)</a>")


# Each rule of ``SafeText.link`` on its own: every address below breaks exactly one rule, so
# removing any one rule turns one of them into a link (no other rule hides the removal).
@pytest.mark.parametrize("url", [
    "file://server/etc/passwd", "javascript://example.org/%0Aalert(1)", "ftp://example.org/a.pdf",
    "data://example.org/text", "smb://server/share", "vbscript://example.org/x", "httpx://example.org/",
])
def test_only_http_and_https_schemes_become_links_even_with_a_site(url: str) -> None:
    assert SafeText().link(url) == url


@pytest.mark.parametrize("url, rule", [
    ("https:relative/path", "no site"),
    ("http:///etc/passwd", "no site"),
    ("https://example.org/a b", "space"),
    ("https://example.org/\u202e", "not printable"),
    ("https://example.org/\x00", "not printable"),
])
def test_each_other_rule_alone_keeps_an_address_unlinked(url: str, rule: str) -> None:
    assert "<a href" not in SafeText().link(url), rule


@pytest.mark.parametrize("url", ["https://example.org/a", "http://example.org", "HTTPS://EXAMPLE.ORG/X"])
def test_http_and_https_addresses_are_links(url: str) -> None:
    assert SafeText().link(url).startswith(f'<a href="{url}"')
