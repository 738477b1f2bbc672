#!/usr/bin/env bash
# Put TCBM Tracker into the desktop of the current user: the `tcbm-tracker` command in
# ~/.local/bin, the menu entry, the icons, the AppStream metadata and the .tcbm file type
# (under ~/.local/share, or $XDG_DATA_HOME). The application stays in this folder: move the
# folder first if you want it elsewhere, then run this again. Undo with ./uninstall.sh --user.
#
#   ./install.sh --user
set -euo pipefail
[ "${1:-}" = "--user" ] || { echo "usage: $0 --user   (installs for the current user under ~/.local; no root needed)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
exe="$here/tcbm-tracker"
[ -x "$exe" ] || { echo "install.sh: $exe is missing: run this script from the unpacked application folder" >&2; exit 1; }
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin="$HOME/.local/bin"
app_id=org.tcbm_tracker.TCBMTracker

mkdir -p "$bin" "$data/applications" "$data/metainfo" "$data/mime/packages"
ln -sfn "$exe" "$bin/tcbm-tracker"
# The entry names the executable by its full path, so that it works without ~/.local/bin on PATH.
sed -e "s|^Exec=tcbm-tracker |Exec=\"$exe\" |" -e "s|^TryExec=tcbm-tracker\$|TryExec=$exe|" \
  "$here/share/applications/$app_id.desktop" > "$data/applications/$app_id.desktop"
cp "$here/share/metainfo/$app_id.metainfo.xml" "$data/metainfo/"
cp "$here/share/mime/packages/tcbm-tracker.xml" "$data/mime/packages/"
for icon in "$here"/share/icons/hicolor/*/apps/tcbm-tracker.*; do
  rel=${icon#"$here/share/"}
  mkdir -p "$data/$(dirname "$rel")"
  cp "$icon" "$data/$rel"
done

# Refresh the desktop's caches when the tools are there (they are on any desktop).
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" >/dev/null 2>&1 || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" >/dev/null 2>&1 || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" >/dev/null 2>&1 || true

echo "TCBM Tracker installed for $USER: menu entry, icons, .tcbm file type, and $bin/tcbm-tracker"
case ":$PATH:" in *":$bin:"*) ;; *) echo "note: $bin is not on your PATH; the menu entry works without it" ;; esac
