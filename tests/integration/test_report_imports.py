"""One report, as the command writes it, loads only what it needs (a new process, measured by
what it imported): no Qt, no Alembic, no SQLAlchemy (reads and the seal run on sqlite3
directly), no ORM/sqlmodel/pydantic, no batch machinery, no other command's module, no key
serialization code, and for a report without right-to-left text no HarfBuzz or bidi algorithm."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CODE = """
import json, sys
from tcbm_tracker.cli import main
code = main(["--db", sys.argv[1], "report", "actor", "FRA", "--out", sys.argv[2]])
unwanted = ["PySide6", "alembic", "sqlmodel", "pydantic", "sqlalchemy.orm", "multiprocessing",
            "tcbm_tracker.reports.batch", "tcbm_tracker.reports.matrix_report", "tcbm_tracker.services.assessments",
            "uharfbuzz", "bidi", "tcbm_tracker.reports.shaping",
            # the other commands' modules and their terminal output code (the parser registers the report's only)
            "tcbm_tracker.cli.data_commands", "tcbm_tracker.cli.output", "tcbm_tracker.cli.integrity_commands",
            "tcbm_tracker.cli.backup_commands", "tcbm_tracker.cli.package_commands", "tcbm_tracker.cli.server_commands",
            # the seal key is read without cryptography's serialization module
            "cryptography.hazmat.primitives.serialization",
            # reads and the seal run on sqlite3 directly: no SQLAlchemy, nor what it pulls in
            "sqlalchemy", "asyncio", "ssl", "importlib.metadata", "email", "tcbm_tracker.storage.server_database"]
print(json.dumps({"code": code, "loaded": [m for m in unwanted if m in sys.modules]}))
"""


def test_a_latin_summary_loads_nothing_it_does_not_need(db_path: Path, tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", CODE, str(db_path), str(tmp_path / "fra.pdf")],
                         capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(out.stdout.splitlines()[-1])
    assert result == {"code": 0, "loaded": []}
    assert (tmp_path / "fra.pdf").stat().st_size > 10_000
