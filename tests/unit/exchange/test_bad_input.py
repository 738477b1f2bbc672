"""Every bad input gets a clear reason naming the row and column (or the file), and the
database file is left byte-identical."""

from __future__ import annotations

import codecs
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.exchange.importer import ImportRefused
from tcbm_tracker.exchange.sources import SourceError
from tcbm_tracker.services.tracker import Tracker
from tcbm_tracker.storage.backup import list_backups

from .conftest import db_fingerprint, exchange

HEADER = "actor,measure,effective_date,status,provenance,confidence,note\r\n"
GOOD = "FRA,LTS-B.4,2019-06-21,implemented,self_reported,high,Conjunction service\r\n"


def refused(t: Tracker, path: Path) -> ImportRefused:
    before = db_fingerprint(t.path)
    with pytest.raises(ImportRefused) as caught:
        exchange(t).import_files([path])
    assert db_fingerprint(t.path) == before and list_backups(t.path) == []
    return caught.value


def file_error(t: Tracker, path: Path, match: str) -> str:
    before = db_fingerprint(t.path)
    with pytest.raises(SourceError, match=match) as caught:
        exchange(t).import_files([path])
    assert db_fingerprint(t.path) == before and list_backups(t.path) == []
    assert "\n" not in caught.value.message
    return caught.value.message


def reasons(exc: ImportRefused) -> list[tuple[int, str, str]]:
    return [(r.row, r.column, r.reason) for r in exc.report.rejections]


