#!/usr/bin/env bash
# Start TCBM Tracker on Qt's real X11 (xcb) platform under Xvfb, wait for its main window,
# take a screenshot of the X display, and quit. Proves that the system libraries listed in
# docs/linux-desktop.md are enough for the app to start on a Linux desktop.
#
#   packaging/xvfb-smoke.sh DATABASE OUT.png
#
# Needs: xvfb, xdotool, imagemagick (for `import`), and the packages of docs/linux-desktop.md.
set -euo pipefail
db=${1:?database file}
out=${2:?output PNG}
python=${PYTHON:-.venv/bin/python}
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1440x900x24" "$0" "$@"
fi
export QT_QPA_PLATFORM=xcb
log=$(mktemp)
"$python" -m tcbm_tracker --db "$db" gui >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 80); do
  if xdotool search --name "— TCBM Tracker" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "the app exited early:"; cat "$log"; exit 1; fi
  sleep 0.25
done
xdotool search --name "— TCBM Tracker" >/dev/null || { echo "no window after 20 s:"; cat "$log"; kill "$pid"; exit 1; }
sleep 1.5  # let the matrix paint
import -window root "$out"
kill "$pid"
wait "$pid" || true
echo "window shown on xcb; screenshot in $out"
