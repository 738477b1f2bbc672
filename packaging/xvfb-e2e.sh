#!/usr/bin/env bash
# A new user's first minutes, driven by keystrokes on the real X11 (xcb) platform under Xvfb:
# start on a fresh database, find Kenya (Ctrl+F), open the editor on its first cell (Enter),
# record (Ctrl+Enter), undo (Ctrl+Z), quit (Ctrl+Q); then print the cell's history, which must
# hold the assessment and the undo that restored "not assessed" (nothing deleted).
#
#   packaging/xvfb-e2e.sh [WORKDIR]
#
# Needs: xvfb, xdotool, imagemagick, and the packages of docs/linux-desktop.md.
set -euo pipefail
python=${PYTHON:-.venv/bin/python}
work=${1:-$(mktemp -d)}
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1440x900x24" "$0" "$work"
fi
db="$work/e2e.sqlite"
rm -f "$db" "$db-wal" "$db-shm"
"$python" -m tcbm_tracker --db "$db" init >/dev/null
export QT_QPA_PLATFORM=xcb
"$python" -m tcbm_tracker --db "$db" --user e2e gui >"$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 80); do xdotool search --name "e2e.sqlite — TCBM Tracker" >/dev/null 2>&1 && break; sleep 0.25; done
w=$(xdotool search --name "e2e.sqlite — TCBM Tracker" | head -1)
# Bare Xvfb has no window manager to hand the keyboard back after a dialog: focus explicitly.
xdotool windowfocus --sync "$w"; sleep 1
xdotool key ctrl+f; xdotool type --delay 30 "Kenya"; xdotool key Return; sleep 0.8
xdotool key Return; sleep 1.5
import -window root "$work/editor.png"
xdotool key ctrl+Return; sleep 1.5
xdotool windowfocus --sync "$w"; xdotool key ctrl+z; sleep 1.5
import -window root "$work/after-undo.png"
xdotool key ctrl+q; sleep 1.5
if kill -0 "$pid" 2>/dev/null; then echo "the app did not quit on Ctrl+Q"; kill "$pid"; exit 1; fi
wait "$pid"
"$python" -m tcbm_tracker --db "$db" history KEN GGE-IV.1
echo "screenshots in $work"
