"""``tcbm-tracker server``: set up a shared server database's roles, grant them, say who one is.

See docs/team-server.md. ``setup`` is run once by the database's owner after ``init``.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "server",
        help="team mode on a PostgreSQL server: set up roles (setup), grant one (grant), show yours (whoami)",
        description="Roles on a shared PostgreSQL database (--db postgresql://...): tcbm_reader reads, tcbm_editor "
        "also records assessments and evidence (never changes or deletes them), tcbm_admin also loads catalogues "
        "and manages actors.",
    )
    actions = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    s = actions.add_parser("setup", help="create the roles, grants and append-only triggers (database owner, once)")
    s.set_defaults(handler=cmd_setup)
    g = actions.add_parser("grant", help="give a server login one of the roles")
    g.add_argument("login", metavar="LOGIN", help="an existing server login (CREATE ROLE ... LOGIN)")
    g.add_argument("role", metavar="ROLE", help="tcbm_reader, tcbm_editor or tcbm_admin")
    g.set_defaults(handler=cmd_grant)
    w = actions.add_parser("whoami", help="the server login in use and its tracker roles")
    w.set_defaults(handler=cmd_whoami)


def _target(args: argparse.Namespace) -> Any:
    from tcbm_tracker.cli import database_target

    return database_target(args)


def cmd_setup(args: argparse.Namespace) -> int:
    from tcbm_tracker.services.server_admin import setup_roles

    setup_roles(_target(args))
    print("roles tcbm_reader, tcbm_editor, tcbm_admin set up; assessments, evidence and the change log are append-only")
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    from tcbm_tracker.services.server_admin import grant_role

    grant_role(_target(args), args.login, args.role)
    print(f"{args.login} now holds {args.role}")
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    from tcbm_tracker.services.server_admin import whoami

    login = whoami(_target(args))
    print(f"{login.name}: {', '.join(login.roles) if login.roles else 'no tracker role (ask an administrator)'}")
    return 0
