"""``tcbm-tracker report ...``: PDF compliance summaries from the command line.

    report actor FRA --out fra.pdf [--as-of DATE] [--known-at DATE] [--catalog KEY]
    report actor --all --out DIR [--workers N]
    report measure LTS-B.4 --out b4.pdf
    report matrix --out matrix.pdf [--catalog KEY] [--group G] [--region R] [--as-of DATE]
    report changes --since DATE --out changes.pdf [--catalog KEY]

Each prints what it wrote and any characters the report font could not show (as warnings on
stderr); errors are one line, and no partial file is left behind.

The services and the reports (SQLAlchemy, reportlab) are imported inside the handlers, so that
`--help` and `--version` answer at once. The tracker is opened by ``opening.command_tracker``,
which leaves it on ``args`` for ``cli.main`` to close.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from tcbm_tracker.cli.opening import command_tracker as _tracker
from tcbm_tracker.domain.errors import ValidationError


def _as_of(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="statuses in force on DATE (YYYY-MM-DD; default: today)")
    p.add_argument("--known-at", metavar="DATE", help="only what had been recorded by the end of DATE (rebuilds a past picture)")


def _unverified(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-unverified", action="store_true",
                   help="print even if the data fails verification, stamped DATA FAILED VERIFICATION on every page")


def register(sub: Any) -> None:
    report = sub.add_parser("report", help="write PDF reports (state summary, measure, matrix, changes)",
                            description="Write PDF reports. Every page carries the date generated, the catalogue "
                                        "versions and the fingerprint of the data it was made from.")
    rsub = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)

    p = rsub.add_parser("actor", help="a state's compliance summary, or one per actor with --all",
                        description="A state's (or organization's) compliance summary.")
    p.set_defaults(handler=cmd_actor)
    p.add_argument("actor", nargs="?", help="actor key, e.g. FRA")
    p.add_argument("--all", action="store_true", help="one summary per actor, written as KEY-compliance-summary.pdf into the --out folder")
    p.add_argument("--out", required=True, type=Path, help="PDF file to write (a folder with --all)")
    _unverified(p)
    p.add_argument("--catalog", metavar="KEY", help="only this catalogue (GGE2013, LTS2019, ...)")
    p.add_argument("--workers", type=int, metavar="N", help="with --all: processes to use (default: every core)")
    p.add_argument("--since", metavar="DATE", help="page 1 lists the statuses that changed since DATE (default: 12 months before --as-of)")
    _as_of(p)

    p = rsub.add_parser("measure", help="one measure across every actor", description="One measure across every actor.")
    p.set_defaults(handler=cmd_measure)
    p.add_argument("measure", help="measure key, e.g. LTS-B.4")
    p.add_argument("--out", required=True, type=Path, help="PDF file to write")
    _unverified(p)
    _as_of(p)

    p = rsub.add_parser("matrix", help="landscape heat map of actors x measures",
                        description="Landscape heat map of actors x measures, with coverage per actor and per measure.")
    p.set_defaults(handler=cmd_matrix)
    p.add_argument("--out", required=True, type=Path, help="PDF file to write")
    _unverified(p)
    p.add_argument("--catalog", metavar="KEY", help="only this catalogue")
    p.add_argument("--group", help="only this group of measures, e.g. B or LTS2019/B")
    p.add_argument("--region", help="only actors of this UN regional group (AFRICA, APG, EEG, GRULAC, WEOG)")
    _as_of(p)

    p = rsub.add_parser("changes", help="assessments recorded since a date",
                        description="Assessments recorded since a date: what changed, who recorded it, the evidence.")
    p.set_defaults(handler=cmd_changes)
    p.add_argument("--since", required=True, metavar="DATE", help="first day to include (YYYY-MM-DD)")
    p.add_argument("--out", required=True, type=Path, help="PDF file to write")
    _unverified(p)
    p.add_argument("--catalog", metavar="KEY", help="only this catalogue")


def _report(result: Any) -> int:
    print(f"wrote {result.path} ({result.pages} pages; data fingerprint {result.fingerprint[:16]})")
    for w in result.warnings:
        print(f"tcbm-tracker: warning: {w}", file=sys.stderr)
    return 0


def cmd_actor(args: argparse.Namespace) -> int:
    from tcbm_tracker.reports import build_actor_summary

    if args.all == bool(args.actor):
        raise ValidationError("actor", "give an actor key (e.g. FRA) or --all, not both or neither")
    if args.workers is not None and (not args.all or args.workers < 1):
        raise ValidationError("workers", "--workers takes a number of at least 1, with --all")
    t = _tracker(args)
    if not args.all:
        return _report(build_actor_summary(t, args.actor, args.out, as_of=args.as_of, known_at=args.known_at,
                                           catalog=args.catalog, since=args.since,
                                           allow_unverified=args.allow_unverified))
    from tcbm_tracker.reports import build_all_actor_summaries  # the batch machinery only for --all

    start = time.perf_counter()
    batch = build_all_actor_summaries(t, args.out, as_of=args.as_of, known_at=args.known_at, catalog=args.catalog,
                                      since=args.since, allow_unverified=args.allow_unverified, workers=args.workers)
    print(f"wrote {len(batch.results)} summaries ({batch.pages} pages) to {batch.folder} "
          f"with {batch.workers} worker(s) in {time.perf_counter() - start:.1f} s")
    for w in batch.warnings:
        print(f"tcbm-tracker: warning: {w}", file=sys.stderr)
    return 0


def cmd_measure(args: argparse.Namespace) -> int:
    from tcbm_tracker.reports import build_measure_report

    return _report(build_measure_report(_tracker(args), args.measure, args.out, as_of=args.as_of, known_at=args.known_at,
                                        allow_unverified=args.allow_unverified))


def cmd_matrix(args: argparse.Namespace) -> int:
    from tcbm_tracker.reports import build_matrix_report

    return _report(build_matrix_report(_tracker(args), args.out, catalog=args.catalog, group=args.group, region=args.region,
                                       as_of=args.as_of, known_at=args.known_at, allow_unverified=args.allow_unverified))


def cmd_changes(args: argparse.Namespace) -> int:
    from tcbm_tracker.reports import build_changes_report

    return _report(build_changes_report(_tracker(args), args.since, args.out, catalog=args.catalog,
                                         allow_unverified=args.allow_unverified))
