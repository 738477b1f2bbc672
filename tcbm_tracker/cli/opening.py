"""Opening the tracker a command works on: kept apart from the command modules so that a command
(one report) imports only its own module and this one, not the others and their output code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tcbm_tracker.services.tracker import Tracker


def command_tracker(args: argparse.Namespace, *, writing: bool = False) -> Tracker:
    """Open the database named by --db / $TCBM_TRACKER_DB; ``main`` closes it afterwards.

    Before a command that writes: SQLite's quick check (a damaged file is refused, naming the
    newest good backup) and the day's automatic backup.
    """
    from tcbm_tracker.cli import database_target
    from tcbm_tracker.services.tracker import open_tracker

    opened: Tracker | None = getattr(args, "open_tracker", None)
    if opened is not None and (opened.checked_for_writing or not writing):
        # One tracker per command: a second one would replace this one in ``args`` and
        # never be closed, its connections holding -wal/-shm beside the file after the end.
        return opened
    due = False
    target = database_target(args)
    if writing and isinstance(target, Path):  # a server's backups are its administrator's (pg_dump)
        from tcbm_tracker.services.backups import daily_backup_due, seal_daily_backup_with_first_commit

        due = daily_backup_due(target)
    tracker = opened or open_tracker(target, user=args.user)
    if due:
        seal_daily_backup_with_first_commit(tracker.db)  # made and sealed as its first change commits
    tracker.checked_for_writing = writing
    args.open_tracker = tracker
    return tracker
