"""Exporting assessments and evidence in the exchange layout (CSV or XLSX), as a stream.

Rows come from one read transaction through a database cursor and go straight to ``csv`` or to
openpyxl's write-only workbook, so a million assessments never sit in memory. The file is
written under a temporary name and renamed when complete: a failure or a cancel never leaves
half a file under the chosen name.

Spreadsheet formula injection: in CSV, text that a spreadsheet program would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets the OWASP single-quote
prefix (removed again on import); in XLSX every text is written as a string cell, which
spreadsheet programs never evaluate.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tcbm_tracker.domain.errors import StorageError, ValidationError
from tcbm_tracker.exchange import layout
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.driver_sql import DriverSql

Progress = Callable[[int, int], None]  # rows written, total; may raise to cancel
EXPORT_KINDS = (layout.ASSESSMENT_SHEET, layout.EVIDENCE_SHEET)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    assessments: int
    evidence: int


def _evidence_index(conn: Any) -> dict[int, tuple[str, str | None]]:
    """Evidence number -> (evidence key, pinpoint)."""
    return {
        r[0]: (layout.evidence_key(*r[1:]), r[7])
        for r in conn.execute(
            "SELECT id, title, symbol, date, language, evidence_type, url, pinpoint, recorded_by, created_at FROM evidence"
        )
    }


def assessment_rows(conn: Any, index: dict[int, tuple[str, str | None]], catalog: str | None = None) -> Iterator[list[Any]]:
    sql = (
        "SELECT a.actor_key, a.measure_key, a.effective_date, a.status, a.provenance, a.confidence, a.note, "
        "a.recorded_by, a.recorded_at, (SELECT group_concat(evidence_id) FROM (SELECT evidence_id FROM "
        "assessment_evidence WHERE assessment_id = a.id ORDER BY evidence_id) AS ev) FROM assessment a"
    )
    params: tuple[Any, ...] = ()
    if catalog:
        sql += " JOIN measure m ON m.key = a.measure_key WHERE m.catalog_key = ?"
        params = (catalog,)
    for r in conn.execute(sql + " ORDER BY a.id", params):
        ids = [int(x) for x in r[9].split(",")] if r[9] else []
        cited = [index[i] for i in ids]
        yield [*r[:9], layout.join_list([k for k, _ in cited]), layout.join_list([p or "" for _, p in cited]) if cited else ""]


def evidence_rows(conn: Any) -> Iterator[list[Any]]:
    for r in conn.execute(
        "SELECT id, symbol, title, date, language, evidence_type, url, pinpoint, recorded_by, created_at, "
        "file_name, file_sha256, file_size FROM evidence ORDER BY id"
    ):
        key = layout.evidence_key(r[2], r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
        yield [key, *r[1:]]


@contextmanager
def _atomic(out: Path) -> Iterator[Path]:
    out = Path(out)
    if out.is_dir():
        raise ValidationError("out", f"{out} is a folder; give a file name")
    if not out.parent.is_dir():
        raise ValidationError("out", f"the folder {out.parent} does not exist")
    tmp = out.with_name(f".{out.name}.partial")
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:  # disk full, no permission: the user's to fix, and nothing half-written is left
        raise StorageError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _count(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def export_csv(db: Database, out: Path, what: str = layout.ASSESSMENT_SHEET, *, catalog: str | None = None,
               progress: Progress | None = None) -> ExportResult:
    """One CSV file (UTF-8 with a byte-order mark, for spreadsheet programs) of one kind."""
    if what not in EXPORT_KINDS:
        raise ValidationError("what", f"{what!r}; use {' or '.join(EXPORT_KINDS)}")
    with db.read() as s, _atomic(out) as tmp:
        conn = DriverSql(s.connection())  # one SQL text for a file and a server
        total = _count(conn, "assessment" if what == layout.ASSESSMENT_SHEET else "evidence")
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            if what == layout.ASSESSMENT_SHEET:
                writer.writerow(layout.ASSESSMENT_COLUMNS)
                rows = assessment_rows(conn, _evidence_index(conn), catalog)
            else:
                writer.writerow(layout.EVIDENCE_COLUMNS)
                rows = evidence_rows(conn)
            n = 0
            for row in rows:
                writer.writerow([layout.neutralise(c) if isinstance(c, str) else c for c in row])
                n += 1
                if progress is not None and n % 5000 == 0:
                    progress(n, total)
    return ExportResult(Path(out), n if what == layout.ASSESSMENT_SHEET else 0, n if what == layout.EVIDENCE_SHEET else 0)


def _string_cells(ws: Any, row: list[Any]) -> list[Any]:
    """openpyxl would store text starting with '=' as a formula: make such text a string cell."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out


def export_xlsx(db: Database, out: Path, *, catalog: str | None = None, progress: Progress | None = None,
                about: list[tuple[str, str]] | None = None) -> ExportResult:
    """One workbook: an ``assessments`` sheet, an ``evidence`` sheet and an ``about`` sheet."""
    from openpyxl import Workbook

    with db.read() as s, _atomic(out) as tmp:
        conn = DriverSql(s.connection())  # one SQL text for a file and a server
        total = _count(conn, "assessment")
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(layout.ASSESSMENT_SHEET)
        ws.append(list(layout.ASSESSMENT_COLUMNS))
        n = 0
        for row in assessment_rows(conn, _evidence_index(conn), catalog):
            ws.append(_string_cells(ws, row))
            n += 1
            if progress is not None and n % 5000 == 0:
                progress(n, total)
        ev = wb.create_sheet(layout.EVIDENCE_SHEET)
        ev.append(list(layout.EVIDENCE_COLUMNS))
        e = 0
        for row in evidence_rows(conn):
            ev.append(_string_cells(ev, row))
            e += 1
        info = wb.create_sheet(layout.ABOUT_SHEET)
        for line in about or []:
            info.append(_string_cells(info, list(line)))
        wb.save(tmp)
    return ExportResult(Path(out), n, e)
