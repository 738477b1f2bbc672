"""File > Exchange Package… and Trusted Copies…, driven by the keys a user presses.

The window's copy ("mine", the test's database and config folder) exchanges with a second copy
("hq": its own database id, key and trust list), made with the package tests' helpers.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from gui_keys import ALT, CTRL, SHIFT, focused
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication

from tcbm_tracker.exchange.packages import api
from tcbm_tracker.services.assessments import AssessmentInput
from tests.unit.exchange.conftest import db_fingerprint
from tests.unit.exchange.package_copies import Copy, make_copy, matrix


@pytest.fixture
def hq(_seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The other copy; ``hq.export(...)`` runs in its config folder, then puts the window's back."""
    mine_config = os.environ["TCBM_TRACKER_CONFIG_DIR"]
    copy = make_copy(_seeded_template, tmp_path / "hq", "hq", monkeypatch)

    class Other:
        def __init__(self, c: Copy) -> None:
            self.copy = c

        def run(self, fn: Any) -> Any:
            try:
                with self.copy.open() as t:
                    return fn(t)
            finally:
                monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", mine_config)

        def export(self, out: Path, since: dt.date | None = None) -> Path:
            return Path(self.run(lambda t: api.export_package(t, out, since=since).path))

        def fingerprint(self) -> str:
            return str(self.run(lambda t: api.own_identity(t).fingerprint))

    return Other(copy)


def alt(qtbot: Any, key: Qt.Key) -> None:
    """Alt+key on the focused widget; a mnemonic presses its button down and clicks it after a
    short animation: wait until no button of the window is down any more."""
    window = focused().window()
    qtbot.keyClick(focused(), key, ALT)
    qtbot.waitUntil(lambda: not any(b.isDown() for b in window.findChildren(QAbstractButton)))


def open_hub(qtbot: Any, window: Any) -> Any:
    window.matrix_view.table.setFocus()
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_X, CTRL | SHIFT)
    hub = window.exchange.packages.hub
    assert hub is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is hub and hub.fingerprint != "")
    return hub


def shown_preview(qtbot: Any, window: Any, idle: Any) -> Any:
    idle(window)
    preview = window.exchange.packages.preview
    assert preview is not None
    qtbot.waitUntil(lambda: preview.isVisible() and QApplication.activeWindow() is preview)
    return preview


def diverge(hq: Any, reader: Any, tmp_path: Path) -> Path:
    """Both copies trust each other and share a start; then each changes FRA LTS-B.4 its own way,
    and hq alone assesses KEN. Returns hq's package of everything."""
    mine = api.own_identity(reader).fingerprint
    theirs = hq.fingerprint()
    api.trust_add(theirs, name="Headquarters")
    hq.run(lambda t: api.trust_add(mine, name="mission"))
    hq.run(lambda t: t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned", effective="2020-01-01")))
    api.import_package(reader, hq.export(tmp_path / "start.tcbm"))
    hq.run(lambda t: t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2024-01-01",
                                                          note="HQ: the law was passed")))
    hq.run(lambda t: t.assessments.record(AssessmentInput("KEN", "LTS-A.1", "planned", effective="2024-03-01")))
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", "partially_implemented", effective="2024-02-01",
                                              note="Mission: a decree only"))
    return hq.export(tmp_path / "hq.tcbm")


def announced(qtbot: Any, window: Any) -> None:
    """Wait until the window has announced the other writer's changes (live updates), so that
    the notice cannot replace, under load, the message a test then looks for."""
    qtbot.waitUntil(lambda: "checker" in window.statusBar().currentMessage(), timeout=10_000)


def test_export_a_package_of_changes_since_a_date(qtbot, window, idle, reader, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reader.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2019-06-21"))
    hub = open_hub(qtbot, window)
    assert hub.fingerprint == api.own_identity(reader).fingerprint
    assert hub.fingerprint[:4] in hub.fingerprint_label.text()
    alt(qtbot, Qt.Key.Key_S)  # "Changes recorded since"
    assert hub.since_radio.isChecked() and hub.since.isEnabled()
    out = tmp_path / "out.tcbm"
    asked: list[str] = []
    window.exchange.packages.questions.ask_package_out = lambda parent, name: asked.append(name) or out
    alt(qtbot, Qt.Key.Key_X)  # Export Package…
    idle(window)
    assert asked == [f"{reader.path.stem}-since-{hub.since_date().isoformat()}-{dt.date.today().isoformat()}.tcbm"]
    summary = api.read_package(out)
    assert summary.since == hub.since_date() and summary.assessments == 1
    assert f"Wrote {out}" in window.statusBar().currentMessage()
    assert f"Wrote {out}" in hub.message.text()  # said in the window the user is looking at
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not hub.isVisible() and QApplication.focusWidget() is window.matrix_view.table)


