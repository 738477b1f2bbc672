"""The throwaway server is real: a PostgreSQL 15+ server reached over its unix socket only."""

from __future__ import annotations

from pg_cluster import Cluster


def test_the_cluster_is_a_real_postgresql_server_not_running_as_root(pg_cluster: Cluster) -> None:
    (version,) = pg_cluster.sql("SHOW server_version_num")[0]
    assert int(str(version)) >= 150000
    assert pg_cluster.sql("SHOW listen_addresses") == [("",)]  # unix socket only
    name = pg_cluster.new_database()
    pg_cluster.sql("CREATE TABLE t (x int); INSERT INTO t VALUES (7)", dbname=name)
    assert pg_cluster.sql("SELECT x FROM t", dbname=name) == [(7,)]
    owner = (pg_cluster.base / "data").stat().st_uid
    assert owner != 0
