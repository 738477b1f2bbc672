"""``verify`` and ``seal``: check the file and its history; sign the current state.

``verify`` prints one line per problem on stderr and a summary whose count is the number of
lines printed; every line is one line (planted names are printed escaped).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tcbm_tracker.cli.data_commands import _add
from tcbm_tracker.cli.opening import command_tracker as _tracker
from tcbm_tracker.domain.local_time import instant_text


def register(sub: Any) -> None:
    p = _add(sub, "verify", cmd_verify, "check the database file, the tamper-evident change log and its seals "
             "(exit 1 if anything is wrong)")
    p.add_argument("--fingerprint", metavar="HEX",
                   help="also check that the data behind a report (the fingerprint printed on its pages) is still in the history")
    _add(sub, "seal", cmd_seal, "sign the current state of the change log with this copy's key",
         "Sign the head of the change log with this copy's key (kept in the config folder, made on first use). "
         "`verify` then detects any rewrite of the history before this seal, unless the key is also taken.")


def cmd_seal(args: argparse.Namespace) -> int:
    tracker = _tracker(args)
    s = tracker.integrity.seal("seal")
    print(f"seal {s.short_id}: change log entry {s.log_seq}, head {s.head}; key {s.key_fingerprint[:16]}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from tcbm_tracker.services.integrity import WHAT_IT_PROVES

    tracker = _tracker(args)
    r = tracker.integrity.verify()
    problems = list(r.problems)
    match = None
    if args.fingerprint:
        match = tracker.integrity.find_fingerprint(args.fingerprint)
        if match is None:
            problems.append(f"fingerprint {args.fingerprint}: not in the change log (the history was cut or rewritten "
                            "after the report was made, or the report comes from another database)")
    for note in r.notes:
        print(f"note: {note}")
    if not problems:
        sealed = (f"{r.seals_checked} seal(s) checked, newest {r.newest_seal.short_id} of {instant_text(r.newest_seal.made_at)}"
                  if r.newest_seal else "no seal of this copy yet (`tcbm-tracker seal` makes one)")
        # A server keeps its own pages and references (PostgreSQL checks them itself).
        checked = "SQLite integrity check passed" if tracker.db.dialect == "sqlite" else "server database"
        print(f"ok: {checked}; change log of {r.entries} entries intact; head {r.head}; {sealed}")
        print(f"what this proves: {WHAT_IT_PROVES}")
        if match is not None:
            since = "it is the current state" if match.is_head else f"{match.later_entries} change(s) recorded since"
            print(f"fingerprint {args.fingerprint}: change log entry {match.seq} of {instant_text(match.at)}; {since}")
        return 0
    for p in problems:
        print(p, file=sys.stderr)
    more = " (the first ones; there may be more)" if r.truncated else ""
    print(f"tcbm-tracker: error: verification failed with {len(problems)} problem(s){more}", file=sys.stderr)
    return 1
