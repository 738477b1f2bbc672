"""User text into report text: always literal, never markup, never silently losing a character.

Every string a person typed (notes, titles, names, document symbols, URLs) reaches a reportlab
``Paragraph`` only through ``SafeText.para`` or ``SafeText.link``: ``&``, ``<`` and ``>`` are
escaped, so ``<img src="/etc/passwd"/>`` or ``<link href=...>`` print as the characters the user
typed and can never pull a file into the PDF. Characters the embedded font cannot draw, and
control characters, are printed as a visible ``[U+XXXX]`` marker and listed in ``warnings()``
so the command line and the GUI can tell the user. Only ``http``/``https`` addresses become links.
"""

from __future__ import annotations

import functools
import unicodedata
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from tcbm_tracker.reports.fonts import REGULAR, glyphs, register_fonts

MARKER_COLOUR = "#9A3412"
LINK_COLOUR = "#0B4F8A"
_LINE_BREAKS = {"\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"}
_SPACES = {"\t"}
_MAX_LISTED = 20


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs")


@functools.cache
def _plain_chars(font: str) -> frozenset[str]:
    """Characters printed as they are: drawable, not control characters, not line breaks."""
    return frozenset(ch for ch in map(chr, glyphs(font)) if not _is_control(ch) and ch not in _LINE_BREAKS)


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

    # --- rendering ---------------------------------------------------------------------------
    def para(self, text: str | None, font: str = REGULAR) -> str:
        """Paragraph markup showing ``text`` literally; line breaks are kept."""
        return self._render(text or "", font, markup=True)

    def plain(self, text: str | None, font: str = REGULAR) -> str:
        """A single-line string for ``canvas.drawString`` and the outline (no markup there)."""
        return self._render(text or "", font, markup=False)

    def link(self, url: str | None, font: str = REGULAR) -> str:
        """``url`` as a clickable link when it is an absolute http(s) address, else as plain text."""
        if not url:
            return ""
        label = self.para(url, font)
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

    def _render(self, text: str, font: str, *, markup: bool) -> str:
        odd = set(text) - _plain_chars(font)
        if not odd:  # the usual case: one escape call over the whole string
            return escape(text) if markup else text
        out: list[str] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                chunk = "".join(run)
                out.append(escape(chunk) if markup else chunk)
                run.clear()

        previous = ""
        for ch in text:
            if ch not in odd:
                run.append(ch)
            elif ch in _LINE_BREAKS:
                flush()
                if not (ch == "\n" and previous == "\r"):  # \r\n is one break
                    out.append("<br/>" if markup else " ")
            elif ch in _SPACES:
                run.append(" ")
            else:
                flush()
                self._replaced[ch] = self._replaced.get(ch, 0) + 1
                code = f"[U+{ord(ch):04X}]"
                out.append(f'<font color="{MARKER_COLOUR}">{code}</font>' if markup else code)
            previous = ch
        flush()
        return "".join(out)

    # --- reporting ---------------------------------------------------------------------------
    @property
    def replaced(self) -> dict[str, int]:
        """Each replaced character with how many times it occurred."""
        return dict(self._replaced)

    def warnings(self) -> tuple[str, ...]:
        """One line per kind of replacement, for the CLI and the GUI to show."""
        controls = [ch for ch in self._replaced if _is_control(ch)]
        unshown = [ch for ch in self._replaced if not _is_control(ch)]
        lines = []
        if unshown:
            lines.append(
                f"{len(unshown)} character(s) the report font cannot show are printed as [U+XXXX]: " + self._list(unshown)
            )
        if controls:
            lines.append(f"{len(controls)} control character(s) are printed as [U+XXXX]: " + self._list(controls))
        return tuple(lines)

    def _list(self, chars: list[str]) -> str:
        parts = []
        for ch in chars[:_MAX_LISTED]:
            name = unicodedata.name(ch, "control character" if _is_control(ch) else "unnamed")
            times = self._replaced[ch]
            parts.append(f"U+{ord(ch):04X} {name}" + (f" ({times} times)" if times > 1 else ""))
        if len(chars) > _MAX_LISTED:
            parts.append(f"and {len(chars) - _MAX_LISTED} more")
        return ", ".join(parts)
