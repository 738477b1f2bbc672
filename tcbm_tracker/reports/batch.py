"""One compliance summary per actor, on every core.

Each worker process opens its own ``Tracker`` on the same database file (SQLite in WAL mode
serves concurrent readers) and registers the fonts once; the parent only hands out actor keys
and collects results. Summaries are written into a hidden staging folder inside the target
folder and moved into place only when all of them are done: a cancellation or an error leaves
the target folder as it was. Every summary in one batch prints the same "generated" time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import os
import secrets
import shutil
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.reports.actor_summary import render_actor_summary
from tcbm_tracker.reports.api import suggested_file_name
from tcbm_tracker.reports.data import actor_summary_data
from tcbm_tracker.reports.document import Cancelled, Progress, ReportCancelled, ReportOutputError, ReportResult
from tcbm_tracker.services.tracker import Tracker, open_tracker, server_url

DateLike = dt.date | str | None


@dataclass(frozen=True)
class BatchResult:
    folder: Path
    results: tuple[ReportResult, ...]  # in actor order
    workers: int
    warnings: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results)


@dataclass(frozen=True)
class _Job:
    as_of: DateLike
    known_at: DateLike
    catalog: str | None
    now: dt.datetime
    invariant: bool | None
    since: DateLike = None
    unverified: bool = False  # the data failed verification: every summary is stamped


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def summary_file_name(actor_key: str) -> str:
    """``FRA-compliance-summary.pdf``, the name a save dialog offers for one summary too.

    Never the bare key: organization keys such as CON, NUL or COM1 are device names Windows
    reserves ("CON.pdf" cannot be created there). The fixed suffix keeps names distinct, even
    on file systems that ignore case, since keys are upper case and at most 16 characters.
    """
    return suggested_file_name("actor", actor_key)


def _render_one(tracker: Tracker, key: str, folder: Path, job: _Job) -> ReportResult:
    data = actor_summary_data(tracker, key, as_of=job.as_of, known_at=job.known_at, catalog=job.catalog, since=job.since,
                               now=job.now)
    if job.unverified:
        data = dataclasses.replace(data, context=dataclasses.replace(data.context, unverified=True))
    return render_actor_summary(data, folder / summary_file_name(key), invariant=job.invariant)


# --- worker process -------------------------------------------------------------------------
_worker_tracker: Tracker | None = None


def _init_worker(target: str, user: str | None) -> None:
    """``target``: the database file's path, or a server database's URL."""
    global _worker_tracker
    _worker_tracker = open_tracker(target, user=user)


def _worker(key: str, folder: str, job: _Job) -> tuple[str, ReportResult | str]:
    """The key with its result, or with a user error's message (TrackerError subclasses do not all pickle)."""
    assert _worker_tracker is not None
    try:
        return key, _render_one(_worker_tracker, key, Path(folder), job)
    except TrackerError as exc:
        return key, f"{key}: {exc.message}"