def test_bom_and_crlf_are_accepted(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_bytes(codecs.BOM_UTF8 + (HEADER + GOOD).encode())
    r = exchange(tracker).import_files([f])
    assert r.assessments_added == 1 and tracker.queries.matrix().status("FRA", "LTS-B.4").value == "implemented"
    assert tracker.assessments.history("FRA", "LTS-B.4")[0].note == "Conjunction service"


@pytest.mark.parametrize(("encoding", "named"), [("cp1252", "Windows-1252"), ("utf-16", "UTF-16")])
def test_another_encoding_is_named(tracker: Tracker, tmp_path: Path, encoding: str, named: str) -> None:
    f = tmp_path / "a.csv"
    f.write_bytes((HEADER + "FRA,LTS-B.4,2019-06-21,implemented,,,Coopération spatiale\r\n").encode(encoding))
    assert "save it as CSV UTF-8" in file_error(tracker, f, named)


def test_missing_header(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(GOOD + GOOD, encoding="utf-8")
    assert reasons(refused(tracker, f))[0][:2] == (1, "*")


def test_misspelled_and_unknown_columns_are_reported(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("actor,measure,efective_date,status,colour\r\nFRA,LTS-B.4,2019-06-21,implemented,red\r\n", encoding="utf-8")
    got = reasons(refused(tracker, f))
    assert (1, "efective_date", "unknown column (did you mean 'effective_date'?)") in got
    assert any(row == 1 and col == "colour" and reason.startswith("unknown column") for row, col, reason in got)
    assert (1, "effective_date", "required column is missing") in got


def test_every_bad_cell_of_every_row_is_named(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(HEADER + GOOD
                 + "XXX,LTS-Z.9,21/06/2019,done,,,\r\n"
                 + "FRA,LTS-B.4,2019-02-30,implemented,gossip,,\r\n", encoding="utf-8")
    exc = refused(tracker, f)
    got = reasons(exc)
    assert (3, "actor", "unknown actor 'XXX'") in got
    assert (3, "measure", "unknown measure 'LTS-Z.9'") in got
    assert (3, "effective_date", "'21/06/2019' is not a date in the form YYYY-MM-DD") in got
    assert any(r[:2] == (3, "status") and "unknown value 'done'" in r[2] for r in got)
    assert any(r[:2] == (4, "effective_date") and "not a real calendar date" in r[2] for r in got)
    assert any(r[:2] == (4, "provenance") for r in got)
    assert "a.csv, row 3, column actor: unknown actor 'XXX'" in [str(r) for r in exc.report.rejections]
    assert tracker.queries.matrix().cells == {}  # the good row 2 was not applied either


def test_duplicated_rows(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(HEADER + GOOD + "FRA,LTS-A.1,2019-06-21,planned,,,\r\n" + GOOD, encoding="utf-8")
    assert reasons(refused(tracker, f)) == [(4, "*", "duplicates row 2 of this import")]


def test_too_big_is_refused_by_size_before_reading(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "huge.csv"
    with f.open("wb") as fh:  # 2 GB, sparse: nothing is written or read
        fh.truncate(2 * 1024**3)
    assert "the import limit is" in file_error(tracker, f, r"huge.csv is 2,147,483,648 bytes")


def test_size_limit_is_configurable(tracker: Tracker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "a.csv"
    f.write_text(HEADER + GOOD, encoding="utf-8")
    monkeypatch.setenv("TCBM_TRACKER_IMPORT_MAX_BYTES", "50")
    file_error(tracker, f, "TCBM_TRACKER_IMPORT_MAX_BYTES")


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("a.csv", b"%PDF-1.4\x00\x01\x02binary", "not a CSV text file"),
        ("a.xlsx", b"%PDF-1.4 not a workbook", "not an XLSX workbook"),
        ("a.csv", b"PK\x03\x04zipped", "not CSV text"),
        ("a.ods", b"whatever", "only .csv and .xlsx"),
        ("a.csv", b"", "is empty"),
    ],
)
def test_not_a_spreadsheet(tracker: Tracker, tmp_path: Path, name: str, content: bytes, match: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    file_error(tracker, f, match)


def test_a_zip_that_is_not_a_workbook(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "a.xlsx"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("readme.txt", "hello")
    file_error(tracker, f, "zip file but not an XLSX workbook")


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "assessments"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_formula_cells_are_rejected_never_computed(tracker: Tracker, tmp_path: Path) -> None:
    f = _workbook(tmp_path / "f.xlsx", [["actor", "measure", "effective_date", "status", "note"],
                                        ["FRA", "LTS-B.4", "2019-06-21", "implemented", "=1+1"],
                                        ["FRA", "LTS-A.1", "=TODAY()", "planned", None]])
    got = reasons(refused(tracker, f))
    assert (2, "note", "holds a formula (=1+1); formulas are not computed: type the value itself") in got
    assert any(r[:2] == (3, "effective_date") and "formula" in r[2] for r in got)


def test_spreadsheet_dates_are_accepted_as_dates(tracker: Tracker, tmp_path: Path) -> None:
    import datetime as dt

    f = _workbook(tmp_path / "d.xlsx", [["actor", "measure", "effective_date", "status"],
                                        ["FRA", "LTS-B.4", dt.datetime(2019, 6, 21), "implemented"]])
    assert exchange(tracker).import_files([f]).assessments_added == 1


def test_huge_dimensions_are_refused_unread(tracker: Tracker, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "assessments"
    ws.append(["actor", "measure", "effective_date", "status"])
    ws["XFD1048576"] = "far away"
    wb.save(tmp_path / "wide.xlsx")
    file_error(tracker, tmp_path / "wide.xlsx", r"declares 1,048,576 rows x 16,384 columns")


def test_zip_bomb_is_refused_unread(tracker: Tracker, tmp_path: Path) -> None:
    f = _workbook(tmp_path / "bomb.xlsx", [["actor", "measure", "effective_date", "status"]])
    with zipfile.ZipFile(f, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\x00" * (64 * 1024 * 1024))
    assert os.path.getsize(f) < 1024 * 1024
    file_error(tracker, f, "refused unread as a possible zip bomb")


def test_a_readable_workbook_is_not_imported(rich: Tracker, empty: Tracker, tmp_path: Path) -> None:
    exchange(rich).export(tmp_path / "read.xlsx", readable=True)
    exc = refused(empty, tmp_path / "read.xlsx")
    assert all(r.row == 1 for r in exc.report.rejections)


def test_cancel_during_import_changes_nothing(tracker: Tracker, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    lines = [HEADER] + [f"FRA,LTS-B.4,2019-06-{1 + i % 28:02d},implemented,,,row {i}\r\n" for i in range(3000)]
    f.write_text("".join(lines), encoding="utf-8")

    class Stop(TrackerError):
        pass

    def progress(done: int, name: str) -> None:
        if done >= 2000:
            raise Stop("cancelled")

    before = db_fingerprint(tracker.path)
    with pytest.raises(Stop):
        exchange(tracker).import_files([f], progress=progress)
    assert db_fingerprint(tracker.path) == before
    assert tracker.queries.matrix().cells == {}


def test_read_only_database_is_a_clear_error(db_path: Path, tmp_path: Path) -> None:
    from tcbm_tracker.domain.errors import ReadOnlyDatabaseError
    from tcbm_tracker.services.tracker import open_tracker

    f = tmp_path / "a.csv"
    f.write_text(HEADER + GOOD, encoding="utf-8")
    before = db_fingerprint(db_path)
    db_path.chmod(0o444)
    try:
        t = open_tracker(db_path)
        try:
            for dry_run in (True, False):
                with pytest.raises(ReadOnlyDatabaseError, match="read-only: nothing can be imported"):
                    exchange(t).import_files([f], dry_run=dry_run)
        finally:
            t.close()
    finally:
        db_path.chmod(0o644)
    assert db_fingerprint(db_path) == before


def test_locked_database_is_a_clear_error(db_path: Path, tmp_path: Path) -> None:
    import sqlite3

    from tcbm_tracker.domain.errors import DatabaseLockedError
    from tcbm_tracker.services.tracker import open_tracker

    f = tmp_path / "a.csv"
    f.write_text(HEADER + GOOD, encoding="utf-8")
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")
    t = open_tracker(db_path, busy_timeout_ms=100)
    try:
        with pytest.raises(DatabaseLockedError, match="locked by another program"):
            exchange(t).import_files([f])
    finally:
        t.close()
        holder.rollback()
        holder.close()
    assert list_backups(db_path) == []
