"""The window names a database whose ``init`` was interrupted, and asks for `tcbm-tracker init`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

KILLED_INIT = """
import os, signal, sys
import tcbm_tracker.services.setup as setup
setup._before_marking_complete = lambda: os.kill(os.getpid(), signal.SIGKILL)
from tcbm_tracker.cli import main
sys.exit(main(sys.argv[1:]))
"""
MESSAGE = "is incomplete (its set-up was interrupted): run `tcbm-tracker init` to finish it"


def test_the_window_names_an_incomplete_database(tmp_path: Path, make_window, idle) -> None:  # type: ignore[no-untyped-def]
    interrupted = tmp_path / "tracker.sqlite"
    run = subprocess.run([sys.executable, "-c", KILLED_INIT, "--db", str(interrupted), "init"],
                         capture_output=True, text=True, timeout=120, env={**os.environ})
    assert run.returncode == -signal.SIGKILL, run.stderr
    window = make_window()
    window.controller.open_database(interrupted)
    idle(window)
    box = window.last_error
    assert box is not None and box.isVisible()
    assert box.windowTitle() == "The database was not finished"
    assert MESSAGE in box.text()
    assert window.controller.tracker is None
