"""Sub-commands that need more than the data layer: starting the desktop application."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("gui", help="start the desktop application (the default when no command is given)")
    p.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    print("tcbm-tracker: the desktop application is not available in this version; "
          "use the commands listed by `tcbm-tracker --help`", file=sys.stderr)
    return 2
