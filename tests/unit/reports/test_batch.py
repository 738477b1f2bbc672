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
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{k}-compliance-summary.pdf" for k in KEYS)
    assert [r.path.name for r in batch.results] == [f"{k}-compliance-summary.pdf" for k in KEYS]
    assert {r.fingerprint for r in batch.results} == {seeded.queries.fingerprint()}
    assert "Côte d'Ivoire" in body_text(tmp_path / "out" / "CIV-compliance-summary.pdf")
    assert "Türkiye" in body_text(tmp_path / "out" / "TUR-compliance-summary.pdf")
    assert any("FRA: " in w and "U+1F600" in w for w in batch.warnings)  # the emoji of FRA's hostile note
    assert calls[-1] == (4, 4)
    # The same summaries in this process are byte-identical to the workers' ones.
    single = build_all_actor_summaries(seeded, tmp_path / "one", actors=KEYS, workers=1, now=NOW, invariant=True)
    for r in single.results:
        assert r.path.read_bytes() == (tmp_path / "out" / r.path.name).read_bytes()


def test_cancelling_a_batch_leaves_the_folder_as_it_was(seeded: Tracker, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "FRA-compliance-summary.pdf").write_bytes(b"older summary")
    with pytest.raises(ReportCancelled):
        build_all_actor_summaries(seeded, out, actors=KEYS, workers=1, cancelled=lambda: (out / ".cancel").exists(),
                                  progress=lambda d, t: (out / ".cancel").touch())
    (out / ".cancel").unlink()
    assert [p.name for p in out.iterdir()] == ["FRA-compliance-summary.pdf"]
    assert (out / "FRA-compliance-summary.pdf").read_bytes() == b"older summary"


def test_batch_errors_are_user_errors(seeded: Tracker, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ReportOutputError, match="it is a file"):
        build_all_actor_summaries(seeded, tmp_path / "file", actors=KEYS)
    with pytest.raises(NotFoundError, match="unknown actor"):
        build_all_actor_summaries(seeded, tmp_path / "out", actors=["FRA", "NOPE"])
    with pytest.raises(NotFoundError, match="unknown catalogue"):
        build_all_actor_summaries(seeded, tmp_path / "out", catalog="NOPE1")


# Device names Windows reserves, with or without an extension ("CON.pdf" cannot be created there).
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(10))}


@pytest.mark.parametrize("workers", [1, 2])
def test_file_names_are_safe_on_windows_and_distinct(seeded: Tracker, tmp_path: Path, workers: int) -> None:
    for key in ("CON", "CON_", "lpt1", "NUL"):
        seeded.reference.add_organization(key, f"Test organization {key}")
    keys = ["CON", "CON_", "LPT1", "NUL", "FRA"]
    batch = build_all_actor_summaries(seeded, tmp_path / "out", actors=keys, workers=workers, now=NOW,
                                      start_method="fork")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == len(keys) == len({n.lower() for n in names})  # distinct even where case is ignored
    assert all(n.split(".")[0].rstrip(" ").upper() not in WINDOWS_RESERVED for n in names), names
    assert [r.path.name for r in batch.results] == [f"{k}-compliance-summary.pdf" for k in keys]
    assert "Test organization CON_" in body_text(tmp_path / "out" / "CON_-compliance-summary.pdf")
    assert "France" in body_text(tmp_path / "out" / "FRA-compliance-summary.pdf")
