"""Sub-commands that need the desktop application: ``gui`` (the default) and ``screenshot``.

Qt is never imported here: ``tcbm_tracker.app`` is imported inside the handlers, so that the
headless commands start fast and run on machines without a display.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import TrackerError, ValidationError


def register(sub: Any) -> None:
    p = sub.add_parser("gui", help="start the desktop application (the default when no command is given)")
    # Kept as given (not a Path): a server URL's "//" must survive to reach --db.
    p.add_argument("file", nargs="?", metavar="FILE|URL",
                   help="a database to open (like --db: a file or a postgresql:// server URL), or a .tcbm "
                        "exchange package (what the file manager passes)")
    p.set_defaults(handler=run_gui)

    p = sub.add_parser(
        "screenshot",
        help="render a view of the desktop application to a PNG file (offscreen, no display needed)",
        description="Render the real window offscreen to a PNG, for documentation and review.",
    )
    p.add_argument("--view", default="matrix",
                   help="matrix, actor:KEY (e.g. actor:FRA), measure:KEY (e.g. measure:LTS-B.4), changes, "
                        "history:ACTOR:MEASURE or editor:ACTOR:MEASURE (default: matrix)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.png", help="where to write the PNG")
    p.add_argument("--size", default="1440x900", metavar="WxH", help="window size in pixels (default: 1440x900)")
    p.add_argument("--as-of", metavar="DATE", help="show the record as it stood on DATE (YYYY-MM-DD)")
    p.add_argument("--sort", choices=["actor", "coverage"], default="actor",
                   help="order of the matrix rows: by actor name (default) or by coverage, highest first")
    p.set_defaults(handler=run_screenshot)


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*", text)
    if not m:
        raise ValidationError("size", f"{text!r} is not a size like 1440x900")
    w, h = int(m.group(1)), int(m.group(2))
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise ValidationError("size", f"{w}x{h} is outside 320x240 .. 8000x8000")
    return w, h


def check_display(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> None:
    """Refuse to start the window where there is no screen, before Qt aborts the process.

    Without a display Qt prints several lines and aborts (exit 134); a one-line reason and
    the headless alternative serve the user better.
    """
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        raise TrackerError(
            "no display to show the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            "without a screen, use the commands listed by `tcbm-tracker --help`"
        )


EXCHANGE_SUFFIX = ".tcbm"


def run_gui(args: argparse.Namespace) -> int:
    from tcbm_tracker.storage.locations import is_server_url

    given: str | None = getattr(args, "file", None)
    if is_server_url(given):
        if args.db:
            raise ValidationError("file", "give the database either as a server URL or with --db, not both")
        args.db, given = given, None
    file = None if given is None else Path(given)
    package: Path | None = None
    if file is not None and file.suffix.lower() == EXCHANGE_SUFFIX:
        # The desktop's file type hands packages to `gui FILE`: the window opens on the database
        # (the default one, or --db) with the package's import preview; nothing is imported
        # before the user confirms it there.
        if not file.is_file():
            raise TrackerError(f"{file}: no such exchange package")
        package, file = file.expanduser().resolve(), None
    if file is not None:
        if args.db:
            raise ValidationError("file", f"give the database either as FILE ({file}) or with --db, not both")
        args.db = str(file)
    check_display()
    from tcbm_tracker import app

    # The default database is created on first use; a file named with --db must already exist
    # (a typo must not silently create an empty database).
    from tcbm_tracker.cli import database_target

    target = database_target(args)  # a file, or a server URL (postgresql://…) the window connects to
    return app.run(target, user=args.user, create=not args.db, package=package)


def run_screenshot(args: argparse.Namespace) -> int:
    size = parse_size(args.size)
    as_of: dt.date | None = v.parse_date("as of", args.as_of) if args.as_of else None
    if args.out.suffix.lower() != ".png":
        raise ValidationError("out", f"{args.out.name} must end in .png")
    from tcbm_tracker import app
    from tcbm_tracker.cli import database_target
    from tcbm_tracker.services.tracker import open_tracker

    path = database_target(args)
    open_tracker(path).close()  # a clear error before any window is built
    out = app.screenshot(path, args.view, args.out, size=size, as_of=as_of, sort=args.sort)
    print(out)
    return 0
