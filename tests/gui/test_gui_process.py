"""The application as a process: killed right after an edit, started from the CLI, screenshots."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.tracker import open_tracker

KILL_SCRIPT = textwrap.dedent("""
    import datetime as dt, os, sys
    from pathlib import Path
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from tcbm_tracker.app import build_window, wait_until_idle
    from tcbm_tracker.domain.vocabulary import Confidence, Provenance, Status
    from tcbm_tracker.ui.edits import EditRequest
    db, settings = Path(sys.argv[1]), Path(sys.argv[2])
    window = build_window(user="field-officer", settings_path=settings)
    window.show()
    window.controller.open_database(db)
    wait_until_idle(window)
    # Report the moment the edit is accepted as saved, then keep running like a user would.
    window.controller.assessments_saved.connect(lambda saved: print("SAVED", saved[0].id, flush=True))
    window.controller.record(EditRequest((("FRA", "LTS-B.4"), ("KEN", "GGE-IV.1")), Status.IMPLEMENTED,
                                         Provenance.OFFICIAL_RECORD, Confidence.HIGH, dt.date.today(),
                                         note="Typed just before the power went"))
    app.exec()
""")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def test_killing_the_process_right_after_an_edit_loses_nothing(db_path: Path, tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(db_path), str(tmp_path / "s.ini")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env()) as proc:
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            os.kill(proc.pid, signal.SIGKILL)  # no clean shutdown, no chance to flush anything more
        finally:
            proc.wait(timeout=30)
        assert line.startswith("SAVED"), (line, proc.stderr.read() if proc.stderr else "")
    assert proc.returncode == -signal.SIGKILL
    tracker = open_tracker(db_path)
    try:
        for actor, measure in (("FRA", "LTS-B.4"), ("KEN", "GGE-IV.1")):
            (h,) = tracker.assessments.history(actor, measure)
            assert (h.status, h.note, h.recorded_by) == (Status.IMPLEMENTED, "Typed just before the power went", "field-officer")
        assert tracker.integrity.verify().ok
    finally:
        tracker.close()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("view", ["actor:FRA", "editor:FRA:LTS-B.4"])
def test_screenshot_command_renders_the_real_window(db_path: Path, tmp_path: Path, view: str) -> None:
    out = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "-m", "tcbm_tracker", "--db", str(db_path), "screenshot", "--view", view,
                             "--out", str(out), "--size", "1100x700"], capture_output=True, text=True, env=child_env(),
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert png_size(out) == (1100, 700)
    assert out.stat().st_size > 20_000  # a rendered window, not a blank image


def test_screenshot_refuses_bad_arguments_in_one_line(db_path: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--db", str(db_path), "screenshot", "--out", str(tmp_path / "x.png"), "--size", "huge"]) == 2
    assert capsys.readouterr().err.strip() == "tcbm-tracker: error: size: 'huge' is not a size like 1440x900"
    assert main(["--db", str(db_path), "screenshot", "--out", str(tmp_path / "x.jpg")]) == 2
    assert main(["--db", str(tmp_path / "nope.sqlite"), "screenshot", "--out", str(tmp_path / "x.png")]) == 3
    assert "no tracker database" in capsys.readouterr().err


def test_command_line_never_imports_qt() -> None:
    code = ("import sys; from tcbm_tracker.cli import build_parser; build_parser(); "
            "import tcbm_tracker.cli.extra_commands; "
            "sys.exit(1 if any(m.startswith('PySide6') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_no_command_and_gui_start_the_app_creating_only_the_default_database(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import tcbm_tracker.app as app

    calls: list[tuple[Path, bool]] = []
    monkeypatch.setattr(app, "run", lambda path, *, user=None, create=False, package=None:
                        (calls.append((path, create)) or 0) if package is None else 1)  # no package here
    default = tmp_path / "data" / "tracker.sqlite"
    monkeypatch.setenv("TCBM_TRACKER_DB", str(default))
    assert main([]) == 0
    assert main(["gui"]) == 0
    assert main(["--db", str(tmp_path / "typo.sqlite"), "gui"]) == 0
    assert calls == [(default, True), (default, True), (tmp_path / "typo.sqlite", False)]
