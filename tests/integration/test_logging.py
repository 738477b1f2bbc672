"""The log file: errors and slow operations are logged, in the user's log folder, never a note."""

from __future__ import annotations

import io
import logging
import logging.handlers
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from tcbm_tracker import cli as cli_module
from tcbm_tracker.app import watch_gui_thread
from tcbm_tracker.cli import data_commands, main
from tcbm_tracker.storage import log_file
from tcbm_tracker.ui.errors import BugReportDialog

SECRET = "Confidential-démarche-7f3a"


def logged(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("tcbm-tracker.log*")))


@pytest.fixture
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv("TCBM_TRACKER_LOG_DIR", str(folder))
    return folder


def test_errors_are_logged_without_the_note(db_path: Path, log_folder: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "assess", "FRA", "LTS-A.1", "planned", "--note", f"{SECRET} first"]) == 0
    # A refused input: logged with its one-line reason.
    assert main(["--db", str(db_path), "assess", "FRA", "LTS-A.1", "done", "--note", f"{SECRET} second"]) == 2

    # A bug whose message quotes the note, as a failed SQL statement quotes its parameters.
    def broken(args: object) -> int:
        raise RuntimeError(f"(sqlite3.IntegrityError) [parameters: ('{SECRET}',)]")

    monkeypatch.setattr(data_commands, "cmd_history", broken)
    # Another handler formatting first (a test runner's) caches the full exception text on the record.
    first = logging.StreamHandler(io.StringIO())
    logger = logging.getLogger("tcbm_tracker")
    logger.handlers.insert(0, first)
    try:
        assert main(["--db", str(db_path), "history", "FRA", "LTS-A.1"]) == 70
    finally:
        logger.removeHandler(first)
    assert SECRET in first.stream.getvalue()  # the other handler did see the message
    capsys.readouterr()
    text = logged(log_folder)
    assert "WARNING tcbm_tracker.cli: assess: status: unknown value 'done'" in text
    assert "ERROR tcbm_tracker.cli: history: internal error" in text
    assert "RuntimeError (message withheld from the log: it may quote user text)" in text and "broken" in text
    assert SECRET not in text and "Confidential" not in text


def test_a_slow_command_is_logged_by_name_only(db_path: Path, log_folder: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli_module, "SLOW_COMMAND_S", 0.0)
    assert main(["--db", str(db_path), "evidence", "add", "--title", SECRET]) == 0
    assert main(["assess", "FRA", "LTS-A.2", "planned", "--note", SECRET, "--db", str(db_path)]) == 0
    capsys.readouterr()
    text = logged(log_folder)
    assert "INFO tcbm_tracker.cli: evidence add: slow command," in text
    assert "INFO tcbm_tracker.cli: assess: slow command," in text
    assert SECRET not in text


def test_the_log_rotates(log_folder: Path) -> None:
    path = log_file.setup_logging()
    assert path == log_folder / "tcbm-tracker.log"
    log = logging.getLogger("tcbm_tracker.test")
    for _ in range(3_000):
        log.info("x" * 500)
    assert (log_folder / "tcbm-tracker.log.1").exists()
    assert path.stat().st_size <= log_file.MAX_BYTES
    assert not (log_folder / f"tcbm-tracker.log.{log_file.BACKUPS + 1}").exists()


def test_an_unwritable_log_folder_never_fails_a_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert log_file.setup_logging(blocker / "logs") is None


def test_a_busy_gui_thread_is_logged(qtbot, log_folder: Path) -> None:  # type: ignore[no-untyped-def]
    log_file.setup_logging()
    timer = watch_gui_thread(None)
    try:
        QTimer.singleShot(50, lambda: time.sleep(0.45))  # a slow operation on the GUI thread
        qtbot.wait(800)
    finally:
        timer.stop()
    assert "INFO tcbm_tracker.gui: GUI thread busy for" in logged(log_folder)


def test_the_bug_dialog_says_where_the_log_is(qtbot, log_folder: Path) -> None:  # type: ignore[no-untyped-def]
    path = log_file.setup_logging()
    dialog = BugReportDialog("ValueError: x", "details")
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert str(path) in texts and "no notes are ever written to it" in texts
