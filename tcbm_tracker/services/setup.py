"""Creating or upgrading a database and loading the shipped catalogues and actors (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.actor_format import load_actor_file
from tcbm_tracker.domain.catalog_format import load_catalog_file
from tcbm_tracker.domain.errors import ActorFileError, CatalogError, ReadOnlyDatabaseError
from tcbm_tracker.shipped import REINSTALL, ShippedResourceError, actors_file, catalog_files, migrations_dir
from tcbm_tracker.storage import meta
from tcbm_tracker.storage.migrations import MigrationResult, migrate
from tcbm_tracker.storage.seeding import ActorLoadResult, CatalogLoadResult, load_actor_list, load_catalog
from tcbm_tracker.storage.sql import text


@dataclass
class InitReport:
    path: Path
    created: bool
    migration: MigrationResult
    catalogs: list[CatalogLoadResult] = field(default_factory=list)
    actors: ActorLoadResult | None = None

    @property
    def changed(self) -> bool:
        return (
            self.created
            or self.migration.changed
            or any(c.action != "unchanged" for c in self.catalogs)
            or bool(self.actors and (self.actors.added or self.actors.updated or self.actors.attributes_changed))
        )


def shipped_catalog_files() -> list[Path]:
    return catalog_files()


_Spec = TypeVar("_Spec")


def _load_shipped(load: Callable[[Path], _Spec], path: Path, what: str) -> _Spec:
    """A shipped file that does not parse is a damaged installation: said so, with its full path."""
    try:
        return load(path)
    except (CatalogError, ActorFileError) as exc:
        raise ShippedResourceError(f"shipped {what} {path} is damaged ({exc}): {REINSTALL}") from None


def _before_marking_complete() -> None:
    """Test hook: a test replaces it to stop a real ``init`` at its last step."""


def initialise(path: Path | str, *, user: str | None = None, daily_backup: bool = False) -> InitReport:
    """Create the database if needed, migrate it to head (backup first), load shipped data.

    ``daily_backup``: make the day's backup, sealed, inside the first write that loads data.
    """
    from tcbm_tracker.storage.locations import is_server_url

    server = is_server_url(path)
    if not server:
        path = Path(path)
    user = v.clean_text("user", user, max_chars=v.MAX_SHORT_CHARS)
    created = not server and not Path(path).exists()
    if created:
        assert isinstance(path, Path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReadOnlyDatabaseError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    # Parse every shipped file before touching the database: a bad file changes nothing.
    specs = [_load_shipped(load_catalog_file, p, "catalogue") for p in shipped_catalog_files()]
    actor_spec = _load_shipped(load_actor_file, actors_file(), "actor list")
    migrations_dir()  # checks the migration scripts are all there and readable
    from tcbm_tracker.services.tracker import open_database
    from tcbm_tracker.storage.server_database import ServerDatabase

    db = open_database(path)
    try:
        if isinstance(db, ServerDatabase):
            user = db.current_user()  # the server's login records the changes, as in open_tracker
        if db.read_only:
            raise ReadOnlyDatabaseError(f"{db.path} is read-only: nothing was changed")
        if daily_backup:
            from tcbm_tracker.services.backups import seal_daily_backup_with_first_commit

            seal_daily_backup_with_first_commit(db)
        migration = migrate(db)
        # An empty server database is created by its administrator: made a tracker database here.
        report = InitReport(db.path, created or (server and migration.from_revision is None), migration)
        with db.write() as s:
            for spec in specs:
                existing_version = s.exec(  # type: ignore[call-overload]
                    text("SELECT version FROM catalog WHERE key = :k").bindparams(k=spec.key)
                ).first()
                if existing_version is not None and existing_version[0] > spec.version:
                    continue  # a newer version was loaded by the user: keep it
                report.catalogs.append(load_catalog(s, spec, builtin=True, user=user))
            report.actors = load_actor_list(s, actor_spec, user=user)
            _before_marking_complete()
            # Last, in the same transaction as the data: a file without the marker was cut
            # short and every command says so (storage.migrations.check_init_complete).
            meta.mark_init_complete(s)
        return report
    except BaseException:
        if created:
            db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db.path}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        db.dispose()
