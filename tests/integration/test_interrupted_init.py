"""An ``init`` killed before it finished leaves a file that every command names as incomplete,
and running ``init`` again finishes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tcbm_tracker.cli import main

# A real `tcbm-tracker init` process, killed by SIGKILL at its last step (inside the transaction
# that loads the shipped catalogues and actors), the moment the fault runs hit.
KILLED_INIT = """
import os, signal, sys
import tcbm_tracker.services.setup as setup
setup._before_marking_complete = lambda: os.kill(os.getpid(), signal.SIGKILL)
from tcbm_tracker.cli import main
sys.exit(main(sys.argv[1:]))
"""

MESSAGE = "is incomplete (its set-up was interrupted): run `tcbm-tracker init` to finish it"


@pytest.fixture(scope="module")
def _interrupted_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("interrupted") / "tracker.sqlite"
    run = subprocess.run([sys.executable, "-c", KILLED_INIT, "--db", str(path), "init"],
                         capture_output=True, text=True, timeout=120, env={**os.environ})
    assert run.returncode == -signal.SIGKILL, run.stderr
    # What the kill left: the schema, without the shipped data.
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM actor").fetchone()[0] == 0
    finally:
        con.close()
    return path


@pytest.fixture
def interrupted(_interrupted_once: Path, tmp_path: Path) -> Path:
    """A copy of the file the killed init left, with its write-ahead log if it has one."""
    target = tmp_path / "data" / "tracker.sqlite"
    target.parent.mkdir()
    for suffix in ("", "-wal"):
        source = Path(f"{_interrupted_once}{suffix}")
        if source.exists():
            Path(f"{target}{suffix}").write_bytes(source.read_bytes())
    return target


@pytest.mark.parametrize("command", [["matrix"], ["verify"], ["actors"], ["show", "FRA"], ["measures"],
                                     ["assess", "FRA", "LTS-B.4", "implemented"], ["seal"],
                                     ["report", "matrix", "--out", "m.pdf"]])
def test_every_command_names_an_incomplete_database(interrupted: Path, command: list[str],
                                                    capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = interrupted.read_bytes(), Path(f"{interrupted}-wal").read_bytes() if Path(f"{interrupted}-wal").exists() else None
    code = main(["--db", str(interrupted), *command])
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert err == f"tcbm-tracker: error: {interrupted} {MESSAGE}\n"
    after = interrupted.read_bytes(), Path(f"{interrupted}-wal").read_bytes() if Path(f"{interrupted}-wal").exists() else None
    assert after == before
    assert not (tmp_path / "m.pdf").exists()


def test_init_finishes_an_interrupted_database(interrupted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(interrupted), "init"]) == 0
    capsys.readouterr()
    assert main(["--db", str(interrupted), "verify"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    assert main(["--db", str(interrupted), "actors", "--json"]) == 0
    assert '"FRA"' in capsys.readouterr().out
    # Finished means finished: init again has nothing to do.
    from tcbm_tracker.services.setup import initialise

    assert not initialise(interrupted).changed
