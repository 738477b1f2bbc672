"""Reference data: catalogues, measures and actors (listing, looking up, adding)."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import ActorKind
from tcbm_tracker.services import mapping
from tcbm_tracker.services.dto import ActorInfo, CatalogInfo, MeasureInfo
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.sql import text

if TYPE_CHECKING:
    from tcbm_tracker.storage.seeding import CatalogLoadResult


def _did_you_mean(value: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(value, candidates, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


class ReferenceService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user

    # --- catalogues and measures -------------------------------------------------------
    def catalogs(self) -> list[CatalogInfo]:
        with self.db.read() as s:
            rows = s.exec(
                text(  # type: ignore[call-overload]
                    "SELECT key, version, title, short_title, source_document, adopted, description, builtin FROM catalog ORDER BY key"
                )
            )
            return [CatalogInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in rows]

    def catalog(self, key: str) -> CatalogInfo:
        k = v.parse_catalog_key(key)
        for c in self.catalogs():
            if c.key == k:
                return c
        raise NotFoundError(f"unknown catalogue {key!r}{_did_you_mean(k, [c.key for c in self.catalogs()])}")

    def measures(self, catalog: str | None = None, *, include_retired: bool = False) -> list[MeasureInfo]:
        sql = mapping.MEASURE_SQL
        params = {}
        clauses = []
        if catalog is not None:
            params["cat"] = self.catalog(catalog).key
            clauses.append("m.catalog_key = :cat")
        if not include_retired:
            clauses.append("NOT m.retired")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self.db.read() as s:
            return [mapping.measure_from_row(r) for r in s.exec(text(sql + mapping.MEASURE_ORDER).bindparams(**params))]  # type: ignore[call-overload]

    def measure(self, key: str) -> MeasureInfo:
        k = v.parse_measure_key(key)
        with self.db.read() as s:
            row = s.exec(text(mapping.MEASURE_SQL + " WHERE m.key = :k").bindparams(k=k)).first()  # type: ignore[call-overload]
        if row is None:
            keys = [m.key for m in self.measures(include_retired=True)]
            raise NotFoundError(f"unknown measure {key!r}{_did_you_mean(k, keys)}")
        return mapping.measure_from_row(row)

    def load_catalog_file(self, path: Path) -> CatalogLoadResult:
        """Add a user catalogue, or upgrade one to a newer version; all or nothing."""
        # Seeding and the table classes are only needed to write: imported here, not at start-up.
        from tcbm_tracker.domain.catalog_format import load_catalog_file
        from tcbm_tracker.storage.seeding import load_catalog

        spec = load_catalog_file(Path(path))
        with self.db.write() as s:
            return load_catalog(s, spec, builtin=False, user=self.user)

    # --- actors --------------------------------------------------------------------------
    def actors(self, as_of: dt.date | None = None) -> list[ActorInfo]:
        with self.db.read() as s:
            return mapping.actors(s, as_of or dt.date.today())

    def actor(self, key: str, as_of: dt.date | None = None) -> ActorInfo:
        k = str(key).strip().upper()
        with self.db.read() as s:
            found = mapping.actors(s, as_of or dt.date.today(), [k])
            if found:
                return found[0]
            names = {r[0]: r[1] for r in s.exec(text("SELECT key, name FROM actor"))}  # type: ignore[call-overload]
        by_name = [key_ for key_, name in names.items() if name.casefold() == str(key).strip().casefold()]
        hint = f" (did you mean {by_name[0]}?)" if by_name else _did_you_mean(k, list(names))
        raise NotFoundError(f"unknown actor {key!r}{hint}")

    def add_organization(self, key: str, name: str, note: str | None = None) -> ActorInfo:
        """Add an intergovernmental organization (ESA, EUMETSAT...) as an actor."""
        # Table classes cost tens of ms to build: imported on the first write, not at start-up.
        from tcbm_tracker.storage.tables import ActorRow

        k = v.parse_actor_key(key)
        clean_name = v.require_text("name", name, max_chars=v.MAX_NAME_CHARS)
        clean_note = v.clean_text("note", note, max_chars=v.MAX_TITLE_CHARS)
        with self.db.write() as s:
            if s.get(ActorRow, k) is not None:
                raise ValidationError("actor", f"{k} already exists")
            s.add(
                ActorRow(
                    key=k,
                    name=clean_name,
                    kind=ActorKind.ORGANIZATION.value,
                    note=clean_note,
                    builtin=False,
                    created_at=self.db.now(s),
                )
            )
            s.flush()
            changelog.record(s, "actor", k, "added", self.user)
        return self.actor(k)

    def set_attribute(self, actor_key: str, name: str, value: str | None, as_of: dt.date | str) -> None:
        """Record that an actor's attribute (e.g. its regional group) holds ``value`` from a date."""
        # Table classes cost tens of ms to build: imported on the first write, not at start-up.
        from tcbm_tracker.storage.tables import ActorAttributeRow, AttributeDefRow

        actor = self.actor(actor_key)
        day = v.parse_date("as of", as_of)
        with self.db.write() as s:
            spec = s.get(AttributeDefRow, name)
            if spec is None:
                raise ValidationError("attribute", f"unknown attribute {name!r}")
            allowed = json.loads(spec.values_json)
            if value is not None and allowed and value not in allowed:
                raise ValidationError(name, f"{value!r} is not one of: {', '.join(sorted(allowed))}")
            if value is not None and not allowed:
                value = v.require_text(name, value, max_chars=v.MAX_NAME_CHARS)
            row = s.exec(
                text("SELECT id FROM actor_attribute WHERE actor_key=:a AND name=:n AND as_of=:d").bindparams(  # type: ignore[call-overload]
                    a=actor.key, n=name, d=day.isoformat()
                )
            ).first()
            if row is not None:
                raise ValidationError("as of", f"{actor.key} already has a {name} value recorded as of {day.isoformat()}")
            attr = ActorAttributeRow(actor_key=actor.key, name=name, value=value, as_of=day.isoformat())
            s.add(attr)
            s.flush()
            changelog.record(s, "actor_attribute", str(attr.id), "added", self.user)

    def attribute_definitions(self) -> dict[str, tuple[str, dict[str, str]]]:
        """Every declared attribute: name -> (label, value -> label)."""
        with self.db.read() as s:
            rows = s.exec(text("SELECT key, label, values_json FROM attribute_def"))  # type: ignore[call-overload]
            return {key: (label, dict(json.loads(values or "{}"))) for key, label, values in rows}

    def find_actors(self, query: str, as_of: dt.date | None = None) -> list[ActorInfo]:
        """Actors whose key, name or an alias (e.g. "United States" for the United States of
        America) contains ``query``, case and accents ignored."""
        from tcbm_tracker.services.mapping import sort_key

        q = sort_key(query.strip())
        found = []
        for a in self.actors(as_of):
            names = [a.key, a.name, *a.attributes.get("aliases", "").split("; ")]
            if any(q in sort_key(n) for n in names if n):
                found.append(a)
        return found

    def attribute_labels(self, name: str) -> dict[str, str]:
        # Plain SQL, like the rest of the read side: the window asks for this at start-up, and
        # the ORM table classes cost ~50 ms to load.
        with self.db.read() as s:
            row = s.exec(text("SELECT values_json FROM attribute_def WHERE key = :k").bindparams(k=name)).first()  # type: ignore[call-overload]
            return dict(json.loads(row[0])) if row else {}
