"""The packaging's own files and scripts, checked without building the application: desktop
entry, AppStream metadata, MIME type, icons, install/uninstall, the bundle library check and
the build script's refusal without PyInstaller."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tcbm_tracker.cli import main

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "org.tcbm_tracker.TCBMTracker"
SYSTEM_LIBS = Path("/usr/lib/x86_64-linux-gnu")


def _needs(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def test_desktop_entry_validates_and_opens_exchange_packages() -> None:
    entry = PACKAGING / "tcbm-tracker.desktop"
    text = entry.read_text()
    assert "MimeType=application/x-tcbm-tracker-package;" in text
    assert "Exec=tcbm-tracker gui %f" in text
    result = subprocess.run([_needs("desktop-file-validate"), str(entry)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_appstream_metadata_validates() -> None:
    result = subprocess.run([_needs("appstreamcli"), "validate", "--no-net", str(PACKAGING / f"{APP_ID}.metainfo.xml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mime_type_claims_the_tcbm_extension() -> None:
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    tree = ET.parse(PACKAGING / "tcbm-tracker-mime.xml")
    kind = tree.find("m:mime-type", ns)
    assert kind is not None and kind.get("type") == "application/x-tcbm-tracker-package"
    assert [g.get("pattern") for g in kind.findall("m:glob", ns)] == ["*.tcbm"]


def test_icons_exist_in_every_size_with_that_size() -> None:
    from PIL import Image

    hicolor = PACKAGING / "icons" / "hicolor"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        with Image.open(hicolor / f"{size}x{size}" / "apps" / "tcbm-tracker.png") as image:
            assert image.size == (size, size)
    assert (hicolor / "scalable" / "apps" / "tcbm-tracker.svg").read_text().lstrip().startswith("<?xml")
    assert (PACKAGING / "icons" / "tcbm-tracker.ico").stat().st_size > 0
    assert (PACKAGING / "icons" / "tcbm-tracker.icns").stat().st_size > 0


def _fake_bundle(tmp_path: Path) -> Path:
    """The layout build.sh assembles, with a script standing in for the executable."""
    bundle = tmp_path / "tcbm-tracker-0.1.0-linux-x86_64"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "tcbm-tracker").write_text("#!/bin/sh\necho fake\n")
    (bundle / "tcbm-tracker").chmod(0o755)
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy(PACKAGING / script, bundle / script)
    share = bundle / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy(PACKAGING / "tcbm-tracker.desktop", share / "applications" / f"{APP_ID}.desktop")
    (share / "metainfo").mkdir()
    shutil.copy(PACKAGING / f"{APP_ID}.metainfo.xml", share / "metainfo")
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy(PACKAGING / "tcbm-tracker-mime.xml", share / "mime" / "packages" / "tcbm-tracker.xml")
    shutil.copytree(PACKAGING / "icons" / "hicolor", share / "icons" / "hicolor")
    return bundle


def test_install_user_puts_everything_under_local_and_uninstall_removes_it(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ["PATH"], "USER": "tester"}
    refused = subprocess.run([str(bundle / "install.sh")], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "--user" in refused.stderr
    subprocess.run([str(bundle / "install.sh"), "--user"], env=env, check=True, capture_output=True)
    local = home / ".local"
    assert (local / "bin" / "tcbm-tracker").resolve() == (bundle / "tcbm-tracker").resolve()
    entry = (local / "share" / "applications" / f"{APP_ID}.desktop").read_text()
    assert f'Exec="{bundle}/tcbm-tracker" gui %f' in entry and f"TryExec={bundle}/tcbm-tracker" in entry
    assert (local / "share" / "icons" / "hicolor" / "48x48" / "apps" / "tcbm-tracker.png").is_file()
    assert (local / "share" / "icons" / "hicolor" / "scalable" / "apps" / "tcbm-tracker.svg").is_file()
    assert (local / "share" / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (local / "share" / "mime" / "packages" / "tcbm-tracker.xml").is_file()
    if shutil.which("desktop-file-validate"):
        installed = local / "share" / "applications" / f"{APP_ID}.desktop"
        assert subprocess.run(["desktop-file-validate", str(installed)], capture_output=True).returncode == 0
    subprocess.run([str(bundle / "uninstall.sh"), "--user"], env=env, check=True, capture_output=True)
    left = sorted(p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file() or p.is_symlink())
    # Only the desktop's regenerated caches may remain (update-mime-database writes its index).
    assert [p for p in left if not p.startswith(".local/share/mime/") and "cache" not in p] == []
    assert bundle.joinpath("tcbm-tracker").is_file()  # the application folder is untouched


@pytest.mark.skipif(not (SYSTEM_LIBS / "libxcb-cursor.so.0").exists(), reason="needs libxcb-cursor0 installed")
def test_bundle_library_check_fails_on_a_library_found_outside_or_unused_and_passes_once_right(tmp_path: Path) -> None:
    if shutil.which("cc") is None:
        pytest.skip("cc is not installed")
    bundle = tmp_path / "bundle"
    internal = bundle / "_internal"
    internal.mkdir(parents=True)
    # A Python extension module (loaded by name at run time) that links libxcb-cursor, as Qt's plugin does.
    (tmp_path / "module.c").write_text("int module(void) { return 0; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", str(internal / "module.abi3.so"),
                    str(tmp_path / "module.c"), str(SYSTEM_LIBS / "libxcb-cursor.so.0")], check=True)
    shutil.copy(SYSTEM_LIBS / "libxcb-cursor.so.0", internal)
    check = [str(PACKAGING / "check-bundle-libs.sh"), str(bundle)]
    failed = subprocess.run(check, capture_output=True, text=True)
    assert failed.returncode == 1
    assert "libxcb-render-util.so.0 resolves to" in failed.stderr and "FAILED" in failed.stderr
    for name in ("libxcb-render-util.so.0", "libxcb-render.so.0", "libxcb-image.so.0", "libxcb-shm.so.0", "libxcb-util.so.1"):
        shutil.copy(SYSTEM_LIBS / name, internal)
    passed = subprocess.run(check, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stderr
    assert "libxcb.so.1" in passed.stdout  # the X11 client library stays outside, as allowed
    # A library nothing in the bundle loads (as a dropped plugin's dependency would be left behind).
    shutil.copy(SYSTEM_LIBS / "libxcb-xkb.so.1", internal)
    unused = subprocess.run(check, capture_output=True, text=True)
    assert unused.returncode == 1
    assert "UNUSED   _internal/libxcb-xkb.so.1: no file of the bundle loads it" in unused.stderr


def test_build_script_refuses_clearly_without_pyinstaller(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    result = subprocess.run([str(PACKAGING / "build.sh")], env={**os.environ, "PYTHON": str(venv / "bin" / "python")},
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "PyInstaller is not installed" in result.stderr and "pip install" in result.stderr


def test_gui_names_a_missing_exchange_package_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gui", str(tmp_path / "from-paris.tcbm")]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "from-paris.tcbm: no such exchange package" in err


def test_gui_takes_a_database_either_as_file_or_with_db_not_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "a.sqlite"), "gui", str(tmp_path / "b.sqlite")]) != 0
    assert "either as FILE" in capsys.readouterr().err


def test_start_up_benchmark_hook_prints_painted_and_quits(tmp_path: Path, db_path: Path) -> None:
    """TCBM_TRACKER_EXIT_AFTER_PAINT (benchmarks/bench_bundle.py) ends the app once the matrix is painted."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TCBM_TRACKER_EXIT_AFTER_PAINT": "1", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "tcbm_tracker", "--db", str(db_path), "gui"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "PAINTED"


