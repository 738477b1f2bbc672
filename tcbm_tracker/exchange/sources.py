"""Reading spreadsheet rows as a stream, and refusing unsafe files before reading them.

CSV goes through the standard ``csv`` module over a strict UTF-8 decoder (a byte-order mark and
Windows line endings are accepted; another encoding is named and refused). XLSX goes through
openpyxl in read-only mode, which streams the sheet XML; formulas are seen as formulas (their
value is never computed) so that the importer can reject the cell. Before openpyxl sees a
workbook, the zip directory is checked (member count, sizes, compression ratios: a zip bomb is
refused unread) and so are the sheet's declared dimensions.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.exchange.layout import unneutralise

ENV_MAX_BYTES = "TCBM_TRACKER_IMPORT_MAX_BYTES"
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # 1 GiB
MAX_ROWS = 5_000_000
MAX_COLUMNS = 100
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_RATIO = 200  # uncompressed / compressed, for members over 1 MiB
MAX_UNCOMPRESSED = 8 * 1024 * 1024 * 1024
_SNIFF = 64 * 1024

csv.field_size_limit(4 * 1024 * 1024)  # a note may hold 100,000 characters


class SourceError(TrackerError):
    """A file that cannot be read as a spreadsheet; the message names the file and why."""


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: never computed, always rejected by the importer."""

    text: str


Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | Formula | None


@dataclass
class Table:
    """One sheet (or a CSV file): its header and a one-pass iterator of numbered rows."""

    name: str
    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    sheet: str | None = None  # the sheet's title in a workbook


