"""Write THIRD-PARTY-LICENSES for a built bundle: the licence of everything inside it.

    python packaging/collect_licenses.py BUNDLE_DIR OUT_FILE

Run with the build venv's Python, so that the installed distributions are the ones bundled:
the Python packages are the runtime-dependency closure of ``tcbm-tracker`` (read from the
installed metadata: licence expression and the licence files of each dist-info), then Python
itself, Qt's LGPL notice, the fonts, and the system libraries copied into the bundle (the
Debian copyright file of the package each came from). A bundled shared library whose origin
cannot be found makes the script fail: a bundle must not carry code of unknown licence.
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
RULE = "=" * 78
# Shared libraries that come from a Python distribution (licensed with it) or from Python.
PYTHON_LIB = re.compile(r"^libpython3")
SYSTEM_LIB_DIRS = [Path("/usr/lib/x86_64-linux-gnu"), Path("/lib/x86_64-linux-gnu"), Path("/usr/lib"), Path("/lib")]


def closure(root: str) -> list[metadata.Distribution]:
    """The installed distributions ``root`` needs at run time (no extras), sorted by name."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        dist = metadata.distribution(name)
        seen[key] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def licence_files(dist: metadata.Distribution) -> list[Path]:
    found = []
    for f in dist.files or []:
        name = f.name.upper()
        if ".dist-info" in str(f.parent) and (name.startswith(("LICEN", "COPYING", "NOTICE", "AUTHORS"))
                                                or "/licenses/" in str(f).replace("\\", "/")):
            found.append(Path(str(f.locate())))
    return sorted(set(found))


def section(title: str, body: str) -> str:
    return f"{RULE}\n{title}\n{RULE}\n\n{body.strip()}\n\n"


def python_packages(out: list[str]) -> list[str]:
    names = []
    for dist in closure("tcbm-tracker"):
        meta = dist.metadata
        name, version = meta["Name"], dist.version
        if name.lower() == "tcbm-tracker":
            continue
        names.append(name)
        expr = meta.get("License-Expression") or meta.get("License") or ""
        classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
        head = f"License: {expr.splitlines()[0] if expr else ', '.join(classifiers) or 'see below'}\n"
        head += f"Home page: {meta.get('Home-page') or next((u.split(', ', 1)[-1] for u in meta.get_all('Project-URL') or []), '')}\n\n"
        files = licence_files(dist)
        texts = "\n\n".join(f"--- {p.name} ---\n{p.read_text(encoding='utf-8', errors='replace').strip()}" for p in files)
        if not files and not expr:
            raise SystemExit(f"collect_licenses: no licence found for the bundled package {name} {version}")
        out.append(section(f"{name} {version} (Python package)", head + texts))
    return names


def qt_notice(out: list[str]) -> None:
    version = metadata.version("PySide6-Essentials")
    lgpl = Path("/usr/share/common-licenses/LGPL-3")
    gpl = Path("/usr/share/common-licenses/GPL-3")
    body = (
        f"The Qt {version} libraries and plugins (_internal/PySide6/Qt/, except ICU's libicu*: see\n"
        f"the ICU section) and PySide6/Shiboken6 {version}\n"
        "are used under the GNU Lesser General Public License version 3 (LGPL-3.0-only).\n"
        "They are shipped as separate, unmodified shared libraries: you may replace them with\n"
        "a compatible build of your own. The source code of Qt is available at\n"
        "https://download.qt.io/official_releases/qt/ and of PySide6 at\n"
        "https://download.qt.io/official_releases/QtForPython/ (and on request from the\n"
        "distributors of this application, for three years from the release).\n"
    )
    for p in (lgpl, gpl):
        if not p.is_file():
            raise SystemExit(f"collect_licenses: {p} is missing (Debian's base-files provides it)")
    body += f"\n--- LGPL-3 ---\n{lgpl.read_text()}\n--- GPL-3 (which the LGPL-3 refers to) ---\n{gpl.read_text()}"
    out.append(section(f"Qt {version} and PySide6 {version} (LGPL-3.0)", body))


