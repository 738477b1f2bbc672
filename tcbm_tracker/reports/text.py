"""User text into report text: always literal, never markup, never silently losing a character.

Every string a person typed (notes, titles, names, document symbols, URLs) reaches a reportlab
``Paragraph`` only through ``SafeText.para`` or ``SafeText.link``: ``&``, ``<`` and ``>`` are
escaped, so ``<img src="/etc/passwd"/>`` or ``<link href=...>`` print as the characters the user
typed and can never pull a file into the PDF. Characters the embedded font cannot draw, and
control characters, are printed as a visible ``[U+XXXX]`` marker and listed in ``warnings()``
so the command line and the GUI can tell the user, with the field each came from. Only
``http``/``https`` addresses become links.

Text in other scripts is printed in the face that can show it, per run of characters: Arabic
in Noto Sans Arabic, shaped and right to left, Chinese in Droid Sans Fallback (``shaping.py``
does the ordering and shaping). Text the report face shows as it is (Latin, Greek, Cyrillic)
takes the same single ``escape`` call as before: it pays nothing for the other scripts.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from reportlab.pdfbase import pdfmetrics

from tcbm_tracker.reports import rtl_lines
from tcbm_tracker.reports.fonts import ARABIC, ARABIC_BOLD, BOLD, CJK, REGULAR, fit_text, glyphs, register_fonts
from tcbm_tracker.reports.scripts import base_level, is_arabic, is_neutral, is_rtl

rtl_lines.install()

def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` as entities (and any ``entities`` given), as ``xml.sax.saxutils.escape``
    does: written out here because that module imports ``urllib.request`` (and with it the HTTP
    and e-mail packages), ~10 ms of every report command's start for three replacements."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for raw, entity in (entities or {}).items():
        data = data.replace(raw, entity)
    return data


def unescape(data: str) -> str:
    """The inverse of ``escape`` for the three entities it writes."""
    return data.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


MARKER_COLOUR = "#9A3412"
LINK_COLOUR = "#0B4F8A"
_LINE_BREAKS = {"\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"}
_SPACES = {"\t"}
_MAX_LISTED = 20


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs")


@functools.cache
def _plain_chars(font: str) -> frozenset[str]:
    """Characters printed as they are: drawable, not control characters, not line breaks, and
    needing neither right-to-left ordering nor shaping."""
    return frozenset(
        ch for ch in map(chr, glyphs(font)) if not _is_control(ch) and ch not in _LINE_BREAKS and not is_rtl(ch) and not is_arabic(ch)
    )


@functools.cache
def _drawable(font: str) -> frozenset[str]:
    return frozenset(ch for ch in map(chr, glyphs(font)) if not _is_control(ch))


def _shown(ch: str) -> bool:
    return not _is_control(ch) and any(ch in _drawable(face) for face in (REGULAR, ARABIC, CJK))


def _arabic_face(font: str) -> str:
    return ARABIC_BOLD if font == BOLD else ARABIC


def _real_host(netloc: str) -> str:
    """The site an address opens: what follows the last "@" (or backslash), without the port."""
    host = netloc.replace("\\", "/").rsplit("@", 1)[-1].split("/", 1)[0]
    if host.startswith("["):  # IPv6 literal
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].lower()


def _idna(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host.encode("ascii", "backslashreplace").decode("ascii")


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to about ``limit`` characters at a word boundary; True when it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + " …", True


class SafeText:
    """Renders user text for one report and remembers every character it had to replace."""

    def __init__(self) -> None:
        register_fonts()  # paragraphs resolve their fonts when constructed, before any page exists
        self._replaced: dict[str, int] = {}
        self._where: dict[str, dict[str, None]] = {}  # character -> fields it came from, in order
        self.fallback_fonts: set[str] = set()  # faces other than DejaVu this report printed with

    # --- rendering ---------------------------------------------------------------------------
    def para(self, text: str | None, font: str = REGULAR, *, field: str | None = None) -> str:
        """Paragraph markup showing ``text`` literally; line breaks are kept. ``field`` names
        where the text came from in the warnings (default: the text's first words)."""
        return self._render(text or "", font, markup=True, field=field)

    def is_plain(self, text: str | None, font: str = REGULAR) -> bool:
        """True when ``font`` shows ``text`` as it is, on one line: no fallback face, no shaping,
        no right-to-left order, no control character or line break. Such text can be drawn as a
        plain string (the fast path for table cells); other text goes through ``para`` or ``runs``."""
        return not (set(text or "") - _plain_chars(font))

    def plain(self, text: str | None, font: str = REGULAR, *, field: str | None = None) -> str:
        """A single-line string drawn in ``font`` alone: Arabic shaped and in display order with
        the face's own Arabic glyphs; characters the face lacks (Chinese in DejaVu) are markers.
        Reports draw user text through ``para`` or ``runs`` instead, which use every shipped face."""
        return self._render(text or "", font, markup=False, field=field)

    def logical(self, text: str | None) -> str:
        """``text`` in reading order for the outline and document properties, where the PDF
        viewer lays text out itself: only control characters are replaced (and reported)."""
        text = text or ""
        if not any(map(_is_control, text)):
            return text
        out = []
        for ch in text:
            if ch in _LINE_BREAKS or ch in _SPACES:
                out.append(" ")
            elif _is_control(ch):
                self._note(ch, text, None)
                out.append(f"[U+{ord(ch):04X}]")
            else:
                out.append(ch)
        return "".join(out)

    def link(self, url: str | None, font: str = REGULAR, *, field: str | None = None) -> str:
        """``url`` as a clickable link when it is an absolute http(s) address, else as plain text."""
        if not url:
            return ""
        label = self.para(url, font, field=field)
        parts = urlsplit(url) if url.isprintable() else None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            return label
        host = _real_host(parts.netloc)
        if "@" in parts.netloc or "\\" in parts.netloc:
            # Recorded before such addresses were refused: "https://undocs.org@evil.example/"
            # reads as undocs.org but opens evil.example. Name the real site; never link it.
            return label + self.para(f" (not a link: the real site is {host})", font)
        if not host.isascii():
            # A look-alike letter from another script ("undocs.оrg" with a Cyrillic o): the
            # encoded name shows which site the link really opens.
            label += self.para(f" (site: {_idna(host)})", font)
        href = escape(url, {'"': "&quot;"})
        return f'<a href="{href}" color="{LINK_COLOUR}">{label}</a>'

    def _render(self, text: str, font: str, *, markup: bool, field: str | None, base: int | None = None) -> str:
        odd = set(text) - _plain_chars(font)
        if not odd:  # the usual case: one escape call over the whole string
            return escape(text) if markup else text
        out: list[str] = []
        line: list[str] = []
        previous = ""
        for ch in text:
            if ch in _LINE_BREAKS:
                out.append(self._line("".join(line), font, text, markup=markup, field=field, base=base))
                line.clear()
                if not (ch == "\n" and previous == "\r"):  # \r\n is one break
                    out.append("<br/>" if markup else " ")
            else:
                line.append(" " if ch in _SPACES else ch)
            previous = ch
        out.append(self._line("".join(line), font, text, markup=markup, field=field, base=base))
        return "".join(out)

    def _line(self, line: str, font: str, whole: str, *, markup: bool, field: str | None, base: int | None) -> str:
        """One line of a field: font runs, right-to-left order and shaping where needed."""
        plain = _plain_chars(font)
        if all(ch in plain for ch in line):
            return escape(line) if markup else line
        from tcbm_tracker.reports.shaping import logical_words, visual_pieces  # HarfBuzz and bidi: only for such a line

        arabic = _arabic_face(font)

        def font_for(ch: str, previous: str | None) -> str | None:
            if _is_control(ch):
                return None
            if not markup:  # one face only
                return font if ch in _drawable(font) else None
            if is_arabic(ch) and ch in _drawable(arabic):
                return arabic
            if previous in (arabic, CJK) and is_neutral(ch) and ch in _drawable(previous):
                return previous  # spaces and punctuation stay inside the run they sit in
            for face in (font, arabic, CJK):
                if ch in _drawable(face):
                    return face
            return None

        if markup and base is None and any(map(is_rtl, line)):
            # A paragraph reportlab wraps: words in reading order (each shaped, in display order
            # inside); rtl_lines orders the words of each wrapped line for display.
            rtl_lines.activate()
            merged: list[tuple[str | None, str]] = []  # one <font> per run of a face, spaces included:
            for k, word in enumerate(logical_words(line, font_for, is_arabic)):  # far fewer fragments to lay out
                pieces = [((merged[-1][0] if merged and merged[-1][0] else font), " ")] if k else []
                for face, piece in pieces + word:
                    if merged and face is not None and merged[-1][0] == face:
                        merged[-1] = (face, merged[-1][1] + piece)
                    else:
                        merged.append((face, piece))
            return self._emit(merged, font, whole, markup, field)
        return self._emit(visual_pieces(line, font_for, is_arabic, base), font, whole, markup, field)

    def _emit(self, pieces: list[tuple[str | None, str]], font: str, whole: str, markup: bool, field: str | None) -> str:
        out = []
        for face, piece in pieces:
            if face is None:
                for ch in piece:
                    self._note(ch, whole, field)
                    code = f"[U+{ord(ch):04X}]"
                    out.append(f'<font color="{MARKER_COLOUR}">{code}</font>' if markup else code)
            elif face == font or not markup:
                out.append(escape(piece) if markup else piece)
            else:
                if "~" not in face:  # not a level alias of the report face
                    self.fallback_fonts.add(face)
                out.append(f'<font name="{face}">{escape(piece)}</font>')
        return "".join(out)

    def _note(self, ch: str, whole: str, field: str | None) -> None:
        self._replaced[ch] = self._replaced.get(ch, 0) + 1
        if field is None:  # the text's first words, with what cannot be shown as codes (the
            # warnings are printed in the report too, and must not report themselves)
            excerpt = shorten(" ".join(whole.split()), 40)[0]
            field = '"' + "".join(c if _shown(c) else f"[U+{ord(c):04X}]" for c in excerpt) + '"'
        where = field
        self._where.setdefault(ch, {})[where] = None

    # --- reporting ---------------------------------------------------------------------------
    @property
    def replaced(self) -> dict[str, int]:
        """Each replaced character with how many times it occurred."""
        return dict(self._replaced)

    def fields(self, ch: str) -> tuple[str, ...]:
        """Where a replaced character occurred: field names, or the text's first words."""
        return tuple(self._where.get(ch, {}))

    def warnings(self) -> tuple[str, ...]:
        """One line per kind of replacement, for the CLI and the GUI to show."""
        controls = [ch for ch in self._replaced if _is_control(ch)]
        unshown = [ch for ch in self._replaced if not _is_control(ch)]
        lines = []
        if unshown:
            lines.append(
                f"{len(unshown)} character(s) no report font can show are printed as [U+XXXX]: " + self._list(unshown)
            )
        if controls:
            lines.append(f"{len(controls)} control character(s) are printed as [U+XXXX]: " + self._list(controls))
        return tuple(lines)

    def _list(self, chars: list[str]) -> str:
        parts = []
        for ch in chars[:_MAX_LISTED]:
            name = unicodedata.name(ch, "control character" if _is_control(ch) else "unnamed")
            times = self._replaced[ch]
            where = self.fields(ch)
            shown = "; ".join(where[:6]) + (f"; and {len(where) - 6} more" if len(where) > 6 else "")
            parts.append(f"U+{ord(ch):04X} {name}" + (f" ({times} times)" if times > 1 else "") + f" in {shown}")
        if len(chars) > _MAX_LISTED:
            parts.append(f"and {len(chars) - _MAX_LISTED} more")
        return ", ".join(parts)

    def runs(self, text: str | None, font: str = REGULAR, *, field: str | None = None,
             auto: bool = False) -> list[tuple[str, str]]:
        """One line for ``canvas.drawString`` as (face, visual text) runs, with the fallback
        faces; draw with ``draw_runs``. The line is left to right (the page header, where it ends
        a longer line) unless ``auto``: then its first strong character decides, as for a
        paragraph (an actor's name alone in a cell)."""
        line = " ".join((text or "").split())
        markup = self._render(line, font, markup=True, field=field, base=base_level(line) if auto else 0)
        out: list[tuple[str, str]] = []
        for m in _RUN.finditer(markup):
            face, body = (m.group(1), m.group(2)) if m.group(1) else (font, m.group(3))
            body = unescape(re.sub(r"<[^>]*>", "", body))
            if body:
                out.append((face, body))
        return out


_RUN = re.compile(r'<font name="([^"]+)">(.*?)</font>|((?:(?!<font name=).)+)', re.S)


def draw_runs(canv: Any, x: float, y: float, runs: list[tuple[str, str]], size: float, width: float) -> None:
    """Draw ``runs`` from ``x``, cut with an ellipsis at ``width`` points."""
    for face, piece in runs:
        w = pdfmetrics.stringWidth(piece, face, size)
        canv.setFont(face, size)
        if w > width:
            canv.drawString(x, y, fit_text(piece, face, size, width))
            return
        canv.drawString(x, y, piece)
        x += w
        width -= w
