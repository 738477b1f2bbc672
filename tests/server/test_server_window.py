"""The desktop window on a real PostgreSQL server: it opens by URL and by File > Connect to
Server…, two analysts' windows see each other's edits at once (LISTEN/NOTIFY), and a server that
stops is said in a banner, refuses edits, and is reconnected to by itself."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pg_cluster import PASSWORD_LOGIN, Cluster
from PySide6.QtCore import QSettings, Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.server_admin import grant_role, setup_roles
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.ui.connect_dialog import parse_target
from tcbm_tracker.ui.controller import TrackerController
from tcbm_tracker.ui.editor_dialog import AssessmentEditorDialog
from tcbm_tracker.ui.jobs import JobRunner
from tcbm_tracker.ui.main_window import MainWindow
from tcbm_tracker.ui.matrix_model import STATUS_ROLE
from tcbm_tracker.ui.settings import WindowSettings

ANALYSTS = ("alice", "bob")


def team_database(cluster: Cluster, template: str | None = None) -> Callable[[str], str]:
    """A new server database set up for a team (roles, grants, triggers) with two editors; returns
    the URL for a login."""
    name = f"w_{uuid.uuid4().hex[:12]}"
    if template is None:
        cluster.sql(f'CREATE DATABASE "{name}"')
        initialise(cluster.url(name), user="tester")
    else:
        cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    owner = cluster.url(name)
    setup_roles(owner)
    for login in ANALYSTS:
        cluster.sql(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{login}') "
                    f"THEN CREATE ROLE {login} LOGIN; END IF; END $$")
        grant_role(owner, login, "tcbm_editor")
    return lambda login: cluster.url(name, login)


@pytest.fixture
def team(pg_cluster: Cluster, _pg_template: str) -> Callable[[str], str]:
    return team_database(pg_cluster, _pg_template)


def wait_idle(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.controller.runner.busy, timeout=15_000)


@pytest.fixture
def make_window(qtbot: Any, tmp_path: Path) -> Callable[[str | Path | None], MainWindow]:
    def make(target: str | Path | None = None) -> MainWindow:
        controller = TrackerController(JobRunner(), user="tester")
        settings = WindowSettings(QSettings(str(tmp_path / f"settings-{uuid.uuid4().hex[:6]}.ini"),
                                            QSettings.Format.IniFormat))
        window = MainWindow(controller, settings)
        controller.setParent(window)
        controller.runner.setParent(window)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitActive(window)
        if isinstance(target, str):
            controller.open_server(target)
        elif target is not None:
            controller.open_database(target)
        if target is not None:
            wait_idle(qtbot, window)
            assert controller.tracker is not None, window.last_error and window.last_error.text()  # type: ignore[attr-defined]
        return window

    return make


def cell_status(window: MainWindow, actor: str, measure: str) -> str:
    m = window.matrix_view.model
    return str(m.data(m.index(m.row_of(actor), m.column_of(measure)), STATUS_ROLE))


def answer_status(status: Status) -> Callable[..., Any]:
    """The editor's answer: the real dialog, the status chosen, recorded (no exec())."""

    def answer(parent: Any, context: Any, validate: Any, ask_evidence: Any) -> Any:
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        if dialog.asks_mode:
            dialog.change_mode.setChecked(True)
        dialog.status.setCurrentIndex(dialog.status.findData(status.value))
        request = dialog.request()
        dialog.deleteLater()
        return request

    return answer


def edit_by_keys(qtbot: Any, window: MainWindow, actor: str, measure: str, status: Status) -> None:
    window.dialogs.ask_assessment = answer_status(status)
    mv = window.matrix_view
    mv.select_cells([(actor, measure)])
    mv.table.setFocus()
    qtbot.keyClick(mv.table, Qt.Key.Key_Return)  # Enter edits the selected cell
    wait_idle(qtbot, window)


