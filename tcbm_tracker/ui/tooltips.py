"""Tooltips that fit on a screen: wrapped to a readable width, cut after a dozen lines.

A tooltip shows plain text as given: a 6,400-character note made a tooltip wider or taller
than the screen. Long text is wrapped and cut here; the detail pane shows it in full.
"""

from __future__ import annotations

import textwrap

WIDTH = 90
MAX_LINES = 12


def tooltip_text(text: str | None, *, width: int = WIDTH, max_lines: int = MAX_LINES) -> str | None:
    """``text`` wrapped to ``width`` characters, at most ``max_lines`` lines (then a pointer)."""
    if not text:
        return None
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines.extend(textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""])
        if len(lines) > max_lines:
            break
    if len(lines) <= max_lines:
        return "\n".join(lines)
    kept = lines[: max_lines - 1]
    kept[-1] = kept[-1][: width - 1] + "…"
    return "\n".join([*kept, "(cut short: the details pane under the matrix shows it in full)"])