# --- parent -----------------------------------------------------------------------------------
def build_all_actor_summaries(
    tracker: Tracker,
    out_dir: Path | str,
    *,
    as_of: DateLike = None,
    known_at: DateLike = None,
    catalog: str | None = None,
    since: DateLike = None,
    allow_unverified: bool = False,
    actors: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    invariant: bool | None = None,
    now: dt.datetime | None = None,
    start_method: str | None = None,
) -> BatchResult:
    """Write ``<KEY>-compliance-summary.pdf`` for every actor (or only ``actors``) into ``out_dir`` (created if missing).

    ``workers``: processes to use (default: every available core; 1 renders in this process).
    ``progress(done, total)`` counts finished summaries; ``cancelled()`` is polled as each one
    finishes and stops the batch with ``ReportCancelled``, leaving ``out_dir`` unchanged.
    ``start_method``: "fork" or "spawn" for the worker processes (default: fork where safe).
    Other options are as for ``build_actor_summary``.
    """
    # Check the options once here, rather than failing 195 times in the workers.
    if as_of is not None:
        v.parse_date("as of", as_of)
    if known_at is not None:
        v.parse_date("known at", known_at)
    if catalog is not None:
        tracker.reference.catalog(catalog)
    if since is not None:
        v.parse_date("since", since)
    keys = [a.key for a in tracker.reference.actors()] if actors is None else [tracker.reference.actor(k).key for k in actors]
    fingerprint = tracker.queries.fingerprint()
    check = tracker.report_check.require(allow_unverified=allow_unverified)  # once, not per summary
    job = _Job(as_of, known_at, catalog, now or dt.datetime.now(dt.UTC), invariant, since, not check.ok)
    count = max(1, workers or available_cores())
    folder = _prepare(Path(out_dir).expanduser())
    staging = folder / f".tcbm-summaries-{secrets.token_hex(4)}.part"
    try:
        staging.mkdir()
    except OSError as exc:
        raise ReportOutputError(f"cannot write the summaries to {folder}: {exc.strerror or exc}") from None
    try:
        if count == 1:
            results = _sequential(tracker, keys, staging, job, progress, cancelled)
        else:
            results = _parallel(tracker, keys, staging, job, count, progress, cancelled, start_method)
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        moved = []
        for r in results:
            target = folder / r.path.name
            os.replace(r.path, target)
            moved.append(ReportResult(target, r.pages, r.title, r.fingerprint, r.warnings))
    except OSError as exc:
        raise ReportOutputError(f"cannot write the summaries to {folder}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BatchResult(folder, tuple(moved), count, _warnings(keys, moved, fingerprint))


def _prepare(folder: Path) -> Path:
    if folder.exists() and not folder.is_dir():
        raise ReportOutputError(f"cannot write the summaries to {folder}: it is a file; give a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportOutputError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    return folder


def _sequential(tracker: Tracker, keys: list[str], staging: Path, job: _Job, progress: Progress | None,
                cancelled: Cancelled | None) -> list[ReportResult]:
    results = []
    for done, key in enumerate(keys, start=1):
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        results.append(_render_one(tracker, key, staging, job))
        if progress is not None:
            progress(done, len(keys))
    return results


def _start_method() -> str:
    """"fork" where it is safe (POSIX, one thread, no Qt loaded): workers start at once, with
    everything imported. Otherwise "spawn": a fresh interpreter per worker, safe under a running
    GUI and on every platform, at about a second of start-up per worker."""
    qt_loaded = any(name == "PySide6" or name.startswith("PySide6.") for name in sys.modules)
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1 and not qt_loaded:
        return "fork"
    return "spawn"


def _parallel(tracker: Tracker, keys: list[str], staging: Path, job: _Job, count: int, progress: Progress | None,
              cancelled: Cancelled | None, start_method: str | None) -> list[ReportResult]:
    context = multiprocessing.get_context(start_method or _start_method())
    by_key: dict[str, ReportResult] = {}
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_init_worker,
                               # A server's path is its display name: each worker connects by its URL.
                               initargs=(server_url(tracker) or str(tracker.path), tracker.user))
    try:
        pending: set[Future[tuple[str, ReportResult | str]]] = {pool.submit(_worker, k, str(staging), job) for k in keys}
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            if cancelled is not None and cancelled():
                raise ReportCancelled()
            for f in finished:
                key, outcome = f.result()
                if isinstance(outcome, str):
                    raise TrackerError(outcome)
                by_key[key] = outcome
            if finished and progress is not None:
                progress(len(by_key), len(keys))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [by_key[k] for k in keys]


def _warnings(keys: list[str], results: list[ReportResult], fingerprint: str) -> tuple[str, ...]:
    out = [f"{key}: {w}" for key, r in zip(keys, results, strict=True) for w in r.warnings]
    changed = sorted({r.fingerprint for r in results} - {fingerprint})
    if changed:
        out.append(f"the data changed while the batch ran: {sum(r.fingerprint != fingerprint for r in results)} summaries "
                   f"were made from a later state (fingerprints {', '.join(f[:16] for f in changed)})")
    return tuple(out)
