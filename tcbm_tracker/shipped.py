"""Where the files shipped with the application live: catalogues, actors, fonts, migrations,
the icon and the desktop user guide.

In a source checkout (or an editable install) ``resources/`` and ``db/`` sit beside the
package; in a wheel they are shipped inside it as ``_resources`` and ``_db``. Every layer may
read shipped files, so this module depends on nothing but the standard library.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name_in_wheel: str, name_in_checkout: str) -> Path:
    inside = _PACKAGE / name_in_wheel
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name_in_checkout


def resources_dir() -> Path:
    return _shipped("_resources", "resources")


def catalogs_dir() -> Path:
    return resources_dir() / "catalogs"


def actors_file() -> Path:
    return resources_dir() / "actors" / "states.json"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def migrations_dir() -> Path:
    return _shipped("_db", "db") / "migrations"


def icon_file() -> Path:
    """The application's icon (the same picture as packaging/tcbm-tracker.png)."""
    return resources_dir() / "icons" / "tcbm-tracker.png"


def user_guide_file() -> Path:
    """docs/desktop.md, the desktop user guide, shown offline by Help > User Guide."""
    return _shipped("_docs", "docs") / "desktop.md"
