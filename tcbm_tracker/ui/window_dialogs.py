"""The modal questions the main window asks (file names, the assessment editor, new evidence),
gathered in ``Dialogs`` so that tests can answer them with plain functions instead of opening
anything modal. The dialogs themselves are imported when first asked for: none of them is
needed to show the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

from tcbm_tracker.ui.edits import EditContext, EditRequest
from tcbm_tracker.ui.report_actions import ReportRequest

if TYPE_CHECKING:
    from tcbm_tracker.services.evidence import EvidenceInput
    from tcbm_tracker.ui.editor_dialog import AskEvidence, ValidateAssessment
    from tcbm_tracker.ui.evidence_dialog import ValidateEvidence


FILE_FILTER = "TCBM Tracker databases (*.sqlite *.db);;All files (*)"


def _start_folder(parent: QWidget) -> str:
    """Where a file dialog opens: the folder last used, else the open database's (see WindowExtras)."""
    extras = getattr(parent.window(), "extras", None)
    return extras.dialog_folder() if extras is not None else ""


def _in_start_folder(parent: QWidget, name: str) -> str:
    folder = _start_folder(parent)
    return str(Path(folder) / name) if folder else name


def _ask_open_path(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open database", _start_folder(parent), FILE_FILTER)
    return Path(path) if path else None


def _ask_new_path(parent: QWidget) -> Path | None:
    # No "replace it?" question: an existing file is never replaced (new_database refuses it).
    path, _ = QFileDialog.getSaveFileName(parent, "New database", _in_start_folder(parent, "tracker.sqlite"), FILE_FILTER,
                                          options=QFileDialog.Option.DontConfirmOverwrite)
    return Path(path) if path else None


def _ask_report_path(parent: QWidget, request: ReportRequest) -> Path | None:
    if request.kind == "all-actors":
        folder = QFileDialog.getExistingDirectory(parent, "Folder for the compliance summaries", _start_folder(parent))
        return Path(folder) if folder else None
    path, _ = QFileDialog.getSaveFileName(parent, f"Save {request.title()}", _in_start_folder(parent, request.suggested_name()),
                                          "PDF files (*.pdf)")
    return Path(path) if path else None


# The dialogs are imported when first asked for: none of them is needed to show the window.
def _ask_assessment(parent: QWidget, context: EditContext, validate: ValidateAssessment,
                    ask_evidence: AskEvidence) -> EditRequest | None:
    from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog

    return AssessmentEditorDialog.ask(parent, context, validate, ask_evidence)


def _ask_evidence(parent: QWidget, validate: ValidateEvidence) -> EvidenceInput | None:
    from tcbm_tracker.ui.evidence_dialog import EvidenceDialog

    return EvidenceDialog.ask(parent, validate)


@dataclass
class Dialogs:
    """Every modal question the window may ask; tests replace these with plain functions."""

    ask_assessment: Callable[[QWidget, EditContext, ValidateAssessment, AskEvidence], EditRequest | None] = _ask_assessment
    ask_evidence: Callable[[QWidget, ValidateEvidence], EvidenceInput | None] = _ask_evidence
    ask_open_path: Callable[[QWidget], Path | None] = _ask_open_path
    ask_new_path: Callable[[QWidget], Path | None] = _ask_new_path
    ask_report_path: Callable[[QWidget, ReportRequest], Path | None] = _ask_report_path
