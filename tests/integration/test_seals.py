"""Seals: ``seal`` signs the change-log head with the copy's key; ``verify`` checks every seal,
so a rewrite of the history before a seal is detected even when the chain is re-hashed to be
valid again, unless the key is also taken. Reports are sealed and print the seal's short id."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcbm_tracker.cli import main
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage import copy_key
from tcbm_tracker.storage.changelog import GENESIS, entry_hash


def problems(path: Path) -> list[str]:
    t = open_tracker(path)
    try:
        return list(t.integrity.verify().problems)
    finally:
        t.close()


def rewrite_history(path: Path, seq: int, user: str) -> None:
    """Change who recorded entry ``seq`` and re-hash the chain after it: a perfect forgery for
    the chain alone (every entry follows the previous one, every row matches its snapshot)."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT seq, at, user, entity, entity_key, action, payload FROM change_log ORDER BY seq").fetchall()
        prev = GENESIS
        for s, at, who, entity, key, action, payload in rows:
            if s == seq:
                who = user
            h = entry_hash(s, at, who, entity, key, action, payload, prev)
            if s >= seq:
                con.execute("UPDATE change_log SET user = ?, prev_hash = ?, hash = ? WHERE seq = ?", (who, prev, h, s))
            prev = h
        con.commit()
    finally:
        con.close()


def seal(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--db", str(path), "seal"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("seal ")
    return out.split()[1].rstrip(":")


def test_seal_and_verify(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "verify"]) == 0
    assert "no seal of this copy yet" in capsys.readouterr().out
    short = seal(db_path, capsys)
    assert main(["--db", str(db_path), "assess", "FRA", "LTS-B.4", "implemented"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "verify"]) == 0
    out = capsys.readouterr().out
    assert f"1 seal(s) checked, newest {short} of " in out
    assert "what this proves: " in out and "holds both the database file and this copy's signing key" in out
    # The key is outside the database, in the config folder.
    assert b"PRIVATE KEY" not in db_path.read_bytes()
    assert copy_key.load_existing() is not None


