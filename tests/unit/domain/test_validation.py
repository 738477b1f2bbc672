"""Validation rules (``domain.validation``): every parse_/clean_ function, good and bad values."""

from __future__ import annotations

import datetime as dt

import pytest

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import TrackerError, ValidationError
from tcbm_tracker.domain.vocabulary import Confidence, EvidenceType, Provenance, Status

pytestmark = pytest.mark.date_sensitive  # today's date and the local zone matter here

TODAY = dt.date(2026, 3, 15)


def refused(fn, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    err = info.value
    # A user error with a one-line message that starts with the field's name.
    assert isinstance(err, TrackerError)
    assert "\n" not in err.message
    assert err.message.startswith(f"{err.field}: ")
    return err


# --- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2019-06-21", dt.date(2019, 6, 21)),
    ("  2013-07-29 ", dt.date(2013, 7, 29)),
    ("2024-02-29", dt.date(2024, 2, 29)),  # a leap day that exists
    ("2026-03-15", TODAY),  # today itself is not the future
    ("1945-10-24", v.EARLIEST_DOCUMENT_DATE),
])
def test_parse_date_accepts_real_dates(text: str, expected: dt.date) -> None:
    assert v.parse_date("date", text, today=TODAY) == expected


def test_parse_date_accepts_date_and_datetime_objects() -> None:
    assert v.parse_date("date", dt.date(2020, 1, 2), today=TODAY) == dt.date(2020, 1, 2)
    assert v.parse_date("date", dt.datetime(2020, 1, 2, 23, 59), today=TODAY) == dt.date(2020, 1, 2)


@pytest.mark.parametrize("text", ["2023-02-30", "2023-02-29", "2023-13-01", "2023-04-31", "2023-00-10"])
def test_parse_date_refuses_impossible_calendar_dates(text: str) -> None:
    err = refused(v.parse_date, "date", text, today=TODAY)
    assert err.field == "date"
    assert text in err.message and "not a real calendar date" in err.message


@pytest.mark.parametrize("text", ["21/06/2019", "2019-6-21", "20190621", "yesterday", "", "2019-06-21T10:00"])
def test_parse_date_refuses_other_forms(text: str) -> None:
    err = refused(v.parse_date, "effective date", text, today=TODAY)
    assert "YYYY-MM-DD" in err.message


def test_parse_date_refuses_the_future() -> None:
    err = refused(v.parse_date, "date", "2026-03-16", today=TODAY)
    assert "in the future" in err.message and "2026-03-16" in err.message
    refused(v.parse_date, "date", dt.date(2026, 3, 16), today=TODAY)


def test_parse_date_refuses_the_future_against_the_real_clock() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert "in the future" in refused(v.parse_date, "date", tomorrow.isoformat()).message
    assert v.parse_date("date", dt.date.today().isoformat()) == dt.date.today()


def test_parse_date_refuses_dates_before_the_earliest() -> None:
    err = refused(v.parse_date, "date", "1945-10-23", today=TODAY)
    assert "before 1945-10-24" in err.message


def test_effective_dates_start_with_the_space_age() -> None:
    assert v.parse_effective_date("1957-10-04", today=TODAY) == dt.date(1957, 10, 4)
    err = refused(v.parse_effective_date, "1957-10-03", today=TODAY)
    assert err.field == "effective date" and "before 1957-10-04" in err.message
    # A document date may be older than the space age; an effective date may not.
    assert v.parse_date("date", "1950-01-01", today=TODAY) == dt.date(1950, 1, 1)


# --- free text -----------------------------------------------------------------------------

def test_clean_text_normalises() -> None:
    assert v.clean_text("title", "  Cafe\u0301 policy  ", max_chars=50) == "Café policy"
    assert v.clean_text("title", "   ", max_chars=50) is None
    assert v.clean_text("title", None, max_chars=50) is None
    assert v.clean_note("line one\r\nline two\rline three") == "line one\nline two\nline three"


def test_clean_text_required_and_types() -> None:
    assert "is required" in refused(v.clean_text, "title", "  ", max_chars=50, required=True).message
    assert "is required" in refused(v.require_text, "name", None, max_chars=50).message
    assert "must be text" in refused(v.clean_text, "title", 12, max_chars=50).message


def test_clean_text_length_limit_counts_characters() -> None:
    assert v.clean_text("title", "é" * 50, max_chars=50) == "é" * 50
    err = refused(v.clean_text, "title", "x" * 51, max_chars=50)
    assert "51" in err.message and "limit is 50" in err.message


