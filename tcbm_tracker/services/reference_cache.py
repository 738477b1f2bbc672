"""Reference data kept between reads, for as long as the change log has not moved.

A matrix, a dossier or a measure overview needs, besides the assessments themselves, the
catalogue's measures, when each catalogue was adopted, and the actors with their attributes.
These change only with a catalogue load, an actor added or an attribute recorded, and every such
change appends to the change log in the same transaction. So the head of the log (its hash,
which the chain makes unique to the whole log) tells whether what was read before still holds:
the read that needs them asks for the head, in the same statement as its own rows where it can,
and reads them again only when the head has moved. On a server every statement is a round trip
(a dossier went from four statements to one); on a file it saves the parsing.

A change made to these tables outside the application, without a log entry, is seen at the next
logged change or when the database is opened again; ``verify`` reports such a change in any case.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class ReferenceCache:
    """Values computed from the database, each under a name, kept while the log's head is the one
    they were read at. Thread-safe: a window reads on worker threads. Values are shared, so they
    must be immutable (frozen DTOs, or containers the callers only read).

    At most ``limit`` values are kept, the oldest dropped first: names can carry a date (the
    actors as of a day), and stepping through dates must not grow the memory without end."""

    limit = 256

    def __init__(self) -> None:  # noqa: D107 - see class
        self._lock = threading.Lock()
        self._head: str | None = None
        self._values: dict[Hashable, Any] = {}

    def get(self, head: str, name: Hashable, load: Callable[[], T]) -> T:
        """The value of ``name`` as of the log's ``head``: kept, or ``load()``-ed now and kept.

        ``load`` runs after the head was read, so what it reads is at least as new as the head
        (never older); a write in between moves the head, and the next read loads again."""
        with self._lock:
            if head != self._head:
                self._head, self._values = head, {}
            elif name in self._values:
                return self._values[name]  # type: ignore[no-any-return]
        value = load()  # outside the lock: a slow read never holds up another thread's kept values
        with self._lock:
            if head == self._head and name not in self._values:
                if len(self._values) >= self.limit:
                    del self._values[next(iter(self._values))]
                self._values[name] = value
        return value
