"""The actor list file format (``resources/actors/states.json``): parse and validate it.

Attributes such as the UN regional group are data with an "as of" date, not code, because
group memberships change over time. An attribute value is a code, or an object
``{"value": code, "from": "YYYY-MM-DD" or null, "source": text}`` when it holds from a date a
source confirms (COPUOS membership); ``"from": null`` says the date is not confirmed, and the
value is then known as of the list's own date. An attribute declared with ``"since"`` (the date
the body was set up) did not hold for an actor before that actor's dated value. ``aliases``
are other names people search by (the short forms of official names).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import ActorFileError, ValidationError
from tcbm_tracker.domain.json_input import JsonInputError, decode_json_bytes
from tcbm_tracker.domain.vocabulary import ActorKind

FORMAT = "tcbm-tracker/actors"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class AttributeSpec:
    key: str
    label: str
    values: dict[str, str] = field(default_factory=dict)  # value -> label; empty means free text
    note: str | None = None  # what the attribute means, with its source
    since: dt.date | None = None  # before an actor's dated value, the attribute did not hold


@dataclass(frozen=True)
class ActorSpec:
    key: str
    name: str
    kind: ActorKind
    attributes: dict[str, str]
    note: str | None
    dates: dict[str, dt.date] = field(default_factory=dict)  # attribute -> the date it holds from
    sources: dict[str, str] = field(default_factory=dict)  # attribute -> where the value was checked
    aliases: tuple[str, ...] = ()

    def attribute_date(self, name: str, default: dt.date) -> dt.date:
        """The date the attribute's value holds from: its own, or the list's (not confirmed)."""
        return self.dates.get(name, default)


@dataclass(frozen=True)
class ActorListSpec:
    version: int
    as_of: dt.date
    attributes: dict[str, AttributeSpec]
    actors: tuple[ActorSpec, ...]


def load_actor_file(path: Path) -> ActorListSpec:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ActorFileError(f"cannot read actor file {path}: {exc.strerror or exc}") from None
    try:
        doc = decode_json_bytes(raw)
    except JsonInputError as exc:
        raise ActorFileError(f"{path.name}: {exc}") from None
    return parse_actor_list(doc, source=path.name)


def parse_actor_list(doc: Any, *, source: str = "actors") -> ActorListSpec:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("format_version") != FORMAT_VERSION:
        raise ActorFileError(f"{source}: not a TCBM Tracker actor list ({FORMAT} version {FORMAT_VERSION})")
    try:
        as_of = v.parse_date("as_of", doc.get("as_of", ""))
    except ValidationError as exc:
        raise ActorFileError(f"{source}: {exc.message}") from None
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 2**31 - 1:
        raise ActorFileError(f"{source}: 'version' must be a whole number of 1 or more")
    attributes: dict[str, AttributeSpec] = {}
    for akey, spec in (doc.get("attributes") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise ActorFileError(f"{source}: attribute {akey!r} needs a label")
        values = spec.get("values") or {}
        if not isinstance(values, dict) or not all(isinstance(x, str) for x in values.values()):
            raise ActorFileError(f"{source}: attribute {akey!r}: 'values' must map codes to labels")
        note = spec.get("note")
        since = spec.get("since")
        if note is not None and not isinstance(note, str):
            raise ActorFileError(f"{source}: attribute {akey!r}: 'note' must be text")
        try:
            since_date = v.parse_date(f"attribute {akey!r} since", since) if since is not None else None
        except ValidationError as exc:
            raise ActorFileError(f"{source}: {exc.message}") from None
        attributes[akey] = AttributeSpec(akey, spec["label"], dict(values), note, since_date)
    actors: list[ActorSpec] = []
    seen: set[str] = set()
    for i, a in enumerate(doc.get("actors") or []):
        where = f"{source} actor #{i + 1}"
        if not isinstance(a, dict):
            raise ActorFileError(f"{where}: must be an object")
        try:
            kind = v.parse_enum("kind", a.get("kind", ""), ActorKind)
            key = v.parse_actor_key(a.get("key", ""), state=kind is not ActorKind.ORGANIZATION)
            name = v.require_text("name", a.get("name"), max_chars=v.MAX_NAME_CHARS)
            note = v.clean_text("note", a.get("note"), max_chars=v.MAX_TITLE_CHARS)
        except ValidationError as exc:
            raise ActorFileError(f"{where}: {exc.message}") from None
        if key in seen:
            raise ActorFileError(f"{source}: actor key {key} is used twice")
        seen.add(key)
        attrs = a.get("attributes") or {}
        if not isinstance(attrs, dict):
            raise ActorFileError(f"{where} ({key}): 'attributes' must be an object")
        values_: dict[str, str] = {}
        dates: dict[str, dt.date] = {}
        sources: dict[str, str] = {}
        for akey, value in attrs.items():
            spec = attributes.get(akey)
            if spec is None:
                raise ActorFileError(f"{where} ({key}): attribute {akey!r} is not declared")
            if isinstance(value, dict):
                unknown = set(value) - {"value", "from", "source"}
                if unknown or not isinstance(value.get("source"), str) or not value["source"].strip():
                    raise ActorFileError(f"{where} ({key}): a dated value of {akey!r} needs 'value', 'from' and a 'source'")
                if value.get("from") is not None:
                    try:
                        dates[akey] = v.parse_date(f"{akey} from", value["from"])
                    except ValidationError as exc:
                        raise ActorFileError(f"{where} ({key}): {exc.message}") from None
                sources[akey] = value["source"]
                value = value.get("value")
            if not isinstance(value, str) or (spec.values and value not in spec.values):
                raise ActorFileError(f"{where} ({key}): {value!r} is not a value of {akey!r}")
            values_[akey] = value
        aliases = a.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(x, str) and x.strip() and ";" not in x for x in aliases):
            raise ActorFileError(f"{where} ({key}): 'aliases' must be a list of names (without ';')")
        if aliases and "aliases" not in attributes:
            raise ActorFileError(f"{where} ({key}): attribute 'aliases' is not declared")
        actors.append(ActorSpec(key, name, kind, values_, note, dates, sources, tuple(aliases)))
    if not actors:
        raise ActorFileError(f"{source}: no actors")
    return ActorListSpec(version=version, as_of=as_of, attributes=attributes, actors=tuple(actors))