def test_a_rewrite_before_a_seal_is_detected_and_passes_without_one(db_path: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    unsealed = tmp_path / "unsealed.sqlite"
    shutil.copyfile(db_path, unsealed)
    rewrite_history(unsealed, 5, "someone else")
    assert problems(unsealed) == []  # the chain alone cannot tell: this is what seals are for

    short = seal(db_path, capsys)
    rewrite_history(db_path, 5, "someone else")
    found = problems(db_path)
    assert len(found) == 1 and found[0].startswith(f"seal {short}: vouches for change log entry ")
    assert found[0].endswith("but the log now holds a different entry there: the history before the seal was rewritten")
    assert main(["--db", str(db_path), "verify"]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == "tcbm-tracker: error: verification failed with 1 problem(s)"


def test_a_forged_seal_deleted_seal_or_foreign_key_is_named(db_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    short = seal(db_path, capsys)
    con = sqlite3.connect(db_path)
    # The forger rewrites history and moves the seal onto the new head: the signature fails.
    rewrite_history(db_path, 3, "forger")
    new_head = con.execute("SELECT hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()[0]
    con.execute("UPDATE seal SET head_hash = ?", (new_head,))
    con.commit()
    found = problems(db_path)
    assert found[0] == f"seal {short}: its signature does not match: the seal, or the database's id, was altered"
    assert found[1:] == [p for p in found[1:] if p.startswith("seal 1: made by this copy on ")] and len(found) == 2
    # ...or deletes the seal: the ledger beside the key still knows it.
    con.execute("DELETE FROM seal")
    con.commit()
    found = problems(db_path)
    assert len(found) == 1 and found[0].startswith(f"seal {short.split('-')[0]}: made by this copy on ")
    assert "is missing or changed in the file" in found[0]
    con.close()
    # Another copy (another key) cannot check this copy's seals: said, not counted as tampering.
    fresh = tmp_path / "fresh.sqlite"
    shutil.copyfile(db_path, fresh)
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(tmp_path / "other-copy"))
    seal(fresh, capsys)
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(tmp_path / "third-copy"))
    assert main(["--db", str(fresh), "verify"]) == 0
    out = capsys.readouterr().out
    assert "note: seal " in out and "was made by another copy" in out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_seals_detect_any_rewrite_before_them(sealed_template: tuple[Path, Path, int, int],
                                                       tmp_path_factory: pytest.TempPathFactory,
                                                       monkeypatch: pytest.MonkeyPatch, data: st.DataObject) -> None:
    template, config, sealed_seq, last = sealed_template
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(config))  # the copy that made the seal
    path = tmp_path_factory.mktemp("rewrite") / "tracker.sqlite"
    shutil.copyfile(template, path)
    seq = data.draw(st.integers(1, last), label="rewritten entry")
    user = data.draw(st.text(min_size=1, max_size=12).filter(lambda u: u != "tester"), label="forged author")
    rewrite_history(path, seq, user)
    found = problems(path)
    sealed_problem = any(p.startswith("seal ") and "the history before the seal was rewritten" in p for p in found)
    # Before (or at) the seal: always caught. After it: a re-hashed chain is, honestly, not.
    assert sealed_problem is (seq <= sealed_seq), (seq, sealed_seq, found)


@pytest.fixture(scope="module")
def sealed_template(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Iterator[tuple[Path, Path, int, int]]:
    """A database sealed part-way through its history, with a few entries after the seal."""
    path = tmp_path_factory.mktemp("sealed") / "tracker.sqlite"
    config = path.parent / "config"
    shutil.copyfile(_seeded_template, path)
    with pytest.MonkeyPatch.context() as mp:  # module scope: the per-test folders are not set yet
        mp.setenv("TCBM_TRACKER_CONFIG_DIR", str(config))
        s = _seal_part_way(path)
    con = sqlite3.connect(path)
    try:
        last = con.execute("SELECT max(seq) FROM change_log").fetchone()[0]
    finally:
        con.close()
    yield path, config, s, last


def _seal_part_way(path: Path) -> int:
    from tcbm_tracker.services.assessments import AssessmentInput

    t = open_tracker(path, user="tester")
    try:
        sealed = t.integrity.seal()
        for actor in ("FRA", "USA", "CHN"):
            t.assessments.record(AssessmentInput(actor, "LTS-B.4", "planned"))
    finally:
        t.close()
    return sealed.log_seq


def test_every_report_is_sealed_and_prints_its_seal_on_every_page(db_path: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from pypdf import PdfReader

    out = tmp_path / "fra.pdf"
    assert main(["--db", str(db_path), "report", "actor", "FRA", "--out", str(out)]) == 0
    capsys.readouterr()
    t = open_tracker(db_path)
    try:
        report = t.integrity.verify()
    finally:
        t.close()
    assert report.ok and report.seals_checked == 1 and report.newest_seal is not None
    short = report.newest_seal.short_id
    assert report.newest_seal.purpose == "report" and report.newest_seal.head == report.head
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert len(pages) >= 2
    assert all(f"Seal {short}" in " ".join(p.split()) for p in pages), short
    text = " ".join(" ".join(pages).split())
    assert "What this proves" in text and "holds both the database file and this copy's signing key" in text
    # Nothing changed since: the next report carries the same seal rather than a new one.
    out2 = tmp_path / "matrix.pdf"
    assert main(["--db", str(db_path), "report", "matrix", "--out", str(out2)]) == 0
    assert all(f"Seal {short}" in " ".join(p.extract_text().split()) for p in PdfReader(out2).pages)
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM seal").fetchone()[0] == 1


def test_a_report_of_a_read_only_file_says_it_is_not_sealed(db_path: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    db_path.chmod(0o444)
    out = tmp_path / "fra.pdf"
    assert main(["--db", str(db_path), "report", "actor", "FRA", "--out", str(out)]) == 0
    assert all("Not sealed (read-only file)" in p.extract_text() for p in PdfReader(out).pages)


def test_the_readme_says_what_the_chain_and_seals_prove_and_what_they_cannot() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the change log and seals prove", 1)[1].split("\n## ", 1)[0]
    assert "edits made outside the app that do not rewrite the log" in section
    assert "any rewrite of the history before a seal" in section
    assert "holds both the database file and this copy's key" in section


def test_a_file_replaced_at_a_sealed_path_is_named_until_it_is_sealed(db_path: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Rewriting the database's id and deleting its seals hides it from the ledger's id; the
    path still ties it to what this copy sealed there."""
    seal(db_path, capsys)
    tamper = sqlite3.connect(db_path)
    tamper.execute("DELETE FROM seal")
    tamper.execute("UPDATE tracker_meta SET value = 'someone else' WHERE key = 'database_id'")
    tamper.commit()
    tamper.close()
    found = problems(db_path)
    assert len(found) == 1 and found[0].startswith("seals: this copy sealed another database at this path (seal 1 of ")
    seal(db_path, capsys)  # the owner, replacing the file on purpose, seals the new one
    assert problems(db_path) == []


def test_a_broken_seal_is_not_crowded_out_by_many_edited_rows(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = seal(db_path, capsys)
    rewrite_history(db_path, 5, "someone else")
    con = sqlite3.connect(db_path)
    con.execute("UPDATE actor SET name = name || '!'")  # 195 rows edited outside the app
    con.commit()
    con.close()
    found = problems(db_path)
    assert len(found) == 50
    assert any(p.startswith(f"seal {short}: ") for p in found), found[:3]
