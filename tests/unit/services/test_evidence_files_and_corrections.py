"""Attached files come out byte-identical with their hash checked; corrections are new versions,
never overwrites, and assessments keep citing the version they cited."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.domain.errors import NotFoundError, StorageError, ValidationError
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceCorrection, EvidenceInput
from tcbm_tracker.services.tracker import Tracker

CONTENT = bytes(range(256)) * 40


@pytest.fixture
def attached(tracker: Tracker, tmp_path: Path) -> int:
    src = tmp_path / "submission.pdf"
    src.write_bytes(CONTENT)
    e = tracker.evidence.add(EvidenceInput(title="National submission", symbol="A/AC.105/C.1/2023/CRP.9", date="2023-02-06",
                                           url="https://example.org/sub", pinpoint="p. 4", file=src))
    return e.id


def test_export_is_byte_identical(tracker: Tracker, attached: int, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    out = tracker.evidence.export_file(attached, tmp_path / "out" / "copy.pdf")
    assert out.read_bytes() == CONTENT
    assert hashlib.sha256(out.read_bytes()).hexdigest() == tracker.evidence.get(attached).file_sha256


def test_export_never_overwrites_and_needs_a_file(tracker: Tracker, attached: int, tmp_path: Path) -> None:
    existing = tmp_path / "mine.pdf"
    existing.write_bytes(b"keep me")
    with pytest.raises(ValidationError, match="already exists"):
        tracker.evidence.export_file(attached, existing)
    assert existing.read_bytes() == b"keep me"
    plain = tracker.evidence.add(EvidenceInput(title="No file"))
    with pytest.raises(NotFoundError, match="has no attached file"):
        tracker.evidence.export_file(plain.id, tmp_path / "x.pdf")


def test_a_stored_file_that_no_longer_matches_its_hash_is_not_written(tracker: Tracker, attached: int, tmp_path: Path,
                                                                      tamper: Callable[..., None]) -> None:
    tamper("UPDATE evidence_file SET content = :c WHERE evidence_id = :e", c=b"swapped", e=attached)
    with pytest.raises(StorageError, match="does not match its recorded SHA-256; nothing was written"):
        tracker.evidence.export_file(attached, tmp_path / "copy.pdf")
    # Nothing written beside the source, not even a partial file (the database file is there on SQLite).
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("tracker.sqlite")) == ["submission.pdf"]


def test_a_correction_is_a_new_version_and_citations_keep_theirs(tracker: Tracker, attached: int) -> None:
    old = tracker.evidence.get(attached)
    first = tracker.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", evidence_ids=[attached]))
    new = tracker.evidence.correct(attached, EvidenceCorrection(pinpoint="p. 5", url="", reason="wrong page"))
    assert new.id != attached and (new.pinpoint, new.url, new.title) == ("p. 5", None, old.title)
    assert (new.file_name, new.file_sha256) == (old.file_name, old.file_sha256)
    assert tracker.evidence.get(attached) == old  # never overwritten
    assert tracker.assessments.history("FRA", "LTS-B.4")[0].evidence_ids == (attached,)
    assert tracker.evidence.citing(attached) == [first.id]
    versions = tracker.evidence.versions([attached, new.id])
    assert versions[attached].label() == f"{attached} (version 1 of 2, corrected by {new.id})"
    assert versions[new.id].label() == f"{new.id} (version 2 of 2)"
    assert tracker.integrity.verify().ok
    with pytest.raises(ValidationError, match=f"already corrected by {new.id}"):
        tracker.evidence.correct(attached, EvidenceCorrection(pinpoint="p. 6"))
    with pytest.raises(ValidationError, match="changes nothing"):
        tracker.evidence.correct(new.id, EvidenceCorrection(pinpoint="p. 5"))
    with pytest.raises(ValidationError, match="date"):
        tracker.evidence.correct(new.id, EvidenceCorrection(date="06/02/2023"))


def test_correction_rows_are_covered_by_the_change_log(tracker: Tracker, attached: int, tamper: Callable[..., None]) -> None:
    new = tracker.evidence.correct(attached, EvidenceCorrection(title="National submission (corrected)"))
    tamper("UPDATE evidence_correction SET corrects_id = :c WHERE evidence_id = :e", c=new.id, e=new.id)
    problems = tracker.integrity.verify().problems
    assert any(p.startswith(f"evidence_correction {new.id}") for p in problems), problems


def test_cli_show_and_export(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "memo.docx"
    src.write_bytes(CONTENT)
    assert main(["--db", str(db_path), "evidence", "add", "--title", "Memo", "--file", str(src)]) == 0
    assert main(["--db", str(db_path), "evidence", "show", "1"]) == 0
    out = capsys.readouterr().out
    sha = hashlib.sha256(CONTENT).hexdigest()
    assert f"memo.docx, {len(CONTENT):,} bytes, sha256 {sha}" in out
    assert main(["--db", str(db_path), "evidence", "export", "1", "--out", str(tmp_path / "back.docx")]) == 0
    assert (tmp_path / "back.docx").read_bytes() == CONTENT and f"sha256 {sha} checked" in capsys.readouterr().out
    assert main(["--db", str(db_path), "evidence", "show", "99"]) != 0
    assert "unknown evidence 99" in capsys.readouterr().err
