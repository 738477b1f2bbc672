"""Writing reports: atomic files, clear errors, cancellation and progress."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from report_pdf import NOW

from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.reports import (
    ReportCancelled,
    ReportOutputError,
    build_actor_summary,
    build_matrix_report,
    build_measure_report,
    document,
    suggested_file_name,
)
from tcbm_tracker.services.tracker import Tracker


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the reports (the database and its -wal/-shm live beside it)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_folder_that_does_not_exist_is_a_one_line_error(seeded: Tracker, out: Path) -> None:
    with pytest.raises(ReportOutputError) as err:
        build_actor_summary(seeded, "FRA", out / "missing" / "fra.pdf")
    assert err.value.message == (f"cannot write the report to {out / 'missing' / 'fra.pdf'}: "
                                 f"the folder {out / 'missing'} does not exist")
    assert names(out) == []


def test_a_file_in_place_of_the_folder_or_a_folder_as_output_are_refused(seeded: Tracker, out: Path) -> None:
    (out / "blocker").write_text("x")
    with pytest.raises(ReportOutputError, match="is not a folder"):
        build_actor_summary(seeded, "FRA", out / "blocker" / "fra.pdf")
    with pytest.raises(ReportOutputError, match="it is a folder"):
        build_actor_summary(seeded, "FRA", out)
    assert names(out) == ["blocker"]


def test_a_failing_write_leaves_no_file_and_keeps_the_old_report(seeded: Tracker, out: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = out / "fra.pdf"
    target.write_bytes(b"old report")

    def disk_full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(document.os, "replace", disk_full)
    with pytest.raises(ReportOutputError) as err:
        build_actor_summary(seeded, "FRA", target)
    assert "No space left on device" in err.value.message and "\n" not in err.value.message
    assert target.read_bytes() == b"old report"
    assert names(out) == ["fra.pdf"]


def test_cancelling_during_layout_leaves_no_file(seeded: Tracker, out: Path) -> None:
    target = out / "fra.pdf"
    target.write_bytes(b"old report")
    calls: list[tuple[int, int]] = []
    with pytest.raises(ReportCancelled):
        build_actor_summary(seeded, "FRA", target, progress=lambda d, t: calls.append((d, t)),
                            cancelled=lambda: len(calls) >= 5)
    assert len(calls) == 5  # it stopped where it was told to
    assert target.read_bytes() == b"old report"
    assert names(out) == ["fra.pdf"]
    with pytest.raises(ReportCancelled):
        build_matrix_report(seeded, out / "m.pdf", cancelled=lambda: True)
    assert names(out) == ["fra.pdf"]


def test_progress_starts_unknown_then_grows_to_the_total(seeded: Tracker, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    build_measure_report(seeded, "LTS-B.4", tmp_path / "b4.pdf", progress=lambda d, t: calls.append((d, t)), now=NOW)
    assert calls[0] == (0, 0)
    done = [d for d, _ in calls[1:]]
    assert done == sorted(done) and len(done) > 5
    assert calls[-1][0] == calls[-1][1] > 5


def test_bad_keys_and_dates_are_user_errors(seeded: Tracker, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="unknown actor 'XYZ'"):
        build_actor_summary(seeded, "XYZ", tmp_path / "x.pdf")
    with pytest.raises(NotFoundError, match="unknown measure"):
        build_measure_report(seeded, "LTS-Z.9", tmp_path / "x.pdf")
    with pytest.raises(ValidationError, match="as of"):
        build_matrix_report(seeded, tmp_path / "x.pdf", as_of="2025-02-30")
    with pytest.raises(NotFoundError, match="unknown catalogue"):
        build_matrix_report(seeded, tmp_path / "x.pdf", catalog="NOPE1")
    assert not (tmp_path / "x.pdf").exists()


def test_suggested_file_names() -> None:
    import datetime as dt

    assert suggested_file_name("actor", "FRA", as_of=dt.date(2025, 6, 1)) == "FRA-compliance-summary-2025-06-01.pdf"
    assert suggested_file_name("measure", "LTS-B.4") == "LTS-B.4-measure-report.pdf"
    assert suggested_file_name("matrix", "LTS2019/B") == "matrix-LTS2019-B.pdf"
    assert suggested_file_name("changes", "2025-01-01") == "changes-since-2025-01-01.pdf"
