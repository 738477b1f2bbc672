"""Sub-commands ``import`` and ``export``: spreadsheets (CSV and XLSX) in and out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tcbm_tracker.exchange.importer import ImportReport


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="import assessments and evidence from CSV or XLSX files (all rows or none)",
        description="Check every row of every file, then apply all of them in one transaction (after a backup), "
        "or none. Rows already in the database are not added again. Evidence files are read first, so that "
        "assessment rows can cite the evidence they add.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".csv or .xlsx files in the exchange layout")
    p.add_argument("--dry-run", action="store_true", help="only list what would be added, what is already there, and what is rejected")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="rows listed per category (default 50; counts are always complete)")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser(
        "export",
        help="export assessments (full history) and evidence to CSV or XLSX",
        description="The exchange layout (raw keys, ISO dates, status codes) re-imports to the identical record: "
        ".xlsx holds assessments and evidence; .csv holds one of them (--what). --readable writes a workbook "
        "for reading instead: one coloured sheet per catalogue, the evidence, and what the file is.",
    )
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="a .csv or .xlsx file to write (replaced if it exists)")
    p.add_argument("--what", choices=["assessments", "evidence"], default="assessments", help="for .csv: which rows (default: assessments)")
    p.add_argument("--readable", action="store_true", help="a workbook for reading (labels and colours), not for re-import")
    p.add_argument("--catalog", metavar="KEY", help="only the assessments of this catalogue")
    p.add_argument("--as-of", metavar="DATE", help="with --readable: statuses as they stood on DATE")
    p.set_defaults(handler=cmd_export)


def _tracker(args: argparse.Namespace, *, writing: bool) -> Any:
    from tcbm_tracker.cli.opening import command_tracker as open_

    return open_(args, writing=writing)


def _print_report(r: ImportReport, limit: int) -> None:
    verb = "would add" if r.dry_run else "added"
    print(f"{', '.join(r.files)}: {verb} {r.assessments_added:,} assessment(s) and {r.evidence_added:,} evidence item(s); "
          f"already there: {r.assessments_present:,} assessment(s), {r.evidence_present:,} evidence item(s); "
          f"{r.rejected_summary}")
    for title, lines, total in (
        ("to add" if r.dry_run else "added", r.added, r.assessments_added + r.evidence_added),
        ("already there", r.present, r.assessments_present + r.evidence_present),
    ):
        if lines and limit > 0:
            print(f"{title}:")
            for line in lines[:limit]:
                print(f"  {line}")
            if total > min(limit, len(lines)):
                print(f"  ... and {total - min(limit, len(lines)):,} more")


def cmd_import(args: argparse.Namespace) -> int:
    from tcbm_tracker.exchange.importer import ImportRefused
    from tcbm_tracker.exchange.service import ExchangeService

    t = _tracker(args, writing=not args.dry_run)
    try:
        report = ExchangeService(t).import_files(args.files, dry_run=args.dry_run)
    except ImportRefused as refused:
        r = refused.report
        if args.dry_run:
            _print_report(r, args.limit)
        for rej in r.rejections[: max(args.limit, 1)]:
            print(f"rejected: {rej}", file=sys.stderr)
        if r.rejected > max(args.limit, 1):
            print(f"rejected: ... and {r.rejected - max(args.limit, 1):,} more problem(s)", file=sys.stderr)
        print(f"tcbm-tracker: error: {r.rejected_summary}; nothing was imported", file=sys.stderr)
        return 2
    _print_report(report, args.limit)
    if report.dry_run:
        print("dry run: nothing was changed")
    elif report.batch_id is not None:
        print(f"import {report.batch_id} recorded: by {ExchangeService(t).importer}, from {', '.join(report.files)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from tcbm_tracker.domain.validation import parse_catalog_key, parse_date
    from tcbm_tracker.exchange.service import ExchangeService

    t = _tracker(args, writing=False)
    catalog = parse_catalog_key(args.catalog) if args.catalog else None
    if catalog:
        t.reference.catalog(catalog)  # an unknown catalogue is an error, not an empty file
    as_of = parse_date("as of", args.as_of) if args.as_of else None
    result = ExchangeService(t).export(args.out, what=args.what, readable=args.readable, catalog=catalog, as_of=as_of)
    if args.readable:
        print(f"wrote {result.path} (readable workbook)")
    else:
        print(f"wrote {result.path}: {result.assessments:,} assessment(s), {result.evidence:,} evidence item(s)")
    return 0
