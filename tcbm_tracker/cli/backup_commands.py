"""Sub-commands ``backup`` (make one, or ``backup list``) and ``restore FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tcbm_tracker.cli.output import print_json, table


def register(sub: Any) -> None:
    p = sub.add_parser(
        "backup",
        help="back up the database now (into the backup folder, or --out FILE); `backup list` lists the backups",
        description="Make a consistent copy of the database while it may be in use (SQLite's online backup), "
        "with its SHA-256 recorded beside it. Backups in the backup folder are rotated "
        "(the newest $TCBM_TRACKER_BACKUP_KEEP are kept, default 10).",
    )
    p.add_argument("--out", type=Path, metavar="FILE", help="write the backup to FILE instead of the backup folder")
    p.set_defaults(handler=cmd_backup)
    bsub = p.add_subparsers(dest="backup_command", metavar="ACTION")
    lp = bsub.add_parser("list", help="list the backups of this database, newest first, with their check")
    lp.add_argument("--json", action="store_true", help="machine-readable output")
    lp.set_defaults(handler=cmd_backup_list)

    p = sub.add_parser(
        "restore",
        help="replace the database with a backup (the current file is backed up first)",
        description="Verify FILE completely (SQLite integrity, schema, change log) and, only if it passes, "
        "back up the current database and put FILE in its place. Close the desktop application first.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    p.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    from tcbm_tracker.cli import database_path
    from tcbm_tracker.services.backups import backup_now, check_not_damaged
    from tcbm_tracker.services.tracker import open_tracker

    path = database_path(args)
    open_tracker(path).close()  # a clear error for a missing or foreign file, before any copy
    check_not_damaged(path)
    info = backup_now(path, "manual", out=args.out)
    print(f"backup: {info.path}")
    print(f"sha256: {info.sha256}  ({info.size:,} bytes)")
    return 0


def cmd_backup_list(args: argparse.Namespace) -> int:
    from tcbm_tracker.cli import database_path
    from tcbm_tracker.services.backups import list_backups
    from tcbm_tracker.storage.backup import folder_for

    path = database_path(args)
    items = list_backups(path)
    rows = [(b.made_at.strftime("%Y-%m-%d %H:%M:%S"), b.reason, f"{b.size:,}",
             "ok" if b.hash_matches() else ("no hash record" if b.sha256 is None else "HASH MISMATCH"), str(b.path))
            for b in items]
    if args.json:
        print_json([{"path": str(b.path), "made_at": b.made_at.isoformat(), "reason": b.reason, "size": b.size,
                     "sha256": b.sha256, "hash_ok": b.hash_matches()} for b in items])
        return 0
    if not rows:
        print(f"no backups of {path} in {folder_for(path)}")
        return 0
    print(table(["made (UTC)", "reason", "bytes", "sha256", "file"], rows))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from tcbm_tracker.cli import database_path
    from tcbm_tracker.services.backups import restore

    path = database_path(args)
    result = restore(path, args.file)
    print(f"restored {path} from {result.restored_from} (verified: change log of {result.entries} entries intact)")
    if result.previous_saved_as is not None:
        print(f"the previous file was backed up first: {result.previous_saved_as}")
    return 0
