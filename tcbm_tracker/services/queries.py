"""Read-side use-cases: the matrix (current or as of a date), dossiers, measure views, coverage.

"As of" has two axes. ``as_of`` is the date on which a status was in force (effective date);
``known_at`` optionally limits the record to what had been recorded by an instant, so that the
picture shown at a past meeting can be rebuilt exactly, later corrections excluded.

The measures, the catalogues' adoption dates and the actors are kept between reads for as long
as the change log's head stands (``services.reference_cache``): a dossier is then one statement.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.clock import end_of_day_iso
from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services import figures, mapping
from tcbm_tracker.services.dto import (
    REGION_ATTRIBUTE,
    ActorInfo,
    CellState,
    Coverage,
    Dossier,
    DossierEntry,
    Matrix,
    MeasureInfo,
    MeasureOverview,
    MeasureOverviewEntry,
)
from tcbm_tracker.services.reference_cache import ReferenceCache
from tcbm_tracker.storage import changelog
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.sql import text

# Each cell's latest id in a derived table, then its row by id. The derived table's ORDER BY keeps
# PostgreSQL from merging it into the join: merged, the planner hashed the whole history and ran
# the look-up twice per cell (1.3 to 2 s instead of 0.2 to 0.4 s at 1,000,000 rows). SQLite merges
# it anyway and keeps its plan: one index seek per cell, one row fetched by id.
CELL_SQL = (
    "SELECT c.actor_key, c.measure_key, a.id, a.status, a.provenance, a.confidence, a.effective_date, a.recorded_at "
    "FROM (SELECT x.key AS actor_key, m.key AS measure_key, m.catalog_key AS catalog_key, ("
    + mapping.LATEST_ID_SQL.format(actor="x.key", measure="m.key") + ") AS latest_id "
    "FROM actor x CROSS JOIN measure m ORDER BY x.key, m.key) c "
    "JOIN assessment a ON a.id = c.latest_id "
    "WHERE 1 = 1"  # filters are appended; cells are also kept only for the chosen measures and actors
)

# The same look-up on PostgreSQL, as a LATERAL join (SQLite has none) that returns the cell's
# columns itself: the cell index carries them (schema 0007), so each cell is one index-only
# look-up instead of a look-up and then a second descent, by id, to fetch the row (at 1,000,000
# rows, a matrix's statement took about 25% less time). The look-up's text is the one above.
CELL_SQL_LATERAL = (
    "SELECT c.actor_key, c.measure_key, a.id, a.status, a.provenance, a.confidence, a.effective_date, a.recorded_at "
    "FROM (SELECT x.key AS actor_key, m.key AS measure_key, m.catalog_key AS catalog_key "
    "FROM actor x CROSS JOIN measure m) c "
    "CROSS JOIN LATERAL (SELECT b.id, b.status, b.provenance, b.confidence, b.effective_date, b.recorded_at "
    + mapping.LATEST_FROM_SQL.format(actor="c.actor_key", measure="c.measure_key") + ") a "
    "WHERE 1 = 1"
)


def cell_sql(dialect: str) -> str:
    """The matrix's statement for an engine (``Database.dialect``): one look-up, two join shapes."""
    return CELL_SQL_LATERAL if dialect == "postgresql" else CELL_SQL


coverage = figures.coverage_of  # the one rule: services.figures


def coverage_by(matrix: Matrix, key: Callable[[ActorInfo, MeasureInfo], str | None]) -> list[Coverage]:
    """Coverage of the matrix's cells grouped by ``key(actor, measure)`` (None: left out)."""
    groups: dict[str, list[Status]] = {}
    for actor in matrix.actors:
        for measure in matrix.measures:
            label = key(actor, measure)
            if label is not None:
                groups.setdefault(label, []).append(matrix.status(actor.key, measure.key))
    return [coverage(label, statuses) for label, statuses in groups.items()]


