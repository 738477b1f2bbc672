"""A laptop (a file) and the server exchange signed packages both ways, with the same conflict
handling as between two files; spreadsheets import into the server; `verify` passes after each."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from pg_cluster import Cluster
from test_server_roles import run, team  # noqa: F401 - the fixture of logins per role

from tcbm_tracker.exchange.packages import api
from tcbm_tracker.exchange.service import ExchangeService
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.services.tracker import Tracker, open_tracker
from tests.unit.exchange.package_copies import Copy, make_copy

PDF = b"%PDF-1.4\n% national report\n" + bytes(range(256)) * 8


@contextmanager
def on_server(url: str, config: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tracker]:
    """The server, opened by an analyst whose key and trust list are in ``config``."""
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(config))
    t = open_tracker(url)
    try:
        yield t
    finally:
        t.close()


@pytest.fixture
def laptop(_seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Copy:
    return make_copy(_seeded_template, tmp_path / "laptop", "laptop", monkeypatch)


def _trust(laptop: Copy, url: str, server_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with laptop.open() as t:
        mine = api.own_identity(t).fingerprint
    with on_server(url, server_config, monkeypatch) as s:
        theirs = api.own_identity(s).fingerprint
        api.trust_add(mine, name="laptop")
    with laptop.open():
        api.trust_add(theirs, name="server")


def _verified(t: Tracker) -> None:
    report = t.integrity.verify()
    assert report.ok, report.problems


def _cell(t: Tracker, actor: str, measure: str) -> list[tuple[str, str, str]]:
    return [(a.status.value, a.recorded_by, a.recorded_at) for a in t.assessments.history(actor, measure)]


def test_a_laptop_and_the_server_exchange_packages_both_ways(laptop: Copy, pg_initialised_url: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    server_config = tmp_path / "analyst-config"
    _trust(laptop, pg_initialised_url, server_config, monkeypatch)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    with laptop.open() as t:
        ev = t.evidence.add(EvidenceInput(title="Kenya: national report", date="2024-03-01", pinpoint="p. 4", file=pdf))
        t.assessments.record_many([
            AssessmentInput("KEN", "LTS-B.4", "planned", effective="2020-01-01"),
            AssessmentInput("KEN", "LTS-B.4", "implemented", evidence_ids=[ev.id], evidence_pinpoints={ev.id: "p. 21"},
                            effective="2024-03-01"),
        ])
        laptop_cell = _cell(t, "KEN", "LTS-B.4")
        package = api.export_package(t, tmp_path / "from-laptop.tcbm").path
    with on_server(pg_initialised_url, server_config, monkeypatch) as s:
        result = api.import_package(s, package)
        assert (result.assessments_added, result.evidence_added, result.backup) == (2, 1, None)
        assert _cell(s, "KEN", "LTS-B.4") == laptop_cell  # the laptop's authors and times are kept
        [merged] = [e for e in s.evidence.list() if e.title.startswith("Kenya")]
        assert s.evidence.file_content(merged.id) == PDF
        _verified(s)
        again = api.import_package(s, package)
        assert again.package_import_id is None and again.assessments_added == 0
        # The server's own change, back to the laptop.
        s.assessments.record(AssessmentInput("NGA", "LTS-A.1", "implemented", note="from the team"))
        server_cell = _cell(s, "NGA", "LTS-A.1")
        back = api.export_package(s, tmp_path / "from-server.tcbm").path
    with laptop.open() as t:
        result = api.import_package(t, back)
        assert result.assessments_added == 1 and result.evidence_added == 0  # its own rows come back as present
        assert _cell(t, "NGA", "LTS-A.1") == server_cell
        _verified(t)
        assert api.import_package(t, back).package_import_id is None


def test_conflicts_between_the_laptop_and_the_server_are_resolved_as_between_files(
        laptop: Copy, pg_initialised_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server_config = tmp_path / "analyst-config"
    _trust(laptop, pg_initialised_url, server_config, monkeypatch)
    with laptop.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned", effective="2024-01-01"))
        first = api.export_package(t, tmp_path / "first.tcbm").path
    with on_server(pg_initialised_url, server_config, monkeypatch) as s:
        api.import_package(s, first)
        s.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented", effective="2024-02-01"))
    with laptop.open() as t:
        t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "not_implemented", effective="2024-02-01"))
        second = api.export_package(t, tmp_path / "second.tcbm").path
    with on_server(pg_initialised_url, server_config, monkeypatch) as s:
        before = s.integrity.verify().entries
        with pytest.raises(api.ConflictsUnresolved) as unresolved:
            api.import_package(s, second)
        assert [c.key for c in unresolved.value.plan.conflicts] == ["FRA/LTS-A.1"]
        assert s.integrity.verify().entries == before  # refused: nothing changed
        result = api.import_package(s, second, resolution="theirs")
        assert result.resolutions == 1
        head = s.assessments.history("FRA", "LTS-A.1")[0]
        assert head.status.value == "not_implemented" and head.recorded_by == s.user
        assert "Resolves an exchange conflict" in (head.note or "")
        _verified(s)


def test_an_editor_imports_a_package_and_the_server_still_guards_authors_and_times(
        laptop: Copy, team: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    server_config = tmp_path / "editor-config"
    _trust(laptop, team["editor"], server_config, monkeypatch)
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(PDF)
    with laptop.open() as t:
        ev = t.evidence.add(EvidenceInput(title="France: note verbale", file=pdf))
        t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned", effective="2024-01-01", evidence_ids=[ev.id]))
        package = api.export_package(t, tmp_path / "laptop.tcbm").path
    with on_server(team["editor"], server_config, monkeypatch) as s:
        result = api.import_package(s, package)
        assert (result.assessments_added, result.evidence_added) == (1, 1)
        assert [a.recorded_by for a in s.assessments.history("FRA", "LTS-A.1")] == ["laptop"]  # kept: merged
        assert [e.recorded_by for e in s.evidence.list() if e.title == "France: note verbale"] == ["laptop"]
        _verified(s)
        login = s.user
    # A client claiming that package import for a row of its own, in a later transaction: refused.
    with psycopg.connect(team["editor"]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="recorded under"):
        conn.execute("INSERT INTO assessment (actor_key, measure_key, status, provenance, confidence, recorded_by, "
                     "effective_date, recorded_at, uid, origin, package_import_id) VALUES ('FRA', 'LTS-A.2', 'planned', "
                     "'analyst_judgment', 'medium', 'laptop', '2024-01-01', '2024-01-01T00:00:00.000000Z', %s, 'x', %s)",
                     (f"forged/{uuid.uuid4().hex}", result.package_import_id))
    assert login.startswith("editor_")


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("actor,measure,effective_date,status,note\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def test_a_spreadsheet_imports_into_the_server_once(pg_initialised_url: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    sheet = _csv(tmp_path / "team.csv", ["FRA,LTS-A.1,2024-01-01,planned,first", "DEU,LTS-A.1,2024-01-01,implemented,",
                                         "FRA,LTS-A.1,2024-06-01,implemented,then"])
    code, out, _ = run(capsys, "--db", pg_initialised_url, "import", str(sheet))
    assert code == 0 and "import 1 recorded" in out
    code, out, err = run(capsys, "--db", pg_initialised_url, "import", str(sheet))  # twice: nothing added
    assert code == 0 and "recorded" not in out, err
    t = open_tracker(pg_initialised_url)
    try:
        assert [a.status.value for a in t.assessments.history("FRA", "LTS-A.1")] == ["implemented", "planned"]
        # Ids the import gave its rows came from the server's sequence: the next recording does not collide.
        a = t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "planned"))
        assert a.id > max(b.id for b in t.assessments.history("DEU", "LTS-A.1"))
        # A refused row: one line, nothing imported.
        bad = _csv(tmp_path / "bad.csv", ["FRA,LTS-A.1,2024-01-01,planned,x", "XXX,LTS-A.1,2024-01-01,planned,y"])
        before = t.integrity.verify().entries
        with pytest.raises(Exception, match="nothing was imported"):
            ExchangeService(t).import_files([bad])
        assert t.integrity.verify().entries == before
        _verified(t)
    finally:
        t.close()


def test_a_spreadsheet_import_on_a_set_up_server_records_the_login(team: dict[str, str], tmp_path: Path,  # noqa: F811
                                                                    pg_cluster: Cluster) -> None:
    sheet = _csv(tmp_path / "editor.csv", ["JPN,LTS-A.1,2024-01-01,planned,"])
    t = open_tracker(team["editor"], user="someone-else")
    try:
        report = ExchangeService(t).import_files([sheet])
        assert report.assessments_added == 1 and report.batch_id is not None
        assert [a.recorded_by for a in t.assessments.history("JPN", "LTS-A.1")] == [t.user]
        _verified(t)
    finally:
        t.close()


def test_the_package_commands_on_a_server(laptop: Copy, pg_initialised_url: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    server_config = tmp_path / "analyst-config"
    _trust(laptop, pg_initialised_url, server_config, monkeypatch)
    with laptop.open() as t:
        t.assessments.record(AssessmentInput("BRA", "LTS-A.1", "implemented", effective="2024-01-01"))
        package = api.export_package(t, tmp_path / "mission.tcbm").path
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(server_config))
    code, out, _ = run(capsys, "--db", pg_initialised_url, "package", "import", str(package), "--dry-run")
    assert code == 0 and "dry run: nothing was changed" in out
    code, out, _ = run(capsys, "--db", pg_initialised_url, "package", "import", str(package))
    assert code == 0 and "1 assessment(s)" in out and "backup none (a server is backed up with pg_dump)" in out
    code, out, _ = run(capsys, "--db", pg_initialised_url, "package", "export", "--all", "--out", str(tmp_path / "team.tcbm"))
    assert code == 0 and (tmp_path / "team.tcbm").exists()
    code, out, _ = run(capsys, "--db", pg_initialised_url, "verify")
    assert code == 0 and out.startswith("ok: server database")


def test_a_workbook_exported_from_the_server_imports_into_a_laptop_and_back_as_already_there(
        laptop: Copy, pg_initialised_url: str, tmp_path: Path) -> None:
    t = open_tracker(pg_initialised_url)
    try:
        ev = t.evidence.add(EvidenceInput(title="Mexico: national report", date="2024-05-01"))
        t.assessments.record(AssessmentInput("MEX", "LTS-A.1", "implemented", evidence_ids=[ev.id], effective="2024-05-01"))
        workbook = ExchangeService(t).export(tmp_path / "team.xlsx").path
        csv_file = ExchangeService(t).export(tmp_path / "team.csv").path
        again = ExchangeService(t).import_files([workbook])
        assert (again.assessments_added, again.evidence_added) == (0, 0) and again.assessments_present == 1
        server_cell = _cell(t, "MEX", "LTS-A.1")
    finally:
        t.close()
    with laptop.open() as lt:
        report = ExchangeService(lt).import_files([workbook])
        assert (report.assessments_added, report.evidence_added) == (1, 1)
        assert _cell(lt, "MEX", "LTS-A.1") == server_cell
        assert ExchangeService(lt).import_files([csv_file]).assessments_added == 0
        _verified(lt)