def _fake_python(tmp_path: Path, qxcb: Path) -> Path:
    """This Python as a build venv's: it says PyInstaller is installed (the test venv need not
    have it) and that PySide6's X11 plugin is QXCB (the build script asks Python both)."""
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\ncase "$2" in "import PyInstaller") exit 0 ;; *libqxcb.so*) echo "{qxcb}" ;;\n'
                    f'  *) exec "{sys.executable}" "$@" ;; esac\n')
    fake.chmod(0o755)
    return fake


def test_build_script_refuses_clearly_when_a_system_library_of_qts_x11_plugin_is_missing(tmp_path: Path) -> None:
    """A plugin linked against a library this machine lacks (built here with one that is then removed)."""
    if shutil.which("cc") is None:
        pytest.skip("cc is not installed")
    (tmp_path / "gone.c").write_text("int gone(void) { return 1; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libxcb-gone.so.0", "-o", str(tmp_path / "libxcb-gone.so"),
                    str(tmp_path / "gone.c")], check=True)
    (tmp_path / "plugin.c").write_text("int gone(void); int use(void) { return gone(); }\n")
    qxcb = tmp_path / "libqxcb.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(qxcb), str(tmp_path / "plugin.c"), f"-L{tmp_path}", "-lxcb-gone"],
                   check=True)
    (tmp_path / "libxcb-gone.so").unlink()
    result = subprocess.run([str(PACKAGING / "build.sh")], env={**os.environ, "PYTHON": str(_fake_python(tmp_path, qxcb))},
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "system libraries needed by Qt's X11 plugin are missing: libxcb-gone.so.0" in result.stderr
    assert "apt-get install" in result.stderr and "Traceback" not in result.stderr


def test_build_script_refuses_clearly_without_a_c_compiler(tmp_path: Path) -> None:
    """Every tool of the system but cc (which the ICU trimming needs)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        for tool in Path(folder).iterdir():
            if tool.name not in ("cc", "gcc") and not (bin_dir / tool.name).exists():
                (bin_dir / tool.name).symlink_to(tool)
    python = _fake_python(tmp_path, tmp_path / "libqxcb.so")
    result = subprocess.run([str(PACKAGING / "build.sh")], env={**os.environ, "PATH": str(bin_dir), "PYTHON": str(python)},
                            capture_output=True, text=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cc is missing (needed to trim Qt's ICU data): apt-get install gcc binutils" in result.stderr


def _spec_excluded_modules() -> list[str]:
    """The spec's ``excluded_python`` list, read from the spec itself."""
    import ast

    tree = ast.parse((PACKAGING / "tcbm-tracker.spec").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "excluded_python" for t in node.targets):
            names = ast.literal_eval(node.value)
            assert isinstance(names, list)
            return [str(name) for name in names]
    raise AssertionError("tcbm-tracker.spec has no excluded_python list")


def test_the_application_works_without_the_modules_the_bundle_leaves_out(tmp_path: Path) -> None:
    """Init, assess, seal, verify, back up, reports with Arabic and Chinese text and the window's
    screenshot, with every module the spec excludes made unimportable (OpenSSL's hashlib,
    Pillow's font rendering, ssl, the optional debug libraries...): a later use of one of them
    fails here, before it fails in the built application."""
    blocked = _spec_excluded_modules()
    assert "_hashlib" in blocked and "PIL._imagingft" in blocked
    runner = ("import sys\n"
              f"for name in {blocked!r}:\n    sys.modules[name] = None\n"
              "from tcbm_tracker.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    db = str(tmp_path / "t.sqlite")
    commands = [
        ["--db", db, "--user", "t", "init"],
        ["--db", db, "--user", "t", "assess", "FRA", "LTS-B.4", "implemented", "--effective", "2024-05-01",
         "--note", "المادة الخامسة 外层空间透明度"],
        ["--db", db, "--user", "t", "seal"],
        ["--db", db, "verify"],
        ["--db", db, "backup"],
        ["--db", db, "report", "actor", "FRA", "--out", str(tmp_path / "FRA.pdf")],
        ["--db", db, "report", "matrix", "--out", str(tmp_path / "matrix.pdf")],
        ["--db", db, "screenshot", "--view", "matrix", "--out", str(tmp_path / "matrix.png")],
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for command in commands:
        result = subprocess.run([sys.executable, "-c", runner, *command], capture_output=True, text=True, env=env)
        assert result.returncode == 0, f"{command[3]}: {result.stdout}{result.stderr}"
    assert (tmp_path / "FRA.pdf").stat().st_size > 0 and (tmp_path / "matrix.png").stat().st_size > 0