class QueryService:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Measures, adoption dates and actors, kept while the change log has not moved.
        self._kept = ReferenceCache()

    @staticmethod
    def _window(as_of: dt.date | str | None, known_at: dt.date | str | None) -> tuple[dt.date, str, str | None]:
        day = v.parse_date("as of", as_of) if as_of is not None else dt.date.today()
        known = end_of_day_iso(v.parse_date("known at", known_at)) if known_at is not None else None
        return day, known or mapping.FAR_FUTURE, known

    @staticmethod
    def _scope(day: dt.date, known: str | None) -> mapping.Scope:
        """Which measures and actors belong to a past picture (see ``mapping.Scope``)."""
        past = known is not None or day < dt.date.today()
        return mapping.Scope(in_force_until=min(known or mapping.FAR_FUTURE, end_of_day_iso(day)) if past else None,
                             known_at=known)

    def matrix(
        self,
        *,
        catalog: str | None = None,
        group: str | None = None,
        region: str | None = None,
        statuses: Sequence[Status | str] | None = None,
        as_of: dt.date | str | None = None,
        known_at: dt.date | str | None = None,
    ) -> Matrix:
        day, known_sql, known = self._window(as_of, known_at)
        scope = self._scope(day, known)
        wanted_statuses = {v.parse_enum("status", s, Status) for s in statuses} if statuses else None
        with self.db.read(transaction=False) as s:
            head = changelog.head(s)[1]
            measures, not_yet = self._measures_on(s, head, catalog, group, scope, day)
            actors = self._actors(s, head, day, scope.known_at)
            if region is not None:
                wanted = self._region(s, region)
                actors = [a for a in actors if a.region == wanted or (wanted == "NONE" and a.region is None)]
            sql = cell_sql(self.db.dialect)
            params: dict[str, Any] = {"as_of": day.isoformat(), "known_at": known_sql}
            if catalog is not None:
                sql += " AND c.catalog_key = :cat"
                params["cat"] = measures[0].catalog_key if measures else catalog
            cells: dict[tuple[str, str], CellState] = {}
            measure_keys = {m.key for m in measures}
            actor_keys = {a.key for a in actors}
            for ak, mk, aid, st, prov, conf, eff, rec in s.exec(text(sql).bindparams(**params)).all():  # type: ignore[call-overload]
                if mk in measure_keys and ak in actor_keys:
                    cells[(ak, mk)] = CellState(
                        aid,
                        mapping.STATUS_BY_VALUE[st],
                        mapping.PROVENANCE_BY_VALUE[prov],
                        mapping.CONFIDENCE_BY_VALUE[conf],
                        dt.date.fromisoformat(eff),
                        rec,
                    )
        if wanted_statuses is not None:
            actors = [
                a
                for a in actors
                if any(
                    (cells[(a.key, m.key)].status if (a.key, m.key) in cells else Status.NOT_ASSESSED) in wanted_statuses
                    for m in measures
                )
            ]
        return Matrix(day, known, tuple(actors), tuple(measures), cells, not_yet)

    @staticmethod
    def _region(s: Any, region: str) -> str:
        """A regional group code in any case, or NONE (actors without one); an unknown code is refused,
        not answered with an empty matrix."""
        wanted = region.strip().upper()
        row = s.exec(text("SELECT values_json FROM attribute_def WHERE key = :k").bindparams(k=REGION_ATTRIBUTE)).first()
        known = sorted(json.loads(row[0])) if row else []
        if wanted != "NONE" and wanted not in known:
            raise ValidationError("region", f"unknown regional group {region!r}; use one of: {', '.join([*known, 'none'])}")
        return wanted

    def _all_measures(self, s: Any, head: str) -> list[MeasureInfo]:
        """Every measure, retired ones too, in catalogue order."""
        return self._kept.get(head, "measures", lambda: [
            mapping.measure_from_row(r) for r in s.exec(text(mapping.MEASURE_SQL + mapping.MEASURE_ORDER))])

    def _adoption(self, s: Any, head: str) -> mapping.Adoption:
        return self._kept.get(head, "adoption", lambda: mapping.adoption(s))

    def _actors(self, s: Any, head: str, day: dt.date, known_at: str | None,
                keys: tuple[str, ...] | None = None) -> list[ActorInfo]:
        """The actors (all, or those of ``keys``) as of ``day``; those added after ``known_at``
        left out (see ``mapping.in_scope``)."""
        scope = mapping.Scope(in_force_until=None, known_at=known_at)
        return self._kept.get(head, ("actors", day, known_at, keys),
                              lambda: mapping.in_scope(s, mapping.actors(s, day, keys), scope))

    def _measures_on(self, s: Any, head: str, catalog: str | None, group: str | None, scope: mapping.Scope,
                     day: dt.date) -> tuple[list[MeasureInfo], dict[str, str]]:
        """The measures in force on ``day``, and the catalogues asked for that were not yet adopted then.

        A measure added by a later catalogue version counts only from that version's adoption
        date; a catalogue counts only from its first adoption ("not yet adopted" before it).
        """
        adopt = self._adoption(s, head)
        measures = self._measures(s, head, catalog, group, scope, adopt.catalog_keys)
        when = day.isoformat()
        wanted = [v.parse_catalog_key(catalog)] if catalog is not None else list(adopt.catalog_keys)
        if group is not None:
            wanted = sorted({m.catalog_key for m in measures})
        return [m for m in measures if adopt.measure_in_force(m.key, when)], adopt.not_yet_adopted(wanted, when)

    def _measures(self, s: Any, head: str, catalog: str | None, group: str | None, scope: mapping.Scope,
                  catalog_keys: Sequence[str]) -> list[MeasureInfo]:
        cat = v.parse_catalog_key(catalog) if catalog is not None else None
        if cat is not None and cat not in catalog_keys:
            raise NotFoundError(f"unknown catalogue {catalog!r}")

        def load() -> list[MeasureInfo]:
            chosen = [m for m in self._all_measures(s, head)
                      if (scope.in_force_until is not None or not m.retired) and (cat is None or m.catalog_key == cat)]
            return mapping.measures_in_scope(s, chosen, scope)

        measures = self._kept.get(head, ("measures in scope", cat, scope), load)
        if group is not None:
            # "B" or "LTS2019/B": a group key alone is enough when it is unambiguous.
            cat, _, gkey = group.rpartition("/")
            measures = [m for m in measures if m.group_key.upper() == gkey.upper() and (not cat or m.catalog_key == cat.upper())]
            if not measures:
                raise NotFoundError(f"unknown group {group!r}")
            owners = sorted({m.catalog_key for m in measures})
            if len(owners) > 1:
                choices = ", ".join(f"{c}/{gkey.upper()}" for c in owners)
                raise ValidationError("group", f"{group!r} is a group of several catalogues; name one: {choices}")
        return measures

    @staticmethod
    def _full_assessments(s: Any, source: str, params: dict[str, Any]) -> tuple[dict[int, Any], dict[int, Any], str]:
        """The assessments of ``source`` (a FROM clause, assessments aliased ``a``) with the evidence
        they cite, and the head of the change log, in one statement (``mapping.WITH_EVIDENCE_JOIN``).
        Only when there is no assessment does the head take a statement of its own."""
        sql = (f"SELECT {mapping.WITH_EVIDENCE_COLUMNS}, {changelog.HEAD_HASH_SQL} "
               f"FROM {source}{mapping.WITH_EVIDENCE_JOIN}")
        rows = s.exec(text(sql).bindparams(**params)).all()
        head = changelog.head_hash(rows[0][-1]) if rows else changelog.head(s)[1]
        return (*mapping.assessments_with_evidence(rows), head)

    def dossier(
        self, actor: str, *, catalog: str | None = None, as_of: dt.date | str | None = None, known_at: dt.date | str | None = None
    ) -> Dossier:
        """One actor's record across all measures, with evidence and coverage."""
        day, known_sql, known = self._window(as_of, known_at)
        key = str(actor).strip().upper()
        with self.db.read(transaction=False) as s:
            # The assessments first: their statement tells where the log stands, and what is kept
            # of the actor and the measures serves if it has not moved (the usual case: one statement).
            sql = "measure m JOIN assessment a ON a.id = (" + mapping.LATEST_ID_SQL.format(actor=":actor", measure="m.key") + ")"
            infos, evidence, head = self._full_assessments(
                s, sql, {"actor": key, "as_of": day.isoformat(), "known_at": known_sql})
            found = self._actors(s, head, day, None, (key,))
            if not found:
                raise NotFoundError(f"unknown actor {actor!r}")
            info = found[0]
            measures, not_yet = self._measures_on(s, head, catalog, None, self._scope(day, known), day)
        by_measure = {a.measure_key: a for a in infos.values()}
        entries = tuple(
            DossierEntry(
                m,
                by_measure.get(m.key),
                tuple(evidence[e] for e in by_measure[m.key].evidence_ids) if m.key in by_measure else (),
            )
            for m in measures
        )
        by_cat: dict[str, list[Status]] = {}
        by_group: dict[str, list[Status]] = {}
        for e in entries:
            by_cat.setdefault(e.measure.catalog_key, []).append(e.status)
            by_group.setdefault(f"{e.measure.catalog_key} {e.measure.group_key}. {e.measure.group_title}", []).append(e.status)
        return Dossier(
            actor=info,
            as_of=day,
            entries=entries,
            coverage_by_catalog=tuple(coverage(k, v_) for k, v_ in by_cat.items()),
            coverage_by_group=tuple(coverage(k, v_) for k, v_ in by_group.items()),
            not_yet_adopted=not_yet,
        )

    def measure_overview(
        self, measure: str, *, as_of: dt.date | str | None = None, known_at: dt.date | str | None = None
    ) -> MeasureOverview:
        """One measure across all actors."""
        day, known_sql, known = self._window(as_of, known_at)
        key = v.parse_measure_key(measure)
        with self.db.read(transaction=False) as s:
            sql = "actor x JOIN assessment a ON a.id = (" + mapping.LATEST_ID_SQL.format(actor="x.key", measure=":measure") + ")"
            infos, evidence, head = self._full_assessments(
                s, sql, {"measure": key, "as_of": day.isoformat(), "known_at": known_sql})
            info = next((m for m in self._all_measures(s, head) if m.key == key), None)
            if info is None:
                raise NotFoundError(f"unknown measure {measure!r}")
            actors = self._actors(s, head, day, known)
            adopt = self._adoption(s, head)
        since = adopt.measure_since.get(key) or adopt.catalog_first.get(info.catalog_key)
        not_yet = since if since and since > day.isoformat() else None
        by_actor = {a.actor_key: a for a in infos.values()}
        entries = tuple(
            MeasureOverviewEntry(
                a, by_actor.get(a.key), tuple(evidence[e] for e in by_actor[a.key].evidence_ids) if a.key in by_actor else ()
            )
            for a in actors
        )
        return MeasureOverview(info, day, entries, coverage(info.key, (e.status for e in entries)), not_yet)

    def coverage(
        self,
        *,
        by: str = "catalog",
        catalog: str | None = None,
        as_of: dt.date | str | None = None,
        known_at: dt.date | str | None = None,
    ) -> list[Coverage]:
        """Coverage statistics grouped ``by`` catalog, group, region, actor or measure.

        ``region``: member states per UN regional group, then observer states and organizations
        in rows of their own (``figures.peer_groups``).
        """
        keys: dict[str, Callable[[ActorInfo, MeasureInfo], str | None]] = {
            "catalog": lambda a, me: me.catalog_key,
            "group": lambda a, me: f"{me.catalog_key} {me.group_key}. {me.group_title}",
            "actor": lambda a, me: a.key,
            "measure": lambda a, me: me.key,
        }
        if by not in (*keys, "region"):
            raise ValidationError("by", f"{by!r}; use one of: {', '.join((*keys, 'region'))}")
        m = self.matrix(catalog=catalog, as_of=as_of, known_at=known_at)
        if by == "region":
            return [c for _, c in figures.peer_coverage(
                m.actors, lambda a: (m.status(a.key, x.key) for x in m.measures))]
        return coverage_by(m, keys[by])

    def last_recorded(self, actor: str, *, known_at: dt.date | str | None = None) -> str | None:
        """When the actor's record was last reviewed: the instant of its most recent assessment (UTC ISO)."""
        _, known_sql, _ = self._window(None, known_at)
        with self.db.read(transaction=False) as s:
            row = s.exec(text(  # type: ignore[call-overload]
                "SELECT max(recorded_at) FROM assessment WHERE actor_key = :a AND recorded_at <= :k"
            ).bindparams(a=str(actor).strip().upper(), k=known_sql)).first()
        return row[0] if row and row[0] else None

    def fingerprint(self) -> str:
        """The head of the change log: identifies the data a report or export was made from."""
        with self.db.read(transaction=False) as s:
            return changelog.head(s)[1]
