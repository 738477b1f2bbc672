"""Schemas 0006 and 0007: on PostgreSQL the cell look-up index carries the assessment id (0006) and
what a matrix cell shows (0007), so that the look-up of a cell's assessment in force (once per
cell of a matrix) reads the index only, as on SQLite, and a matrix's LATERAL look-up returns the
cell without fetching its row."""

from __future__ import annotations

import datetime as dt

import psycopg
from pg_cluster import SUPERUSER, Cluster
from test_server_faults import dbname_of, schema_at

from tcbm_tracker.services import mapping
from tcbm_tracker.services.assessments import AssessmentInput
from tcbm_tracker.services.queries import CELL_SQL_LATERAL
from tcbm_tracker.services.setup import initialise
from tcbm_tracker.services.tracker import open_tracker

INDEX_DEF = "SELECT pg_get_indexdef('ix_assessment_cell_merge'::regclass)"
CARRIED = "INCLUDE (id, status, provenance, confidence)"


def _plan(cluster: Cluster, dbname: str, sql: str) -> str:
    """The plan of ``sql``, the table's heap and statistics as autovacuum leaves them."""
    cluster.sql("VACUUM ANALYZE assessment", dbname=dbname)
    sql = sql.replace(":as_of", f"'{dt.date.today().isoformat()}'").replace(":known_at", f"'{mapping.FAR_FUTURE}'")
    with psycopg.connect(cluster.conninfo(dbname, SUPERUSER), autocommit=True) as conn:
        # A few rows only: without these the planner reads the table whole, index or not.
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        return "\n".join(str(row[0]) for row in conn.execute("EXPLAIN " + sql))  # type: ignore[arg-type]


def _cell_plan(cluster: Cluster, dbname: str) -> str:
    return _plan(cluster, dbname, mapping.LATEST_ID_SQL.format(actor="'FRA'", measure="'LTS-A.1'"))


def test_a_new_server_database_looks_cells_up_in_the_index_only(pg_initialised_url: str, pg_cluster: Cluster) -> None:
    name = dbname_of(pg_initialised_url)
    t = open_tracker(pg_initialised_url, user="ana")
    try:
        t.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", s) for s in ("planned", "implemented")])
    finally:
        t.close()
    assert pg_cluster.sql(INDEX_DEF, dbname=name)[0][0].endswith(CARRIED)
    assert "Index Only Scan Backward using ix_assessment_cell_merge" in _cell_plan(pg_cluster, name)
    # The matrix's statement: its look-ups read the index only, and nothing fetches the row by id.
    matrix = _plan(pg_cluster, name, CELL_SQL_LATERAL)
    assert "Index Only Scan Backward using ix_assessment_cell_merge" in matrix
    reads = [line.strip() for line in matrix.splitlines() if " on assessment " in line]
    assert reads and all(r.startswith("->  Index Only Scan") for r in reads), matrix


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
    assert pg_cluster.sql(INDEX_DEF, dbname=name)[0][0] == before.replace("package_import_id)", f"package_import_id) {CARRIED}")
    assert "Index Only Scan Backward using ix_assessment_cell_merge" in _cell_plan(pg_cluster, name)


def test_the_upgrade_from_0006_keeps_the_record_and_its_matrix(pg_cluster: Cluster) -> None:
    """A database at 0006 upgraded to 0007: the index carries the cells, and the matrix reads them."""
    url = schema_at(pg_cluster, "0006")
    name = dbname_of(url)
    assert pg_cluster.sql(INDEX_DEF, dbname=name)[0][0].endswith("INCLUDE (id)")
    initialise(url, user="ana")
    t = open_tracker(url, user="ana")
    try:
        t.assessments.record_many([AssessmentInput("FRA", "LTS-A.1", "planned"),
                                   AssessmentInput("DEU", "LTS-B.4", "implemented", confidence="high")])
        matrix = t.queries.matrix()
        assert matrix.status("FRA", "LTS-A.1").value == "planned"
        cell = matrix.cells[("DEU", "LTS-B.4")]
        assert (cell.status.value, cell.confidence.value) == ("implemented", "high")
    finally:
        t.close()
    assert pg_cluster.sql(INDEX_DEF, dbname=name)[0][0].endswith(CARRIED)
