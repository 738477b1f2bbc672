"""PDF exports from the window: background jobs with progress, cancel, and the file written."""

from __future__ import annotations

import threading
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtWidgets import QPushButton

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.assessments import AssessmentInput


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_actor_summary_from_the_dossier(window, idle, qtbot, scripted, reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED, note="Act in force"))
    # The window announces the other writer's change (live updates) before the report is asked
    # for, so that the report's own message is the last one.
    qtbot.waitUntil(lambda: "checker recorded" in window.statusBar().currentMessage(), timeout=10_000)
    window.open_actor("FRA")
    idle(window)
    out = tmp_path / "fra.pdf"
    asked = []
    window.dialogs.ask_report_path = lambda parent, request: asked.append(request) or out
    window.reports.actions["actor"].trigger()
    idle(window, 60_000)
    assert asked[0].kind == "actor" and asked[0].key == "FRA"
    assert asked[0].suggested_name().startswith("FRA-compliance-summary")
    assert out.exists() and "France" in pdf_text(out)
    assert window.reports.last_result.path == out
    assert str(out) in window.statusBar().currentMessage()


def test_matrix_report_follows_the_filters(window, idle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    mv = window.matrix_view
    mv.catalog_box.setCurrentIndex(mv.catalog_box.findData("GGE2013"))
    mv.region_box.setCurrentIndex(mv.region_box.findData("WEOG"))
    request = window.reports.request("matrix")
    assert (request.catalog, request.region) == ("GGE2013", "WEOG")
    out = tmp_path / "matrix.pdf"
    window.dialogs.ask_report_path = lambda parent, request: out
    window.reports.actions["matrix"].trigger()
    idle(window, 60_000)
    text = pdf_text(out)
    assert "France" in text and "Kenya" not in text


def test_report_needs_a_subject(window, idle) -> None:  # type: ignore[no-untyped-def]
    window.dialogs.ask_report_path = lambda parent, request: (_ for _ in ()).throw(AssertionError("asked"))
    window.reports.actions["measure"].trigger()
    assert "Select a measure first" in window.statusBar().currentMessage()


def test_cancelled_report_leaves_no_file(window, idle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    window.controller.runner.submit("blocker", lambda ctx: gate.wait(10))
    out = tmp_path / "changes.pdf"
    window.dialogs.ask_report_path = lambda parent, request: out
    window.reports.actions["changes"].trigger()
    assert window.progress is not None
    window.progress.findChild(QPushButton).click()
    gate.set()
    idle(window)
    assert not out.exists()
    assert "Cancelled" in window.statusBar().currentMessage()


def test_every_actor_summary_goes_to_the_chosen_folder(window, idle, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The batch itself (one process per core, 195 PDFs) is the reports package's to test; here: the wiring.
    from tcbm_tracker.reports import batch
    from tcbm_tracker.reports.batch import BatchResult

    calls = []

    def fake_batch(tracker, out, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((out, kwargs["as_of"], callable(kwargs["progress"]), kwargs["cancelled"]()))
        return BatchResult(Path(out), (), 2)

    monkeypatch.setattr(batch, "build_all_actor_summaries", fake_batch)
    window.dialogs.ask_report_path = lambda parent, request: tmp_path
    window.reports.actions["all-actors"].trigger()
    idle(window)
    assert calls == [(tmp_path, None, True, False)]
    assert f"Wrote {tmp_path} (0 files, 0 pages)" == window.statusBar().currentMessage()


def test_a_report_from_data_that_fails_verification_is_refused(window, idle, reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", Status.IMPLEMENTED))
    con = sqlite3.connect(reader.path)  # an edit made outside the app
    con.execute("UPDATE assessment SET status = 'not_implemented'")
    con.commit()
    con.close()
    window.open_actor("FRA")
    idle(window)
    out = tmp_path / "fra.pdf"
    window.dialogs.ask_report_path = lambda parent, request: out
    window.reports.actions["actor"].trigger()
    idle(window, 60_000)
    assert not out.exists()
    box = window.last_error
    assert isinstance(box, QMessageBox) and "failed verification" in box.text()
