"""Strict JSON reading for files users supply (catalogues, actor lists).

``json.loads`` alone is too lenient and too fragile for files from outside: a key written twice
silently keeps the last value (so a reviewer reading the first one is misled), nesting deep
enough exhausts the interpreter's stack, and a UTF-8 byte-order mark (Windows Notepad writes
one) is refused. Here a duplicate key is an error naming it, deep nesting is refused before
parsing, and a leading byte-order mark is dropped.
"""

from __future__ import annotations

import json
from typing import Any

# Far more than any catalogue or actor list needs (they nest four levels); far less than
# the recursion limit, so the parser never gets near it.
MAX_DEPTH = 64


class JsonInputError(ValueError):
    """The text is not acceptable JSON; the message is one line, fit to show a user."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonInputError(f"key {key[:60]!r} appears twice in the same object")
        out[key] = value
    return out


def _nesting_depth_exceeds(text: str, limit: int) -> bool:
    """True if brackets outside strings nest deeper than ``limit`` (a linear scan, no recursion)."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def decode_json_bytes(raw: bytes) -> Any:
    """Parse UTF-8 JSON bytes (a leading byte-order mark allowed) or raise ``JsonInputError``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise JsonInputError("not UTF-8 text") from None
    if _nesting_depth_exceeds(text, MAX_DEPTH):
        raise JsonInputError(f"nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:  # cannot happen after the depth check; kept so it never becomes a crash
        raise JsonInputError(f"nested more than {MAX_DEPTH} levels deep") from None
