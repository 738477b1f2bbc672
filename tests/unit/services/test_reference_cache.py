"""What a read keeps between reads (``services.reference_cache``): a value per name while the log's
head stands; all of it dropped when the head moves; a bounded number of values."""

from __future__ import annotations

from tcbm_tracker.services.reference_cache import ReferenceCache


def test_a_value_is_loaded_once_while_the_head_stands_and_again_when_it_moves() -> None:
    cache, loads = ReferenceCache(), []

    def load(value: str) -> str:
        loads.append(value)
        return value

    assert cache.get("head-1", "measures", lambda: load("a")) == "a"
    assert cache.get("head-1", "measures", lambda: load("b")) == "a"
    assert cache.get("head-1", "actors", lambda: load("c")) == "c"
    assert loads == ["a", "c"]
    assert cache.get("head-2", "measures", lambda: load("d")) == "d"
    assert cache.get("head-2", "actors", lambda: load("e")) == "e"  # nothing of head-1 is left
    assert loads == ["a", "c", "d", "e"]


def test_a_read_of_an_older_head_is_answered_but_not_kept() -> None:
    """A slow reader that saw the head before a write must not put its value under the new head."""
    cache = ReferenceCache()
    old_head_value = cache.get("head-1", "measures", lambda: cache.get("head-2", "measures", lambda: "new") and "old")
    assert old_head_value == "old"
    assert cache.get("head-2", "measures", lambda: "reloaded") == "new"


def test_at_most_the_limit_of_values_is_kept_the_oldest_dropped_first() -> None:
    cache = ReferenceCache()
    for day in range(cache.limit + 1):
        cache.get("head", ("actors", day), lambda day=day: day)
    assert cache.get("head", ("actors", 0), lambda: "loaded again") == "loaded again"
    assert cache.get("head", ("actors", cache.limit), lambda: "kept?") == cache.limit

