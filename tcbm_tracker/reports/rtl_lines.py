"""Words of a wrapped paragraph put in display order, line by line, when it holds right-to-left text.

``text.py`` writes a paragraph's right-to-left text in reading order, word by word, each
word already shaped and in display order inside. reportlab wraps it like any text, so a long
Arabic passage wraps with its first words on the first line, as a reader expects. What is left
is the order of the words on each line: right-to-left words run from right to left. reportlab
has no hook for that (its own right-to-left support needs the ``rlbidi`` library and handles
only single-style paragraphs), so ``install()`` wraps ``Paragraph.drawPara``: just before a
paragraph with right-to-left text is drawn, each of its lines is reordered (rule L2 of the
Unicode bidi algorithm, at the level of words); the widths do not change, so neither does the
layout. A paragraph whose text starts right to left (its first strong character is Arabic, as
for ``dir="auto"``) is also set against the right margin, as a right-to-left reader expects;
alignment only moves each line within its width. Other paragraphs are drawn untouched, and
nothing runs until a report has printed right-to-left text.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import sameFrag
from reportlab.platypus.paragraph import FragLine, Paragraph

from tcbm_tracker.reports.scripts import base_level, display_order

# Right-to-left letters, Arabic presentation forms, and the private-use code points that
# shaped glyphs without a character of their own are written as (see shaping.shape).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\ue000-\uf8ff]")
_SPACES = re.compile(r"( +)")
_state = {"active": False}


def activate() -> None:
    """Called by ``text.py`` when it writes right-to-left text: from then on, paragraphs are checked."""
    _state["active"] = True


def _level(parts: list[tuple[str, str]]) -> int:
    """A word's bidi level in a left-to-right paragraph: 1 for a right-to-left word, the level
    ``text.py`` marked on the face's name (``DejaVuSans~2``) for a Latin word or a number
    inside right-to-left text, 0 otherwise."""
    for face, _ in parts:
        if "~" in face:
            return int(face.rsplit("~", 1)[1])
    return 1 if any(_RTL.search(text) for _, text in parts) else 0


_SEPARATORS = re.compile("([ \u00a0]+)")


def _items(line: Any) -> list[tuple[int | None, list[tuple[Any, str]]]] | None:
    """A styled line as (level, parts) items in reading order: runs of one level, and the
    spaces between them (level None, settled by their neighbours); None when the line holds
    something other than text (an image, an anchor)."""
    items: list[tuple[int | None, list[tuple[Any, str]]]] = []
    for f in line.words:
        if hasattr(f, "cbDefn") or not isinstance(getattr(f, "text", None), str):
            return None
        for part in _SEPARATORS.split(f.text):
            if not part:
                continue
            if part[0] in " \u00a0":
                items.append((None, [(f, part)]))
                continue
            level = _level([(f.fontName, part)])
            if items and items[-1][0] == level:
                items[-1][1].append((f, part))
            else:
                items.append((level, [(f, part)]))
    return items


def _display(items: list[tuple[int | None, list[tuple[Any, str]]]]) -> list[tuple[Any, str]]:
    """The parts of one line in display order (rule L2 over runs; a space takes the lower of
    its neighbours' levels, 0 at the ends of the line)."""
    levels: list[int] = []
    for i, (level, _) in enumerate(items):
        if level is None:
            before = next((items[j][0] for j in range(i - 1, -1, -1) if items[j][0] is not None), 0)
            after = next((items[j][0] for j in range(i + 1, len(items)) if items[j][0] is not None), 0)
            level = min(before or 0, after or 0)
        levels.append(level)
    return [part for i in display_order(levels) for part in items[i][1]]


def _reordered(para: Any) -> Any:
    """A copy of the paragraph's wrapped lines with each line's runs in display order."""
    bl = para.blPara
    if bl.kind == 0:
        face = para.style.fontName
        out = []
        for extra, words in bl.lines:
            order = display_order([_level([(face, w)]) for w in words])
            out.append((extra, [words[i] for i in order]))
        return bl.clone(lines=out)
    lines = [_items(line) for line in bl.lines]
    if any(items is None for items in lines):
        return bl
    out_lines = []
    for line, items in zip(bl.lines, lines, strict=True):
        assert items is not None
        frags: list[Any] = []
        for f, text in _display(items):
            if frags and (frags[-1][0] is f or sameFrag(frags[-1][0], f)):
                frags[-1][1].append(text)
            else:
                frags.append((f, [text]))
        new = FragLine(**line.__dict__)
        new.words = [f.clone(text="".join(parts)) for f, parts in frags]
        out_lines.append(new)
    return bl.clone(lines=out_lines)


def _has_rtl(para: Any) -> bool:
    bl = getattr(para, "blPara", None)
    if bl is None:
        return False
    if bl.kind == 0:
        return any(_RTL.search(w) for _, words in bl.lines for w in words)
    return any(_RTL.search(getattr(f, "text", "") or "") for line in bl.lines for f in line.words)


@functools.cache
def _right_aligned(style: Any) -> Any:
    return style.clone(f"{style.name}-rtl", alignment=TA_RIGHT)


def aligned(style: Any, field: str | None) -> Any:
    """``style`` for a paragraph holding the one user field ``field``: right-aligned when the
    field is written right to left (its first strong character, as for ``dir="auto"``)."""
    if field and style.alignment == TA_LEFT and base_level(field) == 1:
        return _right_aligned(style)
    return style


def install() -> None:
    """Wrap ``Paragraph.drawPara`` once per process (see the module's docstring)."""
    if getattr(Paragraph.drawPara, "_tcbm_rtl", False):
        return
    original = Paragraph.drawPara

    def drawPara(self: Any, debug: int = 0) -> Any:
        if not _state["active"] or not _has_rtl(self):
            return original(self, debug)
        kept = self.blPara
        self.blPara = _reordered(self)
        try:
            return original(self, debug)
        finally:
            self.blPara = kept

    drawPara._tcbm_rtl = True  # type: ignore[attr-defined]
    Paragraph.drawPara = drawPara  # type: ignore[method-assign]
