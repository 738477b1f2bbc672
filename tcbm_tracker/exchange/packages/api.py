"""The public face of signed exchange packages (``.tcbm``): what the CLI and the GUI call.

A package carries one copy's changes to another copy that never meets a network: assessments
with their citations and pinpoints, evidence with attached files and corrections, actors and
user catalogues, a manifest (format version, the exporting copy's identity, the head of its
change log, the SHA-256 of every member) and an Ed25519 signature by the exporting copy's key.

Typical use (the GUI runs each call in a background job; ``progress`` may raise to cancel):

    summary = read_package(path)                  # checks signature and manifest, changes nothing
    plan = plan_import(tracker, path)             # what would be added / is there / conflicts
    result = import_package(tracker, path, resolution="newest")   # or {conflict.key: "mine", ...}

Every function raises ``PackageError`` (a ``TrackerError``: one line naming the entry and the
reason) for a bad package, and nothing is changed then. This module's names and signatures are
stable; the work is done in the sibling modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tcbm_tracker.domain.errors import TrackerError

if TYPE_CHECKING:
    from tcbm_tracker.services.tracker import Tracker

FORMAT_VERSION = 1
SUFFIX = ".tcbm"

Progress = Callable[[int, int], None]
"""Called with (done, total) now and then (first with done 0); raise from it (the GUI job's cancel) to stop.

A stop while planning changes nothing; a stop during the merge rolls the merge back whole (the
backup and the seal made just before it stay)."""

Side = Literal["mine", "theirs"]
Prefer = Literal["mine", "theirs", "newest"]
Resolution = Prefer | Mapping[str, Side]
"""How conflicts are resolved: one rule for all (``"mine"``, ``"theirs"``, ``"newest"``), or a
choice per conflict keyed by ``Conflict.key`` (every conflict of the plan must be given)."""


class PackageError(TrackerError):
    """A package that cannot be used (damaged, forged, unsafe, unknown signer...); nothing changed."""


class ConflictsUnresolved(TrackerError):
    """The package conflicts with this copy and no resolution was given; nothing changed."""

    def __init__(self, plan: ImportPlan) -> None:
        first = plan.conflicts[0] if plan.conflicts else None
        where = f"; first: {first.actor_key} {first.measure_key}" if first else ""
        super().__init__(f"{len(plan.conflicts)} conflict(s) with this copy{where}: choose --prefer mine|theirs|newest "
                         "(nothing was imported)")
        self.plan = plan


@dataclass(frozen=True)
class CopyIdentity:
    """A copy of the tracker: the fingerprint of its signing key and its database's id."""

    fingerprint: str
    database_id: str

    @property
    def short(self) -> str:
        return self.fingerprint[:16]


@dataclass(frozen=True)
class PackageSummary:
    """What a package says about itself, after its signature and manifest were checked."""

    path: Path
    format_version: int
    exporter: CopyIdentity
    exported_at: str  # UTC ISO instant
    exported_by: str
    since: dt.date | None  # None: the whole record (--all)
    head_seq: int  # the exporting copy's change-log head when it exported
    head_hash: str
    assessments: int
    evidence: int
    evidence_files: int
    actors: int
    catalogs: int
    package_sha256: str
    trusted: bool  # the signer is on this copy's trust list
    signer_name: str | None  # the trust list's name for the signer, if any


@dataclass(frozen=True)
class PlannedItem:
    """One entry of a plan: an assessment, evidence item, actor or catalogue, and what it is."""

    kind: Literal["assessment", "evidence", "actor", "catalog"]
    key: str  # the global identity of an assessment or evidence item; the key of an actor or catalogue
    description: str  # one line for people ("FRA LTS-B.4 2026-01-05 implemented")


@dataclass(frozen=True)
class ConflictSide:
    """One side of a conflict: the current assessment of the cell in one copy."""

    uid: str
    status: str  # a Status value
    effective_date: dt.date
    recorded_by: str
    recorded_at: str  # UTC ISO instant
    origin: str  # the key fingerprint of the copy that recorded it ("" for a row recorded in this copy)
    note: str | None
    evidence_titles: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """A cell where both copies recorded different current statuses after their last common change."""

    key: str  # "ACTOR/MEASURE": the key of a per-conflict choice
    actor_key: str
    measure_key: str
    mine: ConflictSide
    theirs: ConflictSide
    newest: Side  # which side "newest" keeps (later effective date, then recorded-at, then origin)


@dataclass(frozen=True)
class Rejected:
    """An entry of the package that cannot be merged, and why; any rejection stops the import."""

    entry: str
    reason: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.reason}"


@dataclass(frozen=True)
class ImportPlan:
    """What importing a package would do to this copy (the dry run's and the GUI preview's content)."""

    summary: PackageSummary
    added: tuple[PlannedItem, ...]
    present: tuple[PlannedItem, ...]  # already in this copy: importing them again adds nothing
    conflicts: tuple[Conflict, ...]
    rejected: tuple[Rejected, ...]
    third_party: bool  # imported with --untrusted: the added assessments' provenance becomes third-party

    @property
    def ok(self) -> bool:
        return not self.rejected


