"""File > Connect to Server…: the address is checked as typed, passwords are refused, recent servers kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tcbm_tracker.ui.connect_dialog import ConnectDialog, Target, address_to_keep, parse_target
from tcbm_tracker.ui.main_window import MainWindow


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("postgresql://ann@db.example.org/tcbm?sslmode=verify-full", "postgresql://ann@db.example.org/tcbm?sslmode=verify-full"),
        ("postgresql://ann:p%40ss@db.example.org:5433/tcbm", "postgresql://ann@db.example.org:5433/tcbm"),
        ("postgresql://ann@/tcbm?host=/run/pg&password=x&port=5433", "postgresql://ann@/tcbm?host=/run/pg&port=5433"),
        ("postgresql://:x@db.example.org/tcbm", "postgresql://db.example.org/tcbm"),
    ],
)
def test_a_server_opened_by_its_url_is_kept_without_its_password(given: str, kept: str) -> None:
    assert address_to_keep(given) == kept
    parse_target(kept)  # what the Connect dialog accepts back from the recent list


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "type a server address"),
        ("postgresql://ann:secret@db.example.org/tcbm", "PGPASSFILE"),
        ("postgresql://ann@db.example.org/tcbm?password=secret", "~/.pgpass"),
        ("mysql://db.example.org/tcbm", "unknown kind of address 'mysql'"),
        ("postgresql://ann@db.example.org/", "names no database"),
        ("postgresql:///tcbm", "names no host"),
        ("sqlite:///", "needs a file path"),
    ],
)
def test_unusable_addresses_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("?", r"\?").replace(".", r"\.")):
        parse_target(text)


def test_usable_addresses() -> None:
    assert parse_target(" postgresql://ann@db.example.org:5433/tcbm?sslmode=verify-full ").url == (
        "postgresql://ann@db.example.org:5433/tcbm?sslmode=verify-full")
    assert parse_target("sqlite:////srv/shared/tracker.sqlite").path == Path("/srv/shared/tracker.sqlite")
    assert parse_target("sqlite:///tracker.sqlite").path == Path("tracker.sqlite")
    assert parse_target("/media/usb/tracker.sqlite").path == Path("/media/usb/tracker.sqlite")


def test_typing_a_password_disables_connect_and_says_why(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ConnectDialog([])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.connect_button.isEnabled() and dialog.reason.text() == ""
    qtbot.keyClicks(dialog.address.lineEdit(), "postgresql://ann:secret@db.example.org/tcbm")
    assert not dialog.connect_button.isEnabled()
    assert "password" in dialog.reason.text() and "PGPASSFILE" in dialog.reason.text()
    qtbot.keyClick(dialog.address.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.target is None  # Enter does not connect with a refused address
    for _ in range(len(":secret@db.example.org/tcbm")):
        qtbot.keyClick(dialog.address.lineEdit(), Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.address.lineEdit(), "@db.example.org/tcbm")
    assert dialog.address.currentText() == "postgresql://ann@db.example.org/tcbm"
    assert dialog.connect_button.isEnabled() and dialog.reason.text() == ""
    qtbot.keyClick(dialog.address.lineEdit(), Qt.Key.Key_Return)
    assert dialog.result() == ConnectDialog.DialogCode.Accepted
    assert dialog.target == Target("postgresql://ann@db.example.org/tcbm", url="postgresql://ann@db.example.org/tcbm")


def test_recent_servers_are_offered_newest_first(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ConnectDialog(["postgresql://ann@a.example/tcbm", "sqlite:////tmp/x.sqlite"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.address.currentText() == "postgresql://ann@a.example/tcbm"
    qtbot.keyClick(dialog.address, Qt.Key.Key_Down)
    assert dialog.address.currentText() == "sqlite:////tmp/x.sqlite"
    assert dialog.connect_button.isEnabled()


def test_connecting_by_sqlite_url_opens_the_file_and_remembers_it(window: MainWindow, qtbot, idle, db_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "second.sqlite"
    other.write_bytes(db_path.read_bytes())
    address = f"sqlite:///{other}"
    window.server.ask = lambda parent, recent: parse_target(address)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    menu = window.menuBar().actions()[0].menu()
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    qtbot.keyClick(menu, Qt.Key.Key_S)  # Connect to &Server…
    idle(window)
    assert window.controller.tracker.path == other
    assert window.settings.recent_servers() == [address]


def test_a_server_that_does_not_open_is_said_and_not_remembered(window: MainWindow, qtbot, idle, db_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A unix socket folder with no server in it: unreachable, without touching the network.
    window.server.ask = lambda parent, recent: parse_target(f"postgresql://ann@/tcbm?host={tmp_path}&port=5999")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    menu = window.menuBar().actions()[0].menu()
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    qtbot.keyClick(menu, Qt.Key.Key_S)
    idle(window)
    assert window.last_error is not None
    said = window.last_error.text()  # type: ignore[attr-defined]
    assert said.startswith(f"database tcbm on server ann@{tmp_path}:5999: cannot reach the server")
    assert window.controller.tracker.path == db_path  # the open file stays open
    assert window.settings.recent_servers() == []


def test_a_password_is_never_stored(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="never stored"):
        settings.add_recent_server("postgresql://ann:secret@db.example.org/tcbm")
    assert settings.recent_servers() == []