def max_bytes() -> int:
    raw = os.environ.get(ENV_MAX_BYTES, "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise SourceError(f"{ENV_MAX_BYTES}: {raw!r} is not a number of bytes")
    return int(raw)


def check_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise SourceError(f"{path} is not a file")
    limit = max_bytes()
    if size > limit:
        raise SourceError(f"{path.name} is {size:,} bytes; the import limit is {limit:,} (set {ENV_MAX_BYTES} to change it)")
    return size


def _guess_encoding(sample: bytes) -> str:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    if sample.count(b"\x00") > len(sample) // 4:
        return "UTF-16 (no byte-order mark)"
    try:
        sample.decode("cp1252")
        return "Windows-1252 or Latin-1"
    except UnicodeDecodeError:
        return "an encoding other than UTF-8"


def _sniff_csv(path: Path) -> None:
    with path.open("rb") as fh:
        sample = fh.read(_SNIFF)
    if sample.startswith(b"PK\x03\x04"):
        raise SourceError(f"{path.name} is a zip or XLSX file, not CSV text; name it .xlsx if it is a workbook")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (sample and sample.count(b"\x00") > len(sample) // 4):
        raise SourceError(f"{path.name} is {_guess_encoding(sample)} text; save it as CSV UTF-8 and import it again")
    if b"\x00" in sample:
        raise SourceError(f"{path.name} is not a CSV text file (it holds binary data)")
    try:
        codecs.getincrementaldecoder("utf-8-sig")("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        raise SourceError(f"{path.name} is not UTF-8: it looks like {_guess_encoding(sample)}; "
                          "save it as CSV UTF-8 and import it again") from None


def _csv_rows(path: Path, reader: Iterator[list[str]], fh: io.TextIOWrapper) -> Iterator[tuple[int, list[Cell]]]:
    number = 1
    try:
        for row in reader:
            number += 1
            if number > MAX_ROWS:
                raise SourceError(f"{path.name} has more than {MAX_ROWS:,} rows")
            # One join per row instead of a look at every cell (this runs for every row read):
            # the row is blank when all its cells are, and can hold a quoted cell only if "'" is in it.
            joined = "".join(row)
            if not joined.strip():
                continue  # a blank line (often the last one) is no row
            if "'" in joined:
                # CSV only: the OWASP quote added on export comes off again (XLSX text is never quoted).
                yield number, [unneutralise(cell) if cell[:1] == "'" else cell for cell in row]
            else:
                yield number, row  # type: ignore[misc]  # list[str] is a list of cells
    except UnicodeDecodeError:
        raise SourceError(f"{path.name}, row {number + 1}: not UTF-8 text (save the file as CSV UTF-8)") from None
    except csv.Error as exc:
        raise SourceError(f"{path.name}, row {number + 1}: not readable as CSV ({exc})") from None


@contextmanager
def open_csv(path: Path) -> Iterator[list[Table]]:
    check_size(path)
    _sniff_csv(path)
    with path.open("rb") as raw:
        fh = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise SourceError(f"{path.name} is empty: the first row must name the columns") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise SourceError(f"{path.name}, row 1: not readable as CSV UTF-8 ({exc})") from None
        if len(header) > MAX_COLUMNS:
            raise SourceError(f"{path.name} has {len(header)} columns; at most {MAX_COLUMNS} are read")
        yield [Table(path.name, [h.strip() for h in header], _csv_rows(path, reader, fh))]


def check_zip(path: Path) -> None:
    """Refuse a file that is not a workbook, or a zip bomb, from its zip directory alone."""
    if not zipfile.is_zipfile(path):
        raise SourceError(f"{path.name} is not an XLSX workbook (it is not a zip file)")
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{path.name} is not a readable XLSX workbook ({exc})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise SourceError(f"{path.name} holds {len(members):,} zip members; a workbook holds far fewer (refused unread)")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise SourceError(f"{path.name} is a zip file but not an XLSX workbook")
    total = 0
    for m in members:
        total += m.file_size
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO:
            raise SourceError(f"{path.name}: {m.filename} expands {ratio:,.0f} times ({m.file_size:,} bytes): "
                              "refused unread as a possible zip bomb")
    if total > MAX_UNCOMPRESSED:
        raise SourceError(f"{path.name} expands to {total:,} bytes: refused unread as a possible zip bomb")


def _xlsx_rows(name: str, rows: Iterator[Any], width: int) -> Iterator[tuple[int, list[Cell]]]:
    number = 1
    for row in rows:
        number += 1
        if number > MAX_ROWS + 1:
            raise SourceError(f"{name} has more than {MAX_ROWS:,} rows")
        values: list[Cell] = []
        empty = True
        for cell in row[:width]:
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                values.append(Formula(str(value)))
                empty = False
                continue
            if value is not None and value != "":
                empty = False
            values.append(value)
        if not empty:
            yield number, values


@contextmanager
def open_xlsx(path: Path) -> Iterator[list[Table]]:
    check_size(path)
    check_zip(path)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise SourceError(f"{path.name} is not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        tables = []
        for ws in wb.worksheets:
            rows, cols = ws.max_row or 0, ws.max_column or 0
            if cols > MAX_COLUMNS or rows > MAX_ROWS + 1:
                raise SourceError(f"{path.name}, sheet {ws.title!r}: declares {rows:,} rows x {cols:,} columns; "
                                  f"at most {MAX_ROWS:,} x {MAX_COLUMNS} are read (refused unread)")
            it = ws.iter_rows(max_col=MAX_COLUMNS)
            first = next(it, None)
            header = [] if first is None else [
                "" if c.value is None else str(c.value).strip() for c in first[:MAX_COLUMNS]
            ]
            while header and header[-1] == "":
                header.pop()
            where = f"{path.name}, sheet {ws.title!r}"
            tables.append(Table(where, header, _xlsx_rows(where, it, len(header)), ws.title))
        yield tables
    finally:
        wb.close()


@contextmanager
def open_tables(path: Path) -> Iterator[list[Table]]:
    """The tables of a ``.csv`` or ``.xlsx`` file, refused with a one-line reason if unsafe."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open_csv(path) as tables:
            yield tables
    elif suffix in (".xlsx", ".xlsm"):
        with open_xlsx(path) as tables:
            yield tables
    else:
        raise SourceError(f"{path.name}: only .csv and .xlsx files can be imported")
