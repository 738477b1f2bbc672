"""Recording edits: what the editor asks for, the job that writes it, and its undo command.

History is append-only, so undo cannot delete: undoing an edit *records* a new assessment that
restores, for each cell, the assessment that was in force on the edit's effective date (or
"not assessed" when there was none), with the same effective date. Because it is recorded later
on the same date it wins over the edit on every date the edit affected, and nothing else moves.
Redo records the edit again. Each of these is one transaction (``record_many``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtGui import QUndoCommand

from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.dto import AssessmentInfo, EvidenceInfo
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.ui.jobs import JobContext

Cell = tuple[str, str]  # (actor key, measure key)

# Below this many cells the previous state is read cell by cell; above, from one matrix query.
_PER_CELL_LIMIT = 20


@dataclass(frozen=True)
class EditRequest:
    """One accepted editor dialog: the same assessment for every selected cell."""

    cells: tuple[Cell, ...]
    status: Status
    provenance: Provenance
    confidence: Confidence
    effective: dt.date
    note: str | None = None
    evidence_ids: tuple[int, ...] = ()
    new_evidence: tuple[EvidenceInput, ...] = ()
    # Citation pinpoints carried over from the cell's current assessment (one cell only), by evidence id.
    evidence_pinpoints: Mapping[int, str] = field(default_factory=dict)

    def inputs(self, evidence_ids: Sequence[int]) -> list[AssessmentInput]:
        pins = {i: p for i, p in self.evidence_pinpoints.items() if i in evidence_ids}
        return [AssessmentInput(actor=a, measure=m, status=self.status, provenance=self.provenance,
                                confidence=self.confidence, note=self.note, effective=self.effective,
                                evidence_ids=tuple(evidence_ids), evidence_pinpoints=pins) for a, m in self.cells]


@dataclass(frozen=True)
class EditContext:
    """What the editor needs to open: the cells, the current assessment, the evidence to pick from."""

    cells: tuple[Cell, ...]
    actor_names: dict[str, str]
    measure_titles: dict[str, str]
    current: AssessmentInfo | None  # for a single cell
    evidence: tuple[EvidenceInfo, ...]
    default_effective: dt.date


@dataclass
class EditOutcome:
    """What an edit job wrote, and what undo must write back."""

    description: str
    applied: list[AssessmentInput]
    restore: list[AssessmentInput]
    saved: list[AssessmentInfo] = field(default_factory=list)
    added_evidence: list[EvidenceInfo] = field(default_factory=list)


def describe(cells: Sequence[Cell], status: Status) -> str:
    if len(cells) == 1:
        return f"set {cells[0][0]} / {cells[0][1]} to {status.label}"
    return f"set {len(cells):,} cells to {status.label}"


def previous_inputs(tracker: Tracker, items: Sequence[AssessmentInput], ctx: JobContext | None = None) -> list[AssessmentInput]:
    """For each item, the assessment in force on its effective date, as an input that restores it."""
    found: dict[Cell, AssessmentInfo | None] = {}
    if len(items) <= _PER_CELL_LIMIT:
        for item in items:
            day = item.effective if isinstance(item.effective, dt.date) else dt.date.today()
            history = tracker.assessments.history(item.actor, item.measure)
            found[(item.actor, item.measure)] = next((h for h in history if h.effective_date <= day), None)
    else:
        by_day: dict[dt.date, list[AssessmentInput]] = {}
        for item in items:
            day = item.effective if isinstance(item.effective, dt.date) else dt.date.today()
            by_day.setdefault(day, []).append(item)
        for day, group in by_day.items():
            matrix = tracker.queries.matrix(as_of=day)
            ids = {(i.actor, i.measure): matrix.cells[(i.actor, i.measure)].assessment_id
                   for i in group if (i.actor, i.measure) in matrix.cells}
            infos = {info.id: info for info in tracker.assessments.get_many(list(ids.values()))}
            for i in group:
                aid = ids.get((i.actor, i.measure))
                found[(i.actor, i.measure)] = infos[aid] if aid is not None else None
            if ctx is not None:
                ctx.check()
    out = []
    for item in items:
        prev = found[(item.actor, item.measure)]
        if prev is None:
            out.append(AssessmentInput(actor=item.actor, measure=item.measure, status=Status.NOT_ASSESSED,
                                       effective=item.effective, note="Undo: the cell had no assessment before"))
        else:
            out.append(AssessmentInput(actor=item.actor, measure=item.measure, status=prev.status,
                                       provenance=prev.provenance, confidence=prev.confidence, note=prev.note,
                                       effective=item.effective, evidence_ids=prev.evidence_ids,
                                       evidence_pinpoints=prev.evidence_pinpoints))
    return out


def run_edit(tracker: Tracker, request: EditRequest, ctx: JobContext) -> EditOutcome:
    """The edit job: validate (cancellable, with progress), capture undo data, write once."""
    total = len(request.cells)
    ctx.progress(0, total, "Checking…")
    # Validate before writing anything: a bad value must not leave new evidence behind.
    for item in request.inputs(request.evidence_ids):
        tracker.assessments.validate(item)
    for ev in request.new_evidence:
        tracker.evidence.validate(ev)
    ctx.progress(0, total, "Reading the current assessments (for undo)…")
    probe = request.inputs(request.evidence_ids)
    restore = previous_inputs(tracker, probe, ctx)
    # The last chance to cancel: from here on the job writes (record_many is all or nothing).
    ctx.progress(total // 2, total, f"Recording {total:,} assessments…")
    prepared = [tracker.evidence.prepare(ev) for ev in request.new_evidence]
    # New evidence and the assessments citing it are one transaction: if the write fails,
    # no orphan evidence is left behind the "nothing was changed" message.
    saved, new_ids = tracker.assessments.record_with_new_evidence(request.inputs(tuple(request.evidence_ids)), prepared)
    items = request.inputs(tuple(request.evidence_ids) + tuple(new_ids))
    added = [tracker.evidence.get(i) for i in new_ids]
    return EditOutcome(describe(request.cells, request.status), items, restore, saved, added)


class RecordAssessmentsCommand(QUndoCommand):
    """An edit already written; undo and redo record new assessments through ``write``."""

    def __init__(self, outcome: EditOutcome, write: Callable[[list[AssessmentInput], str], None]) -> None:
        super().__init__(outcome.description[0].upper() + outcome.description[1:])
        self.outcome = outcome
        self._write = write
        self._already_done = True  # QUndoStack.push calls redo(); the edit was written before the push

    def redo(self) -> None:
        if self._already_done:
            self._already_done = False
            return
        self._write(self.outcome.applied, f"Redo: {self.outcome.description}")

    def undo(self) -> None:
        self._write(self.outcome.restore, f"Undo: {self.outcome.description}")
