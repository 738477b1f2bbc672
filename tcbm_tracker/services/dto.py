"""Plain frozen dataclasses that services return to the CLI, the GUI, reports and exchange."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from tcbm_tracker.domain.vocabulary import ActorKind, Confidence, Provenance, Status

REGION_ATTRIBUTE = "un_regional_group"


@dataclass(frozen=True)
class CatalogInfo:
    key: str
    version: int
    title: str
    short_title: str
    source_document: str
    adopted: str | None
    description: str | None
    builtin: bool


@dataclass(frozen=True)
class MeasureInfo:
    key: str
    catalog_key: str
    group_key: str
    group_title: str
    heading: str | None
    title: str
    description: str | None
    source_document: str
    pinpoint: str | None
    pinpoint_confirmed: bool
    pinpoint_note: str | None
    agreed: str | None
    sort_order: int
    retired: bool

    @property
    def citation(self) -> str:
        """``A/74/20, annex II, guideline B.4``; unconfirmed pinpoints say so."""
        parts = [self.source_document]
        if self.pinpoint:
            parts.append(self.pinpoint if self.pinpoint_confirmed else f"{self.pinpoint} (pinpoint not confirmed)")
        return ", ".join(parts)


@dataclass(frozen=True)
class ActorInfo:
    key: str
    name: str
    kind: ActorKind
    note: str | None
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def region(self) -> str | None:
        return self.attributes.get(REGION_ATTRIBUTE)


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    symbol: str | None
    title: str
    date: str | None
    language: str | None
    evidence_type: str
    url: str | None
    pinpoint: str | None
    file_name: str | None
    file_sha256: str | None
    file_size: int | None
    recorded_by: str
    created_at: str

    @property
    def label(self) -> str:
        return evidence_label(self.symbol, self.title)


def evidence_label(symbol: str | None, title: str) -> str:
    """How an evidence item is named in one line: its symbol, when it has one, then its title."""
    return f"{symbol} {title}" if symbol else title


@dataclass(frozen=True)
class AssessmentInfo:
    id: int
    actor_key: str
    measure_key: str
    status: Status
    provenance: Provenance
    confidence: Confidence
    note: str | None
    recorded_by: str
    effective_date: dt.date
    recorded_at: str
    evidence_ids: tuple[int, ...] = ()
    # Where in each cited item the claim is found ("p. 21"), by evidence id: the citation's own
    # pinpoint; an item without one here is cited by its own pinpoint, if any.
    evidence_pinpoints: Mapping[int, str] = field(default_factory=dict)

    def pinpoint_for(self, evidence: EvidenceInfo) -> str | None:
        return self.evidence_pinpoints.get(evidence.id) or evidence.pinpoint


class CellState(NamedTuple):
    """The assessment in force for one cell (light: no note), as the matrix needs it.

    A NamedTuple rather than a frozen dataclass: a full matrix builds thousands of them, and
    a tuple is built several times faster while staying immutable.
    """

    assessment_id: int
    status: Status
    provenance: Provenance
    confidence: Confidence
    effective_date: dt.date
    recorded_at: str


@dataclass(frozen=True)
class Coverage:
    """Status counts over a set of cells, and the two figures drawn from them (``services.figures``).

    ``in_scope``: every cell less those marked not applicable. ``assessed``: cells in scope that
    someone has looked at (anything but not-assessed). The **implementation rate** is implemented
    over *assessed* cells, so a state nobody has looked at shows no rate ("–"), never 0%; the
    **assessment coverage** (assessed over in scope) says how much of the picture is known.
    ``no_information`` stays apart from ``not_implemented``; both count as assessed.
    """

    label: str
    total: int
    counts: Mapping[Status, int]

    def count(self, status: Status) -> int:
        return self.counts.get(status, 0)

    @property
    def not_applicable(self) -> int:
        return self.count(Status.NOT_APPLICABLE)

    @property
    def not_assessed(self) -> int:
        return self.count(Status.NOT_ASSESSED)

    @property
    def in_scope(self) -> int:
        """Cells the measure applies to: the denominator of assessment coverage."""
        return sum(n for status, n in self.counts.items() if status.counts_in_coverage)

    @property
    def assessed(self) -> int:
        """Cells in scope with a judgement: the denominator of the implementation rate."""
        return self.in_scope - self.not_assessed

    @property
    def implemented(self) -> int:
        return self.count(Status.IMPLEMENTED)

    @property
    def implementation_rate(self) -> float | None:
        """Implemented / assessed; None (printed "–") when nothing in scope has been assessed."""
        return self.implemented / self.assessed if self.assessed else None

    @property
    def assessment_coverage(self) -> float | None:
        """Assessed / in scope; None when nothing is in scope."""
        return self.assessed / self.in_scope if self.in_scope else None


@dataclass(frozen=True)
class Matrix:
    as_of: dt.date
    known_at: str | None
    actors: tuple[ActorInfo, ...]
    measures: tuple[MeasureInfo, ...]
    cells: Mapping[tuple[str, str], CellState]
    # Catalogues asked for whose first version was adopted after ``as_of``: key -> adoption date.
    not_yet_adopted: Mapping[str, str] = field(default_factory=dict)

    def status(self, actor_key: str, measure_key: str) -> Status:
        cell = self.cells.get((actor_key, measure_key))
        return cell.status if cell else Status.NOT_ASSESSED


@dataclass(frozen=True)
class DossierEntry:
    measure: MeasureInfo
    assessment: AssessmentInfo | None
    evidence: tuple[EvidenceInfo, ...]

    @property
    def status(self) -> Status:
        return self.assessment.status if self.assessment else Status.NOT_ASSESSED


@dataclass(frozen=True)
class Dossier:
    actor: ActorInfo
    as_of: dt.date
    entries: tuple[DossierEntry, ...]
    coverage_by_catalog: tuple[Coverage, ...]
    coverage_by_group: tuple[Coverage, ...]
    not_yet_adopted: Mapping[str, str] = field(default_factory=dict)  # as in ``Matrix``


@dataclass(frozen=True)
class MeasureOverviewEntry:
    actor: ActorInfo
    assessment: AssessmentInfo | None
    evidence: tuple[EvidenceInfo, ...]

    @property
    def status(self) -> Status:
        return self.assessment.status if self.assessment else Status.NOT_ASSESSED


@dataclass(frozen=True)
class MeasureOverview:
    measure: MeasureInfo
    as_of: dt.date
    entries: tuple[MeasureOverviewEntry, ...]
    coverage: Coverage
    # The adoption date of the catalogue version that introduced the measure, when that is after
    # ``as_of``: the measure was not yet adopted on that date.
    not_yet_adopted: str | None = None


@dataclass(frozen=True)
class Change:
    """One assessment recorded since a date, with the status it replaced."""

    assessment: AssessmentInfo
    previous_status: Status
    evidence: tuple[EvidenceInfo, ...]


# ``Change`` as the plain text a table prints, for hundreds of thousands of rows: recorded at (the
# stored UTC stamp), by, actor, measure, the status replaced, the status, the effective date
# (YYYY-MM-DD) and the evidence labels joined by ", ".
ChangeRow = tuple[str, str, str, str, str, str, str, str]
