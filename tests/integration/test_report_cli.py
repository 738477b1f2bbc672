"""``tcbm-tracker report ...``: every report from the command line, and its errors on one line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab import rl_config

from tcbm_tracker.cli import main
from tcbm_tracker.services import tracker as tracker_module
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.reference import ReferenceService
from tcbm_tracker.services.tracker import Tracker, open_tracker


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def run(db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    """``main(["--db", db, "report", ...])`` in-process; every tracker it opens must be closed by ``main``."""
    opened: list[Tracker] = []
    closed: list[Tracker] = []

    def tracking_open(*args: Any, **kwargs: Any) -> Tracker:
        t = open_tracker(*args, **kwargs)
        real_close = t.close

        def close() -> None:
            closed.append(t)
            real_close()

        t.close = close  # type: ignore[method-assign]
        opened.append(t)
        return t

    monkeypatch.setattr(tracker_module, "open_tracker", tracking_open)
    monkeypatch.setattr(rl_config, "invariant", 1)

    def invoke(*argv: str) -> Result:
        code = main(["--db", str(db_path), "--user", "analyst", "report", *argv])
        captured = capsys.readouterr()
        left_open = [t for t in opened if t not in closed]
        for t in left_open:
            t.close()
        assert not left_open, f"report {argv[0]} left {len(left_open)} tracker(s) open"
        return Result(code, captured.out, captured.err)

    yield invoke


@pytest.fixture
def recorded(db_path: Path) -> None:
    t = open_tracker(db_path, user="tester")
    t.assessments.record_many([
        AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2023-06-01", note="emoji 😀 and <b>tags</b>"),
        AssessmentInput("CIV", "LTS-B.4", "planned", effective="2023-06-01"),
    ])
    t.close()


def test_actor_summary(run: Run, recorded: None, tmp_path: Path) -> None:
    r = run("actor", "fra", "--out", str(tmp_path / "fra.pdf"), "--as-of", "2024-01-01", "--catalog", "LTS2019")
    assert r.code == 0, r.err
    assert r.out.startswith(f"wrote {tmp_path / 'fra.pdf'} (") and "data fingerprint" in r.out
    assert ("warning: 1 character(s) no report font can show are printed as [U+XXXX]: U+1F600 GRINNING FACE"
            " in LTS-B.4 — note") in r.err  # the field it came from
    reader = PdfReader(tmp_path / "fra.pdf")
    assert reader.metadata is not None and reader.metadata.author == "analyst"
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "as of 2024-01-01" in text and "emoji [U+1F600] and <b>tags</b>" in text


def test_measure_matrix_and_changes(run: Run, recorded: None, tmp_path: Path) -> None:
    for argv, name in ((["measure", "LTS-B.4"], "b4.pdf"),
                       (["matrix", "--catalog", "LTS2019", "--group", "B", "--region", "WEOG"], "m.pdf"),
                       (["changes", "--since", "2020-01-01"], "c.pdf")):
        r = run(*argv, "--out", str(tmp_path / name))
        assert r.code == 0, r.err
        assert PdfReader(tmp_path / name).pages


def test_all_actors_with_worker_processes(run: Run, recorded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Three actors keep the test short; the workers and the staging folder are the real ones.
    real_actors = ReferenceService.actors
    monkeypatch.setattr(ReferenceService, "actors",
                        lambda self, as_of=None: [a for a in real_actors(self, as_of) if a.key in ("FRA", "CIV", "DEU")])
    r = run("actor", "--all", "--out", str(tmp_path / "all"), "--workers", "2")
    assert r.code == 0, r.err
    assert "wrote 3 summaries" in r.out and "with 2 worker(s)" in r.out
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [f"{k}-compliance-summary.pdf" for k in ("CIV", "DEU", "FRA")]
    assert "FRA: 1 character(s)" in r.err


@pytest.mark.parametrize(("argv", "message"), [
    (["actor", "XYZ", "--out", "{tmp}/x.pdf"], "unknown actor 'XYZ'"),
    (["actor", "--out", "{tmp}/x.pdf"], "actor: give an actor key (e.g. FRA) or --all"),
    (["actor", "FRA", "--all", "--out", "{tmp}/x.pdf"], "not both or neither"),
    (["actor", "FRA", "--out", "{tmp}/missing/x.pdf"], "cannot write the report to {tmp}/missing/x.pdf: the folder"),
    (["actor", "FRA", "--out", "{tmp}"], "it is a folder; give a file name"),
    (["actor", "FRA", "--as-of", "2099-01-01", "--out", "{tmp}/x.pdf"], "as of: 2099-01-01 is in the future"),
    (["measure", "LTS-Q.1", "--out", "{tmp}/x.pdf"], "unknown measure"),
    (["matrix", "--group", "Z", "--out", "{tmp}/x.pdf"], "unknown group 'Z'"),
    (["changes", "--since", "yesterday", "--out", "{tmp}/x.pdf"], "since: 'yesterday' is not a date"),
    (["actor", "--all", "--workers", "0", "--out", "{tmp}/all"], "workers: --workers takes a number of at least 1"),
])
def test_errors_are_one_line_and_write_nothing(run: Run, tmp_path: Path, argv: list[str], message: str) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    r = run(*[a.format(tmp=out) for a in argv])
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tcbm-tracker: error: "), r.err
    assert message.format(tmp=out) in lines[0]
    assert list(out.iterdir()) == []


def test_report_help_lists_the_reports(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = capsys.readouterr().out
    for name in ("actor", "measure", "matrix", "changes"):
        assert name in help_text


def test_help_and_version_do_not_load_the_database_layer() -> None:
    """`--help`/`--version` answer at once: the report commands import services only when run."""
    code = ("import sys; from tcbm_tracker.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'reportlab', 'tcbm_tracker.services.tracker') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_tampered_database_is_not_printed_silently(run: Run, recorded: None, db_path: Path, tmp_path: Path) -> None:
    import sqlite3

    con = sqlite3.connect(db_path)  # an edit made outside the app
    con.execute("UPDATE assessment SET status = 'not_implemented' WHERE actor_key = 'FRA'")
    con.commit()
    con.close()
    for argv in (["actor", "FRA"], ["measure", "LTS-B.4"], ["matrix"], ["changes", "--since", "2000-01-01"]):
        out = tmp_path / f"{argv[0]}.pdf"
        refused = run(*argv, "--out", str(out))
        assert refused.code != 0 and "failed verification" in refused.err and not out.exists(), argv
        assert len(refused.err.strip().splitlines()) == 1
        stamped = run(*argv, "--out", str(out), "--allow-unverified")
        assert stamped.code == 0, stamped.err
        assert "DATA FAILED VERIFICATION" in PdfReader(out).pages[0].extract_text()


def test_actor_summary_since_a_date(run: Run, recorded: None, tmp_path: Path) -> None:
    out = tmp_path / "fra.pdf"
    assert run("actor", "FRA", "--out", str(out), "--as-of", "2024-01-01", "--since", "2023-01-01").code == 0
    first = " ".join(PdfReader(out).pages[0].extract_text().split())
    assert "What changed since 2023-01-01: 1 status." in first
    bad = run("actor", "FRA", "--out", str(out), "--as-of", "2024-01-01", "--since", "2025-01-01")
    assert bad.code == 2 and "since: 2025-01-01 is after the as-of date 2024-01-01" in bad.err


def test_a_one_report_process_ends_at_once_with_its_output_and_exit_code(recorded: None, db_path: Path,
                                                                          tmp_path: Path) -> None:
    """`report actor FRA` in its own process skips the interpreter's teardown (os._exit): what it
    printed, its exit code and the database file must be exactly as after a normal exit."""
    out = tmp_path / "fra.pdf"
    argv = [sys.executable, "-m", "tcbm_tracker", "--db", str(db_path), "report", "actor", "FRA", "--out", str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out} (") and done.stdout.endswith(")\n")
    assert PdfReader(out).pages[0].extract_text()
    assert not Path(f"{db_path}-wal").exists()  # the database was closed (checkpointed) before the exit
    failed = subprocess.run([*argv[:-4], "actor", "XXX", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0 and failed.stderr.startswith("tcbm-tracker: error: unknown actor 'XXX'"), failed.stderr