@pytest.mark.parametrize("bad, code", [
    ("a\x00b", "U+0000"),
    ("a\x07b", "U+0007"),
    ("red \x1b[31mtext", "U+001B"),
    ("a\x7fb", "U+007F"),
    ("a\u2028b", "U+2028"),
    ("a\u2029b", "U+2029"),
    ("a\nb", "U+000A"),  # single-line fields take no line breaks
    ("a\tb", "U+0009"),
])
def test_single_line_text_refuses_control_characters(bad: str, code: str) -> None:
    err = refused(v.clean_text, "title", bad, max_chars=100)
    assert code in err.message


@pytest.mark.parametrize("bad, code", [("a\x00b", "U+0000"), ("bell\x07", "U+0007"), ("x\x1b[2Jy", "U+001B"),
                                       ("a\u2028b", "U+2028")])
def test_notes_refuse_control_characters_but_keep_lines_and_tabs(bad: str, code: str) -> None:
    assert code in refused(v.clean_note, bad).message
    assert v.clean_note("first\n\tsecond") == "first\n\tsecond"


@pytest.mark.parametrize("markup", [
    "<script>alert(1)</script>", "Policy <b>bold</b>", "x</b>", "<!-- hidden -->", "<?xml version='1.0'?>",
    "<img src=x onerror=alert(1)>", "< a href='x'>link</a>",
])
def test_markup_refused_in_names_and_titles(markup: str) -> None:
    assert "contains markup" in refused(v.require_text, "name", markup, max_chars=200).message
    assert "contains markup" in refused(v.clean_text, "title", markup, max_chars=500).message


@pytest.mark.parametrize("text", ["perigee < 500 km", "3 < 4", "x <= y", "a<b"])
def test_angle_brackets_that_are_not_markup_are_allowed_in_titles(text: str) -> None:
    assert v.clean_text("title", text, max_chars=100) == text


@pytest.mark.parametrize("note", [
    "<script>alert(1)</script>", "perigee < 500 km and <b>apogee</b> > 800 km", "<!-- not a comment -->",
])
def test_markup_kept_literally_in_notes(note: str) -> None:
    assert v.clean_note(note) == note


def test_note_size_limit() -> None:
    assert v.clean_note("n" * v.MAX_NOTE_CHARS) == "n" * v.MAX_NOTE_CHARS
    err = refused(v.clean_note, "x" * 1_048_576)  # a megabyte of text
    assert err.field == "note" and "1,048,576" in err.message and f"{v.MAX_NOTE_CHARS:,}" in err.message
    refused(v.clean_note, "n" * (v.MAX_NOTE_CHARS + 1))


# --- URLs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://undocs.org/A/72/65", "http://www.unoosa.org/oosa/en/ourwork/topics/long-term-sustainability.html",
    "HTTPS://undocs.org/A/68/189", "https://example.org/a?b=c#d",
])
def test_http_urls_accepted(url: str) -> None:
    assert v.parse_url(url) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "file:///etc/passwd", "ftp://ftp.example.org/doc.pdf", "data:text/html,<b>x</b>",
    "mailto:someone@example.org", "//undocs.org/A/72/65", "undocs.org/A/72/65", "https://", "smb://server/share",
    "vbscript:msgbox", "C:\\docs\\report.pdf",
])
def test_urls_other_than_http_refused(url: str) -> None:
    err = refused(v.parse_url, url)
    assert err.field == "url"


def test_url_with_spaces_or_empty() -> None:
    assert "spaces" in refused(v.parse_url, "https://undocs.org/A 72").message
    assert v.parse_url("  ") is None and v.parse_url(None) is None


# --- document symbols, language codes ------------------------------------------------------

@pytest.mark.parametrize("symbol", [
    "A/68/189", "A/AC.105/C.1/2020/CRP.12", "A/RES/72/56", "ST/SG/SER.E/1000", "A/74/20", "A/72/65",
    "A/C.1/72/L.21/Rev.1", "A/68/189/Corr.1",
])
def test_document_symbols_accepted(symbol: str) -> None:
    assert v.parse_document_symbol(symbol) == symbol
    assert v.parse_document_symbol(f"  {symbol} ") == symbol


@pytest.mark.parametrize("symbol", ["68/189", "A68189", "A/68/189 annex", "A//189", "A/", "/A/68", "A/68/189;drop",
                                    "<b>A/68/189</b>"])
def test_bad_document_symbols_refused(symbol: str) -> None:
    err = refused(v.parse_document_symbol, symbol)
    assert err.field == "document symbol"


@pytest.mark.parametrize("code, expected", [("en", "en"), ("FR", "fr"), ("ru", "ru"), ("zho", "zho"),
                                             ("en-GB", "en-GB"), ("zh-Hans", "zh-Hans")])
def test_language_codes_accepted(code: str, expected: str) -> None:
    assert v.parse_language(code) == expected


