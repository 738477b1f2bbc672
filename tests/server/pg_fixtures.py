"""PostgreSQL for the tests: one real throwaway cluster per session (tests/server/pg_cluster.py).

A plugin of the whole suite (tests/conftest.py): the server tests use it, and so do the service
tests, which run once per engine (``engine_target``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from pg_cluster import Cluster, find_bindir, start_cluster

from tcbm_tracker.services.tracker import Tracker, open_tracker


def _throwaway_cluster() -> Iterator[Cluster]:
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl found; .ci/run installs the Debian package `postgresql`)")
    cluster = start_cluster(bindir)
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    yield from _throwaway_cluster()


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A cluster of the test module's own, which its tests may stop, restart or reconfigure."""
    yield from _throwaway_cluster()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """The URL of a new, empty database of this test's own on the throwaway server."""
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture(scope="session")
def _pg_template(pg_cluster: Cluster) -> str:
    """One initialised server database, copied for each test (CREATE DATABASE ... TEMPLATE)."""
    from tcbm_tracker.domain.clock import fixed_time
    from tcbm_tracker.services.setup import initialise

    name = pg_cluster.new_database("template")
    with fixed_time(dt.datetime(2000, 1, 3, 9, 0, tzinfo=dt.UTC)):  # as tests/conftest.py's template
        initialise(pg_cluster.url(name), user="tester")
    return name


@pytest.fixture
def pg_initialised_url(pg_cluster: Cluster, _pg_template: str) -> str:
    """The URL of a fresh, initialised server database of this test's own."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg_cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    return pg_cluster.url(name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test on ``engine_target`` runs once per engine; one that also works on the file itself (it
    asks for ``db_path``: byte-for-byte comparisons, backups, SQLite's own hooks) or is marked
    ``file_only`` runs on the file only."""
    if "engine_target" not in metafunc.fixturenames:
        return
    file_only = "db_path" in metafunc.fixturenames or metafunc.definition.get_closest_marker("file_only")
    metafunc.parametrize("engine_target", ["sqlite"] if file_only else ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def engine_target(request: pytest.FixtureRequest) -> Path | str:
    """An initialised tracker database on each engine: a file, then a server database."""
    if request.param == "sqlite":
        return cast(Path, request.getfixturevalue("db_path"))
    return cast(str, request.getfixturevalue("pg_initialised_url"))


@pytest.fixture
def both(engine_target: Path | str) -> Iterator[Tracker]:
    """A tracker (user "tester") over ``engine_target``: the same services on either engine."""
    t = open_tracker(engine_target, user="tester")
    try:
        yield t
    finally:
        t.close()
