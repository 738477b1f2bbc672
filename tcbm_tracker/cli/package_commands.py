"""Sub-commands ``package`` (export and import signed ``.tcbm`` packages) and ``trust`` (the trust list)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tcbm_tracker.exchange.packages.api import ImportPlan


def register(sub: Any) -> None:
    p = sub.add_parser(
        "package",
        help="exchange signed packages (.tcbm) with another copy: `package export`, `package import`",
        description="A package carries this copy's changes (assessments with their citations, evidence with "
        "attached files, organizations, users' catalogues), signed with this copy's key, to a copy that never "
        "meets a network. Importing checks the signature and every member first, then merges all or nothing.",
    )
    psub = p.add_subparsers(dest="package_command", metavar="ACTION", required=True)
    ep = psub.add_parser("export", help="write a signed package of the changes since a date, or of everything")
    when = ep.add_mutually_exclusive_group(required=True)
    when.add_argument("--since", metavar="DATE", help="the changes recorded on or after DATE (YYYY-MM-DD)")
    when.add_argument("--all", action="store_true", help="the whole record")
    ep.add_argument("--out", type=Path, required=True, metavar="FILE", help="the .tcbm file to write (replaced if it exists)")
    ep.set_defaults(handler=cmd_export)

    ip = psub.add_parser("import", help="merge a package into this copy (a backup and a seal first)",
                         description="Refused unless its signer is on the trust list (`tcbm-tracker trust add`) or "
                         "--untrusted is given. Cells both copies changed since their last common change are "
                         "conflicts: --prefer says which side to keep; each resolution is recorded as an assessment.")
    ip.add_argument("file", type=Path, metavar="FILE", help="the .tcbm package")
    ip.add_argument("--dry-run", action="store_true", help="only list what would be added, what is here already, "
                    "the conflicts, and what is refused")
    ip.add_argument("--prefer", choices=["mine", "theirs", "newest"],
                    help="how to resolve conflicts: this copy's status, the package's, or the newer one "
                    "(later effective date, then later recording)")
    ip.add_argument("--untrusted", action="store_true",
                    help="accept a package from a copy not on the trust list; its assessments count as third-party")
    ip.add_argument("--limit", type=int, default=20, metavar="N", help="entries listed per category (default 20)")
    ip.set_defaults(handler=cmd_import)

    t = sub.add_parser("trust", help="the copies whose packages this copy accepts: `trust list|add|remove|export`",
                       description="The trust list lives in the config folder beside this copy's key, never in the database.")
    tsub = t.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    tl = tsub.add_parser("list", help="the trusted copies, and this copy's own fingerprint")
    tl.set_defaults(handler=cmd_trust_list)
    ta = tsub.add_parser("add", help="trust a copy: its key fingerprint, its public-key file, or a package it signed")
    ta.add_argument("source", metavar="FILE|FINGERPRINT")
    ta.add_argument("--name", help="a name for the copy (\"Mission laptop\")")
    ta.set_defaults(handler=cmd_trust_add)
    tr = tsub.add_parser("remove", help="stop trusting a copy")
    tr.add_argument("fingerprint", metavar="FINGERPRINT", help="the fingerprint, or its first 8 or more hex digits")
    tr.set_defaults(handler=cmd_trust_remove)
    te = tsub.add_parser("export", help="write this copy's public key to a file for another copy's `trust add`")
    te.add_argument("--out", type=Path, required=True, metavar="FILE")
    te.set_defaults(handler=cmd_trust_export)


def _tracker(args: argparse.Namespace, *, writing: bool) -> Any:
    from tcbm_tracker.cli.opening import command_tracker as open_

    return open_(args, writing=writing)


def cmd_export(args: argparse.Namespace) -> int:
    from tcbm_tracker.domain.validation import parse_date
    from tcbm_tracker.exchange.packages.api import export_package
    from tcbm_tracker.services.tracker import is_server

    since = parse_date("since", args.since) if args.since else None
    t = _tracker(args, writing=False)  # the seal it makes is its only write
    r = export_package(t, args.out, since=since)
    print(f"wrote {r.path}: {r.assessments:,} assessment(s), {r.evidence:,} evidence item(s) ({r.evidence_files:,} file(s)), "
          f"{r.actors:,} organization(s), {r.catalogs:,} catalogue(s)")
    unsealed = "none (read-only login)" if is_server(t) else "none (read-only file)"
    print(f"signed by this copy: key {r.exporter.fingerprint}, database {r.exporter.database_id}; "
          f"head {r.head_seq} {r.head_hash[:16]}; seal {r.seal or unsealed}; SHA-256 {r.sha256}")
    return 0


def _print_plan(plan: ImportPlan, limit: int, *, dry_run: bool) -> None:
    s = plan.summary
    who = f"{s.signer_name} " if s.signer_name else ""
    trust = "trusted" if s.trusted else "NOT trusted: its assessments count as third-party"
    print(f"{s.path.name}: from {who}key {s.exporter.fingerprint} ({trust}), database {s.exporter.database_id}, "
          f"exported {s.exported_at} by {s.exported_by}, {'since ' + s.since.isoformat() if s.since else 'everything'}")
    verb = "would add" if dry_run else "adds"
    print(f"{verb} {len(plan.added):,}; already here {len(plan.present):,}; conflicts {len(plan.conflicts):,}; "
          f"refused {len(plan.rejected):,}")
    for title, items in (("to add" if dry_run else "added", plan.added), ("already here", plan.present)):
        if items and limit > 0:
            print(f"{title}:")
            for item in items[:limit]:
                print(f"  {item.kind} {item.description}")
            if len(items) > limit:
                print(f"  ... and {len(items) - limit:,} more")
    for c in plan.conflicts:
        print(f"conflict {c.key}: mine {c.mine.status} from {c.mine.effective_date} (recorded by {c.mine.recorded_by} at "
              f"{c.mine.recorded_at}); theirs {c.theirs.status} from {c.theirs.effective_date} (recorded by "
              f"{c.theirs.recorded_by} at {c.theirs.recorded_at}); newest: {c.newest}")


def cmd_import(args: argparse.Namespace) -> int:
    from tcbm_tracker.exchange.packages.api import ConflictsUnresolved, import_package, plan_import

    t = _tracker(args, writing=not args.dry_run)
    if args.dry_run:
        plan = plan_import(t, args.file, untrusted=args.untrusted)
        _print_plan(plan, args.limit, dry_run=True)
        if plan.rejected:
            for r in plan.rejected[: max(args.limit, 1)]:
                print(f"refused: {r}", file=sys.stderr)
            print(f"tcbm-tracker: error: {len(plan.rejected):,} entr{'y' if len(plan.rejected) == 1 else 'ies'} of "
                  f"{args.file.name} refused: it cannot be imported (dry run: nothing was changed)", file=sys.stderr)
            return 2
        print("dry run: nothing was changed")
        return 0
    try:
        result = import_package(t, args.file, resolution=args.prefer, untrusted=args.untrusted)
    except ConflictsUnresolved as exc:
        for c in exc.plan.conflicts[: max(args.limit, 1)]:
            print(f"conflict {c.key}: mine {c.mine.status} ({c.mine.recorded_by}, {c.mine.recorded_at}); theirs "
                  f"{c.theirs.status} ({c.theirs.recorded_by}, {c.theirs.recorded_at})", file=sys.stderr)
        raise
    _print_plan(result.plan, args.limit, dry_run=False)
    if result.package_import_id is None:
        print("nothing new: the database was not changed")
        return 0
    print(f"package import {result.package_import_id} recorded: {result.assessments_added:,} assessment(s), "
          f"{result.evidence_added:,} evidence item(s), {result.actors_added:,} organization(s), "
          f"{result.catalogs_added:,} catalogue(s); {result.resolutions:,} conflict(s) resolved ({args.prefer or 'none'}); "
          f"backup {result.backup or 'none (a server is backed up with pg_dump)'}; seal {result.seal}")
    return 0


def cmd_trust_list(args: argparse.Namespace) -> int:
    from tcbm_tracker.exchange.packages.api import list_trusted
    from tcbm_tracker.storage import copy_key

    own = copy_key.load_existing()
    print(f"this copy: {own.fingerprint if own else '(no key yet: made by the first seal or package)'}")
    trusted = list_trusted()
    if not trusted:
        print("no trusted copies (`tcbm-tracker trust add FILE|FINGERPRINT`)")
    for e in trusted:
        print(f"{e.fingerprint}  {e.name or '-'}  (added {e.added_at})")
    return 0


def cmd_trust_add(args: argparse.Namespace) -> int:
    from tcbm_tracker.exchange.packages.api import trust_add

    e = trust_add(args.source, name=args.name)
    print(f"trusted: {e.fingerprint} {e.name or ''}".rstrip())
    return 0


def cmd_trust_remove(args: argparse.Namespace) -> int:
    from tcbm_tracker.exchange.packages.api import trust_remove

    e = trust_remove(args.fingerprint)
    print(f"no longer trusted: {e.fingerprint} {e.name or ''}".rstrip())
    return 0


def cmd_trust_export(args: argparse.Namespace) -> int:
    from tcbm_tracker.exchange.packages.api import export_public_key
    from tcbm_tracker.storage import copy_key

    out = export_public_key(args.out)
    print(f"wrote {out}: this copy's public key, fingerprint {copy_key.load_or_create().fingerprint}")
    return 0