@pytest.mark.parametrize("code", ["english", "e", "12", "en_GB", "e n", "fr-", "français"])
def test_bad_language_codes_refused(code: str) -> None:
    assert refused(v.parse_language, code).field == "language"


# --- keys and vocabularies -----------------------------------------------------------------

@pytest.mark.parametrize("raw, key", [("lts-b.4", "LTS-B.4"), (" GGE-IV.1 ", "GGE-IV.1"), ("LTS-B.10", "LTS-B.10"),
                                      ("gge-viii.1", "GGE-VIII.1"), ("X1", "X1")])
def test_measure_keys_are_case_insensitive_on_input(raw: str, key: str) -> None:
    assert v.parse_measure_key(raw) == key


@pytest.mark.parametrize("raw", ["LTS B.4", "", "-LTS", "LTS--B", "LTS-B.", "A" * 41, "LTS/B.4", "4LTS"])
def test_bad_measure_keys_refused(raw: str) -> None:
    assert refused(v.parse_measure_key, raw).field == "measure"


def test_catalog_keys() -> None:
    assert v.parse_catalog_key("lts2019") == "LTS2019"
    for bad in ["L", "2019LTS", "LTS 2019", "A" * 33]:
        refused(v.parse_catalog_key, bad)


def test_actor_keys() -> None:
    assert v.parse_actor_key("fra", state=True) == "FRA"
    assert v.parse_actor_key("esa") == "ESA"
    assert v.parse_actor_key("EUMETSAT") == "EUMETSAT"
    for bad in ["FR", "FRAN", "F1A", ""]:
        assert "ISO 3166-1 alpha-3" in refused(v.parse_actor_key, bad, state=True).message
    for bad in ["E", "1SA", "E S A", "A" * 17, "ESA!"]:
        refused(v.parse_actor_key, bad)


@pytest.mark.parametrize("raw, member", [
    ("implemented", Status.IMPLEMENTED), ("Partially-Implemented", Status.PARTIALLY_IMPLEMENTED),
    ("no information", Status.NO_INFORMATION), (Status.NOT_APPLICABLE, Status.NOT_APPLICABLE),
])
def test_parse_enum_accepts_values_in_any_spelling(raw: str, member: Status) -> None:
    assert v.parse_enum("status", raw, Status) is member


def test_parse_enum_refuses_unknown_values_and_lists_the_allowed_ones() -> None:
    err = refused(v.parse_enum, "status", "done", Status)
    assert "'done'" in err.message and "partially_implemented" in err.message
    refused(v.parse_enum, "provenance", "rumour", Provenance)
    refused(v.parse_enum, "confidence", "certain", Confidence)
    refused(v.parse_enum, "type", "tweet", EvidenceType)


def test_no_information_not_assessed_and_not_implemented_are_distinct() -> None:
    assert len({Status.NOT_ASSESSED, Status.NO_INFORMATION, Status.NOT_IMPLEMENTED}) == 3
    assert len({s.label for s in Status}) == len(Status)
    assert not Status.NOT_APPLICABLE.counts_in_coverage
    assert all(s.counts_in_coverage for s in Status if s is not Status.NOT_APPLICABLE)


@pytest.mark.parametrize("override", ["\u202e", "\u202d", "\u2066", "\u2069"])
def test_direction_overrides_are_refused_in_names_but_kept_in_notes(override: str) -> None:
    with pytest.raises(ValidationError, match="U\\+20"):
        v.clean_text("name", f"Evil{override}gnp.exe", max_chars=100)
    assert v.clean_note(f"quoted {override}text") == f"quoted {override}text"


@pytest.mark.parametrize("url, host", [
    ("https://undocs.org@evil.example/A/72/65", "evil.example"),
    ("https://undocs.org:443@evil.example/", "evil.example"),
    ("http://user:secret@evil.example", "evil.example"),
    ("https://a@b@evil.example/x", "evil.example"),
])
def test_url_with_a_user_name_is_refused_naming_the_real_site(url: str, host: str) -> None:
    err = refused(v.parse_url, url)
    assert err.field == "url" and "user name before '@'" in err.message and f"real site ({host!r})" in err.message


@pytest.mark.parametrize("url", ["https://evil.example\\undocs.org/A/72/65", "https://undocs.org\\@evil.example/"])
def test_url_with_a_backslash_in_the_site_is_refused(url: str) -> None:
    assert "backslash in the site name" in refused(v.parse_url, url).message


def test_at_sign_after_the_site_is_fine_and_bad_port_refused() -> None:
    assert v.parse_url("https://undocs.org/search?q=a@b") == "https://undocs.org/search?q=a@b"
    assert "invalid port" in refused(v.parse_url, "https://undocs.org:99999/").message
