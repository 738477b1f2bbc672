"""The ``tcbm-tracker`` command line: every tracker operation without a screen.

Each command module registers its sub-commands on the parser (only the module of the command
given, so that one report does not import every command's code: ``COMMAND_MODULES``); ``main``
runs the chosen one and turns a ``TrackerError`` into a one-line message and a non-zero exit
code. This package never
imports Qt: the GUI is started through ``tcbm_tracker.app``, imported only when asked for.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from tcbm_tracker import __version__
from tcbm_tracker.domain.errors import NotFoundError, TrackerError
from tcbm_tracker.storage import locations
from tcbm_tracker.storage.locations import ENV_DB, default_database_path
from tcbm_tracker.storage.log_file import setup_logging

EXIT_BUG = 70
SLOW_COMMAND_S = 1.0  # a command that takes longer is logged with its duration


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (the usage block is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_global_options(parser: argparse.ArgumentParser, *, default: bool) -> None:
    """--db, --user and --debug: on the main parser with their defaults, on every sub-command
    with ``SUPPRESS`` defaults, so that ``matrix --db x.sqlite`` works and an option given
    before the sub-command is not reset by the sub-command's own (absent) copy."""
    group = parser.add_argument_group("global options (accepted before or after the command)")
    group.add_argument(
        "--db",
        metavar="PATH",
        default=None if default else argparse.SUPPRESS,
        help=f"database file (default: ${ENV_DB}, else {default_database_path()})",
    )
    group.add_argument(
        "--user",
        metavar="NAME",
        default=None if default else argparse.SUPPRESS,
        help="name recorded as the author of changes (default: login name)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=False if default else argparse.SUPPRESS,
        help="show the full traceback of an unexpected error",
    )


class _CommandParser(_Parser):
    """A sub-command's parser: carries the global options too (nested sub-commands inherit the class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_global_options(self, default=False)


# Commands that work on a database file only (SQLite's own copy of the file): a server is backed
# up and restored by its administrator with pg_dump/pg_restore (docs/team-server.md, "Backups").
FILE_ONLY_COMMANDS = ("backup", "restore")


def database_path(args: argparse.Namespace) -> Path:
    """The database file named by --db / $TCBM_TRACKER_DB; a server URL is refused in one line
    (commands that take a server call ``database_target``)."""
    from tcbm_tracker.storage.locations import is_server_url

    if is_server_url(_given(args)):
        refuse_server(args)
    return Path(args.db).expanduser() if args.db else default_database_path()


def _given(args: argparse.Namespace) -> str | None:
    """--db, else $TCBM_TRACKER_DB (ignored in portable mode, as by ``default_database_path``)."""
    return args.db or (None if locations.portable_root() is not None else os.environ.get(locations.ENV_DB))


def refuse_server(args: argparse.Namespace) -> NoReturn:
    from tcbm_tracker.domain.errors import StorageError

    name = getattr(args, "command", None) or "the desktop application"
    if name in FILE_ONLY_COMMANDS:
        raise StorageError(
            f"`{name}` works on a database file: a server database is backed up and restored by its administrator "
            "with pg_dump and pg_restore (docs/team-server.md, \"Backups\")"
        )
    raise StorageError(
        f"`{name}` works on a database file, not yet on a server database "
        "(a server is backed up with pg_dump; see docs/team-server.md)"
    )


def database_target(args: argparse.Namespace) -> Path | str:
    """The database file, or the ``postgresql://`` URL of a server database, as given."""
    from tcbm_tracker.storage.locations import is_server_url

    given = _given(args)
    if is_server_url(given):
        if getattr(args, "command", None) in FILE_ONLY_COMMANDS:
            refuse_server(args)
        return str(given)
    return database_path(args)


# The command modules, in the order the main --help lists their commands, with the commands each
# registers: the arguments of one command import only its module (tests check this table).
COMMAND_MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("data_commands", ("init", "catalogs", "measures", "actors", "assess", "evidence", "show", "history", "matrix",
                       "coverage", "changes")),
    ("integrity_commands", ("verify", "seal")),
    ("extra_commands", ("gui", "screenshot")),
    ("report_commands", ("report",)),
    ("backup_commands", ("backup", "restore")),
    ("exchange_commands", ("import", "export")),
    ("settings_commands", ("settings",)),
    ("package_commands", ("package", "trust")),
    ("server_commands", ("server",)),
)
_VALUE_OPTIONS = ("--db", "--user")  # the main parser's options that take a value


