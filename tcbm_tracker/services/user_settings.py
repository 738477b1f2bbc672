"""The settings a user of this copy can change from the command line or the window.

Today: who reports, ``reporter.name`` and ``reporter.organisation``. Every report says on
page 1 that its statuses record implementation as reported or assessed by the user of this
copy, named from these settings ("the user of this copy of the tracker, Jane Doe (Ministry of
Foreign Affairs)"), and not an official UN finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.storage import user_settings as store

REPORTER_NAME = "reporter.name"
REPORTER_ORGANISATION = "reporter.organisation"
SETTINGS: dict[str, str] = {
    REPORTER_NAME: "the name of the person who reports with this copy, printed on page 1 of every report",
    REPORTER_ORGANISATION: "their organisation (ministry, agency, mission), printed beside the name",
}


@dataclass(frozen=True)
class Reporter:
    """Who reports with this copy, as far as the settings say."""

    name: str | None = None
    organisation: str | None = None

    @property
    def text(self) -> str | None:
        """``Jane Doe (Ministry of Foreign Affairs)``, or either part alone; None when unset."""
        if self.name and self.organisation:
            return f"{self.name} ({self.organisation})"
        return self.name or self.organisation


def canonical_key(key: str) -> str:
    """The setting's name as stored (``reporter.organization`` is ``reporter.organisation``)."""
    k = str(key).strip().lower().replace("organization", "organisation")
    if k not in SETTINGS:
        raise ValidationError("setting", f"{str(key)[:60]!r} is not a setting (known: {', '.join(SETTINGS)})")
    return k


def all_settings() -> dict[str, str | None]:
    """Every known setting with its value (None: not set)."""
    stored = store.read_settings()
    return {k: stored.get(k) for k in SETTINGS}


def get_setting(key: str) -> str | None:
    return store.read_settings().get(canonical_key(key))


def set_setting(key: str, value: str) -> str:
    """Store ``value`` (a single line of text without markup); returns it as stored."""
    k = canonical_key(key)
    clean = v.require_text(k, value, max_chars=v.MAX_NAME_CHARS)
    stored = store.read_settings()
    stored[k] = clean
    store.write_settings(stored)
    return clean


def unset_setting(key: str) -> None:
    k = canonical_key(key)
    stored = store.read_settings()
    if stored.pop(k, None) is not None:
        store.write_settings(stored)


def set_reporter(name: str | None, organisation: str | None) -> Reporter:
    """Store both reporter settings at once (blank: not set); nothing is stored if either is refused."""
    values = {}
    for key, value in ((REPORTER_NAME, name), (REPORTER_ORGANISATION, organisation)):
        values[key] = v.clean_text(key, value, max_chars=v.MAX_NAME_CHARS)
    stored = store.read_settings()
    for key, clean in values.items():
        if clean is None:
            stored.pop(key, None)
        else:
            stored[key] = clean
    store.write_settings(stored)
    return reporter()


def reporter() -> Reporter:
    stored = store.read_settings()
    return Reporter(stored.get(REPORTER_NAME), stored.get(REPORTER_ORGANISATION))
