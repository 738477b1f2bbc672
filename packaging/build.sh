#!/usr/bin/env bash
# Build the self-contained Linux application: dist/tcbm-tracker-VERSION-linux-x86_64.tar.gz
#
#   packaging/build.sh [--reuse]     (from anywhere; VERSION is pyproject.toml's)
#
# Uses the build venv's Python (PYTHON, default .venv/bin/python), which must have the project
# and PyInstaller installed: `.venv/bin/pip install -e ".[build]"`. The script never installs
# anything itself (a build must not depend on the network); it stops with a clear message
# when PyInstaller or a system library that the bundle must carry is missing.
# --reuse skips PyInstaller when build/pyinstaller-dist/ holds a build of the same sources.
# The PyInstaller step runs under `nice -n 10` (it takes a few minutes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-.venv/bin/python}
reuse=0
[ "${1:-}" = "--reuse" ] && reuse=1

die() { echo "build.sh: error: $*" >&2; exit 1; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "this script builds the Linux x86_64 bundle; on Windows/macOS run pyinstaller packaging/tcbm-tracker.spec (see packaging/README.md)"
[ -x "$python" ] || die "no Python at $python: create the build venv with python3 -m venv .venv && .venv/bin/pip install -e \".[build]\" (or set PYTHON)"
"$python" -c 'import PyInstaller' 2>/dev/null \
  || die "PyInstaller is not installed in $python's environment: run $(dirname "$python")/pip install -e \".[build]\""
"$python" -c 'import tcbm_tracker, PySide6' 2>/dev/null || die "the project is not installed in $python's environment: run $(dirname "$python")/pip install -e \".[build]\""
for tool in ldd tar gzip dpkg; do
  command -v "$tool" >/dev/null || die "$tool is missing (it is part of every Debian/Ubuntu system: install libc-bin, tar, gzip, dpkg)"
done
# The spec trims Qt's ICU data (packaging/slim_icu.py): it reads the library with nm/readelf
# and links the trimmed data into a new one with cc.
for tool in cc nm readelf; do
  command -v "$tool" >/dev/null || die "$tool is missing (needed to trim Qt's ICU data): apt-get install gcc binutils"
done

# The X11 platform plugin's libraries travel in the bundle, so they must be on this machine.
qxcb=$("$python" -c 'import PySide6, pathlib; print(pathlib.Path(PySide6.__file__).parent / "Qt/plugins/platforms/libqxcb.so")')
[ -f "$qxcb" ] || die "Qt's X11 platform plugin is missing from PySide6 ($qxcb)"
missing=$(ldd "$qxcb" | awk '/not found/ {print $1}' | tr '\n' ' ')
[ -z "$missing" ] || die "system libraries needed by Qt's X11 plugin are missing: $missing
  install them (Debian/Ubuntu): apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \\
    libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1"

version=$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
installed=$("$python" -c 'import tcbm_tracker; print(tcbm_tracker.__version__)')
[ "$version" = "$installed" ] || die "pyproject.toml says $version but tcbm_tracker.__version__ is $installed: make them agree"
name="tcbm-tracker-$version-linux-x86_64"
echo "build.sh: building $name"

pyi_dist="build/pyinstaller-dist"
if [ "$reuse" -eq 0 ] || [ ! -x "$pyi_dist/tcbm-tracker/tcbm-tracker" ]; then
  nice -n 10 "$python" -m PyInstaller --noconfirm --log-level WARN \
    --workpath build/pyinstaller --distpath "$pyi_dist" packaging/tcbm-tracker.spec
fi

# Assemble: the PyInstaller folder, plus the user guide, licences and desktop integration.
stage="dist/$name"
rm -rf "$stage" "dist/$name.tar.gz"
mkdir -p dist
cp -a "$pyi_dist/tcbm-tracker" "$stage"
cp README.md "$stage/README.md"
mkdir -p "$stage/docs"
cp docs/desktop.md "$stage/docs/"
[ -d docs/screenshots ] && cp -a docs/screenshots "$stage/docs/"
cp packaging/install.sh packaging/uninstall.sh "$stage/"
mkdir -p "$stage/share/applications" "$stage/share/metainfo" "$stage/share/mime/packages" "$stage/share/icons"
cp packaging/tcbm-tracker.desktop "$stage/share/applications/org.tcbm_tracker.TCBMTracker.desktop"
cp packaging/org.tcbm_tracker.TCBMTracker.metainfo.xml "$stage/share/metainfo/"
cp packaging/tcbm-tracker-mime.xml "$stage/share/mime/packages/tcbm-tracker.xml"
cp -a packaging/icons/hicolor "$stage/share/icons/"
chmod +x "$stage/install.sh" "$stage/uninstall.sh" "$stage/tcbm-tracker"

"$python" packaging/collect_licenses.py "$stage" "$stage/THIRD-PARTY-LICENSES" || die "cannot write THIRD-PARTY-LICENSES (see above)"
packaging/check-bundle-libs.sh "$stage" || die "the bundle's libraries are not self-contained (see above)"
"$stage/tcbm-tracker" --version >/dev/null || die "the built executable does not start"

tar -C dist -czf "dist/$name.tar.gz" "$name"
echo "build.sh: dist/$name.tar.gz ($(du -sh "dist/$name.tar.gz" | cut -f1); unpacked $(du -sh "$stage" | cut -f1))"
