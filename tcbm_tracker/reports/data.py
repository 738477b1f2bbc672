"""Filling report-data objects from a ``Tracker`` (through its services; never SQL here).

Each collector reads the change-log head before and after gathering, and gathers again if a
write slipped in between, so the fingerprint printed on every page is the one the data
actually came from.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import TrackerError, ValidationError
from tcbm_tracker.domain.local_time import local_day
from tcbm_tracker.reports.model import (
    ActorSummaryData,
    ChangesReportData,
    ChangeStanding,
    MatrixReportData,
    MeasureReportData,
    ReportContext,
)
from tcbm_tracker.services.dto import REGION_ATTRIBUTE, AssessmentInfo, Change, Dossier
from tcbm_tracker.services.figures import status_changes
from tcbm_tracker.services.tracker import Tracker, is_server
from tcbm_tracker.services.user_settings import reporter

T = TypeVar("T")
_ATTEMPTS = 3


class DataChangingError(TrackerError):
    """The database kept changing while a report was being prepared."""


def _author(tracker: Tracker) -> str:
    if tracker.user:
        return tracker.user
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers: still say something honest
        return "unknown"


@dataclass(frozen=True)
class Sealed:
    """The fingerprint the data came from and the seal vouching for it (None: a read-only file,
    or a server login that may only read: ``read_only_login``)."""

    fingerprint: str
    seal: str | None
    read_only_login: bool = False


def _consistent(tracker: Tracker, collect: Callable[[], T]) -> tuple[Sealed, T]:
    """``collect()`` with the fingerprint it was taken under, sealed (retried if a write interleaves).

    Every report is sealed: the seal's short id is printed on each page, and ``verify`` then
    detects any rewrite of the history the report was made from.
    """
    for _ in range(_ATTEMPTS):
        before = tracker.queries.fingerprint()
        result = collect()
        unchanged, seal = tracker.integrity.seal_report(before)
        if unchanged:
            return Sealed(before, seal.short_id if seal else None, is_server(tracker) and not tracker.db.can_write), result
    raise DataChangingError("the database kept changing while the report was being prepared; try again")


def _context(
    tracker: Tracker,
    sealed: Sealed,
    catalog_keys: Iterable[str],
    *,
    as_of: dt.date | None,
    known_at: dt.date | str | None,
    now: dt.datetime | None,
) -> ReportContext:
    wanted = set(catalog_keys)
    known = v.parse_date("known at", known_at).isoformat() if known_at is not None else None
    return ReportContext(
        generated_at=now or dt.datetime.now(dt.UTC),
        fingerprint=sealed.fingerprint,
        seal=sealed.seal,
        read_only_login=sealed.read_only_login,
        catalogs=tuple(c for c in tracker.reference.catalogs() if c.key in wanted),
        author=_author(tracker),
        as_of=as_of,
        known_at=known,
        region_labels=tracker.reference.attribute_labels(REGION_ATTRIBUTE),
        attribute_defs=tracker.reference.attribute_definitions(),
        reporter=reporter().text,
    )


def actor_summary_data(
    tracker: Tracker,
    actor: str,
    *,
    as_of: dt.date | str | None = None,
    known_at: dt.date | str | None = None,
    catalog: str | None = None,
    since: dt.date | str | None = None,
    now: dt.datetime | None = None,
) -> ActorSummaryData:
    """``since``: start of the "what changed" list on page 1 (default: 12 months before the as-of date)."""
    start = v.parse_date("since", since) if since is not None else None

    def gather() -> tuple[Dossier, Dossier, str | None]:
        now_d = tracker.queries.dossier(actor, catalog=catalog, as_of=as_of, known_at=known_at)
        first = start or year_before(now_d.as_of)
        if first > now_d.as_of:
            raise ValidationError("since", f"{first.isoformat()} is after the as-of date {now_d.as_of.isoformat()}")
        then = tracker.queries.dossier(actor, catalog=catalog, as_of=first, known_at=known_at)
        return now_d, then, tracker.queries.last_recorded(actor, known_at=known_at)

    fp, (dossier, before, reviewed) = _consistent(tracker, gather)
    cats = {e.measure.catalog_key for e in dossier.entries} or ({v.parse_catalog_key(catalog)} if catalog else set())
    changes = status_changes({e.measure.key: e.status for e in before.entries},
                             {e.measure.key: e.status for e in dossier.entries})
    return ActorSummaryData(_context(tracker, fp, cats, as_of=dossier.as_of, known_at=known_at, now=now), dossier,
                            since=before.as_of, changes=tuple(changes), last_reviewed=reviewed)


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def measure_report_data(
    tracker: Tracker,
    measure: str,
    *,
    as_of: dt.date | str | None = None,
    known_at: dt.date | str | None = None,
    now: dt.datetime | None = None,
) -> MeasureReportData:
    fp, overview = _consistent(tracker, lambda: tracker.queries.measure_overview(measure, as_of=as_of, known_at=known_at))
    ctx = _context(tracker, fp, [overview.measure.catalog_key], as_of=overview.as_of, known_at=known_at, now=now)
    return MeasureReportData(ctx, overview)


def matrix_report_data(
    tracker: Tracker,
    *,
    catalog: str | None = None,
    group: str | None = None,
    region: str | None = None,
    as_of: dt.date | str | None = None,
    known_at: dt.date | str | None = None,
    now: dt.datetime | None = None,
) -> MatrixReportData:
    fp, matrix = _consistent(
        tracker, lambda: tracker.queries.matrix(catalog=catalog, group=group, region=region, as_of=as_of, known_at=known_at)
    )
    ctx = _context(tracker, fp, {m.catalog_key for m in matrix.measures}, as_of=matrix.as_of, known_at=known_at, now=now)
    return MatrixReportData(ctx, matrix, catalog=catalog.upper() if catalog else None, group=group, region=region)


def changes_report_data(
    tracker: Tracker,
    since: dt.date | str,
    *,
    catalog: str | None = None,
    now: dt.datetime | None = None,
) -> ChangesReportData:
    day = v.parse_date("since", since)
    if catalog is not None:
        tracker.reference.catalog(catalog)  # an unknown catalogue is an error, not an empty report
    def gather() -> tuple[tuple[Change, ...], dict[tuple[str, str], list[AssessmentInfo]]]:
        found = tuple(tracker.assessments.changes_since(day, catalog=catalog))
        cells = dict.fromkeys((c.assessment.actor_key, c.assessment.measure_key) for c in found)
        return found, {cell: tracker.assessments.history(*cell) for cell in cells}

    fp, (changes, histories) = _consistent(tracker, gather)
    generated = now or dt.datetime.now(dt.UTC)
    today = local_day(generated)
    standing = {c.assessment.id: change_standing(c.assessment, histories[(c.assessment.actor_key, c.assessment.measure_key)],
                                                 today) for c in changes}
    measures = {m.key: m for m in tracker.reference.measures(include_retired=True)}
    actors = {a.key: a for a in tracker.reference.actors()}
    cats = {measures[c.assessment.measure_key].catalog_key for c in changes if c.assessment.measure_key in measures}
    if not cats:
        cats = {v.parse_catalog_key(catalog)} if catalog else {c.key for c in tracker.reference.catalogs()}
    ctx = _context(tracker, fp, cats, as_of=None, known_at=None, now=generated)
    return ChangesReportData(ctx, day, changes, measures, actors, catalog=catalog.upper() if catalog else None,
                             standing=standing)


def change_standing(change: AssessmentInfo, history: Sequence[AssessmentInfo], today: dt.date) -> ChangeStanding:
    """Where ``change`` stands against its cell today; ``history`` is the cell's record, newest first
    (by effective date, then by recording, as ``AssessmentService.history`` returns it)."""
    in_force = next((h for h in history if h.effective_date <= today), None)
    # Back-dated: when it was recorded, an assessment with a later effective date was already on
    # record, so the status in force did not move (only the history of an earlier date did).
    back_dated = any(h.effective_date > change.effective_date and (h.recorded_at, h.id) < (change.recorded_at, change.id)
                     for h in history)
    return ChangeStanding(back_dated, in_force, in_force is not None and in_force.id == change.id)
