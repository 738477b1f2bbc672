"""Copies of the tracker for package tests: each its own database (own id) and its own key.

A test database is a copy of one seeded template, so every copy is given a database id of its
own (as ``init`` would) and a config folder of its own (its own signing key and trust list).
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tcbm_tracker.exchange.packages.plan import HEAD_SQL
from tcbm_tracker.services.tracker import Tracker, open_tracker


@dataclass
class Copy:
    name: str
    path: Path
    config: Path
    monkeypatch: pytest.MonkeyPatch

    @contextmanager
    def open(self) -> Iterator[Tracker]:
        """This copy's tracker, with its config folder (key, trust list) in force meanwhile."""
        self.monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(self.config))
        t = open_tracker(self.path, user=self.name)
        try:
            yield t
        finally:
            t.close()


def make_copy(template: Path, folder: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> Copy:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.sqlite"
    shutil.copyfile(template, path)
    con = sqlite3.connect(path)
    try:
        con.execute("UPDATE tracker_meta SET value = ? WHERE key = 'database_id'", (uuid.uuid4().hex,))
        con.commit()
    finally:
        con.close()
    return Copy(name, path, folder / f"{name}-config", monkeypatch)


def _ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def full_history(path: Path) -> list[tuple[object, ...]]:
    """Every assessment with what it cites, identified globally: comparable across copies."""
    con = _ro(path)
    try:
        db_id = con.execute("SELECT value FROM tracker_meta WHERE key = 'database_id'").fetchone()[0]
        rows = con.execute(
            "SELECT a.id, a.uid, a.actor_key, a.measure_key, a.status, a.provenance, a.confidence, a.note, a.recorded_by, "
            "a.effective_date, a.recorded_at, (SELECT group_concat(x, '|') FROM (SELECT e.title || '/' || "
            "coalesce(e.symbol, '') || '/' || coalesce(e.pinpoint, '') || '/' || coalesce(l.pinpoint, '') || '/' || "
            "coalesce(e.file_sha256, '') AS x FROM assessment_evidence l JOIN evidence e ON e.id = l.evidence_id "
            "WHERE l.assessment_id = a.id ORDER BY x)) FROM assessment a").fetchall()
    finally:
        con.close()
    return sorted((r[1] or f"{db_id}/{r[0]:012d}", *r[2:]) for r in rows)


def matrix(path: Path) -> dict[tuple[str, str], str]:
    """The status at the head of every assessed cell (the latest by date, then recording, then identity)."""
    con = _ro(path)
    try:
        cells = con.execute("SELECT DISTINCT actor_key, measure_key FROM assessment").fetchall()
        out = {}
        for actor, measure in cells:
            aid = con.execute(HEAD_SQL, (actor, measure)).fetchone()[0]
            out[(actor, measure)] = con.execute("SELECT status FROM assessment WHERE id = ?", (aid,)).fetchone()[0]
        return out
    finally:
        con.close()


def evidence_contents(path: Path) -> list[tuple[object, ...]]:
    con = _ro(path)
    try:
        return sorted(con.execute(
            "SELECT e.symbol, e.title, e.date, e.language, e.evidence_type, e.url, e.pinpoint, e.file_name, e.file_sha256, "
            "e.file_size, e.recorded_by, e.created_at, f.content, (SELECT o.title FROM evidence_correction c JOIN evidence o "
            "ON o.id = c.corrects_id WHERE c.evidence_id = e.id) FROM evidence e LEFT JOIN evidence_file f "
            "ON f.evidence_id = e.id").fetchall(), key=repr)
    finally:
        con.close()
