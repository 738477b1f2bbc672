#!/usr/bin/env bash
# Smoke test of the built application, as a user without Python gets it: unpack the tarball
# into an empty folder outside the source tree and run it with a clean environment (PATH of
# the base system only, no PYTHONPATH, HOME a fresh folder) and no network (unshare -n):
#   --version (without loading Qt); init; assess; report actor FRA (a PDF that pypdf reads); every actor's summary
#   with two worker processes; screenshot of the
#   matrix (a PNG); the window on X11 (xcb) under Xvfb, closed with Ctrl+Q (xdotool); and
#   portable mode, which must leave no file in $HOME.
#
#   packaging/smoke-test.sh [TARBALL]      (default: the newest dist/tcbm-tracker-*-linux-x86_64.tar.gz)
#
# Needs: unshare (util-linux), xvfb, xdotool; the PDF is checked with PYTHON (default
# .venv/bin/python, which has pypdf through the test extra). Prints the time each step took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tarball=${1:-$(ls -t "$root"/dist/tcbm-tracker-*-linux-x86_64.tar.gz 2>/dev/null | head -1)}
[ -n "$tarball" ] && [ -f "$tarball" ] || { echo "smoke-test: no tarball (run packaging/build.sh first)" >&2; exit 2; }
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
checker=${PYTHON:-$root/.venv/bin/python}
for tool in unshare xvfb-run xdotool; do
  command -v "$tool" >/dev/null || { echo "smoke-test: $tool is missing (apt-get install util-linux xvfb xdotool)" >&2; exit 2; }
done
# No network: a new, empty network namespace (as root), or one inside a user namespace.
if unshare -n true 2>/dev/null; then nonet=(unshare -n); elif unshare -rn true 2>/dev/null; then nonet=(unshare -rn)
else echo "smoke-test: cannot run without network (unshare -n is not permitted here)" >&2; exit 2; fi

