"""Export then import into an empty database: the identical matrix and history, for CSV and
XLSX; re-importing adds nothing; imported rows keep their author and record the import."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tcbm_tracker.exchange.importer import import_provenance
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.storage.backup import list_backups

from .conftest import evidence_content, exchange, history


def _matrix(t: Tracker, **kw: object) -> dict[tuple[str, str], str]:
    m = t.queries.matrix(**kw)  # type: ignore[arg-type]
    return {k: c.status.value for k, c in m.cells.items()}


def _same_record(a: Tracker, b: Tracker) -> None:
    assert history(b.path) == history(a.path)
    assert evidence_content(b.path) == evidence_content(a.path)
    assert _matrix(b) == _matrix(a)
    for day in ("2017-01-01", "2018-01-01", "2020-01-01"):
        assert _matrix(b, as_of=day) == _matrix(a, as_of=day)
    # As the tracker showed it before the correction was recorded.
    assert _matrix(b, known_at="2024-12-31") == _matrix(a, known_at="2024-12-31")
    assert b.integrity.verify().ok


def test_csv_round_trip_gives_the_identical_record(rich: Tracker, empty: Tracker, tmp_path: Path) -> None:
    ex = exchange(rich)
    ex.export(tmp_path / "assessments.csv")
    ex.export(tmp_path / "evidence.csv", what="evidence")
    report = exchange(empty).import_files([tmp_path / "assessments.csv", tmp_path / "evidence.csv"])
    assert (report.assessments_added, report.evidence_added, report.rejected, report.applied) == (5, 2, 0, True)
    _same_record(rich, empty)
    # Re-importing the same files adds nothing, and makes no backup (nothing to protect).
    backups = list_backups(empty.path)
    again = exchange(empty).import_files([tmp_path / "evidence.csv", tmp_path / "assessments.csv"])
    assert (again.assessments_added, again.evidence_added, again.assessments_present, again.evidence_present) == (0, 0, 5, 2)
    assert again.batch_id is None and list_backups(empty.path) == backups
    _same_record(rich, empty)


def test_xlsx_round_trip_gives_the_identical_record(rich: Tracker, empty: Tracker, tmp_path: Path) -> None:
    exchange(rich).export(tmp_path / "record.xlsx")
    report = exchange(empty).import_files([tmp_path / "record.xlsx"])
    assert (report.assessments_added, report.evidence_added, report.rejected) == (5, 2, 0)
    _same_record(rich, empty)
    assert exchange(empty).import_files([tmp_path / "record.xlsx"]).assessments_added == 0


def test_imported_rows_keep_their_author_and_record_the_import(rich: Tracker, empty: Tracker, tmp_path: Path) -> None:
    exchange(rich).export(tmp_path / "record.xlsx")
    report = exchange(empty).import_files([tmp_path / "record.xlsx"])
    h = empty.assessments.history("FRA", "LTS-B.4")
    assert {a.recorded_by for a in h} == {"analyst"}
    prov = import_provenance(empty.db, h[0].id)
    assert prov is not None and "imported by importer from record.xlsx" in prov
    con = sqlite3.connect(empty.path)
    try:
        assert con.execute("SELECT user, action FROM change_log WHERE entity = 'assessment'").fetchall() == [
            ("importer", "imported")] * 5
        assert con.execute("SELECT imported_by, file_name FROM import_batch WHERE id = ?", (report.batch_id,)).fetchone() == (
            "importer", "record.xlsx")
    finally:
        con.close()
    # The backup taken before the import holds the database as it was: no assessments.
    (before,) = [b for b in list_backups(empty.path) if b.reason == "before-import"]
    con = sqlite3.connect(before.path)
    try:
        assert con.execute("SELECT count(*) FROM assessment").fetchone() == (0,)
    finally:
        con.close()


def test_dry_run_lists_and_changes_nothing(rich: Tracker, empty: Tracker, tmp_path: Path) -> None:
    from .conftest import db_fingerprint

    exchange(rich).export(tmp_path / "record.xlsx")
    before = db_fingerprint(empty.path)
    report = exchange(empty).import_files([tmp_path / "record.xlsx"], dry_run=True)
    assert report.dry_run and not report.applied and report.assessments_added == 5
    assert any("FRA LTS-B.4 2016-06-01 planned" in line for line in report.added)
    assert db_fingerprint(empty.path) == before and list_backups(empty.path) == []
    assert empty.queries.matrix().cells == {}


def test_csv_neutralises_formulas(rich: Tracker, tmp_path: Path) -> None:
    exchange(rich).export(tmp_path / "a.csv")
    text = (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'@mention -minus" in text and "\"'+1 line" in text
    assert "''=already quoted" in text
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "-", "@", "\t")), line


def test_xlsx_writes_text_as_string_cells_never_formulas(rich: Tracker, tmp_path: Path) -> None:
    exchange(rich).export(tmp_path / "a.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    ws = load_workbook(tmp_path / "a.xlsx")["assessments"]
    notes = [(c.value, c.data_type) for c in ws["G"][1:]]
    assert ("=HYPERLINK(\"http://evil\")", "s") in notes


def test_readable_workbook(rich: Tracker, tmp_path: Path) -> None:
    exchange(rich).export(tmp_path / "read.xlsx", readable=True, as_of=dt.date(2020, 1, 1))
    wb = load_workbook(tmp_path / "read.xlsx")
    assert wb.sheetnames == ["About this file", "GGE2013", "LTS2019", "Evidence"]
    lts = wb["LTS2019"]
    assert lts.freeze_panes == "C2"
    fra = next(r for r in lts.iter_rows(min_row=2) if r[0].value == "FRA")
    col = [c.value for c in lts[1]].index("LTS-B.4")
    cell = fra[col]
    assert cell.value == "✓ Implemented" and cell.fill.fgColor.rgb.endswith("009E73")
    about = {r[0].value: r[1].value for r in wb["About this file"].iter_rows()}
    assert about["Statuses as of"] == "2020-01-01" and "Not for re-import" in about
    assert [c.value for c in wb["Evidence"][2]][1:3] == ["A/72/65", "Replies received from Governments"]


@pytest.mark.parametrize("name", ["x.txt", "x.pdf"])
def test_export_needs_csv_or_xlsx(rich: Tracker, tmp_path: Path, name: str) -> None:
    from tcbm_tracker.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="must end in .csv or .xlsx"):
        exchange(rich).export(tmp_path / name)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("note", [None, "", "plain", 'quote " and \\ backslash', "é ü 漢字 \u2028 \U0001f680", "tab\tnew\nline", "<b>&amp;</b>"])
@pytest.mark.parametrize("evidence", [(), (3,), (2, 10, 11)])
def test_the_imported_log_entry_is_the_canonical_snapshot(note: str | None, evidence: tuple[int, ...]) -> None:
    from tcbm_tracker.exchange.importer import _assessment_json
    from tcbm_tracker.storage.changelog import canonical_json

    values = (1, "FRA", "LTS-B.4", "implemented", "self_reported", "high", note, "ana \"x\"", "2019-01-01",
              "2020-01-01T00:00:00.000000Z")
    payload = dict(zip(["actor_key", "measure_key", "status", "provenance", "confidence", "note", "recorded_by",
                        "effective_date", "recorded_at"], values[1:], strict=True))
    payload["evidence"] = list(evidence)
    assert _assessment_json(values, evidence) == canonical_json(payload)


def test_a_failed_write_is_a_clear_error_and_leaves_no_file(rich: Tracker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from tcbm_tracker.domain.errors import StorageError

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StorageError, match="cannot write .*a.csv: No space left on device"):
        exchange(rich).export(tmp_path / "a.csv")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".a.csv", "a.csv"))) == []


def test_every_imported_log_entry_hashes_as_the_change_log_does(empty: Tracker, tmp_path: Path) -> None:
    """The importer builds each entry's hash material itself (once per row): it must be exactly
    ``changelog.entry_hash`` of the stored fields, odd characters in the importer's name included."""
    import sqlite3

    from tcbm_tracker.storage.changelog import entry_hash

    sheet = tmp_path / "rows.csv"
    sheet.write_text("actor,measure,effective_date,status,note\nFRA,LTS-B.4,2020-01-01,planned,é \"x\"\n"
                     "DEU,LTS-B.4,2021-01-01,implemented,\n", encoding="utf-8")
    empty.user = "ana é (HQ)"
    report = exchange(empty).import_files([sheet])
    assert report.assessments_added == 2
    con = sqlite3.connect(empty.path)
    try:
        rows = con.execute("SELECT seq, at, user, entity, entity_key, action, payload, prev_hash, hash FROM change_log "
                           "WHERE action = 'imported'").fetchall()
    finally:
        con.close()
    assert len(rows) == 3  # two assessments and the import batch
    for seq, at, user, entity, key, action, payload, prev, h in rows:
        assert h == entry_hash(seq, at, user, entity, key, action, payload, prev)
    assert empty.integrity.verify().ok
