"""The ``package`` and ``trust`` commands end to end: two copies, each with its own key and trust list."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tests.unit.exchange.package_copies import make_copy


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, config: Path, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(config))
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_two_copies_exchange_packages_from_the_command_line(
    _seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    hq = make_copy(_seeded_template, tmp_path, "hq", monkeypatch)
    mission = make_copy(_seeded_template, tmp_path, "mission", monkeypatch)

    def at_hq(*argv: str) -> tuple[int, str, str]:
        return _run(capsys, monkeypatch, hq.config, "--db", str(hq.path), "--user", "ana", *argv)

    def at_mission(*argv: str) -> tuple[int, str, str]:
        return _run(capsys, monkeypatch, mission.config, "--db", str(mission.path), "--user", "raj", *argv)

    assert at_hq("trust", "export", "--out", str(tmp_path / "hq.pub"))[0] == 0
    assert at_mission("trust", "export", "--out", str(tmp_path / "mission.pub"))[0] == 0
    code, out, _ = at_hq("trust", "add", str(tmp_path / "mission.pub"), "--name", "Mission laptop")
    assert code == 0 and out.startswith("trusted: ") and out.rstrip().endswith("Mission laptop")
    assert at_mission("trust", "add", str(tmp_path / "hq.pub"))[0] == 0
    code, out, _ = at_mission("trust", "list")
    assert code == 0 and out.startswith("this copy: ") and out.count("\n") == 2

    at_hq("assess", "FRA", "LTS-B.4", "planned", "--effective", "2020-01-01")
    code, out, err = at_hq("package", "export", "--all", "--out", str(tmp_path / "start.tcbm"))
    assert code == 0 and "wrote" in out and "1 assessment(s)" in out, err
    code, out, err = at_mission("package", "import", str(tmp_path / "start.tcbm"))
    assert code == 0 and "package import 1 recorded: 1 assessment(s)" in out, err

    at_hq("assess", "FRA", "LTS-B.4", "implemented", "--effective", "2024-03-01")
    at_mission("assess", "FRA", "LTS-B.4", "partially_implemented", "--effective", "2024-02-15")
    at_mission("package", "export", "--since", "2000-01-01", "--out", str(tmp_path / "week.tcbm"))
    code, out, _ = at_hq("package", "import", str(tmp_path / "week.tcbm"), "--dry-run")
    assert code == 0 and "conflicts 1" in out and "conflict FRA/LTS-B.4: mine implemented" in out
    assert "dry run: nothing was changed" in out
    code, out, err = at_hq("package", "import", str(tmp_path / "week.tcbm"))
    assert code == 2 and err.splitlines()[-1].startswith("tcbm-tracker: error: 1 conflict(s) with this copy")
    code, out, err = at_hq("package", "import", str(tmp_path / "week.tcbm"), "--prefer", "theirs")
    assert code == 0 and "1 conflict(s) resolved (theirs)" in out, err
    code, out, _ = at_hq("history", "FRA", "LTS-B.4")
    assert out.splitlines()[2].split()[2] == "partially_implemented" and "Resolves an exchange conflict" in out
    code, out, _ = at_hq("package", "import", str(tmp_path / "week.tcbm"), "--prefer", "theirs")
    assert code == 0 and "nothing new: the database was not changed" in out
    code, out, _ = at_hq("verify")
    assert code == 0 and out.startswith("ok")
