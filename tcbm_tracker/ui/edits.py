"""Recording edits: what the editor asks for, the job that writes it, and its undo command.

What undo and redo record is decided in ``services.undo`` (history is append-only: undo
records assessments that restore what was in force); this module runs the edit as a job and
wraps the plan in a ``QUndoCommand``. Each write is one transaction (``record_many``).
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
from tcbm_tracker.services.undo import EditPlan, plan_edit
from tcbm_tracker.ui.jobs import JobContext

Cell = tuple[str, str]  # (actor key, measure key)


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
    correction: bool = False  # corrects the assessment in force (same effective date), not a change

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
    """What an edit job wrote, and the plan undo and redo follow."""

    plan: EditPlan
    saved: list[AssessmentInfo] = field(default_factory=list)
    added_evidence: list[EvidenceInfo] = field(default_factory=list)

    @property
    def description(self) -> str:
        return self.plan.description


def describe(cells: Sequence[Cell], status: Status, *, correction: bool = False) -> str:
    if len(cells) == 1:
        verb = "correct" if correction else "set"
        return f"{verb} {cells[0][0]} / {cells[0][1]} to {status.label}"
    return f"set {len(cells):,} cells to {status.label}"


def run_edit(tracker: Tracker, request: EditRequest, ctx: JobContext) -> EditOutcome:
    """The edit job: validate (cancellable, with progress), plan its undo, write once."""
    total = len(request.cells)
    ctx.progress(0, total, "Checking…")
    # Validate before writing anything: a bad value must not leave new evidence behind.
    for item in request.inputs(request.evidence_ids):
        tracker.assessments.validate(item)
    for ev in request.new_evidence:
        tracker.evidence.validate(ev)
    ctx.progress(0, total, "Reading the current assessments (for undo)…")
    plan = plan_edit(tracker.assessments, request.inputs(request.evidence_ids),
                     describe(request.cells, request.status, correction=request.correction), check=ctx.check)
    # The last chance to cancel: from here on the job writes (record_many is all or nothing).
    ctx.progress(total // 2, total, f"Recording {total:,} assessments…")
    prepared = [tracker.evidence.prepare(ev) for ev in request.new_evidence]
    # New evidence and the assessments citing it are one transaction: if the write fails,
    # no orphan evidence is left behind the "nothing was changed" message.
    saved, new_ids = tracker.assessments.record_with_new_evidence(request.inputs(tuple(request.evidence_ids)), prepared)
    # Redo cites the new evidence too (record_with_new_evidence linked it to every cell).
    applied = request.inputs(tuple(request.evidence_ids) + tuple(new_ids))
    added = [tracker.evidence.get(i) for i in new_ids]
    return EditOutcome(plan.with_applied(applied), saved, added)


Write = Callable[["RecordAssessmentsCommand", list[AssessmentInput], str], None]


class RecordAssessmentsCommand(QUndoCommand):
    """An edit already written; undo and redo record the plan's assessments through ``write``.

    ``skip_next`` makes the next undo() or redo() write nothing: the edit itself is written
    before the push (which calls redo()), and a failed write moves the stack back without
    writing (see ``TrackerController``).
    """

    def __init__(self, outcome: EditOutcome, write: Write) -> None:
        super().__init__(outcome.description[0].upper() + outcome.description[1:])
        self.outcome = outcome
        self._write = write
        self.skip_next = True  # QUndoStack.push calls redo(); the edit was written before the push

    def redo(self) -> None:
        if self.skip_next:
            self.skip_next = False
            return
        self._write(self, list(self.outcome.plan.applied), f"Redo: {self.outcome.description}")

    def undo(self) -> None:
        if self.skip_next:
            self.skip_next = False
            return
        self._write(self, list(self.outcome.plan.restore), f"Undo: {self.outcome.description}")
