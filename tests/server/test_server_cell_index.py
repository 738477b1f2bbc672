"""Schema 0006: on PostgreSQL the cell look-up index carries the assessment id, so that the look-up
of a cell's assessment in force (once per cell of a matrix) reads the index only, as on SQLite."""

from __future__ import annotations

import datetime as dt

import psycopg
from pg_cluster import SUPERUSER, Cluster
from test_server_faults import dbname_of, schema_at

from tcbm_tracker.services import mapping
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker

INDEX_DEF = "SELECT pg_get_indexdef('ix_assessment_cell_merge'::regclass)"


def _cell_plan(cluster: Cluster, dbname: str) -> str:
    """The plan of one cell's look-up, the table's heap and statistics as autovacuum leaves them."""
    cluster.sql("VACUUM ANALYZE assessment", dbname=dbname)
    sql = mapping.LATEST_ID_SQL.format(actor="'FRA'", measure="'LTS-A.1'")
    sql = sql.replace(":as_of", f"'{dt.date.today().isoformat()}'").replace(":known_at", f"'{mapping.FAR_FUTURE}'")
    with psycopg.connect(cluster.conninfo(dbname, SUPERUSER), autocommit=True) as conn:
        # A few rows only: without these the planner reads the table whole, index or not.
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        return "\n".join(str(row[0]) for row in conn.execute("EXPLAIN " + sql))  # type: ignore[arg-type]


def test_a_new_server_database_looks_cells_up_in_the_index_only(pg_initialised_url: str, pg_cluster: Cluster) -> None:
    name = dbname_of(pg_initialised_url)
    t = open_tracker(pg_initialised_url, user="ana")
    try:
        t.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", s) for s in ("planned", "implemented")])
    finally:
        t.close()
    assert pg_cluster.sql(INDEX_DEF, dbname=name)[0][0].endswith("INCLUDE (id)")
    assert "Index Only Scan Backward using ix_assessment_cell_merge" in _cell_plan(pg_cluster, name)


def test_the_upgrade_from_0005_rebuilds_the_index_and_keeps_the_record(pg_cluster: Cluster) -> None:
    url = schema_at(pg_cluster, "0005")
    name = dbname_of(url)
    before = pg_cluster.sql(INDEX_DEF, dbname=name)[0][0]
    assert "INCLUDE" not in before
    initialise(url, user="ana")
    t = open_tracker(url, user="ana")
    try:
        t.assessments.record(AssessmentInput("FRA", "LTS-A.1", "implemented"))
        assert t.queries.matrix().status("FRA", "LTS-A.1").value == "implemented"
    finally:
        t.close()
    assert pg_cluster.sql(INDEX_DEF, dbname=name)[0][0] == before.replace("package_import_id)", "package_import_id) INCLUDE (id)")
    assert "Index Only Scan Backward using ix_assessment_cell_merge" in _cell_plan(pg_cluster, name)