work=$(mktemp -d /tmp/tcbm-smoke.XXXXXX)
case "$work" in "$root"/*) echo "smoke-test: work folder inside the source tree" >&2; exit 2 ;; esac
trap 'status=$?; [ $status -eq 0 ] && rm -rf "$work" || echo "smoke-test: FAILED; files kept in $work" >&2' EXIT
tar -C "$work" -xzf "$tarball"
app=$(echo "$work"/tcbm-tracker-*-linux-x86_64)
exe="$app/tcbm-tracker"
home="$work/home"
mkdir -p "$home"
version=$(basename "$app" | sed -E 's/^tcbm-tracker-(.*)-linux-x86_64$/\1/')

step() { echo "smoke-test: $1"; }
fail() { echo "smoke-test: FAILED: $*" >&2; exit 1; }
# The application runs with nothing from the build machine's Python, source tree or network.
run() { (cd "$work" && env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 USER=smoke "${nonet[@]}" "$@"); }

step "--version"
out=$(run "$exe" --version) || fail "--version exited with $?"
[ "$out" = "tcbm-tracker $version" ] || fail "--version printed '$out', expected 'tcbm-tracker $version'"
# Commands that need no window must not load Qt (it costs every command about 0.2 s): the
# dynamic loader lists each library it initialises when LD_DEBUG=libs.
loaded=$(run env LD_DEBUG=libs "$exe" --version 2>&1 >/dev/null | grep -c 'calling init:.*libQt6Core' || true)
[ "$loaded" = 0 ] || fail "--version loaded Qt (PyInstaller's PySide6 run-time hook is back?)"

db="$work/smoke.sqlite"
step "init"
run "$exe" --db "$db" --user smoke init >/dev/null || fail "init"
[ -s "$db" ] || fail "init made no database"

step "assess"
note="Smoke test. Arabic: المادة الخامسة. Chinese: 外层空间透明度"
run "$exe" --db "$db" --user smoke assess FRA LTS-B.4 implemented --effective 2024-05-01 --note "$note" >/dev/null || fail "assess"
run "$exe" --db "$db" history FRA LTS-B.4 2>/dev/null | grep -q implemented || fail "the assessment is not in the history"

step "report actor FRA"
run "$exe" --db "$db" report actor FRA --out "$work/FRA.pdf" >/dev/null || fail "report actor FRA"
"$checker" - "$work/FRA.pdf" "$app" <<'PY' || fail "the report is not a readable PDF with France's record"
import pathlib, re, sys
from pypdf import PdfReader
pdf, app = sys.argv[1], pathlib.Path(sys.argv[2])
text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
assert "France" in text and "Smoke test" in text, "France or the note is missing"
# Chinese can be checked only once the bundle carries a CJK font (the reports' fonts).
fonts = [p.name for p in app.rglob("_resources/fonts/*") if p.suffix.lower() in (".ttf", ".otf", ".ttc")]
if any(re.search(r"CJK|SC|Han|Hei|Song|Ming|Fallback", name) for name in fonts):
    assert "外层空间透明度" in text, "Chinese text missing although a CJK font is bundled"
print(f"  PDF: {len(PdfReader(pdf).pages)} page(s), fonts bundled: {', '.join(sorted(fonts))}")
PY

# The batch export starts worker processes by re-running the executable (multiprocessing's
# "spawn"): it works in a frozen application only through freeze_support().
step "report actor --all --workers 2 (worker processes of the frozen executable)"
run "$exe" --db "$db" report actor --all --workers 2 --out "$work/all" >"$work/all.log" 2>&1 || { cat "$work/all.log" >&2; fail "report actor --all"; }
written=$(find "$work/all" -name '*.pdf' | wc -l)
grep -q "wrote $written summaries" "$work/all.log" && [ "$written" -ge 195 ] || fail "report actor --all wrote $written PDFs: $(cat "$work/all.log")"

step "screenshot --view matrix"
run "$exe" --db "$db" screenshot --view matrix --out "$work/matrix.png" >/dev/null || fail "screenshot"
[ "$(head -c 8 "$work/matrix.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "matrix.png is not a PNG"
[ "$(stat -c %s "$work/matrix.png")" -gt 20000 ] || fail "matrix.png is suspiciously small"

# The window on the real X11 platform, quit with Ctrl+Q like a user. Xvfb runs inside the
# same network namespace (X11 clients reach it through a Unix socket).
# The desktop libraries a plain system may lack (docs/linux-desktop.md): for the application
# only, each system copy is hidden (/dev/null bound over it in a private mount namespace), so
# the window can start only with the copies inside the bundle. Xvfb and xdotool keep theirs.
desktop_libs="libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-image.so.0 libxcb-keysyms.so.1 libxcb-randr.so.0
  libxcb-render-util.so.0 libxcb-render.so.0 libxcb-shape.so.0 libxcb-shm.so.0 libxcb-sync.so.1 libxcb-xfixes.so.0
  libxcb-xkb.so.1 libxcb-util.so.1 libxcb-glx.so.0 libX11-xcb.so.1 libxkbcommon.so.0 libxkbcommon-x11.so.0
  libdbus-1.so.3 libfontconfig.so.1 libfreetype.so.6 libglib-2.0.so.0"
hide=""
for lib in $desktop_libs; do
  for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu; do
    [ -e "$d/$lib" ] && hide+=" $(readlink -f "$d/$lib")" && break
  done
done
hidden=(unshare -m sh -c 'for f in $HIDE; do mount --bind /dev/null "$f" || exit 97; done; exec "$@"' hide)
if ! HIDE="$(echo "$hide" | awk '{print $1}')" "${hidden[@]}" true 2>/dev/null; then
  echo "smoke-test: note: cannot hide system libraries here (needs a mount namespace); the window runs with them" >&2
  hidden=()
fi
window_test() {  # DB_ARGS... ; returns the app's exit status
  run xvfb-run -a -s "-screen 0 1280x800x24" env HIDE="$hide" bash -c '
    QT_QPA_PLATFORM=xcb '"${hidden[*]@Q}"' "$0" "$@" >"'"$work"'/gui.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do
      w=$(xdotool search --onlyvisible --name "— TCBM Tracker" 2>/dev/null | tail -1) && [ -n "$w" ] && break
      kill -0 $pid 2>/dev/null || { echo "the app exited before showing its window" >&2; wait $pid; exit 1; }
      sleep 0.25
    done
    [ -n "${w:-}" ] || { echo "no window after 30 s" >&2; kill $pid; exit 1; }
    sleep 1.5
    # Keys go through XTEST to the focused window, as a user types them (no window manager: focus it).
    xdotool windowfocus --sync "$w" && xdotool key ctrl+q
    for _ in $(seq 1 40); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done
    kill -0 $pid 2>/dev/null && { echo "Ctrl+Q did not close the window" >&2; kill $pid; exit 1; }
    wait $pid' "$exe" "$@"
}
step "window on xcb under Xvfb, closed with Ctrl+Q (system desktop libraries hidden: $(echo $hide | wc -w))"
window_test --db "$db" gui || { cat "$work/gui.log" >&2; fail "the window did not start and close cleanly on xcb"; }

step "portable mode leaves nothing in \$HOME"
rm -rf "$home"; mkdir -p "$home"
before=$(cd "$home" && find . | sort)
touch "$app/portable"
run "$exe" --user smoke init >/dev/null || fail "portable init"
run "$exe" --user smoke assess FRA LTS-B.4 planned --effective 2024-06-01 >/dev/null || fail "portable assess"
run "$exe" screenshot --view matrix --out "$work/portable.png" >/dev/null || fail "portable screenshot"
window_test gui || { cat "$work/gui.log" >&2; fail "the portable window did not start and close cleanly"; }
after=$(cd "$home" && find . | sort)
[ "$before" = "$after" ] || fail "portable mode wrote into \$HOME: $(diff <(echo "$before") <(echo "$after") | grep '^>' | tr '\n' ' ')"
[ -s "$app/data/tracker.sqlite" ] || fail "portable mode did not keep the database in data/"
[ -s "$app/data/settings.ini" ] || fail "portable mode did not keep the window settings in data/settings.ini"
echo "  data/: $(cd "$app/data" && find . -maxdepth 1 -mindepth 1 | sort | tr '\n' ' ')"

echo "smoke-test: PASSED ($tarball, $SECONDS s)"
