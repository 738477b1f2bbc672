"""The built application (packaging/build.sh) passes the smoke test from outside the source tree,
with a clean environment and no network (packaging/smoke-test.sh).

Slow (a build takes minutes): run with ``pytest -m slow``. An existing tarball in dist/ is used
when it is newer than every source, resource and packaging file; otherwise the test builds one.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("tcbm_tracker", "resources", "db", "packaging", "pyproject.toml", "README.md", "docs/desktop.md")


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


def _tarball() -> Path:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    tarball = ROOT / "dist" / f"tcbm-tracker-{version}-linux-x86_64.tar.gz"
    if not tarball.is_file() or tarball.stat().st_mtime < _newest_source_mtime():
        subprocess.run([str(ROOT / "packaging" / "build.sh")], check=True, cwd=ROOT, timeout=1800)
    assert tarball.is_file()
    return tarball


@pytest.mark.slow
def test_built_app_passes_the_smoke_test_offline_from_outside_the_source_tree() -> None:
    for tool in ("unshare", "xvfb-run", "xdotool"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    result = subprocess.run([str(ROOT / "packaging" / "smoke-test.sh"), str(_tarball())], capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke-test: PASSED" in result.stdout
