"""Regression guard for the PySide6 6.12.0 "none_dealloc" abort on Python 3.11.

PySide6(-Essentials) 6.12.0 aborts a Python 3.11 process ("Fatal Python error: none_dealloc:
deallocating None") after a few hundred thousand calls of a Qt method that returns nothing; a
desktop session makes that many calls in minutes. The dependency pin keeps 6.12 away from 3.11;
this test makes a million such calls in a child process, so that an installed Qt with the
defect fails the suite instead of a user's session. It takes a second or two.
"""

from __future__ import annotations

import os
import subprocess
import sys

CALLS = 1_000_000

CHILD = f"""
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject

obj = QObject()
for i in range({CALLS}):
    obj.setObjectName("cell")  # returns None: each call hands None back to Python
print("completed", {CALLS}, pyside_version, flush=True)
"""


def test_a_million_qt_calls_returning_none_do_not_abort() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    run = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr[-2000:]}"
    assert run.stdout.startswith(f"completed {CALLS} "), run.stdout
    assert "none_dealloc" not in run.stderr


def test_installed_pyside_respects_the_pin() -> None:
    from PySide6 import __version_info__ as version

    if sys.version_info < (3, 12):
        assert tuple(version[:2]) < (6, 12), f"PySide6 {version} aborts Python 3.11 processes; see pyproject.toml"
