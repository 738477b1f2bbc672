"""Opening a .tcbm from the file manager: the desktop entry runs `tcbm-tracker gui FILE.tcbm`,
which opens the window on the database (the default one, or --db) with that package's import
preview; nothing is imported before the user confirms it there."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tcbm_tracker import app
from tcbm_tracker.cli import main
from tcbm_tracker.exchange.packages import api
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.storage.locations import default_database_path
from tests.unit.exchange.package_copies import make_copy


@pytest.fixture
def package(_seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package from another copy (its own key), signed and not yet trusted here."""
    mine_config = os.environ["TCBM_TRACKER_CONFIG_DIR"]
    other = make_copy(_seeded_template, tmp_path / "paris", "paris", monkeypatch)
    try:
        with other.open() as t:
            t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2024-01-01"))
            return api.export_package(t, tmp_path / "from-paris.tcbm").path
    finally:
        monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", mine_config)


def test_gui_with_a_package_starts_on_the_default_database_with_it(package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(app, "run", lambda path, **kwargs: started.append({"path": path, **kwargs}) or 0)
    assert main(["gui", str(package)]) == 0
    assert started == [{"path": default_database_path(), "user": None, "create": True, "package": package.resolve()}]


def test_gui_with_a_package_and_db_opens_that_database(package: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(app, "run", lambda path, **kwargs: started.append({"path": path, **kwargs}) or 0)
    assert main(["--db", str(db_path), "gui", str(package)]) == 0
    assert started[0]["path"] == db_path and started[0]["create"] is False and started[0]["package"] == package.resolve()


def test_the_window_opens_the_database_then_shows_the_package_preview(qtbot, package: Path, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # What app.run does with a package, without its event loop: the database starts opening on
    # the job thread while the window is built, and the preview follows once it is open.
    window = app.build_window(settings_path=tmp_path / "settings.ini", db_path=db_path)
    qtbot.addWidget(window)
    window.exchange.packages.preview_when_open(package)
    window.show()
    qtbot.waitUntil(lambda: window.exchange.packages.preview is not None, timeout=20_000)
    preview = window.exchange.packages.preview
    qtbot.waitUntil(lambda: preview.isVisible() and QApplication.activeWindow() is preview)
    assert window.controller.tracker is not None and window.controller.tracker.path == db_path
    assert "from-paris.tcbm" in preview.summary_label.text() and "NOT on your list" in preview.summary_label.text()
    assert preview.third_party_button.isVisible()
    # Opening the window seals and backs the file up (the day's backup); nothing was imported.
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT count(*) FROM assessment").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM package_import").fetchone() == (0,)
    finally:
        con.close()
