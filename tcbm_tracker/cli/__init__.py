"""The ``tcbm-tracker`` command line: every tracker operation without a screen.

Each command module registers its sub-commands on the parser; ``main`` runs the chosen one and
turns a ``TrackerError`` into a one-line message and a non-zero exit code. This package never
imports Qt: the GUI is started through ``tcbm_tracker.app``, imported only when asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from tcbm_tracker import __version__
from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.storage import locations
from tcbm_tracker.storage.locations import ENV_DB, default_database_path

EXIT_BUG = 70


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (the usage block is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def database_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db else default_database_path()


def build_parser() -> argparse.ArgumentParser:
    from tcbm_tracker.cli import data_commands, extra_commands, report_commands

    parser = _Parser(
        prog="tcbm-tracker",
        description="Track who implements the UN space TCBMs (A/68/189) and the COPUOS LTS guidelines "
        "(A/74/20, annex II). With no command, starts the desktop application.",
    )
    parser.add_argument("--version", action="version", version=f"tcbm-tracker {__version__}")
    parser.add_argument("--db", metavar="PATH", help=f"database file (default: ${ENV_DB}, else {default_database_path()})")
    parser.add_argument("--user", metavar="NAME", help="name recorded as the author of changes (default: login name)")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an unexpected error")
    parser.add_argument("--portable", action="store_true",
                        help=f"keep every file (database, backups, keys, settings, logs) in {locations.PORTABLE_DATA}/ beside "
                             f"the application (also on when a file named '{locations.PORTABLE_MARKER}' sits there)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    data_commands.register(sub)
    extra_commands.register(sub)
    report_commands.register(sub)
    return parser


def use_portable_mode(flag: bool) -> None:
    """Apply portable mode (marker file or ``--portable``) before any file is opened.

    Libraries' caches (fontconfig's, written when Qt or a report first lists the fonts) follow
    the data into the portable folder, so that nothing is written on the host.
    """
    root = locations.detect_portable(flag)
    cache = locations.cache_dir()
    if root is not None and cache is not None:
        os.environ["XDG_CACHE_HOME"] = str(cache)


def main(argv: Sequence[str] | None = None) -> int:
    use_portable_mode(False)  # the marker file: before the parser, whose help names the default database
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.portable:
        use_portable_mode(True)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from tcbm_tracker.cli.extra_commands import run_gui

            return run_gui(args)
        return int(handler(args) or 0)
    except TrackerError as exc:
        print(f"tcbm-tracker: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tcbm-tracker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped to `head` and the like: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: say so on one line, details on request
        if args.debug:
            traceback.print_exc()
        print(f"tcbm-tracker: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_BUG
    finally:
        tracker = getattr(args, "open_tracker", None)
        if tracker is not None:
            tracker.close()
