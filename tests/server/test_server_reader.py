"""A login holding tcbm_reader only: it learns on connecting that it may only read, prints reports
and exports packages unsealed (as from a read-only file), and adds nothing to the server, not
even a seal; its window says so from the start and refuses an edit with the reason."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pg_cluster import Cluster
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_server_roles import run, team  # noqa: F401 - the fixture of logins per role
from test_server_window import make_window, wait_idle  # noqa: F401 - the window fixture

from tcbm_tracker.exchange.packages import api
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.server_roles import APPEND_ONLY, REFERENCE
from tests.unit.exchange.package_copies import Copy, make_copy


def row_counts(cluster: Cluster, url: str) -> dict[str, int]:
    """Every table's row count, read by the superuser: what the reader must leave as it was."""
    dbname = url.split("@/", 1)[1].split("?", 1)[0]
    return {t: int(cluster.sql(f"SELECT count(*) FROM {t}", dbname=dbname)[0][0]) for t in APPEND_ONLY + REFERENCE}  # type: ignore[call-overload]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.fixture
def recorded(team: dict[str, str]) -> dict[str, str]:  # noqa: F811 - the fixture imported above
    """The team's database with an editor's assessment in it (and the report's seal of it, made
    by the editor): the reader has something to print."""
    t = open_tracker(team["editor"])
    try:
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", note="Act in force"))
    finally:
        t.close()
    return team


def test_each_login_learns_on_connecting_whether_it_may_record(recorded: dict[str, str]) -> None:
    for who, may in (("reader", False), ("editor", True), ("admin", True), ("owner", True)):
        t = open_tracker(recorded[who])
        try:
            assert t.db.can_write is may, who
            reason = t.db.login.read_only_reason  # type: ignore[attr-defined]
            if may:
                assert reason is None
            else:
                assert reason == (f"signed in as {t.user} (tcbm_reader): you can look and print, not record; "
                                  "recording needs tcbm_editor")
        finally:
            t.close()