def test_the_window_opens_a_server_and_names_it_without_a_password(make_window, team, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(team("alice"))
    assert window.controller.on_server
    title = window.windowTitle()
    assert title.startswith("database w_") and "on server alice@" in title and title.endswith("— TCBM Tracker")
    assert window.path_label.text().startswith("Shared database w_")
    assert window.matrix_view.model.rowCount() > 100
    assert window.settings.recent_files() == []  # a server is not a recent file
    # Backups are a file's: the key says so in one line instead of listing a folder.
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.statusBar().currentMessage().startswith("Backups are for database files")
    assert window.exchange.backups is None


def test_an_edit_in_one_window_repaints_the_others_cell_and_says_who(make_window, team, qtbot) -> None:  # type: ignore[no-untyped-def]
    alice, bob = make_window(team("alice")), make_window(team("bob"))
    assert bob.live.live.listener is not None  # told by the server, not only by the timer
    qtbot.waitUntil(lambda: bob.live.live._cursor is not None, timeout=5000)
    resets: list[str] = []
    bob.matrix_view.model.modelReset.connect(lambda: resets.append("reset"))
    edit_by_keys(qtbot, alice, "FRA", "LTS-B.4", Status.IMPLEMENTED)
    assert alice.last_error is None
    qtbot.waitUntil(lambda: cell_status(bob, "FRA", "LTS-B.4") == "implemented", timeout=5000)
    assert resets == []  # that cell repainted, the matrix not reloaded
    assert bob.live.last_message.startswith("alice recorded") and "LTS-B.4" in bob.live.last_message
    # And back: bob's edit reaches alice's window, recorded under bob's login.
    edit_by_keys(qtbot, bob, "DEU", "LTS-A.1", Status.PARTIALLY_IMPLEMENTED)
    qtbot.waitUntil(lambda: cell_status(alice, "DEU", "LTS-A.1") == "partially_implemented", timeout=5000)
    assert alice.live.last_message.startswith("bob recorded")


def test_an_open_editor_says_another_analyst_changed_its_cell(make_window, team, qtbot) -> None:  # type: ignore[no-untyped-def]
    alice, bob = make_window(team("alice")), make_window(team("bob"))
    qtbot.waitUntil(lambda: bob.live.live._cursor is not None, timeout=5000)
    seen: dict[str, str] = {}

    def answer(parent: Any, context: Any, validate: Any, ask_evidence: Any) -> Any:
        dialog = AssessmentEditorDialog(context, validate, ask_evidence, parent)
        dialog.show()
        edit_by_keys(qtbot, alice, "FRA", "LTS-B.4", Status.NOT_IMPLEMENTED)  # meanwhile, in alice's window
        qtbot.waitUntil(dialog.changed_elsewhere.isVisible, timeout=5000)
        seen["text"] = dialog.changed_elsewhere.text()
        dialog.close()
        dialog.deleteLater()
        return None  # bob cancels

    bob.dialogs.ask_assessment = answer
    bob.matrix_view.select_cells([("FRA", "LTS-B.4")])
    bob.matrix_view.table.setFocus()
    qtbot.keyClick(bob.matrix_view.table, Qt.Key.Key_Return)
    wait_idle(qtbot, bob)
    assert seen["text"].startswith("changed by alice at ") and "while you were editing" in seen["text"]


def test_connect_to_server_by_keys_opens_it_and_keeps_it_in_recent_servers(make_window, team, db_path, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(db_path)
    address = team("bob")
    window.server.ask = lambda parent, recent: parse_target(address)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    menu = window.menuBar().actions()[0].menu()
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    qtbot.keyClick(menu, Qt.Key.Key_S)  # Connect to &Server…
    qtbot.waitUntil(lambda: window.controller.on_server, timeout=10_000)
    wait_idle(qtbot, window)
    assert "on server bob@" in window.windowTitle()
    assert window.settings.recent_servers() == [address]
    assert window.live.live.listener is not None


@pytest.mark.parametrize("login, says", [
    ("nobody_here", "the server does not know this user"),
    ("no_role", "needs the server role tcbm_reader"),
    (PASSWORD_LOGIN, "the server refused the password"),
    ("alice", "was written by a newer version of TCBM Tracker"),
])
def test_a_server_that_refuses_keeps_the_open_file_open(make_window, team, db_path, pg_cluster, qtbot,  # type: ignore[no-untyped-def]
                                                         login, says) -> None:
    # PASSWORD_LOGIN must give a password (pg_hba.conf): with none in a password file, it is refused.
    pg_cluster.sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'no_role') "
                   "THEN CREATE ROLE no_role LOGIN; END IF; END $$")
    url = team(login)
    if "newer" in says:
        database = url.split("@/", 1)[1].split("?", 1)[0]
        pg_cluster.sql("UPDATE alembic_version SET version_num = '0099'", dbname=database)
    window = make_window(db_path)
    window.controller.open_server(url)
    wait_idle(qtbot, window)
    assert window.last_error is not None
    text = window.last_error.text()  # type: ignore[attr-defined]
    assert says in text and "\n" not in text.strip()
    assert window.controller.tracker.path == db_path
    assert not window.controller.on_server