def test_a_conflict_is_shown_with_both_sides_and_resolved_per_conflict(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    package = diverge(hq, reader, tmp_path)
    announced(qtbot, window)
    before = db_fingerprint(reader.path)
    open_hub(qtbot, window)
    window.exchange.packages.questions.ask_package = lambda parent: package
    alt(qtbot, Qt.Key.Key_I)  # Import Package…
    preview = shown_preview(qtbot, window, idle)
    assert "trusted copy Headquarters" in preview.summary_label.text()
    assert preview.tabs.tabText(preview.tabs.currentIndex()) == "&Conflicts (1)"
    added = preview.tabs.widget(0).model().stringList()
    assert "Assessment: KEN LTS-A.1 2024-03-01 planned" in added
    present = preview.tabs.widget(2).model().stringList()
    assert "Assessment: FRA LTS-B.4 2020-01-01 planned" in present  # from the first exchange
    model = preview.model
    mine, theirs = model.index(0, 1).data(), model.index(0, 2).data()
    assert "Partially implemented from 2024-02-01" in mine and "Note: Mission: a decree only" in mine
    assert "Implemented from 2024-01-01" in theirs and "Note: HQ: the law was passed" in theirs
    assert f"recorded in copy Headquarters ({hq.fingerprint()[:8]}…)" in theirs  # named as on the trust list
    assert not preview.import_button.isEnabled() and "without a side" in preview.state.text()
    assert db_fingerprint(reader.path) == before  # the check changed nothing
    preview.conflicts.setFocus()
    qtbot.keyClick(preview.conflicts, Qt.Key.Key_T)  # keep theirs for this conflict
    assert model.choices == {"FRA/LTS-B.4": "theirs"} and "Theirs" in model.index(0, 3).data()
    assert preview.import_button.isEnabled()
    alt(qtbot, Qt.Key.Key_I)  # Import
    idle(window)
    assert not preview.isVisible()
    assert matrix(reader.path)[("FRA", "LTS-B.4")] == "implemented"
    assert matrix(reader.path)[("KEN", "LTS-A.1")] == "planned"
    assert "1 conflict resolved as chosen" in window.statusBar().currentMessage()
    assert reader.integrity.verify().ok
    history = reader.assessments.history("FRA", "LTS-B.4")
    assert history[0].note is not None and "the other copy's" in history[0].note  # the resolution, recorded


def test_newest_for_all_then_import_keeps_the_newer_side(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    package = diverge(hq, reader, tmp_path)
    announced(qtbot, window)
    window.exchange.packages.questions.ask_package = lambda parent: package
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    preview = shown_preview(qtbot, window, idle)
    alt(qtbot, Qt.Key.Key_W)  # Newest for All
    conflict = preview.model.conflicts[0]
    assert conflict.newest == "mine" and preview.model.choices == {"FRA/LTS-B.4": "mine"}
    alt(qtbot, Qt.Key.Key_L)  # Mine for All: the same here, and stays chosen
    alt(qtbot, Qt.Key.Key_I)
    idle(window)
    assert matrix(reader.path)[("FRA", "LTS-B.4")] == "partially_implemented"


def test_cancel_in_the_preview_imports_nothing(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    package = diverge(hq, reader, tmp_path)
    announced(qtbot, window)
    before = db_fingerprint(reader.path)
    window.exchange.packages.questions.ask_package = lambda parent: package
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    preview = shown_preview(qtbot, window, idle)
    alt(qtbot, Qt.Key.Key_H)  # Theirs for All...
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # ...then Cancel
    idle(window)
    assert not preview.isVisible()
    assert db_fingerprint(reader.path) == before


def test_an_untrusted_package_can_be_imported_as_third_party(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hq.run(lambda t: t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", "official_record",
                                                          effective="2024-01-01")))
    package = hq.export(tmp_path / "hq.tcbm")
    window.exchange.packages.questions.ask_package = lambda parent: package
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    preview = shown_preview(qtbot, window, idle)
    assert preview.plan is None and "NOT on your list of trusted copies" in preview.summary_label.text()
    assert not preview.import_button.isVisible()
    assert reader.queries.matrix().cells == {}
    alt(qtbot, Qt.Key.Key_H)  # Check as Third-Party Information
    second = shown_preview(qtbot, window, idle)
    assert second is not preview and second.plan is not None and second.plan.third_party
    assert second.import_button.text() == "&Import as Third-Party" and second.import_button.isEnabled()
    alt(qtbot, Qt.Key.Key_I)
    idle(window)
    assert [h.provenance.value for h in reader.assessments.history("FRA", "LTS-B.4")] == ["third_party"]
    assert "as third-party information" in window.statusBar().currentMessage()
    assert api.list_trusted() == []


def test_trusting_the_signer_from_the_preview_checks_it_again(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hq.run(lambda t: t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", "official_record",
                                                          effective="2024-01-01")))
    package = hq.export(tmp_path / "hq.tcbm")
    window.exchange.packages.questions.ask_package = lambda parent: package
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    shown_preview(qtbot, window, idle)
    alt(qtbot, Qt.Key.Key_T)  # Trust This Copy and Check
    second = shown_preview(qtbot, window, idle)
    assert [c.fingerprint for c in api.list_trusted()] == [hq.fingerprint()]
    assert second.plan is not None and not second.plan.third_party
    alt(qtbot, Qt.Key.Key_I)
    idle(window)
    assert [h.provenance.value for h in reader.assessments.history("FRA", "LTS-B.4")] == ["official_record"]


def test_a_package_edited_after_signing_is_refused_with_its_reason(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hq.run(lambda t: t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2024-01-01")))
    package = hq.export(tmp_path / "hq.tcbm")
    edited = tmp_path / "edited.tcbm"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "data/assessments.jsonl":
                data = data.replace(b"\"implemented\"", b"\"not_implemented\"")
            dst.writestr(item, data)
    before = db_fingerprint(reader.path)
    window.exchange.packages.questions.ask_package = lambda parent: edited
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    idle(window)
    assert window.exchange.packages.preview is None
    assert window.last_error is not None and window.last_error.isVisible()
    text = window.last_error.text()  # type: ignore[attr-defined]
    assert "edited.tcbm" in text and "data/assessments.jsonl" in text and "changed after signing" in text
    assert db_fingerprint(reader.path) == before


def test_trusted_copies_add_by_fingerprint_refuse_a_bad_one_and_remove(qtbot, window, idle, reader, hq) -> None:  # type: ignore[no-untyped-def]
    theirs = hq.fingerprint()
    hub = open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_T)  # Trusted Copies…
    dialog = window.exchange.packages.trusted
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog and dialog.fingerprint == hub.fingerprint)
    assert dialog.model.rowCount() == 0
    alt(qtbot, Qt.Key.Key_F)
    assert focused() is dialog.source
    qtbot.keyClicks(dialog.source, "12ab")
    qtbot.keyClick(dialog.source, Qt.Key.Key_Return)
    idle(window)
    assert "Not changed" in dialog.message.text() and "not a key fingerprint" in dialog.message.text()
    assert api.list_trusted() == []
    dialog.source.selectAll()
    qtbot.keyClicks(dialog.source, theirs)
    alt(qtbot, Qt.Key.Key_N)
    qtbot.keyClicks(dialog.name, "Headquarters")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    idle(window)
    assert [(c.fingerprint, c.name) for c in api.list_trusted()] == [(theirs, "Headquarters")]
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
    assert dialog.model.index(0, 0).data() == "Headquarters"
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    idle(window)
    assert api.list_trusted() == [] and dialog.model.rowCount() == 0
    assert "No longer trusted" in dialog.message.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible() and QApplication.activeWindow() is hub)