def icu_notice(bundle: Path, out: list[str]) -> None:
    """ICU, which Qt's wheels carry beside Qt (libicu*), under its own licence; its data library
    is the one file of the bundle that is modified (packaging/slim_icu.py)."""
    libs = sorted(p for p in bundle.rglob("libicu*.so.*") if p.is_file() and not p.is_symlink())
    if not libs:
        return
    version = libs[0].name.rsplit(".", 1)[-1]
    import importlib.util

    loader = importlib.util.spec_from_file_location("slim_icu", Path(__file__).with_name("slim_icu.py"))
    assert loader is not None and loader.loader is not None
    slim_icu = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(slim_icu)

    body = (f"ICU {version} ({', '.join(p.name for p in libs)} in {libs[0].parent.relative_to(bundle)}), shipped with\n"
            "Qt's PySide6 wheels, is used under the ICU licence (Unicode, Inc.), an MIT-style licence.\n"
            f"Source: https://github.com/unicode-org/icu/releases (ICU {version}).\n")
    for lib in (p for p in libs if p.name.startswith("libicudata")):
        _, offset, size = slim_icu.data_symbol(lib)
        _, items = slim_icu.read_package(lib.read_bytes()[offset:offset + size])
        if not any(name.split("/")[1] in slim_icu.DROPPED_TREES for name, _ in items):
            body += (f"\n{lib.name} is modified: packaging/slim_icu.py removed the data of the ICU services Qt\n"
                     "never calls (break iteration, transliteration, number spell-out and the display names\n"
                     "of units, currencies, languages and regions); the rest of ICU's data is unchanged.\n")
    licence = Path(__file__).with_name("licenses") / "ICU-copyright.txt"
    if not licence.is_file():
        raise SystemExit(f"collect_licenses: ICU's licence text is missing: {licence}")
    body += f"\n--- ICU's licence ---\n{licence.read_text()}"
    out.append(section(f"ICU {version} (Unicode, Inc.; ICU licence)", body))


def python_itself(out: list[str]) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    text = next((p.read_text() for p in (stdlib / "LICENSE.txt", stdlib / "LICENSE") if p.is_file()), None)
    if text is None:
        raise SystemExit(f"collect_licenses: Python's LICENSE.txt is not in {stdlib}")
    out.append(section(f"Python {sys.version.split()[0]} (interpreter and standard library)", text))


def fonts(out: list[str]) -> None:
    folder = ROOT / "resources" / "fonts"
    texts = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() not in (".ttf", ".otf", ".ttc")]
    if not texts:
        raise SystemExit(f"collect_licenses: no licence file beside the fonts in {folder}")
    body = "\n\n".join(f"--- resources/fonts/{p.name} ---\n{p.read_text(encoding='utf-8', errors='replace')}" for p in texts)
    out.append(section("Fonts (resources/fonts)", body))


def system_libraries(bundle: Path, out: list[str]) -> None:
    """Each shared library that is not Qt's or a Python package's: the Debian package it came from."""
    by_package: dict[str, list[str]] = {}
    unknown = []
    for lib in sorted(bundle.rglob("*.so*")):
        rel = lib.relative_to(bundle)
        # Symbolic links point into a package's folder (PyInstaller links Qt and pillow.libs).
        if lib.is_symlink() or not lib.is_file() or "PySide6" in rel.parts or "shiboken6" in rel.parts or lib.name.endswith(".py"):
            continue
        if "site-packages" in str(rel) or any(p.endswith((".libs", "_libs")) for p in rel.parts[:-1]) or ".cpython-" in lib.name \
                or ".abi3." in lib.name or PYTHON_LIB.match(lib.name) or rel.parts[:2] == ("_internal", "lib-dynload"):
            continue  # part of a Python package (licensed above) or of Python itself
        package = None
        for d in SYSTEM_LIB_DIRS:
            candidate = d / lib.name
            if candidate.exists():
                r = subprocess.run(["dpkg", "-S", str(candidate)], capture_output=True, text=True)
                if r.returncode == 0:
                    package = r.stdout.split(":")[0].strip()
                    break
        if package is None:
            unknown.append(str(rel))
        else:
            by_package.setdefault(package, []).append(lib.name)
    if unknown:
        raise SystemExit("collect_licenses: bundled libraries of unknown origin (no licence): " + ", ".join(unknown))
    for package, libs in sorted(by_package.items()):
        copyright_file = Path("/usr/share/doc") / package.split(":")[0] / "copyright"
        if not copyright_file.is_file():
            raise SystemExit(f"collect_licenses: {copyright_file} is missing (needed for {', '.join(libs)})")
        out.append(section(f"{package} (system library: {', '.join(sorted(libs))})", copyright_file.read_text(errors="replace")))


def main() -> int:
    bundle, target = Path(sys.argv[1]), Path(sys.argv[2])
    out: list[str] = []
    python_itself(out)
    qt_notice(out)
    icu_notice(bundle, out)
    names = python_packages(out)
    fonts(out)
    system_libraries(bundle, out)
    header = (
        "THIRD-PARTY LICENCES of TCBM Tracker's bundled components\n\n"
        "TCBM Tracker itself is under the MIT licence. This folder also carries Python, Qt and\n"
        f"PySide6, the Python packages {', '.join(names)},\n"
        "the DejaVu fonts and some system libraries; their licences follow.\n\n"
    )
    target.write_text(header + "".join(out), encoding="utf-8")
    print(f"{target}: {len(out)} components")
    return 0


if __name__ == "__main__":
    sys.exit(main())
