"""PostgreSQL for the server tests: one real throwaway cluster per session (tests/server/pg_cluster.py)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_cluster import Cluster, find_bindir, start_cluster  # noqa: E402


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (no initdb/pg_ctl found; .ci/run installs the Debian package `postgresql`)")
    cluster = start_cluster(bindir)
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """The URL of a new, empty database of this test's own on the throwaway server."""
    return pg_cluster.url(pg_cluster.new_database())
