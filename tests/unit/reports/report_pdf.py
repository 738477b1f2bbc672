"""Reading report PDFs back in tests: page texts, body text without the page frame."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pypdf import PdfReader

NOW = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)  # the "generated" time printed in test reports

_FRAME = re.compile(r"^.*?Page \d+ of\s*\d+\n", re.S)


def page_texts(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def body_text(path: Path) -> str:
    """All pages' text without the running header and footer (drawn first on each page)."""
    return flat(" ".join(_FRAME.sub("", t, count=1) for t in page_texts(path)))


def flat(text: str) -> str:
    """Extracted text with line breaks as spaces and runs of spaces collapsed."""
    return re.sub(r"\s+", " ", text)


def _to_unicode(font: object) -> dict[int, str]:
    """The code -> text map of a reportlab font subset (its ToUnicode bfchar/bfrange entries)."""
    cmap = font.get("/ToUnicode")  # type: ignore[attr-defined]
    if cmap is None:
        return {}
    data = cmap.get_object().get_data().decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int.from_bytes(bytes.fromhex(start), "big")
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(first + i)
    return out


def drawn_text(path: Path) -> list[str]:
    """Each text-showing operation's characters, in the order they are drawn on the page (left
    to right), decoded with the font's own map: no reordering by the extractor."""
    from pypdf.generic import ContentStream

    reader = PdfReader(path)
    shown: list[str] = []
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font") or {}
        maps = {name: _to_unicode(f.get_object()) for name, f in fonts.items()}
        current: dict[int, str] = {}
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = maps.get(operands[0], {})
            elif op in (b"Tj", b"'", b'"'):
                shown.append("".join(current.get(b, "?") for b in bytes(operands[-1].original_bytes)))
            elif op == b"TJ":
                shown.append("".join(current.get(b, "?") for s in operands[0] if hasattr(s, "original_bytes")
                                     for b in bytes(s.original_bytes)))
    return shown
