"""The tamper-evident change log: ``verify`` passes on honest data and names every row changed
outside the application (edited, inserted or deleted with plain sqlite3)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tcbm_tracker.cli import main
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage.changelog import entry_hash


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, _seeded_template: Path) -> Path:
    """A database with assessments (one citing evidence with a file), an organization and an attribute."""
    folder = tmp_path_factory.mktemp("tamper")
    path = folder / "baseline.sqlite"
    path.write_bytes(_seeded_template.read_bytes())
    attachment = folder / "submission.pdf"
    attachment.write_bytes(b"%PDF-1.4 national submission" * 100)
    t = open_tracker(path, user="tester")
    ev = t.evidence.add(EvidenceInput(title="National submission", symbol="A/AC.105/2023/CRP.9", file=attachment))
    assert ev.id == 1
    t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned", effective="2019-01-01"))  # id 1
    t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2021-01-01",
                                         evidence_ids=[ev.id]))  # id 2
    t.assessments.record(AssessmentInput("USA", "GGE-IV.1", "no_information"))  # id 3
    t.reference.add_organization("ESA", "European Space Agency")
    t.reference.set_attribute("TUR", "un_regional_group", "APG", "2025-06-01")
    assert t.integrity.verify().ok
    t.close()
    return path


@pytest.fixture
def db(baseline: Path, tmp_path: Path) -> Path:
    target = tmp_path / "tracker.sqlite"
    target.write_bytes(baseline.read_bytes())
    return target


def tamper(path: Path, *statements: str) -> None:
    """Change the file the way someone with the sqlite3 shell would (foreign keys off)."""
    con = sqlite3.connect(path)
    try:
        for sql in statements:
            con.execute(sql)
        con.commit()
    finally:
        con.close()


def scalar(path: Path, sql: str) -> object:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def problems(path: Path) -> list[str]:
    t = open_tracker(path)
    try:
        report = t.integrity.verify()
    finally:
        t.close()
    assert report.ok is (not report.problems)
    return list(report.problems)


def cli_verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(path), "verify"])
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_passes_on_a_fresh_database(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(db_path) == []
    code, out, err = cli_verify(db_path, capsys)
    assert code == 0 and err == ""
    assert out.startswith("ok: SQLite integrity check passed; change log of ")


def test_verify_passes_after_edits_of_every_kind(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(db) == []
    catalogue = {"format": "tcbm-tracker/catalog", "format_version": 1, "key": "NAT2024", "version": 1,
                 "title": "National commitments", "source_document": "Note 1", "groups": [{"key": "P", "title": "Policy"}],
                 "measures": [{"key": "NAT-1", "group": "P", "title": "One"}, {"key": "NAT-2", "group": "P", "title": "Two"}]}
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps(catalogue), encoding="utf-8")
    catalogue.update(version=2, measures=[{"key": "NAT-1", "group": "P", "title": "One, revised"}])
    v2 = tmp_path / "v2.json"
    v2.write_text(json.dumps(catalogue), encoding="utf-8")
    t = open_tracker(db, user="editor")
    t.reference.load_catalog_file(v1)
    t.assessments.record(AssessmentInput("ESA", "NAT-2", "planned"))
    t.reference.load_catalog_file(v2)
    t.reference.set_attribute("TUR", "un_regional_group", None, "2025-09-01")
    t.close()
    assert problems(db) == []
    assert cli_verify(db, capsys)[0] == 0


Tamper = Callable[[Path], None]


def _edit_status(p: Path) -> None:
    tamper(p, "UPDATE assessment SET status = 'implemented' WHERE id = 1")


def _backdate(p: Path) -> None:
    tamper(p, "UPDATE assessment SET recorded_at = '2020-01-01T00:00:00.000000Z' WHERE id = 3")


def _delete_assessment(p: Path) -> None:
    tamper(p, "DELETE FROM assessment WHERE id = 3")


def _insert_assessment(p: Path) -> None:
    tamper(p, "INSERT INTO assessment (id, actor_key, measure_key, status, provenance, confidence, note, recorded_by, "
              "effective_date, recorded_at) VALUES (4, 'CHN', 'LTS-A.1', 'implemented', 'official_record', 'high', NULL, "
              "'tester', '2020-01-01', '2025-01-01T00:00:00.000000Z')")


def _unlink_evidence(p: Path) -> None:
    tamper(p, "DELETE FROM assessment_evidence WHERE assessment_id = 2")


def _edit_actor_name(p: Path) -> None:
    tamper(p, "UPDATE actor SET name = 'Gaul' WHERE key = 'FRA'")


def _edit_measure_title(p: Path) -> None:
    tamper(p, "UPDATE measure SET title = 'Do whatever' WHERE key = 'LTS-B.4'")


def _delete_attribute(p: Path) -> None:
    tamper(p, "DELETE FROM actor_attribute WHERE actor_key = 'TUR' AND as_of = '2025-06-01'")


def _alter_blob(p: Path) -> None:
    tamper(p, "UPDATE evidence_file SET content = CAST('%PDF-1.4 forged' AS BLOB) WHERE evidence_id = 1")


def _delete_blob(p: Path) -> None:
    tamper(p, "DELETE FROM evidence_file WHERE evidence_id = 1")


def _edit_evidence_hash_and_blob(p: Path) -> None:
    # Replacing the file and its recorded hash together still disagrees with the log's snapshot.
    import hashlib
    forged = b"forged"
    tamper(p, f"UPDATE evidence_file SET content = X'{forged.hex()}' WHERE evidence_id = 1",
           f"UPDATE evidence SET file_sha256 = '{hashlib.sha256(forged).hexdigest()}', file_size = 6 WHERE id = 1")


def _edit_creation_times(p: Path) -> None:
    tamper(p, "UPDATE actor SET created_at = '2001-01-01T00:00:00.000000Z' WHERE key = 'FRA'")


def _edit_evidence_created_at(p: Path) -> None:
    tamper(p, "UPDATE evidence SET created_at = '2001-01-01T00:00:00.000000Z' WHERE id = 1")


def _edit_catalog_loaded_at(p: Path) -> None:
    tamper(p, "UPDATE catalog SET loaded_at = '2001-01-01T00:00:00.000000Z' WHERE key = 'LTS2019'")


def _plant_trigger(p: Path) -> None:
    # Rewrites future assessments as they are saved, so the log would record the forged value.
    tamper(p, "CREATE TRIGGER forge AFTER INSERT ON assessment BEGIN "
              "UPDATE assessment SET status = 'implemented' WHERE id = NEW.id; END")


@pytest.mark.parametrize("change, expected", [
    (_edit_creation_times, ["actor FRA: differs from the change log (edited outside the app)"]),
    (_edit_evidence_created_at, ["evidence 1: differs from the change log (edited outside the app)"]),
    (_edit_catalog_loaded_at, ["catalog LTS2019: differs from the change log (edited outside the app)"]),
    (_plant_trigger, ["trigger forge: was not created by TCBM Tracker (added outside the app)"]),
    (_edit_status, ["assessment 1: differs from the change log (edited outside the app)"]),
    (_backdate, ["assessment 3: differs from the change log (edited outside the app)"]),
    (_delete_assessment, ["assessment 3: is in the change log but missing (deleted outside the app)"]),
    (_insert_assessment, ["assessment 4: is not in the change log (added outside the app)"]),
    (_unlink_evidence, ["assessment 2: differs from the change log (edited outside the app)"]),
    (_edit_actor_name, ["actor FRA: differs from the change log (edited outside the app)"]),
    (_edit_measure_title, ["measure LTS-B.4: differs from the change log (edited outside the app)"]),
    (_delete_attribute, ["actor_attribute", "is in the change log but missing (deleted outside the app)"]),
    (_alter_blob, ["evidence 1: attached file is missing or does not match its SHA-256"]),
    (_delete_blob, ["evidence 1: attached file is missing or does not match its SHA-256"]),
    (_edit_evidence_hash_and_blob, ["evidence 1: differs from the change log (edited outside the app)"]),
], ids=lambda x: x.__name__.strip("_") if callable(x) else "")
def test_data_tampering_is_named(db: Path, change: Tamper, expected: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    change(db)
    found = problems(db)
    assert found, "verify did not notice"
    assert any(all(e in p for e in expected) for p in found), found
    code, out, err = cli_verify(db, capsys)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert any(all(e in line for e in expected) for line in lines), err
    assert lines[-1] == f"tcbm-tracker: error: verification failed with {len(found)} problem(s)"


def test_edited_change_log_payload_is_named(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seq = scalar(db, "SELECT seq FROM change_log WHERE entity = 'assessment' AND entity_key = '1'")
    tamper(db, f"UPDATE change_log SET payload = replace(payload, '\"planned\"', '\"implemented\"') WHERE seq = {seq}")
    assert scalar(db, f"SELECT instr(payload, 'implemented') > 0 FROM change_log WHERE seq = {seq}") == 1
    found = problems(db)
    assert f"change log entry {seq}: was altered (assessment 1 recorded)" in found
    code, _, err = cli_verify(db, capsys)
    assert code == 1 and f"change log entry {seq}: was altered" in err


def test_rehashed_change_log_entry_breaks_the_chain(db: Path) -> None:
    """Recomputing the edited entry's own hash is not enough: the next entry no longer follows."""
    seq, at, user, entity, key, action, payload, prev = sqlite3.connect(db).execute(
        "SELECT seq, at, user, entity, entity_key, action, payload, prev_hash FROM change_log "
        "WHERE entity = 'actor' AND entity_key = 'FRA'").fetchone()
    forged = payload.replace('"France"', '"Gaul"')
    assert forged != payload
    tamper(db, "UPDATE actor SET name = 'Gaul' WHERE key = 'FRA'",
           f"UPDATE change_log SET payload = '{forged}', hash = '{entry_hash(seq, at, user, entity, key, action, forged, prev)}' "
           f"WHERE seq = {seq}")
    found = problems(db)
    assert f"change log entry {seq + 1}: does not follow the previous entry (chain broken)" in found
    assert not any(p.startswith(f"change log entry {seq}:") for p in found)


