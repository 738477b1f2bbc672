"""The per-table row parser the importer uses gives exactly what the full check of each row gives.

``AssessmentParser.for_header`` remembers values found in rows that passed and reads the columns
by position; ``parse_assessment`` checks every cell of one row from scratch. Over any sequence of
rows (valid, invalid, short, long, odd cell types), both must accept the same rows with the same
result and refuse the same rows naming the same cells.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tcbm_tracker.exchange.rows import AssessmentParser, AssessmentRow, RowErrors, parse_assessment
from tcbm_tracker.exchange.sources import Cell

ACTORS = {"FRA", "DEU", "KEN"}
MEASURES = {"LTS-B.4": False, "GGE-1": False, "OLD-1": True}
NOW = "2026-06-01T00:00:00.000000Z"
TODAY = dt.date(2026, 6, 1)
HEADER = ["actor", "measure", "effective_date", "status", "provenance", "confidence", "note", "recorded_by",
          "recorded_at", "evidence"]

POOLS: dict[str, list[Cell]] = {
    "actor": ["FRA", "fra", " DEU ", "XXX", "", None, 1, True],
    "measure": ["LTS-B.4", "gge-1", "OLD-1", "NOPE", ""],
    "effective_date": ["2020-01-01", "2020-02-30", "01/03/2021", "2099-01-01", dt.date(2019, 5, 1),
                       dt.datetime(2019, 5, 1), dt.datetime(2019, 5, 1, 12), "", None, 2020],
    "status": ["implemented", "planned", "IMPLEMENTED", "bogus", ""],
    "provenance": ["self_reported", "", None, "nope"],
    "confidence": ["high", "", "extreme", None],
    "note": [None, "", "plain note", " padded ", "x" * 20, "tab\there", "é ü", 3.5, True],
    "recorded_by": ["ana", "", None, 1, 1.0, True, False, 0, "  bo "],
    "recorded_at": ["", None, "2020-01-01T00:00:00.000000Z", "2020-13-01T00:00:00.000000Z", "2030-01-01T00:00:00.000000Z",
                    "yesterday", " 2021-01-01T00:00:00.000000Z "],
    "evidence": ["", None, "12", "0123456789abcdef", "12; 0123456789abcdef", "zz"],
}


def _full(header: list[str], values: list[Cell]) -> AssessmentRow | list[tuple[str, str]]:
    try:
        return parse_assessment(dict(zip(header, values, strict=False)), ACTORS, MEASURES, NOW, TODAY)
    except RowErrors as exc:
        return [(e.column, e.reason) for e in exc.errors]


def _fast(parse: object, values: list[Cell]) -> AssessmentRow | list[tuple[str, str]]:
    try:
        return parse(values)  # type: ignore[operator,no-any-return]
    except RowErrors as exc:
        return [(e.column, e.reason) for e in exc.errors]


rows = st.lists(st.fixed_dictionaries({c: st.sampled_from(p) for c, p in POOLS.items()}), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(rows=rows, drop=st.sets(st.sampled_from(HEADER[6:])), cut=st.integers(min_value=0, max_value=3),
       shuffle=st.randoms(use_true_random=False))
def test_the_table_parser_agrees_with_the_full_check_of_every_row(rows: list[dict[str, Cell]], drop: set[str], cut: int,
                                                                  shuffle: object) -> None:
    header = [c for c in HEADER if c not in drop]
    shuffle.shuffle(header)  # type: ignore[attr-defined]
    parse = AssessmentParser(ACTORS, MEASURES, NOW, TODAY).for_header(header)
    for i, row in enumerate(rows):
        values = [row[c] for c in header]
        if cut and i % 3 == 1:
            values = values[:-cut]  # a short row: the missing cells read as empty
        elif i % 5 == 4:
            values = [*values, None]  # a longer row (the importer refuses a filled extra cell first)
        assert _fast(parse, values) == _full(header, values), (header, values)


def test_a_true_false_cell_is_refused_even_after_1_was_taken_as_a_name() -> None:
    """1 and True are one dict key: a remembered 1 must not let a true/false cell through."""
    parse = AssessmentParser(ACTORS, MEASURES, NOW, TODAY).for_header(HEADER)
    first = ["FRA", "LTS-B.4", "2020-01-01", "planned", "", "", None, 1, "", ""]
    assert parse(first).recorded_by == "1"
    again = [*first[:7], True, "", ""]
    assert _fast(parse, again) == _full(HEADER, again)
    assert isinstance(_fast(parse, again), list)
