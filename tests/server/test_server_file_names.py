"""What is made from a server database is named after the database, not after its display name
(database, server and login, which makes no file name): the package the window suggests, and
the "Database" line of a spreadsheet export."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from pg_cluster import Cluster
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_server_reader import row_counts
from test_server_roles import team  # noqa: F401 - the fixture of logins per role
from test_server_window import make_window, wait_idle  # noqa: F401 - the window fixture

from tcbm_tracker.exchange.packages import api
from tcbm_tracker.exchange.service import ExchangeService
from tcbm_tracker.services.tracker import file_stem, open_tracker


def dbname(url: str) -> str:
    return url.split("@/", 1)[1].split("?", 1)[0]


def test_the_window_suggests_a_package_named_after_the_server_database(make_window, team, pg_cluster,  # type: ignore[no-untyped-def]  # noqa: F811
                                                                       tmp_path, qtbot) -> None:
    # A reader: the package is exported unsealed, and nothing is written on the server.
    before = row_counts(pg_cluster, team["owner"])
    window = make_window(team["reader"])
    window.matrix_view.table.setFocus()
    qtbot.keyClick(window.matrix_view.table, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    hub = window.exchange.packages.hub
    assert hub is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is hub and hub.fingerprint != "")
    qtbot.keyClick(hub, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # "Changes recorded since"
    qtbot.waitUntil(lambda: hub.since_radio.isChecked())
    asked: list[str] = []
    out = tmp_path / "chosen.tcbm"
    window.exchange.packages.questions.ask_package_out = lambda parent, name: asked.append(name) or out
    qtbot.keyClick(hub, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)  # Export Package…
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    wait_idle(qtbot, window)
    assert asked == [f"{dbname(team['owner'])}-since-{hub.since_date().isoformat()}-{dt.date.today().isoformat()}.tcbm"]
    summary = api.read_package(out)
    assert summary.since == hub.since_date()
    assert row_counts(pg_cluster, team["owner"]) == before


@pytest.mark.parametrize(("name", "stem"), [("team record/{n}", "team-record-{n}"), ("..{n}..", "{n}"), ("..", "tcbm")])
def test_a_database_name_that_makes_no_file_name_is_made_one(pg_cluster: Cluster, _pg_template: str,
                                                             name: str, stem: str) -> None:
    n = uuid.uuid4().hex[:6]
    name, stem = name.format(n=n), stem.format(n=n)
    pg_cluster.sql(f'DROP DATABASE IF EXISTS "{name}"')
    pg_cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    try:
        t = open_tracker(pg_cluster.url(quote(name, safe="")))
        try:
            assert file_stem(t) == stem
        finally:
            t.close()
    finally:
        pg_cluster.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.parametrize("readable", [False, True])
def test_a_spreadsheet_export_names_the_server_database(pg_initialised_url: str, tmp_path: Path, readable: bool) -> None:
    t = open_tracker(pg_initialised_url)
    try:
        out = tmp_path / "record.xlsx"
        ExchangeService(t).export(out, readable=readable)
        about = load_workbook(out)["About this file" if readable else "about"]
        lines = {str(row[0]): str(row[1]) for row in about.iter_rows(values_only=True) if row[0]}
        assert lines["Database"] == str(t.path)
        assert lines["Database"].startswith(f"database {dbname(pg_initialised_url)} on server ")
    finally:
        t.close()