def test_deleted_change_log_entry_is_named(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seq = scalar(db, "SELECT seq FROM change_log WHERE entity = 'assessment' AND entity_key = '2'")
    tamper(db, f"DELETE FROM change_log WHERE seq = {seq}")
    found = problems(db)
    assert f"change log entry {seq + 1}: entry {seq} is missing" in found
    assert f"change log entry {seq + 1}: does not follow the previous entry (chain broken)" in found
    # The honest row is not blamed: its entry is the one that was deleted.
    assert ("assessment 2: is not in the change log: its entry is among the deleted ones "
            "(or the row was added outside the app)") in found
    assert cli_verify(db, capsys)[0] == 1


def test_deleted_last_change_log_entry_is_named_as_such(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The last entry recorded assessment 3; deleting it leaves a valid, shorter chain."""
    last = scalar(db, "SELECT max(seq) FROM change_log WHERE entity = 'assessment'")
    end = scalar(db, "SELECT max(seq) FROM change_log")
    tamper(db, f"DELETE FROM change_log WHERE seq >= {last}")
    found = problems(db)
    assert found[0] == (f"change log: its last entries {last}..{end} were deleted "
                        f"(entry {end} was written; the log now ends at entry {last - 1})")
    assert not any("added outside the app)" in p and "deleted ones" not in p for p in found), found
    assert "assessment 3: is not in the change log: its entry is among the deleted ones" in " ".join(found)
    code, _, err = cli_verify(db, capsys)
    lines = err.strip().splitlines()
    assert code == 1 and lines[:-1] == found
    assert lines[-1] == f"tcbm-tracker: error: verification failed with {len(found)} problem(s)"


def test_a_deleted_last_entry_stays_visible_after_the_next_recording(db: Path) -> None:
    """Without AUTOINCREMENT the next recording took over the deleted entry's position and id."""
    last = scalar(db, "SELECT max(seq) FROM change_log")
    deleted_id = scalar(db, "SELECT max(id) FROM assessment")
    tamper(db, "DELETE FROM assessment_evidence WHERE assessment_id = (SELECT max(id) FROM assessment)",
           "DELETE FROM assessment WHERE id = (SELECT max(id) FROM assessment)",
           f"DELETE FROM change_log WHERE seq >= (SELECT seq FROM change_log WHERE entity = 'assessment' "
           f"AND entity_key = '{deleted_id}')")
    t = open_tracker(db)
    try:
        new = t.assessments.record(AssessmentInput("CHN", "LTS-A.1", "planned"))
    finally:
        t.close()
    assert new.id != deleted_id and scalar(db, "SELECT max(seq) FROM change_log") == last + 1
    found = problems(db)
    assert any(p.startswith(f"change log entry {last + 1}: ") and "missing" in p for p in found), found


def test_an_id_recorded_twice_in_the_log_is_named(db: Path) -> None:
    """A log rewritten so that one assessment id is 'recorded' twice (the mark of a reused id)."""
    from tcbm_tracker.storage.changelog import GENESIS

    rows = sqlite3.connect(db).execute(
        "SELECT seq, at, user, entity, entity_key, action, payload FROM change_log ORDER BY seq").fetchall()
    first = next(r for r in rows if r[3] == "assessment" and r[4] == "1")
    forged = [*rows, (rows[-1][0] + 1, "2026-01-01T00:00:00.000000Z", "x", "assessment", "1", "recorded", first[6])]
    prev, statements = GENESIS, ["DELETE FROM change_log"]
    for seq, at, user, entity, key, action, payload in forged:
        h = entry_hash(seq, at, user, entity, key, action, payload, prev)
        statements.append(
            "INSERT INTO change_log (seq, at, user, entity, entity_key, action, payload, prev_hash, hash) VALUES "
            f"({seq}, '{at}', '{user}', '{entity}', '{key}', '{action}', '{payload.replace(chr(39), chr(39) * 2)}', '{prev}', '{h}')")
        prev = h
    tamper(db, *statements)
    found = problems(db)
    assert found == [f"change log entry {forged[-1][0]}: records assessment 1 a second time (first in entry {first[0]}): "
                     "an id was used twice"]


def test_inserted_change_log_entry_is_named(db: Path) -> None:
    last = scalar(db, "SELECT max(seq) FROM change_log")
    tamper(db, "INSERT INTO change_log (seq, at, user, entity, entity_key, action, payload, prev_hash, hash) "
               f"VALUES ({last + 1}, '2025-01-01T00:00:00.000000Z', 'x', 'actor', 'ZZZ', 'added', '{{}}', 'abc', 'def')")
    found = problems(db)
    assert f"change log entry {last + 1}: does not follow the previous entry (chain broken)" in found
    assert f"change log entry {last + 1}: was altered (actor ZZZ added)" in found


def test_verify_subprocess_exits_non_zero_on_tampering(db: Path) -> None:
    _edit_actor_name(db)
    run = subprocess.run([sys.executable, "-m", "tcbm_tracker", "--db", str(db), "verify"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "actor FRA: differs from the change log" in run.stderr
    assert run.stdout == ""


def _head(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT hash FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()[0]
    finally:
        con.close()


def test_a_history_cut_at_its_end_is_caught_by_a_printed_fingerprint(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Deleting the newest assessment together with its log entry leaves a valid, shorter chain.

    The fingerprint printed on a report made before the cut is still found; one printed after
    the deleted change is not, and verify says so.
    """
    assert main(["--db", str(db), "assess", "RUS", "LTS-B.3", "implemented"]) == 0
    capsys.readouterr()
    printed = _head(db)[:16]  # a report made now carries this
    assert main(["--db", str(db), "verify", "--fingerprint", printed]) == 0
    out = capsys.readouterr().out
    assert f"fingerprint {printed}: change log entry" in out and "it is the current state" in out

    tamper(db, "DELETE FROM assessment_evidence WHERE assessment_id = (SELECT max(id) FROM assessment)",
           "DELETE FROM assessment WHERE id = (SELECT max(id) FROM assessment)",
           "DELETE FROM change_log WHERE seq = (SELECT max(seq) FROM change_log)")
    # The log's counter still remembers the deleted position.
    assert problems(db)[0].startswith(f"change log: its last entry {scalar(db, 'SELECT max(seq) FROM change_log') + 1} was deleted")
    code = main(["--db", str(db), "verify", "--fingerprint", printed])
    err = capsys.readouterr().err
    assert code == 1 and f"fingerprint {printed}: not in the change log" in err


def test_a_malformed_fingerprint_is_refused(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "verify", "--fingerprint", "not-hex"]) == 2
    assert "fingerprint: 'not-hex' is not 16 to 64 hexadecimal digits" in capsys.readouterr().err
