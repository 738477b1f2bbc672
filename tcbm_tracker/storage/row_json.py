"""Each logged table's snapshots built by SQLite itself, for ``verify``'s fast comparison.

``verify`` compares every row with its latest snapshot in the change log. Building a million
snapshots in Python (a dict per row, normalised, JSON-encoded) cost more than the whole walk of
the chain; SQLite's ``json_object`` builds the same text in C. The text must be exactly what
``changelog.CANONICAL`` writes (keys sorted, no spaces, non-ASCII kept, the same escapes):

- keys are given to ``json_object`` in sorted order; text, integers and NULL encode alike in
  both (``"`` and ``\\`` escaped, ``\\b \\f \\n \\r \\t`` short, other control characters as
  lower-case ``\\u00XX``; tests/unit/storage/test_row_json.py checks this on random text);
- flags are ``true``/``false``; an assessment's evidence a list of ids, its pinpoints an object
  present only when there are any, its keys ordered as text (as ``sort_keys`` orders them);
- values of other types are stored only by an edit outside the app, and never match here: a
  real number prints with a point or an exponent (``5.0``, ``1.0e+20``), and the app's
  snapshots hold no such number; a blob makes SQLite refuse the query; a flag or pinpoint that
  is not of its own type becomes an array, which no snapshot holds at that place; an id that
  is not an integer prints as a string, where the snapshot holds a number.

So a row that matches here matches there too; ``chain_check.verify_rows`` falls back to the
Python comparison for a whole table as soon as anything in it does not match.

``latest_match_query`` goes one step further for a file whose log is intact: SQLite also finds
each row's latest log entry and compares the two texts itself, so no snapshot, payload or key
becomes a Python object unless something does not match.
"""

from __future__ import annotations

from tcbm_tracker.storage.changelog import MERGE_COLUMNS, EntityKind

FLAGS = ("builtin", "pinpoint_confirmed", "retired", "trusted")


def _plain(column: str) -> str:
    """A value as it is: text, integers and null encode as in Python; a real number always prints
    with a point or an exponent ("5.0"), which no snapshot holds; a blob makes SQLite refuse."""
    return column


def _flag(column: str) -> str:
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN typeof({column}) = 'integer' "
            f"THEN json(CASE WHEN {column} THEN 'true' ELSE 'false' END) ELSE json_array({column}, 'x') END")


def _object(pairs: list[tuple[str, str]]) -> str:
    return "json_object(" + ", ".join(f"'{k}', {v}" for k, v in sorted(pairs)) + ")"


_EVIDENCE = (
    "(SELECT json_group_array(evidence_id) "
    "FROM (SELECT evidence_id FROM assessment_evidence WHERE assessment_id = a.id ORDER BY evidence_id) AS ev)"
)
_PINPOINTS = (
    "(SELECT json_group_object(k, v) FROM (SELECT CAST(evidence_id AS TEXT) AS k, "
    "CASE WHEN typeof(pinpoint) = 'text' AND typeof(evidence_id) = 'integer' THEN pinpoint ELSE json_array(pinpoint, 'x') END AS v "
    "FROM assessment_evidence WHERE assessment_id = a.id AND pinpoint IS NOT NULL ORDER BY k))"
)


def snapshot_query(kind: EntityKind) -> str:
    """``SELECT key, snapshot_text FROM ...`` for one logged table (same key as ``kind.query``)."""
    names = ["k", *[f"c{i}" for i in range(len(kind.columns))]]
    if kind.name == "assessment":
        return f"SELECT CAST(a.id AS TEXT), {_assessment_snapshot(kind)} FROM assessment a"
    pairs = [(c, _flag(n) if c in FLAGS else _plain(n)) for c, n in zip(kind.columns, names[1:], strict=True)]
    return f"WITH r({', '.join(names)}) AS ({kind.query}) SELECT k, {_merged_or_not(pairs, dict(pairs))} FROM r"