@dataclass(frozen=True)
class ImportResult:
    """What an applied import did."""

    plan: ImportPlan
    package_import_id: int | None  # the ``package_import`` row recording it; None: nothing was new, nothing written
    assessments_added: int
    evidence_added: int
    actors_added: int
    catalogs_added: int
    resolutions: int  # assessments recorded to resolve conflicts
    backup: Path | None  # the backup taken before the merge (None when nothing was written)
    seal: str | None  # the short id of the seal made before the merge (None when nothing was written)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    exporter: CopyIdentity
    head_seq: int
    head_hash: str
    assessments: int
    evidence: int
    evidence_files: int
    actors: int
    catalogs: int
    seal: str | None  # the short id of the seal made with the export


@dataclass(frozen=True)
class TrustedCopy:
    """A copy whose packages this copy accepts; kept in the config folder, never in the database."""

    fingerprint: str
    name: str | None
    added_at: str  # UTC ISO instant


# --- this copy -----------------------------------------------------------------------------


def own_identity(tracker: Tracker) -> CopyIdentity:
    """This copy's identity (its key is made now if it has none yet)."""
    from tcbm_tracker.exchange.packages import identity

    return identity.own_identity(tracker)


def export_public_key(out: Path) -> Path:
    """Write this copy's public key to ``out`` (a small text file another copy can ``trust_add``)."""
    from tcbm_tracker.exchange.packages import trust

    return trust.export_public_key(Path(out))


# --- packages ------------------------------------------------------------------------------


def export_package(tracker: Tracker, out: Path, *, since: dt.date | None = None,
                   progress: Progress | None = None) -> ExportResult:
    """Write a signed package of the changes recorded since ``since`` (None: everything) to ``out``.

    Seals the change-log head first (the package's head is that sealed head). ``out`` is written
    under a temporary name and renamed into place when complete.
    """
    from tcbm_tracker.exchange.packages import writer

    return writer.export_package(tracker, Path(out), since=since, progress=progress)


def read_package(path: Path) -> PackageSummary:
    """Check a package (zip safety, manifest, every member's SHA-256, the signature) and summarise it.

    An unknown signer is not an error here (``summary.trusted`` says it); everything else is.
    """
    from tcbm_tracker.exchange.packages import reader

    return reader.read_summary(Path(path))


def plan_import(tracker: Tracker, path: Path, *, untrusted: bool = False,
                progress: Progress | None = None) -> ImportPlan:
    """What importing ``path`` would add, find already present, find in conflict, or reject.

    Changes nothing. Raises ``PackageError`` for a bad package, or for an unknown signer unless
    ``untrusted`` is true.
    """
    from tcbm_tracker.exchange.packages import merge

    return merge.plan_import(tracker, Path(path), untrusted=untrusted, progress=progress)


def import_package(tracker: Tracker, path: Path, *, resolution: Resolution | None = None,
                   untrusted: bool = False, progress: Progress | None = None) -> ImportResult:
    """Merge ``path`` into this copy: all of it in one transaction, or nothing.

    Checks the package first; then backs the database up and seals its head; then merges.
    Conflicts need ``resolution`` (else ``ConflictsUnresolved``); each resolution is recorded
    as a new assessment. Importing the same package again adds nothing.
    """
    from tcbm_tracker.exchange.packages import merge

    return merge.import_package(tracker, Path(path), resolution=resolution, untrusted=untrusted, progress=progress)


# --- the trust list --------------------------------------------------------------------------


def list_trusted() -> list[TrustedCopy]:
    """The copies whose packages are accepted, oldest first."""
    from tcbm_tracker.exchange.packages import trust

    return trust.list_trusted()


def trust_add(source: str | Path, *, name: str | None = None) -> TrustedCopy:
    """Trust a copy given by a fingerprint (64 hex digits), a public-key file, or a package it signed."""
    from tcbm_tracker.exchange.packages import trust

    return trust.add(source, name=name)


def trust_remove(fingerprint: str) -> TrustedCopy:
    """Stop trusting a copy (a fingerprint, or an unambiguous start of one of at least 8 digits)."""
    from tcbm_tracker.exchange.packages import trust

    return trust.remove(fingerprint)


__all__ = [
    "FORMAT_VERSION", "SUFFIX", "Conflict", "ConflictSide", "ConflictsUnresolved", "CopyIdentity", "ExportResult",
    "ImportPlan", "ImportResult", "PackageError", "PackageSummary", "PlannedItem", "Prefer", "Progress", "Rejected",
    "Resolution", "Side", "TrustedCopy", "export_package", "export_public_key", "import_package", "list_trusted",
    "own_identity", "plan_import", "read_package", "trust_add", "trust_remove",
]