def test_a_stopped_server_is_said_edits_are_refused_and_it_reconnects(make_window, own_cluster, qtbot) -> None:  # type: ignore[no-untyped-def]
    url = team_database(own_cluster)
    window, other = make_window(url("alice")), make_window(url("bob"))
    banner = window.live.banner
    own_cluster.stop("fast")
    try:
        qtbot.waitUntil(banner.isVisible, timeout=5000)
        assert banner.text().startswith("The server cannot be reached")
        assert "edits are refused" in banner.text()
        assert window.saved_label.text() == "Not connected"
        assert window.matrix_view.model.rowCount() > 100  # still readable with what it has
        edit_by_keys(qtbot, window, "FRA", "LTS-B.4", Status.IMPLEMENTED)
        assert "Editing is paused" in window.last_error.text()  # type: ignore[attr-defined]
    finally:
        own_cluster.start()
    qtbot.waitUntil(banner.isHidden, timeout=10_000)
    assert window.controller.unavailable_reason is None
    # Back: an edit is saved, and the other window hears of it through its listener again.
    edit_by_keys(qtbot, window, "FRA", "LTS-B.4", Status.IMPLEMENTED)
    qtbot.waitUntil(lambda: cell_status(other, "FRA", "LTS-B.4") == "implemented", timeout=10_000)


def test_an_edit_sent_as_the_server_stops_is_reported_not_saved(make_window, own_cluster, qtbot) -> None:  # type: ignore[no-untyped-def]
    url = team_database(own_cluster)
    window = make_window(url("alice"))
    window.live.live.stop()  # the banner has not come up yet when the edit goes out
    recorder = answer_status(Status.IMPLEMENTED)

    def answer(*args: Any) -> Any:
        own_cluster.stop("fast")  # while the editor is open
        return recorder(*args)

    try:
        window.dialogs.ask_assessment = answer
        mv = window.matrix_view
        mv.select_cells([("FRA", "LTS-B.4")])
        mv.table.setFocus()
        qtbot.keyClick(mv.table, Qt.Key.Key_Return)
        wait_idle(qtbot, window)
        text = window.last_error.text()  # type: ignore[attr-defined]
        assert text.startswith("Not saved:") and "cannot reach the server" in text
        assert window.controller.undo_stack.count() == 0
    finally:
        own_cluster.start()
    reader = open_tracker(url("bob"))
    try:
        assert reader.assessments.history("FRA", "LTS-B.4") == []
    finally:
        reader.close()


def test_the_application_starts_its_window_on_a_server_url(team, tmp_path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker import app

    window = app.build_window(settings_path=tmp_path / "app.ini", db_path=team("alice"), create=True)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.controller.on_server, timeout=10_000)
    wait_idle(qtbot, window)
    assert "on server alice@" in window.windowTitle()
    assert window.matrix_view.model.rowCount() > 100


@pytest.mark.parametrize("secret", ["", ":s3cret", "?password=s3cret"])
def test_a_server_opened_by_its_url_is_kept_in_recent_servers_without_a_password(team, tmp_path, qtbot,  # type: ignore[no-untyped-def]
                                                                                   secret) -> None:
    """``--db URL gui``, ``gui URL`` and TCBM_TRACKER_DB all start the window on ``build_window``'s URL."""
    from tcbm_tracker import app

    url = team("alice")  # postgresql://alice@/database?host=...&port=...
    if secret.startswith(":"):
        given = url.replace("alice@", f"alice{secret}@")
    elif secret:
        given = url + "&" + secret[1:]
    else:
        given = url
    window = app.build_window(settings_path=tmp_path / "app.ini", db_path=given)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.controller.on_server, timeout=10_000)
    wait_idle(qtbot, window)
    assert window.settings.recent_servers() == [url]
    assert "s3cret" not in (tmp_path / "app.ini").read_text()
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    # Offered first by File > Connect to Server… (asked of the dialog's seam, never shown modal).
    offered: list[list[str]] = []
    window.server.ask = lambda parent, recent: offered.append(recent)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    menu = window.menuBar().actions()[0].menu()
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    qtbot.keyClick(menu, Qt.Key.Key_S)  # Connect to &Server…
    qtbot.waitUntil(lambda: offered == [[url]], timeout=3000)


def test_a_server_that_did_not_open_is_not_kept_in_recent_servers(team, tmp_path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from tcbm_tracker import app

    window = app.build_window(settings_path=tmp_path / "app.ini", db_path=team("nobody_here"))
    qtbot.addWidget(window)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=10_000)
    assert window.settings.recent_servers() == []
