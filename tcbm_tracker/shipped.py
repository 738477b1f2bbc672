"""Where the files shipped with the application live: catalogues, actors, fonts, migrations,
the icon and the desktop user guide.

In a source checkout (or an editable install) ``resources/`` and ``db/`` sit beside the
package; in a wheel they are shipped inside it as ``_resources`` and ``_db``. Every layer may
read shipped files, so this module depends on nothing but the standard library and the
domain's error class.

A shipped file that is missing or cannot be read means a broken installation: it is reported
as a ``ShippedResourceError`` naming the file and saying to reinstall, never as a traceback.
Damaged JSON catalogues and actor lists, and damaged fonts, are reported by their loaders.
"""

from __future__ import annotations

from pathlib import Path

from tcbm_tracker.domain.errors import TrackerError

_PACKAGE = Path(__file__).resolve().parent
# Catalogues every installation ships; a missing one must not silently leave a database
# without its measures.
REQUIRED_CATALOGS = ("GGE2013.json", "LTS2019.json")
REINSTALL = "the installation is damaged: reinstall TCBM Tracker"


class ShippedResourceError(TrackerError):
    """A file shipped with the application is missing or damaged (a broken installation)."""


def _shipped(name_in_wheel: str, name_in_checkout: str) -> Path:
    inside = _PACKAGE / name_in_wheel
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name_in_checkout


def resources_dir() -> Path:
    return _shipped("_resources", "resources")


def catalogs_dir() -> Path:
    return resources_dir() / "catalogs"


def catalog_files() -> list[Path]:
    """The shipped catalogue files, after checking that the required ones are all there."""
    folder = catalogs_dir()
    for name in REQUIRED_CATALOGS:
        if not (folder / name).is_file():
            raise ShippedResourceError(f"shipped catalogue {folder / name} is missing: {REINSTALL}")
    return sorted(folder.glob("*.json"))


def actors_file() -> Path:
    """The shipped actor list, after checking that it is there."""
    path = resources_dir() / "actors" / "states.json"
    if not path.is_file():
        raise ShippedResourceError(f"shipped actor list {path} is missing: {REINSTALL}")
    return path


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def migrations_dir() -> Path:
    """The Alembic scripts, checked first: each must be there and be valid Python (Alembic
    would otherwise stop with an assertion or a SyntaxError traceback)."""
    folder = _shipped("_db", "db") / "migrations"
    scripts = [folder / "env.py", *sorted((folder / "versions").glob("*.py"))]
    if len(scripts) == 1:
        raise ShippedResourceError(f"shipped database migrations are missing from {folder / 'versions'}: {REINSTALL}")
    for script in scripts:
        try:
            compile(script.read_bytes(), str(script), "exec")
        except OSError as exc:
            raise ShippedResourceError(f"shipped migration {script} cannot be read ({exc.strerror or exc}): {REINSTALL}") from None
        except (SyntaxError, ValueError) as exc:
            raise ShippedResourceError(f"shipped migration {script} is damaged ({type(exc).__name__}): {REINSTALL}") from None
    return folder


def icon_file() -> Path:
    """The application's icon (the same picture as packaging/tcbm-tracker.png)."""
    return resources_dir() / "icons" / "tcbm-tracker.png"


def user_guide_file() -> Path:
    """docs/desktop.md, the desktop user guide, shown offline by Help > User Guide."""
    return _shipped("_docs", "docs") / "desktop.md"
