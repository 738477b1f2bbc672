"""Evidence: documents and sources with an optional attached file and its SHA-256."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.domain.errors import NotFoundError, ValidationError
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_add_evidence_with_every_field(tracker: Tracker, recorder: str) -> None:
    e = tracker.evidence.add(EvidenceInput(
        title="Replies received from Governments", symbol="A/72/65", date="2017-02-16", language="EN",
        evidence_type="un process", url="https://undocs.org/A/72/65", pinpoint="p. 5"))
    assert (e.symbol, e.title, e.date, e.language, e.evidence_type, e.url, e.pinpoint) == (
        "A/72/65", "Replies received from Governments", "2017-02-16", "en", "un_process", "https://undocs.org/A/72/65", "p. 5")
    assert (e.file_name, e.file_sha256, e.file_size, e.recorded_by) == (None, None, None, recorder)
    assert e.label == "A/72/65 Replies received from Governments"
    assert tracker.evidence.get(e.id) == e
    with pytest.raises(NotFoundError, match=f"evidence {e.id} has no attached file"):
        tracker.evidence.file_content(e.id)


def test_attached_file_is_stored_with_its_sha256(tracker: Tracker, tmp_path: Path) -> None:
    content = os.urandom(50_000) + b"\x00end"
    doc = tmp_path / "submission FRA 2023.pdf"
    doc.write_bytes(content)
    e = tracker.evidence.add(EvidenceInput(title="France: LTS implementation submission", file=doc))
    assert e.file_name == "submission FRA 2023.pdf"
    assert e.file_sha256 == hashlib.sha256(content).hexdigest()
    assert e.file_size == len(content)
    doc.unlink()  # the database holds its own copy
    assert tracker.evidence.file_content(e.id) == content
    a = tracker.assessments.record(AssessmentInput("FRA", "LTS-C.2", "implemented", evidence_ids=[e.id, e.id]))
    assert a.evidence_ids == (e.id,)
    assert tracker.queries.dossier("FRA").entries[-1].measure.key == "LTS-D.2"
    assert tracker.integrity.verify().ok


def test_list_and_search(tracker: Tracker) -> None:
    a = tracker.evidence.add(EvidenceInput(title="Space law of 2008", symbol="A/AC.105/C.2/2020/CRP.5"))
    b = tracker.evidence.add(EvidenceInput(title="100% compliant_report"))
    assert tracker.evidence.list() == [a, b]
    assert tracker.evidence.list("space LAW") == [a]
    assert tracker.evidence.list("CRP.5") == [a]
    assert tracker.evidence.list("100%") == [b]
    assert tracker.evidence.list("%") == [b]  # wildcards are searched literally
    assert tracker.evidence.list("w_o") == []  # "_" is not "any character" ("law of")
    assert tracker.evidence.list("t_r") == [b]
    assert tracker.evidence.list(limit=1) == [a]
    with pytest.raises(NotFoundError, match="unknown evidence 999"):
        tracker.evidence.get(999)


@pytest.mark.parametrize("item, fragment", [
    (EvidenceInput(title=""), "title: is required"),
    (EvidenceInput(title="<script>alert(1)</script>"), "title: contains markup"),
    (EvidenceInput(title="Report\x1b[2J"), "title: contains line breaks or control characters"),
    (EvidenceInput(title="ok", symbol="68/189"), "document symbol: '68/189' is not a UN document symbol"),
    (EvidenceInput(title="ok", url="javascript:alert(1)"), "url: 'javascript:alert(1)' is not an http:// or https:// address"),
    (EvidenceInput(title="ok", url="file:///etc/passwd"), "url: 'file:///etc/passwd' is not an http"),
    (EvidenceInput(title="ok", url="ftp://example.org/x.pdf"), "url: 'ftp://example.org/x.pdf'"),
    (EvidenceInput(title="ok", language="english"), "language: 'english' is not a language code"),
    (EvidenceInput(title="ok", date="2023-02-30"), "date: '2023-02-30' is not a real calendar date"),
    (EvidenceInput(title="ok", date="1900-01-01"), "date: 1900-01-01 is before 1945-10-24"),
    (EvidenceInput(title="ok", date="2999-01-01"), "date: 2999-01-01 is in the future"),
    (EvidenceInput(title="ok", evidence_type="tweet"), "type: unknown value 'tweet'"),
    (EvidenceInput(title="ok", pinpoint="para.\x0037"), "pinpoint: contains"),
])
def test_bad_evidence_is_refused_and_changes_nothing(tracker: Tracker, db_path: Path, item: EvidenceInput,
                                                     fragment: str) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        tracker.evidence.add(item)
    assert fragment in info.value.message and "\n" not in info.value.message
    assert dump(db_path) == before


def test_missing_or_oversized_attachment(tracker: Tracker, db_path: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError, match="is not a readable file"):
        tracker.evidence.add(EvidenceInput(title="ok", file=tmp_path / "absent.pdf"))
    with pytest.raises(ValidationError, match="is not a readable file"):
        tracker.evidence.add(EvidenceInput(title="ok", file=tmp_path))
    from tcbm_tracker.domain import validation
    monkeypatch.setattr(validation, "MAX_ATTACHMENT_BYTES", 10)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"x" * 11)
    with pytest.raises(ValidationError, match="big.pdf is 11 bytes; the limit is 10"):
        tracker.evidence.add(EvidenceInput(title="ok", file=big))
    assert dump(db_path) == before
