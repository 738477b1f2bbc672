"""Right-to-left order and Arabic shaping for one line of user text, before reportlab sees it.

reportlab lays text out left to right, one character after another. For a line that holds
Arabic or Hebrew, this module does what a text engine would:

1. bidi levels per character (Unicode Bidirectional Algorithm, python-bidi), with the line's
   direction taken from its first strong character, as a browser does for ``dir="auto"``:
   each user string is an isolated unit, so an Arabic title stays right-to-left inside an
   English sentence;
2. runs of one level and one font, in logical order;
3. Arabic runs shaped with HarfBuzz (uharfbuzz) in the run's direction: the joined
   (initial, medial, final) forms and ligatures come back as glyphs in visual order; each glyph
   is written as the character the font maps to it, or, for a glyph no character maps to,
   as a fixed private-use code point (``0xE000 + glyph id``) added to the font's map;
4. other right-to-left runs reversed with their brackets mirrored;
5. runs reordered for display (rule L2).

For a line drawn whole (the page header, table cells drawn as strings), ``visual_pieces``
returns (font, text) pieces in display order. For a paragraph that reportlab wraps,
``logical_words`` returns the words in reading order, each run of one level in display order
inside, and ``rtl_lines`` orders each wrapped line's runs when it is drawn; so a long Arabic
note wraps with its first words on the first line (see docs/report-languages.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import uharfbuzz as hb
from bidi import algorithm as uba
from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics

from tcbm_tracker.reports.fonts import ensure, level_face
from tcbm_tracker.reports.scripts import display_order, is_rtl


def levels(line: str, base: int | None = None) -> list[int]:
    """The resolved bidi level of each character; the base direction (0 left to right, 1 right
    to left) comes from the first strong character unless given (an all-neutral line is left
    to right)."""
    storage = uba.get_empty_storage()
    base = uba.get_base_level(line) if base is None else base
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    uba.get_embedding_levels(line, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["index"] = i
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    out = [base] * len(line)
    for ch in storage["chars"]:  # format characters removed by rule X9 keep the base level
        out[ch["index"]] = ch["level"]
    return out


@functools.cache
def _hb_font(font_name: str) -> tuple[hb.Font, int]:
    ensure(font_name)
    face = pdfmetrics.getFont(font_name).face
    hb_face = hb.Face(hb.Blob(face._ttf_data))
    return hb.Font(hb_face), hb_face.upem


def shape(text: str, font_name: str, rtl: bool) -> str:
    """``text`` shaped with the font's OpenType tables, as characters in visual order that
    draw the shaped glyphs one after another."""
    font, upem = _hb_font(font_name)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    hb.shape(font, buf, {"kern": True, "liga": True})
    face = pdfmetrics.getFont(font_name).face
    out = []
    for info in buf.glyph_infos:
        gid = info.codepoint
        chars = face.glyphToChar.get(gid)
        if chars:
            # a glyph several characters share (e.g. a letter and its presentation form):
            # the lowest one, so repeated runs give the same text
            out.append(chr(min(chars)))
            continue
        code = 0xE000 + gid
        if code > 0xF8FF or face.charToGlyph.get(code, gid) != gid:
            out.append("\ufffd")  # cannot happen with the shipped fonts (checked by a test)
            continue
        face.charToGlyph[code] = gid
        face.glyphToChar[gid] = [code]
        face.charWidths[code] = round(font.get_glyph_h_advance(gid) * 1000 / upem)
        out.append(chr(code))
    return "".join(out)


def _reverse(text: str) -> str:
    return "".join(MIRRORED.get(ch, ch) for ch in reversed(text))


_RTL_GLYPHS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\ue000-\uf8ff]")
Piece = tuple[str | None, str]  # (font name, or None for a [U+XXXX] marker; visual text)


def visual_pieces(line: str, font_for: Callable[[str, str | None], str | None], needs_shaping: Callable[[str], bool],
                  base: int | None = None) -> list[Piece]:
    """One line in display order, as (font, text) pieces, for text drawn as one line (the page
    header, table cells drawn as strings).

    ``font_for(ch, previous_font)`` picks the face for a character (None: no face has it);
    a run holding a character for which ``needs_shaping`` is true is shaped with HarfBuzz;
    ``base`` forces the line's direction (a line composed around the text, like the page header).
    """
    lv = levels(line, base) if any(map(is_rtl, line)) else [0] * len(line)
    return _pieces(line, lv, font_for, needs_shaping)


def logical_words(line: str, font_for: Callable[[str, str | None], str | None],
                  needs_shaping: Callable[[str], bool]) -> list[list[Piece]]:
    """The words of one line in reading order, each word's pieces in display order, for a
    paragraph that reportlab wraps: ``rtl_lines`` then puts the words of each wrapped line in
    display order, so a long right-to-left passage wraps with its first words on the first line.
    """
    lv = levels(line)
    words: list[list[Piece]] = []
    start: int | None = None
    for i, ch in enumerate(line + " "):
        if ch == " ":
            if start is not None:
                words.append(_word(line, lv, start, i, font_for, needs_shaping))
                start = None
        elif start is None:
            start = i
    return words


def _word(line: str, lv: list[int], start: int, end: int, font_for: Callable[[str, str | None], str | None],
          needs_shaping: Callable[[str], bool]) -> list[Piece]:
    """One word: each run of one level in display order inside; a piece at level 1 or 2 with no
    right-to-left letter (a Latin word, a number or a bracket inside right-to-left text) carries
    its level on the face's name, for rtl_lines (a right-to-left piece speaks for itself)."""
    out: list[Piece] = []
    a = start
    while a < end:
        b = a
        while b < end and lv[b] == lv[a]:
            b += 1
        for f, t in _pieces(line[a:b], lv[a:b], font_for, needs_shaping):
            # per piece, not per run: a bracket next to an Arabic letter ("(مثال") is a piece of
            # its own in the report face, and without its level it would split the run on the line
            if f is not None and lv[a] and not _RTL_GLYPHS.search(t):
                f = level_face(f, 2 - lv[a] % 2)
            out.append((f, t))
        a = b
    return out


def _pieces(line: str, lv: list[int], font_for: Callable[[str, str | None], str | None],
            needs_shaping: Callable[[str], bool]) -> list[Piece]:
    runs: list[tuple[int, str | None, str]] = []
    prev: str | None = None
    for ch, level in zip(line, lv, strict=True):
        f = font_for(ch, prev)
        if runs and runs[-1][0] == level and runs[-1][1] == f and f is not None:
            runs[-1] = (level, f, runs[-1][2] + ch)
        else:
            runs.append((level, f, ch))
        prev = f
    pieces: list[tuple[int, Piece]] = []
    for level, f, text in runs:
        odd = level % 2 == 1
        if f is None:
            pieces.append((level, (None, text)))
        elif any(map(needs_shaping, text)):
            pieces.append((level, (f, shape(text, f, odd))))
        else:
            pieces.append((level, (f, _reverse(text) if odd else text)))
    order = display_order([lvl for lvl, _ in pieces])
    return [pieces[i][1] for i in order]
