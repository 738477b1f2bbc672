"""GUI fixtures: a main window over a fresh database, with dialogs answered by the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from tcbm_tracker.services.tracker import Tracker, open_tracker
from tcbm_tracker.ui.controller import TrackerController
from tcbm_tracker.ui.jobs import JobRunner
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.settings import WindowSettings
from tcbm_tracker.ui.window_dialogs import Dialogs


@dataclass
class ScriptedDialogs:
    """Answers the window's questions from queues the test fills; fails loudly when unexpected."""

    assessment: list[Callable[..., Any]] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)
    paths: list[Path | None] = field(default_factory=list)

    def dialogs(self) -> Dialogs:
        def ask_assessment(parent: Any, context: Any, validate: Any, ask_evidence: Any) -> Any:
            assert self.assessment, "the editor was opened but the test gave no answer"
            return self.assessment.pop(0)(parent, context, validate, ask_evidence)

        def ask_evidence(parent: Any, validate: Any) -> Any:
            assert self.evidence, "the evidence dialog was opened but the test gave no answer"
            return self.evidence.pop(0)

        def ask_path(parent: Any) -> Path | None:
            assert self.paths, "a file dialog was opened but the test gave no answer"
            return self.paths.pop(0)

        return Dialogs(ask_assessment=ask_assessment, ask_evidence=ask_evidence, ask_open_path=ask_path, ask_new_path=ask_path)


@pytest.fixture
def settings(tmp_path: Path) -> WindowSettings:
    # Never the user's real settings: an INI file in this test's folder.
    return WindowSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def scripted() -> ScriptedDialogs:
    return ScriptedDialogs()


def wait_idle(qtbot: Any, window: MainWindow, timeout: int = 15_000) -> None:
    """Wait until every job (and any job queued by a finished one) has run and reported."""
    qtbot.waitUntil(lambda: not window.controller.runner.busy, timeout=timeout)


@pytest.fixture
def make_window(qtbot: Any, settings: WindowSettings, scripted: ScriptedDialogs) -> Iterator[Callable[..., MainWindow]]:
    def make(path: Path | None = None, *, busy_timeout_ms: int = 5_000, window_settings: WindowSettings | None = None) -> MainWindow:
        controller = TrackerController(JobRunner(), user="tester", busy_timeout_ms=busy_timeout_ms)
        window = MainWindow(controller, window_settings or settings, scripted.dialogs())
        controller.setParent(window)
        controller.runner.setParent(window)
        qtbot.addWidget(window)
        # Shortcuts (Ctrl+Z...) reach only the active window. waitActive is a context manager:
        # called bare it returns without waiting.
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        if path is not None:
            controller.open_database(path)
            wait_idle(qtbot, window)
        return window

    yield make


@pytest.fixture
def window(make_window: Callable[..., MainWindow], db_path: Path) -> MainWindow:
    return make_window(db_path)


@pytest.fixture
def reader(db_path: Path) -> Iterator[Tracker]:
    """A second, independent connection for checking what is really in the file."""
    t = open_tracker(db_path, user="checker")
    yield t
    t.close()


@pytest.fixture
def idle(qtbot: Any) -> Callable[..., None]:
    """``idle(window)``: wait until the window's jobs have all run."""
    return lambda window, timeout=15_000: wait_idle(qtbot, window, timeout)
