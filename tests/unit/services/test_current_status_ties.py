"""The status in force never depends on the order rows were stored in.

Two assessments of one cell can share their effective date and recording instant when they come
from two copies. Which one is in force is then decided by their global identity (schema 0005),
not by their local id, so that copies that merged the same rows in different orders agree.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tcbm_tracker.services.tracker import open_tracker

ROWS = {  # global identity -> status; the same instant and effective date
    "aaaa/000000000007": "planned",
    "ffff/000000000001": "implemented",
}


def _store(path: Path, order: list[str]) -> None:
    con = sqlite3.connect(path)
    try:
        for uid in order:
            con.execute(
                "INSERT INTO assessment (actor_key, measure_key, status, provenance, confidence, note, recorded_by, "
                "effective_date, recorded_at, uid, origin) VALUES ('FRA', 'LTS-B.4', ?, 'analyst_judgment', 'medium', "
                "NULL, 'x', '2024-01-01', '2024-01-02T00:00:00.000000Z', ?, 'o')", (ROWS[uid], uid))
        con.commit()
    finally:
        con.close()


def _in_force(path: Path) -> tuple[str, list[str]]:
    t = open_tracker(path)
    try:
        cell = t.queries.matrix(catalog="LTS2019").cells[("FRA", "LTS-B.4")]
        history = [h.status.value for h in t.assessments.history("FRA", "LTS-B.4")]
        return cell.status.value, history
    finally:
        t.close()


def test_ties_are_broken_by_global_identity_not_by_storage_order(db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    shutil.copyfile(db_path, other)
    _store(db_path, ["aaaa/000000000007", "ffff/000000000001"])
    _store(other, ["ffff/000000000001", "aaaa/000000000007"])
    assert _in_force(db_path) == _in_force(other) == ("implemented", ["implemented", "planned"])
