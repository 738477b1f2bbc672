"""Start-up of the built application (packaging/build.sh) next to the source install's.

Measured side by side in one run: wall time from launching ``tcbm-tracker --db DB gui`` to the
main window painted with the full matrix (195 actors x 37 measures, with history), for the
source install (``.venv/bin/tcbm-tracker``) and for the unpacked bundle, alternately, several
times, on the same Qt platform; medians are compared. Target: the bundle within 1.2x of the
source install. Both processes print PAINTED and quit when ``TCBM_TRACKER_EXIT_AFTER_PAINT``
is set (``tcbm_tracker.app``).

Then the same for the command line's start (``tcbm-tracker --version``: Python and the CLI
modules, no Qt). Also prints the bundle's unpacked size, the tarball's size and the ten largest parts.

Run: ``.venv/bin/python benchmarks/bench_bundle.py [--bundle DIR | --tarball FILE]``
(default: the newest dist/tcbm-tracker-*-linux-x86_64.tar.gz, unpacked into a temporary
folder). Uses the offscreen platform unless ``--platform xcb`` is given (then a display is
needed, e.g. ``xvfb-run``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_gui import build_database  # noqa: E402


def time_start(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=60)
    proc.stdout.close()
    if not line.startswith("PAINTED"):
        raise RuntimeError(f"{command[0]} did not paint the matrix (exit {proc.returncode})")
    return elapsed


def time_command(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True, timeout=60)
    return time.perf_counter() - start


def du(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def largest_parts(bundle: Path, n: int = 10) -> list[tuple[int, str]]:
    """Sizes of the bundle's top-level parts, with _internal/ and PySide6/Qt/ split further."""
    parts: list[tuple[int, str]] = []
    for level in (bundle, bundle / "_internal", bundle / "_internal" / "PySide6", bundle / "_internal" / "PySide6" / "Qt",
                  bundle / "_internal" / "PySide6" / "Qt" / "lib"):
        for p in level.iterdir():
            if p.name in ("_internal", "PySide6", "Qt", "lib") and p.parent == level and p.is_dir() and not p.is_symlink():
                continue  # split further below
            size = du(p) if p.is_dir() else (p.lstat().st_size if not p.is_symlink() else 0)
            parts.append((size, str(p.relative_to(bundle))))
    return sorted(parts, reverse=True)[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, help="an unpacked bundle folder")
    parser.add_argument("--tarball", type=Path, help="a tarball from packaging/build.sh (default: the newest in dist/)")
    parser.add_argument("--runs", type=int, default=5, help="start-up runs of each (default 5)")
    parser.add_argument("--platform", default="offscreen", help="Qt platform: offscreen (default) or xcb")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tcbm-bench-bundle-"))
    tarball = args.tarball
    bundle = args.bundle
    if bundle is None:
        if tarball is None:
            found = sorted(ROOT.glob("dist/tcbm-tracker-*-linux-x86_64.tar.gz"), key=lambda p: p.stat().st_mtime)
            if not found:
                parser.error("no tarball in dist/: run packaging/build.sh first, or give --bundle/--tarball")
            tarball = found[-1]
        with tarfile.open(tarball) as tar:
            tar.extractall(work, filter="tar")
        bundle = next(work.glob("tcbm-tracker-*"))
    source = ROOT / ".venv" / "bin" / "tcbm-tracker"

    db = work / "bench.sqlite"
    n = build_database(db, 195)
    home = work / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": args.platform,
           "TCBM_TRACKER_EXIT_AFTER_PAINT": "1"}
    for name in ("DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"):  # to reach the display, for xcb
        if name in os.environ:
            env[name] = os.environ[name]
    commands = {"source install": [str(source), "--db", str(db), "gui"],
                "bundle": [str(bundle / "tcbm-tracker"), "--db", str(db), "gui"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        time_start(command, env)  # warm the file cache for both
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(time_start(command, env))

    print(f"Start-up to the painted matrix (195 actors x 37 measures, {n} assessments), {args.platform}, "
          f"median of {args.runs} alternate runs:")
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"  {name:15s} {med[name] * 1000:7.0f} ms   (runs: {', '.join(f'{x * 1000:.0f}' for x in t)})")
    ratio = med["bundle"] / med["source install"]
    print(f"  ratio bundle / source install: {ratio:.2f}x (target: within 1.2x)")

    # The command line's own start (Python, the CLI modules, no Qt): `tcbm-tracker --version`.
    cli = {name: [command[0], "--version"] for name, command in commands.items()}
    cli_times: dict[str, list[float]] = {name: [] for name in cli}
    for _ in range(args.runs):
        for name, command in cli.items():
            cli_times[name].append(time_command(command, env))
    cli_med = {name: statistics.median(t) for name, t in cli_times.items()}
    print(f"Command-line start (`tcbm-tracker --version`), median of {args.runs} alternate runs:")
    for name, t in cli_times.items():
        print(f"  {name:15s} {cli_med[name] * 1000:7.0f} ms   (runs: {', '.join(f'{x * 1000:.0f}' for x in t)})")
    print(f"  ratio bundle / source install: {cli_med['bundle'] / cli_med['source install']:.2f}x")

    print(f"\nUnpacked bundle: {du(bundle) / 1e6:.1f} MB (target: under 150 MB)")
    if tarball is not None:
        print(f"Tarball: {tarball.stat().st_size / 1e6:.1f} MB ({tarball.name})")
    print("Ten largest parts:")
    for size, name in largest_parts(bundle):
        print(f"  {size / 1e6:6.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
