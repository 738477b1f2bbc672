"""``evidence show``, ``evidence export`` and ``evidence correct``: one evidence item, its
attached file (bytes identical, hash checked), and corrections as new versions."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tcbm_tracker.cli.output import print_json


def register(ev_sub: Any) -> None:
    p = ev_sub.add_parser("show", help="one evidence item: its fields, attached file (name, size, SHA-256), versions, citing assessments")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_evidence_show)

    p = ev_sub.add_parser("export", help="write the attached file of an evidence item (bytes identical, SHA-256 checked)")
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write it (must not exist)")
    p.set_defaults(handler=cmd_evidence_export)

    p = ev_sub.add_parser(
        "correct",
        help="correct an evidence item as a new version (the old one is kept, and so are the citations of it)",
        description="Record a corrected version of an evidence item. Nothing is overwritten: assessments that cited "
        "the earlier version keep citing it, and show that it was corrected. An empty value clears a field.",
    )
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--title")
    p.add_argument("--symbol")
    p.add_argument("--date", help="YYYY-MM-DD")
    p.add_argument("--url")
    p.add_argument("--pinpoint")
    p.add_argument("--reason", help="why it was corrected")
    p.set_defaults(handler=cmd_evidence_correct)


def _tracker(args: argparse.Namespace, *, writing: bool = False) -> Any:
    from tcbm_tracker.cli.opening import command_tracker as open_

    return open_(args, writing=writing)


def cmd_evidence_show(args: argparse.Namespace) -> int:
    t = _tracker(args)
    e = t.evidence.get(args.id)
    versions = t.evidence.versions([e.id])[e.id]
    citing = t.evidence.citing(e.id)
    if args.json:
        print_json({"evidence": e, "versions": list(versions.chain), "cited_by": citing})
        return 0
    for label, value in (
        ("evidence", f"{e.id}" + (f", version {versions.number} of {len(versions.chain)}" if len(versions.chain) > 1 else "")),
        ("title", e.title), ("symbol", e.symbol), ("date", e.date), ("language", e.language), ("type", e.evidence_type),
        ("url", e.url), ("pinpoint", e.pinpoint), ("recorded", f"{e.created_at} by {e.recorded_by}"),
    ):
        if value:
            print(f"{label + ':':<11}{value}")
    if e.file_name:
        print(f"{'file:':<11}{e.file_name}, {e.file_size:,} bytes, sha256 {e.file_sha256}")
    else:
        print(f"{'file:':<11}none attached")
    if len(versions.chain) > 1:
        print(f"{'versions:':<11}{' -> '.join(map(str, versions.chain))}"
              + ("" if versions.latest == e.id else f" (corrected: the current version is {versions.latest})"))
    print(f"{'cited by:':<11}" + (", ".join(f"#{a}" for a in citing) if citing else "no assessment"))
    return 0


def cmd_evidence_export(args: argparse.Namespace) -> int:
    t = _tracker(args)
    out = t.evidence.export_file(args.id, args.out)
    e = t.evidence.get(args.id)
    print(f"wrote {out} ({e.file_size:,} bytes, sha256 {e.file_sha256} checked)")
    return 0


def cmd_evidence_correct(args: argparse.Namespace) -> int:
    from tcbm_tracker.services.evidence import EvidenceCorrection

    t = _tracker(args, writing=True)
    new = t.evidence.correct(args.id, EvidenceCorrection(title=args.title, symbol=args.symbol, date=args.date, url=args.url,
                                                         pinpoint=args.pinpoint, reason=args.reason))
    print(f"recorded evidence {new.id} correcting {args.id}: {new.label} (assessments citing {args.id} still cite it)")
    return 0