def latest_match_query(kind: EntityKind, *, scan: bool, relogged: bool = True) -> str:
    """``SELECT joined, matched``: the latest live log entry of every key of one table, each
    joined with the row of that key (or nothing), and how many of those pairs hold the same text.

    Every row matches its latest snapshot and no logged row is missing exactly when ``joined``,
    ``matched`` and the table's row count are equal: an entry without its row, a row differing
    from it, and a row the log does not hold (or holds as deleted) each break one equality.
    Each key's latest entry is the one no later entry of the same key follows: only keys logged
    more than once (few: most rows are recorded once) need a look at their other entries.

    ``scan``: read the log from end to end rather than through its (entity, key) index: cheaper
    when the table's entries are most of the log, as an assessment's are in a large file.
    ``relogged=False``: no key of the table is logged more than once (known to the caller), so
    every entry is its key's latest.
    """
    name = kind.name  # one of ENTITIES' fixed names, never user text
    superseded = (
        f"SELECT l.seq FROM (SELECT entity_key AS k, max(seq) AS m FROM change_log WHERE entity = '{name}' "
        "GROUP BY entity_key HAVING count(*) > 1) AS mk "
        f"CROSS JOIN change_log l ON l.entity = '{name}' AND l.entity_key = mk.k AND l.seq < mk.m"
    )
    where = f"WHERE {'+' if scan else ''}c.entity = '{name}' AND c.action != 'deleted'"
    if relogged:
        where += f" AND c.seq NOT IN ({superseded})"
    if name == "assessment":
        # A million rows: each found by its integer id, its snapshot built in place.
        return (f"SELECT count(*), total(a.id IS NOT NULL AND ({_assessment_snapshot(kind)}) IS c.payload) "
                "FROM change_log c "
                "LEFT JOIN assessment a ON a.id = CAST(c.entity_key AS INTEGER) AND CAST(a.id AS TEXT) = c.entity_key "
                f"{where}")
    # The other tables are small: their snapshots are built once and looked up by key.
    return (f"WITH x(k, s) AS MATERIALIZED ({snapshot_query(kind)}) "
            f"SELECT count(*), total(x.s IS c.payload) FROM change_log c LEFT JOIN x ON x.k = c.entity_key {where}")


def _assessment_snapshot(kind: EntityKind) -> str:
    """The snapshot of the assessment row ``a``.

    The evidence list and the pinpoints come from their own table: rebuilt here as JSON. Most
    assessments cite nothing: one index probe says so, and their snapshot needs no more.
    """
    plain = [(c, _plain(f"a.{c}")) for c in kind.columns if c not in ("evidence", "pinpoints")]
    if not all(c in kind.columns for c in MERGE_COLUMNS):
        return _assessment_object(plain)
    # As in _merged_or_not: a row recorded here without the merge columns, any other with all three.
    local = " AND ".join(f"a.{c} IS NULL" for c in MERGE_COLUMNS)
    here = _assessment_object([(c, v) for c, v in plain if c not in MERGE_COLUMNS])
    return f"CASE WHEN {local} THEN {here} ELSE {_assessment_object(plain)} END"


def _assessment_object(plain: list[tuple[str, str]]) -> str:
    """An assessment's snapshot object: its columns, its evidence list and, when any, its pinpoints."""
    bare = _object([*plain, ("evidence", "json('[]')")])
    without = _object([*plain, ("evidence", _EVIDENCE)])
    with_pins = _object([*plain, ("evidence", _EVIDENCE), ("pinpoints", f"json({_PINPOINTS})")])
    pins = "SELECT 1 FROM assessment_evidence WHERE assessment_id = a.id AND pinpoint IS NOT NULL"
    return (f"CASE WHEN NOT EXISTS (SELECT 1 FROM assessment_evidence WHERE assessment_id = a.id) THEN {bare} "
            f"WHEN NOT EXISTS ({pins}) THEN {without} ELSE {with_pins} END")


def _merged_or_not(pairs: list[tuple[str, str]], column: dict[str, str]) -> str:
    """The snapshot object of a table whose rows may come from another copy (schema 0005).

    Python leaves each merge column out of a snapshot when it is null. Here a row recorded in
    this copy (all three null) is built without them, any other row with all three: a row where
    only some are set then prints a null Python leaves out, does not match, and is compared again
    in Python, which names it.
    """
    if not all(c in column for c in MERGE_COLUMNS):
        return _object(pairs)
    local = " AND ".join(f"{column[c]} IS NULL" for c in MERGE_COLUMNS)
    without = _object([(c, v) for c, v in pairs if c not in MERGE_COLUMNS])
    return f"CASE WHEN {local} THEN {without} ELSE {_object(pairs)} END"
