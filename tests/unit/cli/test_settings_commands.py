"""``tcbm-tracker settings``: who reports with this copy, set and read from the command line,
kept in the config folder, printed on page 1 of the reports; bad input is refused in one line
and changes nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.services import user_settings
from tcbm_tracker.storage.user_settings import settings_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse and refused input
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_set_get_show_and_unset(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "settings")[1].startswith("reporter.name          (not set)")
    code, out, _ = _run(capsys, "settings", "set", "reporter.name", "  Jane Doe ")
    assert code == 0 and out == "reporter.name = Jane Doe\n"
    assert _run(capsys, "settings", "set", "reporter.organization", "Ministry of Foreign Affairs")[1] == \
        "reporter.organisation = Ministry of Foreign Affairs\n"  # either spelling
    assert _run(capsys, "settings", "get", "reporter.name")[1] == "Jane Doe\n"
    shown = _run(capsys, "settings")[1]
    assert "by the user of this copy, Jane Doe (Ministry of Foreign Affairs)" in shown
    assert json.loads(_run(capsys, "settings", "--json")[1]) == {"reporter.name": "Jane Doe",
                                                                  "reporter.organisation": "Ministry of Foreign Affairs"}
    assert settings_path().parent == Path(os.environ["TCBM_TRACKER_CONFIG_DIR"])  # the config folder, not the database's
    assert user_settings.reporter().text == "Jane Doe (Ministry of Foreign Affairs)"
    assert _run(capsys, "settings", "unset", "reporter.name")[0] == 0
    assert _run(capsys, "settings", "get", "reporter.name")[1] == ""
    assert user_settings.reporter().text == "Ministry of Foreign Affairs"


@pytest.mark.parametrize("argv, message", [
    (("settings", "set", "reporter.nam", "x"), "'reporter.nam' is not a setting (known: reporter.name, reporter.organisation)"),
    (("settings", "set", "reporter.name", "<b>Jane</b>"), "reporter.name: contains markup"),
    (("settings", "set", "reporter.name", "Jane\nDoe"), "reporter.name: contains line breaks"),
    (("settings", "set", "reporter.name", "   "), "reporter.name: is required"),
    (("settings", "set", "reporter.name", "x" * 201), "the limit is 200"),
])
def test_bad_input_is_refused_in_one_line_and_changes_nothing(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
                                                               message: str) -> None:
    _run(capsys, "settings", "set", "reporter.name", "Jane Doe")
    before = settings_path().read_bytes()
    code, _, err = _run(capsys, *argv)
    assert code != 0 and message in err and err.count("\n") == 1, err
    assert settings_path().read_bytes() == before


def test_a_damaged_settings_file_is_named_and_left_alone(capsys: pytest.CaptureFixture[str]) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    code, _, err = _run(capsys, "settings", "set", "reporter.name", "Jane")
    assert code != 0 and f"the settings file {path} is not valid JSON" in err and err.count("\n") == 1
    assert path.read_text(encoding="utf-8") == "{not json"
