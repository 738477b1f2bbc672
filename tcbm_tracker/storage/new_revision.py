"""Developer tool: autogenerate a migration script by comparing the tables with the head schema.

Usage: ``python -m tcbm_tracker.storage.new_revision "what changed" [--rev-id ID]``. The script
is written to ``db/migrations/versions``; read and edit it before committing.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command

from tcbm_tracker.shipped import migrations_dir
from tcbm_tracker.storage.database import Database
from tcbm_tracker.storage.migrations import _config, current_revision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("message")
    parser.add_argument("--rev-id")
    args = parser.parse_args()
    cfg = _config(migrations_dir())
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "head.sqlite")
        has_versions = any((migrations_dir() / "versions").glob("*.py"))
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            if has_versions:
                command.upgrade(cfg, "head")
        print("comparing against", current_revision(db))
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=args.message, autogenerate=True, rev_id=args.rev_id)
        db.dispose()


if __name__ == "__main__":
    main()
