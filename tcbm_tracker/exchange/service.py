"""What the command line and the desktop application call to import and export spreadsheets."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from tcbm_tracker import __version__
from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.exchange import layout
from tcbm_tracker.exchange.exporter import ExportResult, export_csv, export_xlsx
from tcbm_tracker.exchange.importer import ImportReport, run_import
from tcbm_tracker.exchange.readable import export_readable
from tcbm_tracker.services.backups import PendingSeal, sealed_backup_in
from tcbm_tracker.services.tracker import Tracker, database_label
from tcbm_tracker.storage import changelog


class ExchangeService:
    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    @property
    def importer(self) -> str:
        return self.tracker.user or changelog.current_user()

    def import_files(self, paths: Sequence[Path], *, dry_run: bool = False,
                     progress: Callable[[int, str], None] | None = None) -> ImportReport:
        """Check every row of every file, then apply all of them (a backup first) or none."""
        if not paths:
            raise ValidationError("import", "no file given")
        db = self.tracker.db

        def backup(live: sqlite3.Connection) -> PendingSeal | None:
            # The import's write transaction is open here, every row accepted: the seal goes into
            # it (and into the copy), so a refused or cancelled import leaves the file as it was.
            return sealed_backup_in(live, db.path, "import")

        # A server has no file to copy: its administrator backs it up (pg_dump); the transaction is the guard.
        on_file = db.dialect == "sqlite"
        return run_import(db, [Path(p) for p in paths], importer=self.importer, dry_run=dry_run, progress=progress,
                          before_commit=backup if on_file else None)

    def export(self, out: Path, *, what: str = layout.ASSESSMENT_SHEET, readable: bool = False,
               catalog: str | None = None, as_of: dt.date | None = None,
               progress: Callable[[int, int], None] | None = None) -> ExportResult:
        out = Path(out).expanduser()
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise ValidationError("out", f"{out.name} must end in .csv or .xlsx")
        if readable:
            if suffix != ".xlsx":
                raise ValidationError("out", "the readable layout is a workbook: name the file .xlsx")
            export_readable(self.tracker, out, as_of=as_of)
            return ExportResult(out, 0, 0)
        if as_of is not None:
            raise ValidationError("as of", "the exchange layout holds the whole history; --as-of is for --readable")
        if suffix == ".csv":
            return export_csv(self.tracker.db, out, what, catalog=catalog, progress=progress)
        about = [
            ("What this file is", "TCBM Tracker assessments and evidence in the exchange layout (raw keys, ISO dates, "
                                  "status codes); `tcbm-tracker import FILE` reads it back."),
            ("Made", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") + f" by TCBM Tracker {__version__}"),
            ("Database", database_label(self.tracker)),
            ("Data fingerprint", self.tracker.queries.fingerprint()),
        ]
        return export_xlsx(self.tracker.db, out, catalog=catalog, progress=progress, about=about)
