"""Properties of merging packages over random histories: idempotent, and independent of order.

Two copies start from a common record, each records random assessments apart, and each exports
everything. Fresh copies import the two packages in either order (conflicts resolved by
"newest"): they end with the same matrix and the same history (the resolutions each recorded
keep their content; only when they were recorded differs), and importing again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tcbm_tracker.exchange.packages import api
from tcbm_tracker.services.assessments import AssessmentInput
from tests.unit.exchange.conftest import db_fingerprint
from tests.unit.exchange.package_copies import Copy, full_history, make_copy, matrix

CELLS = [("FRA", "LTS-B.4"), ("KEN", "LTS-A.1"), ("USA", "GGE-IV.1")]
STATUSES = ["no_information", "not_implemented", "planned", "partially_implemented", "implemented"]
op = st.tuples(st.integers(0, len(CELLS) - 1), st.sampled_from(STATUSES), st.integers(2015, 2024))
ops = st.lists(op, max_size=4)
RESOLUTION = "Resolves an exchange conflict"


def _record(c: Copy, items: list[tuple[int, str, int]]) -> None:
    with c.open() as t:
        for cell, status, year in items:
            actor, measure = CELLS[cell]
            t.assessments.record(AssessmentInput(actor, measure, status, effective=dt.date(year, 6, 1)))


def _export(c: Copy, out: Path) -> Path:
    with c.open() as t:
        return api.export_package(t, out).path


def _import(c: Copy, package: Path) -> api.ImportResult:
    with c.open() as t:
        return api.import_package(t, package, resolution="newest", untrusted=True)


def _merged_history(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(rows other than resolutions, with identities; resolutions by cell, status and date)."""
    rows = full_history(path)
    plain = [r for r in rows if not (isinstance(r[6], str) and r[6].startswith(RESOLUTION))]
    resolutions = sorted((r[1], r[2], r[3], r[8]) for r in rows if isinstance(r[6], str) and r[6].startswith(RESOLUTION))
    return plain, resolutions


FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MANY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(base=ops, mine=ops, theirs=ops)
def test_merging_is_idempotent_and_independent_of_order(
    base: list[tuple[int, str, int]], mine: list[tuple[int, str, int]], theirs: list[tuple[int, str, int]],
    _seeded_template: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    tmp = tmp_path_factory.mktemp(f"merge-{uuid.uuid4().hex[:8]}")
    a, b, c, d = (make_copy(_seeded_template, tmp / n, n, monkeypatch) for n in ("a", "b", "c", "d"))
    _record(a, base)
    _import(b, _export(a, tmp / "base.tcbm"))
    _record(a, mine)
    _record(b, theirs)
    pa, pb = _export(a, tmp / "a.tcbm"), _export(b, tmp / "b.tcbm")

    _import(c, pa)
    conflicts_c = [x.key for x in _import(c, pb).plan.conflicts]
    _import(d, pb)
    conflicts_d = [x.key for x in _import(d, pa).plan.conflicts]
    assert conflicts_c == conflicts_d
    event(f"{len(conflicts_c)} conflict(s)")
    assert matrix(c.path) == matrix(d.path)
    assert _merged_history(c.path) == _merged_history(d.path)
    # The copies themselves, exchanging both ways, reach the same matrix with the same conflicts.
    assert [x.key for x in _import(a, pb).plan.conflicts] == conflicts_c
    assert [x.key for x in _import(b, pa).plan.conflicts] == conflicts_c
    assert matrix(a.path) == matrix(b.path) == matrix(c.path)

    # Idempotent: the same packages again add nothing and leave the file as it was.
    before = db_fingerprint(c.path)
    assert _import(c, pa).package_import_id is None
    assert _import(c, pb).package_import_id is None
    assert db_fingerprint(c.path) == before
    with c.open() as t:
        assert t.integrity.verify().ok


@pytest.mark.slow
@MANY
@given(base=ops, mine=ops, theirs=ops)
def test_merging_is_idempotent_and_independent_of_order_many(
    base: list[tuple[int, str, int]], mine: list[tuple[int, str, int]], theirs: list[tuple[int, str, int]],
    _seeded_template: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    test_merging_is_idempotent_and_independent_of_order.hypothesis.inner_test(  # type: ignore[attr-defined]
        base, mine, theirs, _seeded_template, tmp_path_factory, monkeypatch)
