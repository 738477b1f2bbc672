"""Report-data objects: everything a report shows, gathered before any layout starts.

The layout modules are pure functions of these frozen dataclasses (no database, no Qt), so a
test can build one by hand, with any hostile text in it, and the CLI, the GUI job and the tests
all render through the same code. ``reports.data`` fills them from a ``Tracker``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from tcbm_tracker.domain.local_time import instant_text, local_day
from tcbm_tracker.services.dto import (
    ActorInfo,
    AssessmentInfo,
    CatalogInfo,
    Change,
    Dossier,
    Matrix,
    MeasureInfo,
    MeasureOverview,
)
from tcbm_tracker.services.figures import StatusChange

PRODUCT = "TCBM Tracker"
SHORT_FINGERPRINT = 16


@dataclass(frozen=True)
class ReportContext:
    """What every page states: when, from which data, with which catalogue versions."""

    generated_at: dt.datetime  # timezone-aware
    fingerprint: str  # head of the change log (64 hex characters)
    catalogs: tuple[CatalogInfo, ...]  # the catalogue versions the report draws on
    author: str  # who produced the report (PDF metadata)
    as_of: dt.date | None = None  # the date the statuses were in force; None: not applicable
    known_at: str | None = None  # record cut-off instant, when the report rebuilds a past picture
    region_labels: Mapping[str, str] = field(default_factory=dict)  # "WEOG" -> "Western European and Others Group"
    seal: str | None = None  # short id of the seal made with the report; None: the file is read-only
    # No seal because the server login may only read (tcbm_reader), not because the file is read-only.
    read_only_login: bool = False
    unverified: bool = False  # the data failed verification and printing was asked for anyway: stamp every page
    # attribute -> (label, value -> label), to print "COPUOS member: Member of the Committee..."
    attribute_defs: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)
    # who reports with this copy, from its settings ("Jane Doe (Ministry of Foreign Affairs)"); None: not set
    reporter: str | None = None

    @property
    def reporter_text(self) -> str:
        """Who the statuses are the record of, as page 1 words it (user text: make it safe to print)."""
        return "the user of this copy of the tracker" + (f", {self.reporter}" if self.reporter else "")

    @property
    def seal_text(self) -> str:
        if self.seal:
            return f"Seal {self.seal}"
        return "Not sealed (read-only login)" if self.read_only_login else "Not sealed (read-only file)"

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:SHORT_FINGERPRINT]

    @property
    def catalog_versions(self) -> str:
        return ", ".join(f"{c.key} v{c.version}" for c in self.catalogs) or "none"

    @property
    def generated_text(self) -> str:
        """``2025-06-02 11:30 CEST (UTC+02:00)``: local time, like every date the user typed."""
        return instant_text(self.generated_at)

    @property
    def generated_day(self) -> dt.date:
        return local_day(self.generated_at)

    @property
    def as_of_text(self) -> str:
        if self.as_of is None:
            return ""
        text = f"as of {self.as_of.isoformat()}"
        if self.known_at:
            text += f", as recorded by {self.known_at[:10]}"
        return text

    def attribute_text(self, name: str, value: str) -> tuple[str, str]:
        """(label, value as worded) of an actor attribute; the raw name and value when undeclared."""
        label, values = self.attribute_defs.get(name, (name, {}))
        return label, values.get(value, value)

    def region_name(self, key: str | None) -> str:
        if not key:
            return "none"
        name = self.region_labels.get(key)
        return f"{name} ({key})" if name else key


@dataclass(frozen=True)
class ActorSummaryData:
    """A state's (or organization's) compliance summary."""

    context: ReportContext
    dossier: Dossier
    since: dt.date | None = None  # start of "what changed" (default: 12 months before the as-of date)
    changes: tuple[StatusChange, ...] = ()  # statuses in force on ``since`` that differ on the as-of date
    last_reviewed: str | None = None  # instant of the actor's most recent assessment (UTC ISO)


@dataclass(frozen=True)
class MeasureReportData:
    """One measure across all actors."""

    context: ReportContext
    overview: MeasureOverview


@dataclass(frozen=True)
class MatrixReportData:
    """Actors x measures, with the filters that produced it."""

    context: ReportContext
    matrix: Matrix
    catalog: str | None = None
    group: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class ChangeStanding:
    """A recorded change measured against its cell's status in force on the day of the report.

    A change reads as "the status became X" only when X is what is in force today. Otherwise the
    report says why not: the record was back-dated (a later-effective assessment was already on
    record, so today's status never moved), it was replaced since, or it takes effect later.
    """

    back_dated: bool
    in_force: AssessmentInfo | None  # the cell's assessment in force today; None: nothing recorded yet
    is_current: bool  # this change is the assessment in force today


@dataclass(frozen=True)
class ChangesReportData:
    """Assessments recorded since a date, with who recorded them and the evidence."""

    context: ReportContext
    since: dt.date
    changes: tuple[Change, ...]
    measures: Mapping[str, MeasureInfo]  # by key, for titles
    actors: Mapping[str, ActorInfo]  # by key, for names
    catalog: str | None = None
    standing: Mapping[int, ChangeStanding] = field(default_factory=dict)  # by assessment id
