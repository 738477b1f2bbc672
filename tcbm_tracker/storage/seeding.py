"""Loading catalogues and actor lists into a database, idempotently and without losing history.

A catalogue is upgraded in place when a newer version is loaded: changed measures are updated,
new ones added, and ones the new version drops are retired (kept, with their assessments).
Every row written is recorded in the change log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlmodel import Session, select

from tcbm_tracker.domain.actor_format import ActorListSpec
from tcbm_tracker.domain.catalog_format import CatalogSpec, MeasureSpec
from tcbm_tracker.domain.errors import CatalogError
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.recording_time import recording_now
from tcbm_tracker.storage.tables import (
    ActorAttributeRow,
    ActorRow,
    AttributeDefRow,
    CatalogRow,
    MeasureGroupRow,
    MeasureRow,
)


@dataclass
class CatalogLoadResult:
    key: str
    action: str  # "added", "upgraded", "unchanged"
    old_version: int | None
    new_version: int
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def _measure_values(m: MeasureSpec) -> dict[str, object]:
    """The stored columns of a measure, as a catalogue file describes them."""
    return {
        "group_key": m.group,
        "heading": m.heading,
        "title": m.title,
        "description": m.description,
        "source_document": m.source_document,
        "pinpoint": m.pinpoint,
        "pinpoint_confirmed": m.pinpoint_confirmed,
        # Where a confirmed pinpoint was checked is printed with it (no column of its own).
        "pinpoint_note": "; ".join(filter(None, [m.pinpoint_note, m.pinpoint_source and f"Confirmed against {m.pinpoint_source}"])) or None,
        "agreed": m.agreed,
        "sort_order": m.sort_order,
        "retired": False,
    }


def _same_content(session: Session, row: CatalogRow, spec: CatalogSpec) -> bool:
    """Whether the loaded catalogue already says exactly what ``spec`` says."""
    header = (row.title, row.short_title, row.source_document, row.adopted, row.description)
    if header != (spec.title, spec.short_title, spec.source_document, spec.adopted, spec.description):
        return False
    groups = session.exec(select(MeasureGroupRow).where(MeasureGroupRow.catalog_key == spec.key)).all()
    if {(g.key, g.title, g.sort_order) for g in groups} != {(g.key, g.title, i) for i, g in enumerate(spec.groups)}:
        return False
    stored = {m.key: m for m in session.exec(select(MeasureRow).where(MeasureRow.catalog_key == spec.key))}
    if set(stored) != {m.key for m in spec.measures}:
        return False
    return all(
        getattr(stored[m.key], column) == value for m in spec.measures for column, value in _measure_values(m).items()
    )


def load_catalog(session: Session, spec: CatalogSpec, *, builtin: bool, user: str | None = None) -> CatalogLoadResult:
    existing = session.get(CatalogRow, spec.key)
    if existing is not None:
        if spec.version == existing.version:
            if _same_content(session, existing, spec):
                return CatalogLoadResult(spec.key, "unchanged", existing.version, spec.version)
            raise CatalogError(
                f"catalogue {spec.key} version {spec.version} is already loaded with different content; "
                "give the changed file a higher version to upgrade it; nothing was changed"
            )
        if spec.version < existing.version:
            raise CatalogError(
                f"catalogue {spec.key} version {spec.version} is older than the loaded version {existing.version}; nothing was changed"
            )
    # A measure key names one measure everywhere: refuse one owned by another catalogue.
    keys = [m.key for m in spec.measures]
    clash = session.exec(select(MeasureRow).where(MeasureRow.key.in_(keys), MeasureRow.catalog_key != spec.key)).first()  # type: ignore[attr-defined]
    if clash is not None:
        raise CatalogError(
            f"catalogue {spec.key}: measure key {clash.key} already belongs to catalogue {clash.catalog_key}; nothing was changed"
        )

    now = recording_now(session)
    result = CatalogLoadResult(
        spec.key, "added" if existing is None else "upgraded", existing.version if existing else None, spec.version
    )
    cat = existing or CatalogRow(key=spec.key, version=spec.version, title="", short_title="", source_document="", loaded_at=now)
    cat.version, cat.title, cat.short_title = spec.version, spec.title, spec.short_title
    cat.source_document, cat.adopted, cat.description = spec.source_document, spec.adopted, spec.description
    cat.builtin, cat.loaded_at = builtin, now
    session.add(cat)
    session.flush()
    changelog.record(session, "catalog", spec.key, result.action, user)

    for order, g in enumerate(spec.groups):
        grow = session.get(MeasureGroupRow, (spec.key, g.key))
        if grow is None:
            session.add(MeasureGroupRow(catalog_key=spec.key, key=g.key, title=g.title, sort_order=order))
            action = "added"
        elif (grow.title, grow.sort_order) != (g.title, order):
            grow.title, grow.sort_order = g.title, order
            session.add(grow)
            action = "updated"
        else:
            continue
        session.flush()
        changelog.record(session, "measure_group", f"{spec.key}/{g.key}", action, user)

    old = {m.key: m for m in session.exec(select(MeasureRow).where(MeasureRow.catalog_key == spec.key))}
    for m in spec.measures:
        values = _measure_values(m)
        row = old.pop(m.key, None)
        if row is None:
            session.add(MeasureRow.model_validate({"key": m.key, "catalog_key": spec.key, **values}))
            result.added.append(m.key)
            action = "added"
        elif any(getattr(row, k) != val for k, val in values.items()):
            for k, val in values.items():
                setattr(row, k, val)
            session.add(row)
            result.updated.append(m.key)
            action = "updated"
        else:
            continue
        session.flush()
        changelog.record(session, "measure", m.key, action, user)
    for row in old.values():
        if not row.retired:
            row.retired = True
            session.add(row)
            session.flush()
            result.retired.append(row.key)
            changelog.record(session, "measure", row.key, "retired", user)
    return result


@dataclass
class ActorLoadResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    attributes_changed: int = 0


def load_actor_list(session: Session, spec: ActorListSpec, *, user: str | None = None) -> ActorLoadResult:
    result = ActorLoadResult()
    for akey, aspec in spec.attributes.items():
        values_json = json.dumps(aspec.values, sort_keys=True, ensure_ascii=False)
        definition = session.get(AttributeDefRow, akey)
        if definition is None or (definition.label, definition.values_json) != (aspec.label, values_json):
            action = "added" if definition is None else "updated"
            definition = definition or AttributeDefRow(key=akey, label=aspec.label)
            definition.label, definition.values_json = aspec.label, values_json
            session.add(definition)
            session.flush()
            changelog.record(session, "attribute_def", akey, action, user)
    now = recording_now(session)
    for a in spec.actors:
        row = session.get(ActorRow, a.key)
        if row is None:
            session.add(ActorRow(key=a.key, name=a.name, kind=a.kind.value, note=a.note, builtin=True, created_at=now))
            session.flush()
            changelog.record(session, "actor", a.key, "added", user)
            result.added.append(a.key)
        elif row.builtin and (row.name, row.kind, row.note) != (a.name, a.kind.value, a.note):
            # A newer shipped list renames a state (Türkiye, Czechia...): follow it, in the log.
            row.name, row.kind, row.note = a.name, a.kind.value, a.note
            session.add(row)
            session.flush()
            changelog.record(session, "actor", a.key, "updated", user)
            result.updated.append(a.key)
        values = dict(a.attributes)
        if a.aliases:  # searched like the name; stored as one attribute, "; " between names
            values["aliases"] = "; ".join(a.aliases)
        for name, value in values.items():
            latest = session.exec(
                select(ActorAttributeRow)
                .where(ActorAttributeRow.actor_key == a.key, ActorAttributeRow.name == name)
                .order_by(ActorAttributeRow.as_of.desc())  # type: ignore[attr-defined]
            ).first()
            when = a.attribute_date(name, spec.as_of).isoformat()
            if latest is not None and (latest.value == value or latest.as_of >= when):
                continue  # already known, or a later user-entered value stands
            since = spec.attributes[name].since if name in spec.attributes else None
            if latest is None and name in a.dates and since is not None:
                # A dated membership of a body set up on ``since``: not a member before the date
                # (recorded the day before the body existed, so the earliest value, which is taken
                # to hold before any record, is "none").
                _add_attribute(session, a.key, name, None, (since - dt.timedelta(days=1)).isoformat(), user)
                result.attributes_changed += 1
            _add_attribute(session, a.key, name, value, when, user)
            result.attributes_changed += 1
    return result


def _add_attribute(session: Session, actor: str, name: str, value: str | None, as_of: str, user: str | None) -> None:
    attr = ActorAttributeRow(actor_key=actor, name=name, value=value, as_of=as_of)
    session.add(attr)
    session.flush()
    changelog.record(session, "actor_attribute", str(attr.id), "added", user)
