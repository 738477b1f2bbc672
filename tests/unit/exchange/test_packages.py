"""Signed exchange packages: round trip, two copies exchanging both ways, trust, idempotence."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.exchange.packages import api
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceCorrection, EvidenceInput
from tcbm_tracker.storage.changelog import CANONICAL, ENTITIES, normaliser
from tcbm_tracker.storage.row_json import snapshot_query
from tests.unit.exchange.conftest import db_fingerprint
from tests.unit.exchange.package_copies import Copy, evidence_contents, full_history, make_copy, matrix

pytestmark = pytest.mark.date_sensitive  # "since today" and "known at" depend on the local zone

PDF = b"%PDF-1.4\n% national report\n" + bytes(range(256)) * 40

CATALOG = {
    "format": "tcbm-tracker/catalog", "format_version": 1, "key": "HQ2026", "version": 1,
    "title": "Headquarters checklist", "short_title": "HQ checklist", "source_document": "Internal note 12",
    "groups": [{"key": "A", "title": "Basics"}],
    "measures": [{"key": "HQ-A.1", "group": "A", "title": "Has a registry", "source_document": "Internal note 12"}],
}


@pytest.fixture
def copies(_seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Copy, Copy]:
    return (make_copy(_seeded_template, tmp_path / "hq", "hq", monkeypatch),
            make_copy(_seeded_template, tmp_path / "mission", "mission", monkeypatch))


def _trust_each_other(a: Copy, b: Copy) -> None:
    with a.open() as ta:
        fa = api.own_identity(ta).fingerprint
    with b.open() as tb:
        fb = api.own_identity(tb).fingerprint
        api.trust_add(fa, name=a.name)
    with a.open():
        api.trust_add(fb, name=b.name)


def _export(c: Copy, out: Path, since: dt.date | None = None) -> Path:
    with c.open() as t:
        return api.export_package(t, out, since=since).path


def _import(c: Copy, package: Path, **kwargs: object) -> api.ImportResult:
    with c.open() as t:
        result = api.import_package(t, package, **kwargs)  # type: ignore[arg-type]
        assert t.integrity.verify().ok, t.integrity.verify().problems
        return result


def _rich_record(c: Copy, tmp: Path) -> None:
    with c.open() as t:
        pdf = tmp / "fra-report.pdf"
        pdf.write_bytes(PDF)
        report = t.evidence.add(EvidenceInput(title="France: national report", symbol="A/AC.105/1234", date="2024-03-01",
                                              language="fr", evidence_type="policy_strategy", pinpoint="p. 4", file=pdf))
        letter = t.evidence.add(EvidenceInput(title="Letter to the Secretary-General", date="2023-01-05"))
        corrected = t.evidence.correct(letter.id, EvidenceCorrection(pinpoint="para. 3", reason="paragraph"))
        t.reference.add_organization("ESA", "European Space Agency")
        catalog = tmp / "hq.json"
        catalog.write_text(json.dumps(CATALOG), encoding="utf-8")
        t.reference.load_catalog_file(catalog)
        t.assessments.record_many([
            AssessmentInput("FRA", "LTS-B.4", "planned", effective="2020-01-01"),
            AssessmentInput("FRA", "LTS-B.4", "implemented", "self_reported", "high", effective="2024-03-01",
                            note="= formula-looking note & <markup>", evidence_ids=[report.id, letter.id],
                            evidence_pinpoints={report.id: "p. 21"}),
            AssessmentInput("ESA", "LTS-A.1", "partially_implemented", "third_party", "low", effective="2022-02-02",
                            evidence_ids=[corrected.id]),
            AssessmentInput("KEN", "HQ-A.1", "no_information", effective="2025-05-05"),
        ])


def test_round_trip_into_an_empty_copy_gives_the_identical_record(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    _rich_record(hq, tmp_path)
    _trust_each_other(hq, mission)
    package = _export(hq, tmp_path / "all.tcbm")
    result = _import(mission, package)
    assert result.assessments_added == 4 and result.evidence_added == 3 and result.actors_added == 1
    assert result.catalogs_added == 1 and result.plan.conflicts == ()
    assert full_history(mission.path) == full_history(hq.path)  # identities, content, citations, pinpoints
    assert evidence_contents(mission.path) == evidence_contents(hq.path)  # files byte-identical, corrections kept
    assert matrix(mission.path) == matrix(hq.path)
    with mission.open() as t:
        origin = t.db.raw_connection().execute("SELECT DISTINCT origin FROM assessment").fetchall()
        assert origin == [(api.read_package(package).exporter.fingerprint,)]
        cells = [(h.status.value, h.effective_date.isoformat()) for h in t.assessments.history("FRA", "LTS-B.4")]
    assert cells == [("implemented", "2024-03-01"), ("planned", "2020-01-01")]
    with mission.open() as t:  # the organization is known here from the merge on, as if added then
        then = {a.key for a in t.queries.matrix(known_at="2001-01-01").actors}
        now = {a.key for a in t.queries.matrix().actors}
    assert "FRA" in then and "ESA" not in then and "ESA" in now


def test_importing_the_same_package_twice_changes_nothing(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    _rich_record(hq, tmp_path)
    _trust_each_other(hq, mission)
    package = _export(hq, tmp_path / "all.tcbm")
    _import(mission, package)
    before = db_fingerprint(mission.path)
    again = _import(mission, package)
    assert again.package_import_id is None and again.assessments_added == 0 and len(again.plan.present) == 9
    assert db_fingerprint(mission.path) == before
    # Its own rows coming back add nothing either.
    back = _export(mission, tmp_path / "back.tcbm")
    hq_before = full_history(hq.path)
    assert _import(hq, back).package_import_id is None
    assert full_history(hq.path) == hq_before


def _diverge(hq: Copy, mission: Copy, tmp_path: Path) -> None:
    """A common start, then each copy edits apart: one cell both change differently, one each alone."""
    with hq.open() as t:
        t.assessments.record_many([AssessmentInput("FRA", "LTS-B.4", "planned", effective="2020-01-01"),
                                   AssessmentInput("KEN", "LTS-A.1", "planned", effective="2020-01-01"),
                                   AssessmentInput("USA", "GGE-IV.1", "implemented", effective="2019-01-01")])
    _import(mission, _export(hq, tmp_path / "start.tcbm"))
    with hq.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2024-01-01", note="HQ: law passed"))
        t.assessments.record(AssessmentInput("USA", "GGE-IV.1", "partially_implemented", effective="2024-06-01"))
    with mission.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "partially_implemented", effective="2024-02-01",
                                             note="Mission: decree only"))
        t.assessments.record(AssessmentInput("KEN", "LTS-A.1", "implemented", effective="2024-03-01"))
        # The same status as headquarters' current one for this cell: not a conflict.
        t.assessments.record(AssessmentInput("USA", "GGE-IV.1", "partially_implemented", effective="2024-05-01"))


def test_two_copies_edited_apart_converge_with_exactly_the_expected_conflict(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    _trust_each_other(hq, mission)
    _diverge(hq, mission, tmp_path)
    from_hq = _export(hq, tmp_path / "hq.tcbm", since=dt.date(2000, 1, 1))
    from_mission = _export(mission, tmp_path / "mission.tcbm", since=dt.date(2000, 1, 1))
    with mission.open() as t:
        plan = api.plan_import(t, from_hq)
    assert [c.key for c in plan.conflicts] == ["FRA/LTS-B.4"]
    conflict = plan.conflicts[0]
    assert (conflict.mine.status, conflict.theirs.status, conflict.newest) == ("partially_implemented", "implemented", "mine")
    assert conflict.theirs.note == "HQ: law passed" and conflict.theirs.origin == api.read_package(from_hq).exporter.fingerprint
    # Without a resolution nothing is imported.
    before = db_fingerprint(mission.path)
    with mission.open() as t, pytest.raises(api.ConflictsUnresolved, match="1 conflict"):
        api.import_package(t, from_hq)
    assert db_fingerprint(mission.path) == before

    got = _import(mission, from_hq, resolution="newest")
    assert got.resolutions == 1
    assert [c.key for c in _import(hq, from_mission, resolution="newest").plan.conflicts] == ["FRA/LTS-B.4"]
    # Each copy recorded its own resolution; a second exchange carries them over, with no new conflict.
    again_hq = _export(hq, tmp_path / "hq2.tcbm", since=dt.date(2000, 1, 1))
    again_mission = _export(mission, tmp_path / "mission2.tcbm", since=dt.date(2000, 1, 1))
    assert _import(mission, again_hq).plan.conflicts == ()
    assert _import(hq, again_mission).plan.conflicts == ()
    assert matrix(hq.path) == matrix(mission.path)
    assert matrix(hq.path)[("FRA", "LTS-B.4")] == "partially_implemented"  # the newer of the two (2024-02-01)
    assert matrix(hq.path)[("KEN", "LTS-A.1")] == "implemented"
    assert full_history(hq.path) == full_history(mission.path)
    with hq.open() as t:
        notes = [h.note for h in t.assessments.history("FRA", "LTS-B.4") if h.note and "exchange conflict" in h.note]
    assert len(notes) == 2 and all("keeps partially_implemented" in n for n in notes)


def test_a_choice_per_conflict_is_recorded_as_an_assessment(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    _trust_each_other(hq, mission)
    _diverge(hq, mission, tmp_path)
    from_hq = _export(hq, tmp_path / "hq.tcbm")
    with mission.open() as t, pytest.raises(TrackerError, match="no choice given"):
        api.import_package(t, from_hq, resolution={})
    result = _import(mission, from_hq, resolution={"FRA/LTS-B.4": "theirs"})
    assert result.resolutions == 1
    assert matrix(mission.path)[("FRA", "LTS-B.4")] == "implemented"
    with mission.open() as t:
        head = t.assessments.history("FRA", "LTS-B.4")[0]
    assert head.recorded_by == "mission" and head.effective_date == dt.date(2024, 2, 1)
    assert head.note is not None and "the other copy's" in head.note and "Its note: HQ: law passed" in head.note


def test_an_unknown_signer_is_refused_unless_untrusted_which_marks_third_party(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    with hq.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", "official_record", effective="2024-01-01"))
    package = _export(hq, tmp_path / "hq.tcbm")
    before = db_fingerprint(mission.path)
    with mission.open() as t, pytest.raises(api.PackageError, match="signed by an unknown copy"):
        api.import_package(t, package)
    assert db_fingerprint(mission.path) == before
    result = _import(mission, package, untrusted=True)
    assert result.plan.third_party
    with mission.open() as t:
        assert [h.provenance.value for h in t.assessments.history("FRA", "LTS-B.4")] == ["third_party"]
        trusted = t.db.raw_connection().execute("SELECT trusted FROM package_import").fetchall()
    assert trusted == [(0,)]


def test_the_trust_list_lives_in_the_config_folder(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    package = _export(hq, tmp_path / "hq.tcbm")
    key_file = tmp_path / "hq.pub"
    with hq.open():
        api.export_public_key(key_file)
    with mission.open() as t:
        added = api.trust_add(key_file, name="HQ")
        assert api.trust_add(package).fingerprint == added.fingerprint  # the same copy, once
        assert [c.fingerprint for c in api.list_trusted()] == [added.fingerprint]
        assert api.read_package(package).trusted and api.read_package(package).signer_name == "HQ"
        assert (mission.config / "trusted-copies.json").is_file()
        assert "trusted" not in {r[0] for r in t.db.raw_connection().execute("SELECT name FROM sqlite_master")}
        with pytest.raises(api.PackageError, match="neither a key fingerprint"):
            api.trust_add("not-a-key")
        assert api.trust_remove(added.fingerprint[:10]).fingerprint == added.fingerprint
        assert api.list_trusted() == []


def test_a_copy_of_the_same_database_file_is_refused(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    clone = Copy("clone", tmp_path / "clone.sqlite", tmp_path / "clone-config", hq.monkeypatch)
    clone.path.write_bytes(hq.path.read_bytes())
    package = _export(clone, tmp_path / "clone.tcbm")
    with hq.open() as t, pytest.raises(api.PackageError, match="another copy of this same database file"):
        api.import_package(t, package, untrusted=True)


def test_an_import_keeps_the_change_log_chain_and_records_the_origin(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    _rich_record(hq, tmp_path)
    _trust_each_other(hq, mission)
    _import(mission, _export(hq, tmp_path / "all.tcbm"))
    con = sqlite3.connect(mission.path)
    try:
        merged = con.execute("SELECT payload FROM change_log WHERE action = 'merged' AND entity = 'assessment'").fetchall()
        # A merged row's origin, edited outside the app, is caught by verify.
        con.execute("UPDATE assessment SET origin = 'forged' WHERE uid IS NOT NULL AND actor_key = 'KEN'")
        con.commit()
    finally:
        con.close()
    assert len(merged) == 4 and all('"origin"' in p and '"uid"' in p for (p,) in merged)
    with mission.open() as t:
        report = t.integrity.verify()
    assert not report.ok and any("assessment" in str(p) for p in report.problems)



def test_merged_rows_get_the_same_snapshot_text_from_sqlite_as_from_python(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    """verify's fast comparison (storage.row_json) builds merged rows' snapshots, merge columns
    included, exactly as the change log holds them; a mismatch would only be slow, so check it."""
    hq, mission = copies
    _rich_record(hq, tmp_path)
    _trust_each_other(hq, mission)
    _import(mission, _export(hq, tmp_path / "all.tcbm"))
    con = sqlite3.connect(mission.path)
    try:
        assert con.execute("SELECT count(*) FROM assessment WHERE uid IS NOT NULL").fetchone()[0] > 0
        for kind in ENTITIES:
            python = {str(r[0]): CANONICAL.encode(normaliser(kind)(dict(zip(kind.columns, r[1:], strict=True))))
                      for r in con.execute(kind.query)}
            assert {str(k): v for k, v in con.execute(snapshot_query(kind))} == python, kind.name
    finally:
        con.close()

def test_a_cancel_from_progress_leaves_the_database_as_it_was(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    _rich_record(hq, tmp_path)
    _trust_each_other(hq, mission)
    package = _export(hq, tmp_path / "all.tcbm")
    calls: list[tuple[int, int]] = []

    def cancel(done: int, total: int) -> None:
        calls.append((done, total))
        raise KeyboardInterrupt("cancelled")

    before = db_fingerprint(mission.path)
    with mission.open() as t, pytest.raises(KeyboardInterrupt):
        api.import_package(t, package, progress=cancel)
    assert calls == [(0, 4)] and db_fingerprint(mission.path) == before


def test_exporting_seals_the_head_and_a_read_only_file_exports_unsealed(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    hq, mission = copies
    _rich_record(hq, tmp_path)
    with hq.open() as t:
        result = api.export_package(t, tmp_path / "sealed.tcbm")
        newest = t.integrity.verify().newest_seal
    assert result.seal is not None and newest is not None and newest.short_id == result.seal
    assert api.read_package(result.path).head_seq == newest.log_seq
    hq.path.chmod(0o444)
    try:
        before = db_fingerprint(hq.path)
        with hq.open() as t:
            unsealed = api.export_package(t, tmp_path / "read-only.tcbm")
        assert unsealed.seal is None and unsealed.assessments == result.assessments
        assert db_fingerprint(hq.path) == before
    finally:
        hq.path.chmod(0o644)


def test_a_package_since_a_date_carries_each_touched_cells_head(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    """HQ's head of a cell was recorded before --since, and only a back-dated row since: the package
    still carries the head, so the mission sees the conflict instead of silently disagreeing."""
    from tcbm_tracker.domain.clock import fixed_time

    hq, mission = copies
    _trust_each_other(hq, mission)
    with hq.open() as t, fixed_time(dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)):
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2024-12-01"))
    with mission.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned", effective="2024-06-01"))
    with hq.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "no_information", effective="2020-01-01"))
    package = _export(hq, tmp_path / "since.tcbm", since=dt.date.today())
    assert api.read_package(package).assessments == 2
    with mission.open() as t:
        plan = api.plan_import(t, package)
    assert [(c.key, c.mine.status, c.theirs.status) for c in plan.conflicts] == [("FRA/LTS-B.4", "planned", "implemented")]
    _import(mission, package, resolution="theirs")
    assert matrix(mission.path)[("FRA", "LTS-B.4")] == matrix(hq.path)[("FRA", "LTS-B.4")] == "implemented"


def test_a_merged_row_is_known_here_from_its_import_on(copies: tuple[Copy, Copy], tmp_path: Path) -> None:
    """``--known-at`` shows what this copy showed then: a row recorded elsewhere in 2025 and merged
    now was not in this copy's 2025 picture."""
    from tcbm_tracker.domain.clock import fixed_time

    hq, mission = copies
    _trust_each_other(hq, mission)
    with hq.open() as t, fixed_time(dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)):
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "implemented", effective="2024-12-01"))
    _import(mission, _export(hq, tmp_path / "hq.tcbm"))
    with mission.open() as t:
        then = t.queries.matrix(catalog="LTS2019", as_of="2025-06-01", known_at="2025-06-01").status("FRA", "LTS-B.4")
        now = t.queries.matrix(catalog="LTS2019", as_of="2025-06-01").status("FRA", "LTS-B.4")
    with hq.open() as t:
        at_hq = t.queries.matrix(catalog="LTS2019", as_of="2025-06-01", known_at="2025-06-01").status("FRA", "LTS-B.4")
    assert (then.value, now.value, at_hq.value) == ("not_assessed", "implemented", "implemented")


def test_merge_columns_set_on_a_row_recorded_here_are_caught(copies: tuple[Copy, Copy]) -> None:
    hq, _ = copies
    with hq.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-B.4", "planned", effective="2024-01-01"))
    con = sqlite3.connect(hq.path)
    try:
        con.execute("UPDATE assessment SET origin = 'forged'")
        con.commit()
    finally:
        con.close()
    with hq.open() as t:
        assert not t.integrity.verify().ok
