"""One summary per actor, in worker processes: files, same data, all-or-nothing, cancellation."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_pdf import NOW, body_text

from tcbm_tracker.domain.errors import NotFoundError
from tcbm_tracker.reports import ReportCancelled, ReportOutputError, build_all_actor_summaries
from tcbm_tracker.services.tracker import Tracker

KEYS = ["FRA", "CIV", "TUR", "GRC"]


@pytest.mark.parametrize("start_method", ["spawn", "fork"])
def test_two_worker_processes_write_one_summary_per_actor(seeded: Tracker, tmp_path: Path, start_method: str) -> None:
    calls: list[tuple[int, int]] = []
    batch = build_all_actor_summaries(seeded, tmp_path / "out", actors=KEYS, workers=2, now=NOW, invariant=True,
                                      progress=lambda d, t: calls.append((d, t)), start_method=start_method)
    assert batch.workers == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{k}.pdf" for k in KEYS)
    assert [r.path.stem for r in batch.results] == KEYS
    assert {r.fingerprint for r in batch.results} == {seeded.queries.fingerprint()}
    assert "Côte d'Ivoire" in body_text(tmp_path / "out" / "CIV.pdf")
    assert "Türkiye" in body_text(tmp_path / "out" / "TUR.pdf")
    assert any("FRA: " in w and "U+4E2D" in w for w in batch.warnings)  # FRA's hostile note
    assert calls[-1] == (4, 4)
    # The same summaries in this process are byte-identical to the workers' ones.
    single = build_all_actor_summaries(seeded, tmp_path / "one", actors=KEYS, workers=1, now=NOW, invariant=True)
    for r in single.results:
        assert r.path.read_bytes() == (tmp_path / "out" / r.path.name).read_bytes()


def test_cancelling_a_batch_leaves_the_folder_as_it_was(seeded: Tracker, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "FRA.pdf").write_bytes(b"older summary")
    with pytest.raises(ReportCancelled):
        build_all_actor_summaries(seeded, out, actors=KEYS, workers=1, cancelled=lambda: (out / ".cancel").exists(),
                                  progress=lambda d, t: (out / ".cancel").touch())
    (out / ".cancel").unlink()
    assert [p.name for p in out.iterdir()] == ["FRA.pdf"]
    assert (out / "FRA.pdf").read_bytes() == b"older summary"


def test_batch_errors_are_user_errors(seeded: Tracker, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ReportOutputError, match="it is a file"):
        build_all_actor_summaries(seeded, tmp_path / "file", actors=KEYS)
    with pytest.raises(NotFoundError, match="unknown actor"):
        build_all_actor_summaries(seeded, tmp_path / "out", actors=["FRA", "NOPE"])
    with pytest.raises(NotFoundError, match="unknown catalogue"):
        build_all_actor_summaries(seeded, tmp_path / "out", catalog="NOPE1")