def test_trust_a_copy_from_its_public_key_file(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "hq.pem"
    hq.run(lambda t: api.export_public_key(key_file))
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_T)
    dialog = window.exchange.packages.trusted
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    window.exchange.packages.questions.ask_key_file = lambda parent: key_file
    alt(qtbot, Qt.Key.Key_B)  # Browse…: fills the field, then the name has the keyboard
    assert dialog.source.text() == str(key_file) and focused() is dialog.name
    alt(qtbot, Qt.Key.Key_A)  # Add
    idle(window)
    assert [c.fingerprint for c in api.list_trusted()] == [hq.fingerprint()]
    saved = tmp_path / "mine.pem"
    window.exchange.packages.questions.ask_key_out = lambda parent: saved
    alt(qtbot, Qt.Key.Key_K)  # Save Public Key…
    idle(window)
    assert api.trust_add(saved).fingerprint == api.own_identity(reader).fingerprint


def test_ctrl_a_then_m_keeps_mine_for_every_conflict(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    package = diverge(hq, reader, tmp_path)
    announced(qtbot, window)
    window.exchange.packages.questions.ask_package = lambda parent: package
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    preview = shown_preview(qtbot, window, idle)
    table = preview.conflicts
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(table, Qt.Key.Key_M)
    assert preview.model.choices == {c.key: "mine" for c in preview.model.conflicts}
    assert preview.import_button.isEnabled()


def test_cancelling_the_merge_changes_nothing(qtbot, window, idle, reader, hq, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from PySide6.QtWidgets import QPushButton

    package = diverge(hq, reader, tmp_path)
    announced(qtbot, window)
    before = db_fingerprint(reader.path)
    window.exchange.packages.questions.ask_package = lambda parent: package
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    preview = shown_preview(qtbot, window, idle)
    alt(qtbot, Qt.Key.Key_H)  # Theirs for All
    gate = threading.Event()
    window.controller.runner.submit("blocker", lambda ctx: gate.wait(10))
    alt(qtbot, Qt.Key.Key_I)  # Import: queued behind the blocker, its progress shows Cancel
    progress = window.progress
    assert progress is not None
    qtbot.waitUntil(progress.isVisible)
    cancel = progress.findChild(QPushButton)
    cancel.setFocus()
    qtbot.keyClick(cancel, Qt.Key.Key_Space)
    gate.set()
    idle(window)
    assert "Cancelled" in window.statusBar().currentMessage()
    assert not preview.isVisible() and db_fingerprint(reader.path) == before


def test_a_job_that_ended_before_its_progress_was_wired_leaves_no_progress_dialog(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Jobs start when submitted; a quick one can end before the window connects its progress
    dialog (a package preview of a small file did). The dialog must not pop up over a finished
    job and stay there, modal."""
    job = window.controller.runner.submit("quick", lambda ctx: None)
    assert job.done.wait(5)
    qtbot.waitUntil(lambda: not window.controller.runner.busy)
    window._show_progress(job, "A quick job")
    qtbot.wait(400)  # past the dialog's 150 ms delay
    from PySide6.QtWidgets import QProgressDialog

    assert [d for d in window.findChildren(QProgressDialog) if d.isVisible()] == []
    assert QApplication.activeModalWidget() is None


def test_rejected_entries_are_listed_and_import_stays_off(qtbot, window, idle, reader) -> None:  # type: ignore[no-untyped-def]
    package = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "files" / "pkg-unknown-actor.tcbm"
    before = db_fingerprint(reader.path)
    window.exchange.packages.questions.ask_package = lambda parent: package
    open_hub(qtbot, window)
    alt(qtbot, Qt.Key.Key_I)
    shown_preview(qtbot, window, idle)
    alt(qtbot, Qt.Key.Key_H)  # its signer is unknown here: go on as third-party information
    preview = shown_preview(qtbot, window, idle)
    assert preview.tabs.tabText(preview.tabs.currentIndex()) == "&Rejected (1)"
    rejected = preview.tabs.currentWidget().model().stringList()
    assert rejected == ["data/assessments.jsonl line 1: actor: unknown actor 'XXX'"]
    assert not preview.import_button.isEnabled() and "rejected: nothing can be imported" in preview.state.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter imports nothing either
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    idle(window)
    assert not preview.isVisible() and db_fingerprint(reader.path) == before
