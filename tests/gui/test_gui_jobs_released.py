"""A finished job is released: nothing of it (its closure, its signals) stays alive for the session."""

from __future__ import annotations

import gc
import weakref

from tcbm_tracker.ui.jobs import JobRunner


class Payload:
    """Stands for what a job's closure holds (an edit's inputs, the tracker)."""


def test_a_finished_job_and_its_closure_are_freed(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner()
    results: list[int] = []
    payload = Payload()
    held = weakref.ref(payload)
    job = runner.submit("answer", lambda ctx, p=payload: 42, results.append)
    job_ref = weakref.ref(job)
    del payload, job
    qtbot.waitUntil(lambda: not runner.busy, timeout=5_000)
    runner.wait_for_done(5_000)
    assert results == [42]
    gc.collect()
    assert job_ref() is None and held() is None  # before: every job stayed alive, held by the pool
