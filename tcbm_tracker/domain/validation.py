"""Validation rules for everything a user types or imports.

Each ``parse_*``/``clean_*`` function returns the normalised value or raises
``ValidationError`` naming the field and the reason, so that the CLI, the GUI's as-you-type
checks and the importers all apply the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit

from tcbm_tracker.domain.errors import ValidationError

E = TypeVar("E", bound=StrEnum)

# Launch of Sputnik 1: no space measure can have taken effect before the space age.
EARLIEST_EFFECTIVE_DATE = dt.date(1957, 10, 4)
# The UN Charter entered into force; older documents are not evidence of these measures.
EARLIEST_DOCUMENT_DATE = dt.date(1945, 10, 24)

MAX_NOTE_CHARS = 100_000
MAX_TITLE_CHARS = 500
MAX_NAME_CHARS = 200
MAX_SHORT_CHARS = 100
MAX_URL_CHARS = 2_000
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024

_MEASURE_KEY = re.compile(r"^[A-Z][A-Z0-9]*(?:[-.][A-Z0-9]+)*$")
_CATALOG_KEY = re.compile(r"^[A-Z][A-Z0-9_-]{1,31}$")
_STATE_KEY = re.compile(r"^[A-Z]{3}$")
_ACTOR_KEY = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")
_DOC_SYMBOL = re.compile(r"^[A-Z]{1,12}(?:/[A-Za-z0-9.()\-]+)+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
# Anything that looks like an HTML/XML tag, comment or processing instruction.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _control_chars(text: str, *, multiline: bool) -> list[str]:
    allowed = {"\n", "\t"} if multiline else set()
    bad = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in allowed:
            continue
        if cat == "Cc" or cat == "Cs" or ch in ("\u2028", "\u2029"):
            bad.append(ch)
        elif not multiline and ch in _BIDI_CONTROLS:
            # In a name or title a direction override can only disguise it ("Trojan source");
            # notes keep them, since right-to-left prose may legitimately use them.
            bad.append(ch)
    return bad


def clean_text(
    field: str,
    value: str | None,
    *,
    max_chars: int,
    required: bool = False,
    multiline: bool = False,
    allow_markup: bool = False,
) -> str | None:
    """Normalise free text (NFC, trimmed, ``\\r\\n`` to ``\\n``) or reject it.

    Control characters are always refused (they corrupt reports and terminals). Markup is
    refused in single-line identifying fields (names, titles) where it can only be a mistake or
    an attack; in notes it is kept as literal text, because a note such as "perigee < 500 km"
    is legitimate and every renderer treats notes as plain text.
    """
    if value is None:
        if required:
            raise ValidationError(field, "is required")
        return None
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        if required:
            raise ValidationError(field, "is required")
        return None
    if len(text) > max_chars:
        raise ValidationError(field, f"is {len(text):,} characters long; the limit is {max_chars:,}")
    bad = _control_chars(text, multiline=multiline)
    if bad:
        shown = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad}))
        what = "line breaks or control characters" if not multiline else "control characters"
        raise ValidationError(field, f"contains {what} ({shown})")
    if not allow_markup and _MARKUP.search(text):
        raise ValidationError(field, f"contains markup ({_MARKUP.search(text).group(0)[:40]!r})")  # type: ignore[union-attr]
    return text


def require_text(field: str, value: str | None, *, max_chars: int) -> str:
    """A required single-line text field without markup."""
    cleaned = clean_text(field, value, max_chars=max_chars, required=True)
    assert cleaned is not None
    return cleaned


def clean_note(value: str | None, field: str = "note") -> str | None:
    return clean_text(field, value, max_chars=MAX_NOTE_CHARS, multiline=True, allow_markup=True)


def parse_enum(field: str, value: str | E, enum: type[E]) -> E:
    """Accept an enum member or its value in any case, with ``-`` or spaces for ``_``."""
    if isinstance(value, enum):
        return value
    raw = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(field, f"unknown value {str(value)[:40]!r}; use one of: {allowed}") from None


def parse_measure_key(value: str) -> str:
    key = str(value).strip().upper()
    if len(key) > 40 or not _MEASURE_KEY.match(key):
        raise ValidationError("measure", f"{str(value)[:40]!r} is not a measure key (like LTS-B.4 or GGE-IV.1)")
    return key


def parse_catalog_key(value: str) -> str:
    key = str(value).strip().upper()
    if not _CATALOG_KEY.match(key):
        raise ValidationError("catalog", f"{str(value)[:40]!r} is not a catalogue key (like LTS2019)")
    return key


def parse_actor_key(value: str, *, state: bool = False) -> str:
    """A state key is ISO 3166-1 alpha-3; an organization key is 2-16 letters, digits, - or _."""
    key = str(value).strip().upper()
    pattern = _STATE_KEY if state else _ACTOR_KEY
    if not pattern.match(key):
        what = "an ISO 3166-1 alpha-3 code (like FRA)" if state else "an actor key (like FRA or ESA)"
        raise ValidationError("actor", f"{str(value)[:40]!r} is not {what}")
    return key


def parse_date(
    field: str,
    value: str | dt.date,
    *,
    earliest: dt.date = EARLIEST_DOCUMENT_DATE,
    today: dt.date | None = None,
) -> dt.date:
    """Parse ``YYYY-MM-DD``; refuse impossible dates, dates before ``earliest`` and the future."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValidationError(field, f"{text[:40]!r} is not a date in the form YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(field, f"{text!r} is not a real calendar date") from None
    today = today or dt.date.today()
    if day > today:
        raise ValidationError(field, f"{day.isoformat()} is in the future (today is {today.isoformat()})")
    if day < earliest:
        raise ValidationError(field, f"{day.isoformat()} is before {earliest.isoformat()}")
    return day


