"""``tcbm-tracker settings``: show and change this copy's settings (who reports).

The settings live in the config folder, not in the database: they belong to the copy and its
user, like the signing key. ``settings`` alone lists them; ``get``, ``set`` and ``unset`` act
on one. The database is never opened.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from tcbm_tracker.services import user_settings as settings


def register(sub: Any) -> None:
    p = sub.add_parser(
        "settings",
        help="show or change this copy's settings (reporter.name, reporter.organisation)",
        description="Settings of this copy, kept in settings.json in its config folder (beside its key; data/config "
        "in portable mode), not in the database. " + "; ".join(f"{k}: {what}" for k, what in settings.SETTINGS.items()) + ".",
    )
    p.add_argument("--json", action="store_true", help="print the settings as JSON")
    p.set_defaults(handler=cmd_show)
    actions = p.add_subparsers(dest="settings_command", metavar="ACTION")
    g = actions.add_parser("get", help="print one setting (nothing when it is not set)")
    g.add_argument("key", metavar="KEY", help=", ".join(settings.SETTINGS))
    g.set_defaults(handler=cmd_get)
    s = actions.add_parser("set", help="store one setting")
    s.add_argument("key", metavar="KEY", help=", ".join(settings.SETTINGS))
    s.add_argument("value", metavar="VALUE", help="one line of text, e.g. \"Jane Doe\"")
    s.set_defaults(handler=cmd_set)
    u = actions.add_parser("unset", help="remove one setting")
    u.add_argument("key", metavar="KEY", help=", ".join(settings.SETTINGS))
    u.set_defaults(handler=cmd_unset)


def cmd_show(args: argparse.Namespace) -> int:
    values = settings.all_settings()
    if getattr(args, "json", False):
        print(json.dumps(values, ensure_ascii=False, indent=1))
        return 0
    width = max(map(len, values))
    for key, value in values.items():
        print(f"{key:<{width}}  {value if value is not None else '(not set)'}")
    who = settings.reporter().text
    print(f"reports say: statuses as reported or assessed by the user of this copy{', ' + who if who else ''}")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    value = settings.get_setting(args.key)
    if value is not None:
        print(value)
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    value = settings.set_setting(args.key, args.value)
    print(f"{settings.canonical_key(args.key)} = {value}")
    return 0


def cmd_unset(args: argparse.Namespace) -> int:
    settings.unset_setting(args.key)
    print(f"{settings.canonical_key(args.key)} is not set")
    return 0
