"""Terminal output (``cli.output``): columns aligned by display width, invisible characters shown."""

from __future__ import annotations

import pytest
import wcwidth
from hypothesis import given
from hypothesis import strategies as st

from tcbm_tracker.cli.output import display_width, table, terminal_text


def columns(line: str) -> list[int]:
    """Display column at which each two-space-separated field of a table line starts."""
    starts, col, previous = [], 0, " "
    for i, ch in enumerate(line):
        if ch != " " and previous == " " and (i < 2 or line[i - 2 : i] == "  " or i == 0):
            starts.append(col)
        col += max(wcwidth.wcwidth(ch), 0) if ch != " " else 1
        previous = ch
    return starts


@pytest.mark.parametrize("name", ["中华人民共和国", "日本国", "😀🛰", "대한민국", "Côte d'Ivoire", "e\u0301e\u0301"])
def test_columns_line_up_with_wide_and_combining_characters(name: str) -> None:
    out = table(["key", "name", "region"], [("AAA", "France", "WEOG"), ("BBB", name, "APG"), ("CCC", "X", "EEG")])
    lines = out.splitlines()
    header_columns = columns(lines[0])
    assert len(header_columns) == 3
    for line in lines[2:]:
        assert columns(line) == header_columns, out


def test_wide_text_is_cut_by_display_width() -> None:
    out = table(["n"], [("中" * 40,)], max_width=11)
    cell = out.splitlines()[2]
    assert cell == "中" * 5 + "…" and display_width(cell) == 11


@pytest.mark.parametrize("ch", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
                                "\u200b", "\u2060", "\ufeff", "\x1b", "\x07", "\u2028", "\u00ad"])
def test_bidi_controls_and_invisible_characters_are_shown_escaped(ch: str) -> None:
    text = f"approved{ch}by"
    assert terminal_text(text) == f"approved[U+{ord(ch):04X}]by"
    assert f"[U+{ord(ch):04X}]" in table(["note"], [(text,)]) and ch not in table(["note"], [(text,)])


def test_joiners_that_shape_scripts_and_emoji_are_kept() -> None:
    for text in ("می\u200cخواهم", "👨\u200d👩\u200d👧", "שלום עולם", "مرحبا"):
        assert terminal_text(text) == text


def _stream_reference(headers: list[str], widths: list[int], rows: list[list[object]], max_width: int) -> list[str]:
    """``stream_table`` spelled out cell by cell through ``table_cell`` (what its per-row fast path must equal)."""
    from tcbm_tracker.cli.output import _pad, display_width, table_cell

    widths = [max(w, display_width(h)) for w, h in zip(widths, headers[:-1], strict=True)] + [display_width(headers[-1])]
    if not rows:
        return ["(none)"]
    lines = ["  ".join(_pad(h, widths[i]) for i, h in enumerate(headers)).rstrip(), "  ".join("-" * w for w in widths)]
    for row in rows:
        cells = [table_cell(v, max_width) for v in row]
        lines.append("  ".join(_pad(c, widths[i]) if i < len(widths) - 1 else c for i, c in enumerate(cells)).rstrip())
    return lines


_CELL = st.one_of(st.none(), st.integers(-10**6, 10**6),
                  st.text(alphabet=st.sampled_from(list("ab Z-9.,") + ["\t", "\n", "\r", "中", "é", "\u202e", "\x1b", "😀"]), max_size=30))


@given(st.lists(st.lists(_CELL, min_size=4, max_size=4), max_size=6), st.integers(5, 25))
def test_stream_table_rows_equal_cell_by_cell_formatting(rows: list[list[object]], max_width: int) -> None:
    from tcbm_tracker.cli.output import stream_table

    headers, widths = ["when", "who", "what", "notes"], [3, 12, 7]
    assert list(stream_table(headers, widths, rows, max_width=max_width)) == _stream_reference(headers, widths, rows, max_width)


_ASCII = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=30)


@given(st.lists(st.lists(_ASCII, min_size=4, max_size=4), max_size=6), st.integers(5, 25))
def test_stream_table_rows_of_plain_text_equal_cell_by_cell_formatting(rows: list[list[object]], max_width: int) -> None:
    """Rows all of printable ASCII text are checked and padded whole (the fast path): the same lines."""
    from tcbm_tracker.cli.output import stream_table

    headers, widths = ["when", "who", "what", "notes"], [3, 12, 7]
    assert list(stream_table(headers, widths, rows, max_width=max_width)) == _stream_reference(headers, widths, rows, max_width)


class _Shown(str):
    """Text whose ``str()`` is not its characters (as a ``(str, Enum)`` member's is its name)."""

    def __str__(self) -> str:
        return "shown"


def test_a_cell_of_a_text_subclass_is_printed_as_str_prints_it() -> None:
    from tcbm_tracker.cli.output import stream_table

    rows: list[list[object]] = [["plain", _Shown("hidden"), "x"]]
    lines = list(stream_table(["a", "b", "c"], [5, 6], rows))
    assert lines == _stream_reference(["a", "b", "c"], [5, 6], rows, 60) and lines[2] == "plain  shown   x"


def test_stream_table_escapes_cuts_and_aligns_wide_text() -> None:
    from tcbm_tracker.cli.output import stream_table

    rows = [["中文", "x\u202ey", "last\tcell"], ["abcdefghijklmn", None, 7]]
    lines = list(stream_table(["a", "b", "c"], [6, 4], rows, max_width=12))
    assert lines == ["a       b     c", "------  ----  -", "中文    x[U+202E]y  last cell", "abcdefghijk…        7"]


@given(st.text(alphabet=st.sampled_from(list("ab Z-9.,中é\u0301😀")), max_size=40), st.integers(2, 30))
def test_cutting_long_text_keeps_within_the_width_as_character_by_character(text: str, max_width: int) -> None:
    from tcbm_tracker.cli.output import _fit

    out = _fit(text, max_width)
    if display_width(text) <= max_width:
        assert out == text
    else:
        kept, used = [], 0
        for ch in text:
            w = max(wcwidth.wcwidth(ch), 0)
            if used + w > max_width - 1:
                break
            kept.append(ch)
            used += w
        assert out == "".join(kept) + "…" and display_width(out) <= max_width