def command_named(argv: Sequence[str]) -> str | None:
    """The command the arguments name, if it is one of ours; None when there is none (the main
    --help, the GUI) or when it cannot be told for sure (then every module is registered)."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            token = next(tokens, "")
        elif token.startswith("-"):
            if token == "-h" or (len(token) > 2 and "--help".startswith(token)):
                return None  # the main help, which lists every command
            # "--db X", "--us X" (argparse takes unambiguous abbreviations): skip the value too.
            if token.startswith("--") and "=" not in token and len(token) > 2 and any(
                    option.startswith(token) for option in _VALUE_OPTIONS):
                next(tokens, None)
            continue
        known = any(token in names for _module, names in COMMAND_MODULES)
        return token if known else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the arguments, only the module of the command they name
    is imported and registered (a report need not import every other command and its output
    code); without them, or with no command of ours among them, every command is."""
    import importlib

    chosen = command_named(argv) if argv is not None else None
    parser = _Parser(
        prog="tcbm-tracker",
        description="Track who implements the UN space TCBMs (A/68/189) and the COPUOS LTS guidelines "
        "(A/74/20, annex II). With no command, starts the desktop application.",
    )
    parser.add_argument("--version", action="version", version=f"tcbm-tracker {__version__}")
    _add_global_options(parser, default=True)
    parser.add_argument("--portable", action="store_true",
                        help=f"keep every file (database, backups, keys, settings, logs) in {locations.PORTABLE_DATA}/ beside "
                             f"the application (also on when a file named '{locations.PORTABLE_MARKER}' sits there)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    for module, names in COMMAND_MODULES:
        if chosen is None or chosen in names:
            importlib.import_module(f"tcbm_tracker.cli.{module}").register(sub)
    return parser


def _command_name(args: argparse.Namespace) -> str:
    """``evidence add``, ``report actor``...: for the log, which never sees the arguments (notes)."""
    parts = [getattr(args, name, None) for name in ("command", "evidence_command", "report_command", "package_command", "trust_command",
                                                "server_command")]
    return " ".join(p for p in parts if p) or "gui"


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
    code = _main(argv)
    if _process["one_report"]:
        _exit_now(code)
    return code


_process = {"one_report": False}  # set by _main: this process wrote one report and can end at once


def _exit_now(code: int) -> NoReturn:
    """End a process that wrote one report without tearing the interpreter down.

    Everything the command wrote is closed and synced by now (the PDF, the seal, the database);
    what the interpreter would still do is free the hundreds of thousands of objects its imports
    made, module by module, about a tenth of the command's CPU time. The log and the terminal
    are flushed first.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    """Run the command; its exit code."""
    use_portable_mode(False)  # the marker file: before the parser, whose help names the default database
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.portable:
        use_portable_mode(True)
    handler = getattr(args, "handler", None)
    setup_logging()
    log = logging.getLogger("tcbm_tracker.cli")
    command = _command_name(args)
    started = time.perf_counter()
    one_report = argv is None and args.command == "report" and not getattr(args, "all", False)
    _process["one_report"] = one_report
    if one_report:
        # A process that writes one report and ends: the cyclic garbage collector would only walk
        # the half-million objects its imports create, during start-up and again at exit (about a
        # quarter of the command's CPU time); the report itself leaves no cycles worth collecting.
        gc.disable()
    try:
        if handler is None:
            from tcbm_tracker.cli.extra_commands import run_gui

            return run_gui(args)
        return int(handler(args) or 0)
    except TrackerError as exc:
        opened = getattr(args, "open_tracker", None)
        if isinstance(exc, NotFoundError) and opened is not None:
            exc = opened.integrity.explain_not_found(exc)  # a damaged file, not a missing row?
        log.warning("%s: %s", command, exc.message)
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
        log.exception("%s: internal error", command)
        if args.debug:
            traceback.print_exc()
        print(f"tcbm-tracker: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_BUG
    finally:
        tracker = getattr(args, "open_tracker", None)
        if tracker is not None:
            tracker.close()
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_COMMAND_S and handler is not None:
            log.info("%s: slow command, %.2f s", command, elapsed)
        if one_report:
            gc.freeze()  # nothing left to collect: the interpreter's exit skips the walk
            gc.enable()
