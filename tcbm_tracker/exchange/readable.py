"""The readable workbook: for people who read the record rather than re-import it.

One sheet per catalogue (actors down, measures across, each cell the status's symbol and label
in the app's colours from ``domain.status_look``), with the header row and the actor column
frozen; a sheet of evidence; and an "About this file" sheet saying what the file is, from
which database, as of when, and that it is not meant for re-import. Every text is a string
cell, so nothing in it can run as a formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tcbm_tracker import __version__
from tcbm_tracker.domain.status_look import STATUS_LOOK
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.exchange.exporter import _atomic
from tcbm_tracker.services.tracker import Tracker, database_label

ABOUT_TITLE = "About this file"


def _text(ws: Any, row: int, col: int, value: str | None) -> Any:
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def export_readable(tracker: Tracker, out: Path, *, as_of: dt.date | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    day = as_of or dt.date.today()
    wb = Workbook()
    about = wb.active
    about.title = ABOUT_TITLE
    bold = Font(bold=True)
    fills = {s: PatternFill("solid", fgColor=look.fill.lstrip("#").upper()) for s, look in STATUS_LOOK.items()}
    inks = {s: Font(color=look.ink.lstrip("#").upper()) for s, look in STATUS_LOOK.items()}
    catalogs = tracker.reference.catalogs()
    for cat in catalogs:
        m = tracker.queries.matrix(catalog=cat.key, as_of=day)
        ws = wb.create_sheet(cat.key[:31])
        _text(ws, 1, 1, "Actor").font = bold
        _text(ws, 1, 2, "Name").font = bold
        for j, measure in enumerate(m.measures, start=3):
            c = _text(ws, 1, j, measure.key)
            c.font = bold
            c.alignment = Alignment(text_rotation=90)
        for i, actor in enumerate(m.actors, start=2):
            _text(ws, i, 1, actor.key)
            _text(ws, i, 2, actor.name)
            for j, measure in enumerate(m.measures, start=3):
                status = m.status(actor.key, measure.key)
                c = _text(ws, i, j, f"{STATUS_LOOK[status].symbol} {status.label}")
                c.fill, c.font = fills[status], inks[status]
        ws.freeze_panes = "C2"  # the header row and the actor columns stay in view
        ws.column_dimensions["B"].width = 28
    ev = wb.create_sheet("Evidence")
    for j, name in enumerate(["Number", "Symbol", "Title", "Date", "Language", "Type", "URL", "Pinpoint", "Attached file"], 1):
        _text(ev, 1, j, name).font = bold
    for i, e in enumerate(tracker.evidence.list(), start=2):
        for j, value in enumerate([str(e.id), e.symbol, e.title, e.date, e.language, e.evidence_type, e.url, e.pinpoint,
                                   e.file_name], 1):
            _text(ev, i, j, value)
    ev.freeze_panes = "B2"
    lines = [
        ("What this file is", "The TCBM Tracker record, for reading: one sheet per catalogue, then the evidence."),
        ("Not for re-import", "Use `tcbm-tracker export --out FILE.xlsx` (exchange layout) for a file to import."),
        ("Statuses as of", day.isoformat()),
        ("Made", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") + f" by TCBM Tracker {__version__}"),
        ("Database", database_label(tracker)),
        ("Data fingerprint", tracker.queries.fingerprint()),
        ("Catalogues", "; ".join(f"{c.key} v{c.version}: {c.title}" for c in catalogs)),
        ("Legend", "; ".join(f"{STATUS_LOOK[s].symbol} {s.label}" for s in Status)),
    ]
    for i, (k, v) in enumerate(lines, start=1):
        _text(about, i, 1, k).font = bold
        _text(about, i, 2, v)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    with _atomic(out) as tmp:
        wb.save(tmp)
    return Path(out)