def test_a_reader_prints_a_report_tied_to_the_log_and_writes_nothing(recorded: dict[str, str], pg_cluster: Cluster,
                                                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = row_counts(pg_cluster, recorded["owner"])
    out = tmp_path / "fra.pdf"
    code, said, err = run(capsys, "--db", recorded["reader"], "report", "actor", "FRA", "--out", str(out))
    assert code == 0, err
    assert str(out) in said
    text = pdf_text(out)
    assert "France" in text and "Not sealed (read-only login)" in text and "read-only file" not in text
    assert "this server login may only read the shared record" in " ".join(text.split())
    assert row_counts(pg_cluster, recorded["owner"]) == before  # not even a seal
    # The fingerprint printed on the report is found in the log, by the reader itself.
    found = re.search(r"Data fingerprint ([0-9a-f]{16})", text)
    assert found is not None
    code, said, err = run(capsys, "--db", recorded["reader"], "verify", "--fingerprint", found.group(1))
    assert code == 0, err
    assert f"fingerprint {found.group(1)}: change log entry" in said


@pytest.fixture
def laptop(_seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Copy:
    return make_copy(_seeded_template, tmp_path / "laptop", "laptop", monkeypatch)


def test_a_reader_exports_an_unsealed_package_that_a_file_imports(recorded: dict[str, str], pg_cluster: Cluster, laptop: Copy,
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    reader_config = tmp_path / "reader-config"
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(reader_config))
    before = row_counts(pg_cluster, recorded["owner"])
    out = tmp_path / "team.tcbm"
    code, said, err = run(capsys, "--db", recorded["reader"], "package", "export", "--all", "--out", str(out))
    assert code == 0, err
    assert "seal none (read-only login)" in said
    assert row_counts(pg_cluster, recorded["owner"]) == before
    t = open_tracker(recorded["reader"])
    try:
        reader_key = api.own_identity(t).fingerprint
    finally:
        t.close()
    with laptop.open() as lt:
        api.trust_add(reader_key, name="the team's server")
        result = api.import_package(lt, out)
        assert result.assessments_added >= 1
        assert [a.status.value for a in lt.assessments.history("FRA", "LTS-B.4")] == ["implemented"]
        assert lt.integrity.verify().ok


def test_a_reader_window_says_so_refuses_an_edit_with_the_reason_and_prints(make_window, recorded, pg_cluster,  # type: ignore[no-untyped-def]  # noqa: F811
                                                                             tmp_path, qtbot) -> None:
    before = row_counts(pg_cluster, recorded["owner"])
    window = make_window(recorded["reader"])
    login = recorded["reader"].split("//", 1)[1].split("@", 1)[0]
    reason = f"signed in as {login} (tcbm_reader): you can look and print, not record; recording needs tcbm_editor"
    assert window.windowTitle().startswith("database ") and "(read-only)" in window.windowTitle()
    label = window.path_label
    assert label.text().startswith("Shared database ") and label.text().endswith(" — read-only: you can look and print, not record")
    assert label.toolTip() == reason[0].upper() + reason[1:]  # the login, its role and the role that records

    def editor_opened(*args: Any) -> Any:
        raise AssertionError("the editor opened for a login that may only read")

    window.dialogs.ask_assessment = editor_opened
    mv = window.matrix_view
    mv.select_cells([("FRA", "LTS-B.4")])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)  # Enter edits the selected cell
    wait_idle(qtbot, window)
    box = window.last_error
    assert box is not None and box.windowTitle() == "Your server login may only read"
    assert box.text() == f"Not recorded: {reason}"
    assert "tcbm_editor" in box.informativeText()
    box.close()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    # The print path: Ctrl+P writes the summary of the actor whose cell is selected.
    out = tmp_path / "fra.pdf"
    window.dialogs.ask_report_path = lambda parent, request: out
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert window.last_error is box, window.last_error.text()
    assert out.exists(), window.statusBar().currentMessage()
    assert "Not sealed (read-only login)" in pdf_text(out)
    assert row_counts(pg_cluster, recorded["owner"]) == before


def test_every_actor_summary_is_printed_by_worker_processes_each_connecting_to_the_server(
        recorded: dict[str, str], pg_cluster: Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = row_counts(pg_cluster, recorded["owner"])
    out = tmp_path / "summaries"
    code, said, err = run(capsys, "--db", recorded["reader"], "report", "actor", "--all", "--workers", "2", "--out", str(out))
    assert code == 0, err
    assert "with 2 worker(s)" in said
    files = sorted(out.glob("*-compliance-summary.pdf"))
    assert len(files) > 100
    assert "Not sealed (read-only login)" in pdf_text(out / "FRA-compliance-summary.pdf")
    assert row_counts(pg_cluster, recorded["owner"]) == before


def test_a_reader_window_refuses_imports_at_once_with_the_reason(make_window, recorded, pg_cluster, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    before = row_counts(pg_cluster, recorded["owner"])
    window = make_window(recorded["reader"])

    def asked(*args: Any) -> Any:
        raise AssertionError("a file was asked for an import the login may not make")

    window.exchange.questions.ask_import_paths = asked
    window.exchange.packages.questions.ask_package = asked
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    window.matrix_view.table.setFocus()
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_I, shift_ctrl)  # Import Spreadsheets…
    box = window.last_error
    assert box is not None and box.windowTitle() == "Your server login may only read"
    assert box.text().startswith("Not imported: signed in as ") and box.text().endswith("recording needs tcbm_editor")
    box.close()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.matrix_view.table.setFocus()
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_X, shift_ctrl)  # Exchange Package…
    hub = window.exchange.packages.hub
    qtbot.waitUntil(lambda: QApplication.activeWindow() is hub)
    qtbot.keyClick(hub, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # Import Package…
    qtbot.waitUntil(lambda: window.last_error is not box, timeout=3000)
    assert window.last_error.text().startswith("Not imported: signed in as ")
    wait_idle(qtbot, window)
    assert row_counts(pg_cluster, recorded["owner"]) == before


def test_the_verified_position_is_remembered_under_the_server_database_s_own_id(
        recorded: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoever reads it, from any folder: the next report checks only what came after it."""
    from tcbm_tracker.services.report_check import ReportCheckService

    keys = set()
    for who, folder in (("reader", tmp_path), ("editor", tmp_path / "elsewhere")):
        folder.mkdir(exist_ok=True)
        monkeypatch.chdir(folder)
        t = open_tracker(recorded[who])
        try:
            keys.add(t.report_check.key)
            first = ReportCheckService(t.db).check()
        finally:
            t.close()
    [key] = keys
    assert key.startswith("postgresql database ") and "(no id)" not in key
    assert not first.full  # the editor's check went on from the position the reader's check left
