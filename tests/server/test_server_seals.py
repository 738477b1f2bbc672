"""A server database is known to the seal ledger by its own id, not by the address it was reached at."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from pg_cluster import Cluster

from tcbm_tracker.services.tracker import open_tracker
from tcbm_tracker.storage import seals


def _dbname(url: str) -> str:
    return url.split("/")[3].split("?")[0]


def _seal_and_close(url: str) -> str:
    t = open_tracker(url)
    try:
        return t.integrity.seal("test").short_id
    finally:
        t.close()


def _verify(url: str) -> tuple[bool, int, tuple[str, ...]]:
    t = open_tracker(url)
    try:
        report = t.integrity.verify()
        return report.ok, report.seals_checked, report.problems
    finally:
        t.close()


def test_seals_follow_the_database_whatever_address_reaches_it(pg_cluster: Cluster, pg_initialised_url: str,
                                                               tmp_path: Path) -> None:
    _seal_and_close(pg_initialised_url)
    [entry] = [json.loads(line) for line in seals.ledger_path().read_text().splitlines()]
    assert entry["path"] == f"postgresql database {entry['database_id']}"  # no host, port or login in it
    # The same database by another host name (a renamed socket folder) and without a login in the URL.
    renamed = tmp_path / "renamed-host"
    renamed.symlink_to(pg_cluster.socket_dir)
    other = f"postgresql:///{_dbname(pg_initialised_url)}?host={renamed}&port={pg_cluster.port}&user=postgres"
    ok, checked, problems = _verify(other)
    assert ok and checked == 1, problems
    # Its seal deleted (by the owner, outside the app): the ledger still knows it, by the database's id.
    name = _dbname(pg_initialised_url)
    pg_cluster.sql("DELETE FROM seal", dbname=name)
    ok, _, problems = _verify(other)
    assert not ok and any("missing or changed" in p for p in problems), problems


def test_another_database_answering_at_the_same_address_is_not_confused_with_it(
        pg_cluster: Cluster, pg_initialised_url: str) -> None:
    name = _dbname(pg_initialised_url)
    _seal_and_close(pg_initialised_url)
    # The sealed database moves away (renamed); a new database, with an id of its own, takes its name.
    moved = f"m_{uuid.uuid4().hex[:10]}"
    pg_cluster.sql(f'ALTER DATABASE "{name}" RENAME TO "{moved}"')
    pg_cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE "{moved}"')
    pg_cluster.sql(f"UPDATE tracker_meta SET value = '{uuid.uuid4().hex}' WHERE key = 'database_id'", dbname=name)
    pg_cluster.sql("DELETE FROM seal", dbname=name)
    ok, checked, problems = _verify(pg_initialised_url)  # the new one: none of its seals are expected
    assert ok and checked == 0, problems
    ok, checked, problems = _verify(pg_cluster.url(moved))  # the sealed one, under its new name: its seal holds
    assert ok and checked == 1, problems