def parse_effective_date(value: str | dt.date, *, today: dt.date | None = None) -> dt.date:
    return parse_date("effective date", value, earliest=EARLIEST_EFFECTIVE_DATE, today=today)


def parse_url(value: str | None) -> str | None:
    """Only absolute http(s) URLs: anything else could make a report open a local file."""
    text = clean_text("url", value, max_chars=MAX_URL_CHARS)
    if text is None:
        return None
    if any(ch.isspace() for ch in text):
        raise ValidationError("url", "must not contain spaces")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError("url", f"{text[:60]!r} is not an http:// or https:// address")
    if "\\" in parts.netloc:
        # Browsers read a backslash as "/": "https://evil.example\\undocs.org" opens evil.example.
        raise ValidationError("url", f"{text[:60]!r} has a backslash in the site name; use /")
    if "@" in parts.netloc:
        # "https://undocs.org@evil.example/" leads to evil.example: what comes before "@" is a
        # user name, shown to the reader as if it were the site. No evidence address needs one.
        host = parts.netloc.rsplit("@", 1)[-1]
        raise ValidationError(
            "url", f"{text[:60]!r} has a user name before '@', which hides the real site ({host[:60]!r}); give the address without it"
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValidationError("url", f"{text[:60]!r} has an invalid port") from None
    return text


def parse_document_symbol(value: str | None) -> str | None:
    text = clean_text("document symbol", value, max_chars=MAX_SHORT_CHARS)
    if text is None:
        return None
    if not _DOC_SYMBOL.match(text):
        raise ValidationError("document symbol", f"{text[:40]!r} is not a UN document symbol (like A/68/189)")
    return text


def parse_language(value: str | None) -> str | None:
    text = clean_text("language", value, max_chars=16)
    if text is None:
        return None
    text = text.lower() if "-" not in text else text.split("-")[0].lower() + "-" + text.split("-", 1)[1]
    if not _LANGUAGE.match(text):
        raise ValidationError("language", f"{text!r} is not a language code (like en, fr, ru)")
    return text
