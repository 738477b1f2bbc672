#!/usr/bin/env bash
# The README's keyboard walk on the real X11 (xcb) platform under Xvfb, twice:
#  1. the pytest-qt walk (tests/gui/test_gui_keyboard_walk.py) with the GUI tests that press
#     keys, on xcb instead of offscreen;
#  2. the app itself as a user starts it, driven by X key events (xdotool): search Kenya
#     (Ctrl+F), Enter, record "Planned" with new evidence, bulk edit 4 cells (confirmed), undo,
#     redo, as of a year ago, Ctrl+Q; then the database is checked from the command line.
#
#   packaging/xvfb-e2e.sh [WORKDIR]
#
# Needs: xvfb, xdotool, and the system packages of README.md (Linux desktops).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
work=${1:-$(mktemp -d)}
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1440x900x24" "$0" "$work"
fi

# 1. The pytest-qt walk and the key-pressing GUI tests, on xcb.
TCBM_TRACKER_TEST_PLATFORM=xcb "$python" -m pytest -q -p no:cacheprovider \
  tests/gui/test_gui_keyboard_walk.py tests/gui/test_gui_defects.py tests/gui/test_gui_keyboard_table.py

# 2. The app, driven by X key events. Its key, logs and backups go to the work folder, never to
# the user's own (the daily backup of its first edit would land there).
export TCBM_TRACKER_CONFIG_DIR="$work/config" TCBM_TRACKER_LOG_DIR="$work/logs" TCBM_TRACKER_BACKUP_DIR="$work/backups"
db="$work/e2e.sqlite"
rm -f "$db" "$db-wal" "$db-shm"
"$python" -m tcbm_tracker --db "$db" init >/dev/null
export QT_QPA_PLATFORM=xcb
"$python" -m tcbm_tracker --db "$db" --user e2e gui >"$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 80); do xdotool search --name "e2e.sqlite — TCBM Tracker" >/dev/null 2>&1 && break; sleep 0.25; done
w=$(xdotool search --name "e2e.sqlite — TCBM Tracker" | head -1)
# Bare Xvfb has no window manager to give the new window the keyboard: focus it once.
xdotool windowfocus --sync "$w"; sleep 1.5
k() { xdotool key --delay 60 "$@"; sleep 0.4; }
status() { k alt+s Home; for _ in $(seq 1 "$1"); do k Down; done; }   # the n-th status of the list
k ctrl+f; xdotool type --delay 40 "Kenya"; k Return; sleep 0.5
k Return; sleep 1.5                                   # the editor
status 3                                              # Planned
k alt+a; sleep 1.5                                    # Add new evidence…
xdotool type --delay 30 "National space activities act"; k Return; sleep 1
k ctrl+Return; sleep 2
k shift+Right shift+Right shift+Right; k F2; sleep 1.5
status 5                                              # Implemented
k ctrl+Return; sleep 1; k alt+r; sleep 2              # confirm "Record for 4 cells"
k ctrl+z; sleep 2; k ctrl+shift+z; sleep 2
year=$(( $(date +%Y) - 1 ))
k alt+o; xdotool type --delay 60 "$year"; k Return; sleep 2
xdotool windowfocus --sync "$w" 2>/dev/null || true
k ctrl+q; sleep 2
if kill -0 "$pid" 2>/dev/null; then echo "the app did not quit on Ctrl+Q"; kill "$pid"; cat "$work/app.log"; exit 1; fi
wait "$pid"

"$python" - "$db" <<'EOF'
import sys
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.tracker import open_tracker

t = open_tracker(sys.argv[1])
try:
    first = t.assessments.history("KEN", "GGE-IV.1")
    assert [h.status for h in first][-1] is Status.PLANNED, first
    assert [t.evidence.get(e).title for e in first[-1].evidence_ids] == ["National space activities act"], first
    for m in ("GGE-IV.2", "GGE-IV.3", "GGE-IV.4"):
        # Bulk edit, undo, redo: three rows, nothing deleted, Implemented in force.
        assert [h.status for h in t.assessments.history("KEN", m)] == [
            Status.IMPLEMENTED, Status.NOT_ASSESSED, Status.IMPLEMENTED], (m, t.assessments.history("KEN", m))
    assert t.queries.matrix().status("KEN", "GGE-IV.1") is Status.IMPLEMENTED
finally:
    t.close()
print("keyboard walk on xcb: recorded, bulk-edited 4 cells, undone, redone, quit")
EOF
