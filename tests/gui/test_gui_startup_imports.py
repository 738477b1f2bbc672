"""Start-up speed: what the window's modules must not import before anything is asked of them.

The table classes (pydantic and SQLAlchemy set-up), database creation, the dialogs, Alembic and
reportlab are each needed only for a write, a new file, an edit or an export; importing them
with the window cost tens of milliseconds each at every start.
"""

from __future__ import annotations

import subprocess
import sys

NOT_AT_START_UP = (
    "tcbm_tracker.storage.tables",
    "tcbm_tracker.storage.seeding",
    "tcbm_tracker.services.setup",
    "tcbm_tracker.ui.editor_dialog",
    "tcbm_tracker.ui.evidence_dialog",
    "tcbm_tracker.ui.exchange_dialogs",
    "tcbm_tracker.ui.package_dialogs",
    "tcbm_tracker.ui.package_preview",
    "tcbm_tracker.exchange.packages.api",
    "tcbm_tracker.exchange.importer",
    "openpyxl",
    "alembic",
    "reportlab",
)


def test_window_modules_leave_write_and_dialog_code_unloaded() -> None:
    code = (
        "import sys\n"
        "import tcbm_tracker.app, tcbm_tracker.ui.main_window, tcbm_tracker.ui.controller\n"
        f"print(sorted(m for m in {NOT_AT_START_UP!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
