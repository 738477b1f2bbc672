"""packaging/slim_icu.py: the ICU data package is trimmed to the trees Qt can reach, stays a
package ICU can read, and the trimming refuses when Qt calls ICU services whose data it drops."""

from __future__ import annotations

import importlib.util
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("slim_icu", ROOT / "packaging" / "slim_icu.py")
assert _spec is not None and _spec.loader is not None
slim_icu = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slim_icu)


def _header() -> bytes:
    """A CmnD data header as ICU writes it (32 bytes: size, magic, UDataInfo)."""
    info = struct.pack("<HHBBBB4s4s4s", 20, 0, 0, 0, 2, 0, b"CmnD", bytes([1, 0, 0, 0]), bytes([3, 0, 0, 0]))
    return (struct.pack("<H", 32) + b"\xda\x27" + info).ljust(32, b"\0")


def _package(items: dict[str, bytes]) -> bytes:
    return slim_icu.write_package(_header(), list(items.items()))


ITEMS = {
    "icudt73l/root.res": b"root" * 5,
    "icudt73l/cnvalias.icu": b"alias",
    "icudt73l/coll/root.res": b"collation" * 3,
    "icudt73l/zone/fr.res": b"zones",
    "icudt73l/brkitr/cjdict.dict": b"dictionary" * 9,
    "icudt73l/lang/fr.res": b"langues",
    "icudt73l/translit/root.res": b"translit",
}


def test_package_round_trips_with_sorted_names_and_aligned_items() -> None:
    blob = _package(ITEMS)
    header, items = slim_icu.read_package(blob)
    assert header == _header()
    names = [name for name, _ in items]
    assert names == sorted(ITEMS)  # ICU finds items by bisection on the names
    for name, data in items:
        assert data.rstrip(b"\0") == ITEMS[name]
    count = struct.unpack_from("<I", blob, 32)[0]
    offsets = [struct.unpack_from("<II", blob, 32 + 4 + 8 * i)[1] for i in range(count)]
    assert all(offset % 16 == 0 for offset in offsets)


def test_trim_removes_exactly_the_dropped_trees() -> None:
    trimmed, removed = slim_icu.trim(_package(ITEMS))
    _, items = slim_icu.read_package(trimmed)
    assert sorted(removed) == ["icudt73l/brkitr/cjdict.dict", "icudt73l/lang/fr.res", "icudt73l/translit/root.res"]
    assert [name for name, _ in items] == ["icudt73l/cnvalias.icu", "icudt73l/coll/root.res", "icudt73l/root.res",
                                           "icudt73l/zone/fr.res"]
    assert {name: data.rstrip(b"\0") for name, data in items} == {name: ITEMS[name] for name, _ in items}


def test_read_package_rejects_what_is_not_an_icu_package() -> None:
    with pytest.raises(slim_icu.SlimError, match="not a little-endian ICU common data package"):
        slim_icu.read_package(b"\x20\x00\x00\x00" + b"\0" * 60)


def _tools() -> None:
    for tool in ("cc", "nm", "readelf"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def test_refuses_when_qt_calls_an_icu_service_whose_data_is_dropped(tmp_path: Path) -> None:
    """A Qt library that imports ubrk_open (break iteration, brkitr/ data) stops the trimming."""
    _tools()
    source = tmp_path / "fake.c"
    source.write_text("extern int ubrk_open_73(void); extern int ucol_open_73(void);\n"
                      "int use(void) { return ubrk_open_73() + ucol_open_73(); }\n")
    fake = tmp_path / "libQt6Fake.so.6"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(fake), str(source)], check=True)
    with pytest.raises(slim_icu.SlimError, match="ubrk_open"):
        slim_icu.check_qt_icu_use([fake])
    source.write_text("extern int ucol_open_73(void); extern int ucnv_open_73(void);\n"
                      "int use(void) { return ucnv_open_73() + ucol_open_73(); }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(fake), str(source)], check=True)
    slim_icu.check_qt_icu_use([fake])  # collation and converters only: allowed


def _installed_icu() -> Path:
    import PySide6

    qt_lib = Path(PySide6.__file__).parent / "Qt" / "lib"
    original = next(iter(sorted(qt_lib.glob("libicudata.so.*"))), None)
    if original is None:
        pytest.skip("this PySide6 has no ICU data library")
    return original


def test_trimmed_library_of_the_installed_qt_gives_qt_the_same_results(tmp_path: Path) -> None:
    """The real thing: PySide6's libicudata trimmed, then Qt's collation, case mapping, converters
    and time-zone names compared between the original and the trimmed library."""
    _tools()
    original = _installed_icu()
    qt_lib = original.parent
    out = tmp_path / original.name
    summary = slim_icu.slim(original, out, qt_libs=sorted(qt_lib.glob("libQt6*.so.6")), python=sys.executable)
    assert out.stat().st_size < original.stat().st_size * 0.6, summary
    _, offset, size = slim_icu.data_symbol(out)
    _, items = slim_icu.read_package(out.read_bytes()[offset:offset + size])
    trees = {name.split("/")[1] for name, _ in items if name.count("/") == 2}
    assert {"coll", "zone"} <= trees and not trees & set(slim_icu.DROPPED_TREES)
    assert "Qt results compared" in summary and " 0 Qt results" not in summary


def test_comparison_catches_data_qt_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trimming the collation and time-zone trees too changes what Qt returns: the check says so."""
    _tools()
    original = _installed_icu()
    monkeypatch.setattr(slim_icu, "DROPPED_TREES", (*slim_icu.DROPPED_TREES, "coll", "zone"))
    with pytest.raises(slim_icu.SlimError, match="other results with the trimmed data"):
        slim_icu.slim(original, tmp_path / original.name, qt_libs=[], python=sys.executable)


def test_licence_notice_says_the_trimmed_data_library_is_modified(tmp_path: Path) -> None:
    """THIRD-PARTY-LICENSES lists ICU under its own licence and says which of its files the
    build changed: the trimmed data library, not the original."""
    _tools()
    original = _installed_icu()
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import collect_licenses
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    notices = {}
    for kind in ("original", "trimmed"):
        lib_dir = tmp_path / kind / "_internal" / "PySide6" / "Qt" / "lib"
        lib_dir.mkdir(parents=True)
        if kind == "original":
            shutil.copy(original, lib_dir)
        else:
            slim_icu.slim(original, lib_dir / original.name, qt_libs=[], python=None)
        out: list[str] = []
        collect_licenses.icu_notice(tmp_path / kind, out)
        notices[kind] = "".join(out)
    assert f"{original.name} is modified" in notices["trimmed"]
    assert "is modified" not in notices["original"] and "ICU licence" in notices["original"]
