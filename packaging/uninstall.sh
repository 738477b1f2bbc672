#!/usr/bin/env bash
# Remove what ./install.sh --user put under ~/.local. The application folder and your data
# (database, backups, keys, settings) are left untouched.
#
#   ./uninstall.sh --user
set -euo pipefail
[ "${1:-}" = "--user" ] || { echo "usage: $0 --user" >&2; exit 2; }
data=${XDG_DATA_HOME:-$HOME/.local/share}
app_id=org.tcbm_tracker.TCBMTracker
link="$HOME/.local/bin/tcbm-tracker"
# Only our own link: a tcbm-tracker installed another way (pip) is not ours to remove.
if [ -L "$link" ] && [ "$(basename "$(readlink "$link")")" = tcbm-tracker ]; then rm -f "$link"; fi
rm -f "$data/applications/$app_id.desktop" "$data/metainfo/$app_id.metainfo.xml" "$data/mime/packages/tcbm-tracker.xml"
rm -f "$data"/icons/hicolor/*/apps/tcbm-tracker.png "$data"/icons/hicolor/scalable/apps/tcbm-tracker.svg
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" >/dev/null 2>&1 || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" >/dev/null 2>&1 || true
echo "TCBM Tracker's menu entry, icons, file type and command link removed (the application folder and your data are kept)"
