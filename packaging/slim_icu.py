"""Trim the ICU data library that Qt's Linux wheels ship (``libicudata.so.NN``, 32 MB) to the
data Qt can reach.

QtCore links ICU and uses it for four services only (the ICU functions it imports, listed by
``nm -D --undefined-only libQt6Core.so.6``): character-set converters (``ucnv_*``), case mapping
(``u_strToUpper``/``u_strToLower``), collation (``ucol_*``) and time-zone IDs and names
(``ucal_*``). ICU's data package also holds the data of services Qt never calls; this module
removes those whole trees from the package:

- ``brkitr/``   word/line break rules and the CJK/Thai/Khmer/Lao/Burmese dictionaries (``ubrk_*``;
                Qt breaks text with its own tables)
- ``unit/``, ``curr/``, ``lang/``, ``region/``   display names of units, currencies, languages,
                scripts and regions (``unum_*``, ``uldn_*``, ``uloc_getDisplay*``; Qt has its own
                CLDR tables for QLocale)
- ``translit/`` transliteration (``utrans_*``)
- ``rbnf/``     number spell-out (``unum`` rule-based formats)

Everything else stays: converters and their aliases, the collation trees, time-zone data and
names, the locale tree, Unicode properties and normalisation.

Safety: :func:`check_qt_icu_use` refuses to trim when a Qt library imports an ICU function
outside those four services (a later Qt might start using break iterators, for instance), and
:func:`compare_with_original` runs the same Qt calls (collation, case mapping, converters,
time-zone names) against the original and the trimmed library and requires identical results.
Linux only: on Windows and macOS, Qt uses the system's ICU or none.

    python packaging/slim_icu.py ORIGINAL_LIB OUT_LIB     (trims, checks, prints the sizes)
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Trees of the ICU data package that only ICU services Qt never calls read (see the docstring).
DROPPED_TREES = ("brkitr", "unit", "curr", "lang", "region", "translit", "rbnf")

# ICU functions (version suffix removed) Qt may call for the data kept to be enough.
QT_ICU_FUNCTIONS = re.compile(r"^(ucnv_\w+|UCNV_\w+|u_strToUpper|u_strToLower|ucol_\w+|ucal_\w+)$")


class SlimError(Exception):
    """The ICU data cannot be trimmed safely (the message says why)."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SlimError(f"{name} is missing (Debian/Ubuntu: apt-get install binutils gcc)")
    return path


def data_symbol(lib: Path) -> tuple[str, int, int]:
    """The data symbol of an ICU data library: (name, file offset, size)."""
    out = subprocess.run([_tool("nm"), "-D", "--defined-only", "-S", str(lib)], capture_output=True, text=True,
                         check=True).stdout
    symbols = [line.split() for line in out.splitlines() if re.search(r"\bicudt\d+_dat$", line)]
    if len(symbols) != 1:
        raise SlimError(f"{lib.name}: expected one icudtNN_dat symbol, found {len(symbols)}")
    address, size, _kind, name = symbols[0]
    sections = subprocess.run([_tool("readelf"), "-S", "-W", str(lib)], capture_output=True, text=True,
                              check=True).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            sh_addr, sh_off = int(fields[3], 16), int(fields[4], 16)
            return name, int(address, 16) - sh_addr + sh_off, int(size, 16)
    raise SlimError(f"{lib.name}: no .rodata section")


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split an ICU common data package ("CmnD", little-endian) into its header and items."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD" or blob[8] != 0:
        raise SlimError("not a little-endian ICU common data package (CmnD)")
    count = struct.unpack_from("<I", blob, header_size)[0]
    entries = [struct.unpack_from("<II", blob, header_size + 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in entries[1:]] + [len(blob) - header_size]
    items = []
    for (name_offset, data_offset), end in zip(entries, ends, strict=True):
        start = header_size + name_offset
        name = blob[start:blob.index(b"\0", start)].decode("ascii")
        items.append((name, blob[header_size + data_offset:header_size + end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """An ICU common data package with these items (names sorted: ICU looks them up by bisection)."""
    items = sorted(items, key=lambda item: item[0].encode("ascii"))
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    toc_size = 4 + 8 * len(items)
    names_end = toc_size + len(names)
    data_start = (names_end + 15) & ~15  # every item starts on a 16-byte boundary
    toc, data, name_offset = [struct.pack("<I", len(items))], b"", toc_size
    for name, item in items:
        offset = data_start + len(data)
        toc.append(struct.pack("<II", name_offset, offset))
        name_offset += len(name) + 1
        data += item + b"\0" * (-len(item) % 16)
    return header + b"".join(toc) + names + b"\0" * (data_start - names_end) + data


def trim(blob: bytes) -> tuple[bytes, list[str]]:
    """The package without the dropped trees, and the names of the items removed."""
    header, items = read_package(blob)
    kept = [(name, data) for name, data in items if name.split("/")[1] not in DROPPED_TREES]
    removed = [name for name, _ in items if name.split("/")[1] in DROPPED_TREES]
    if not kept or not removed:
        raise SlimError("the ICU package does not have the expected trees (nothing to remove)")
    return write_package(header, kept), removed


def build_library(package: bytes, symbol: str, soname: str, out: Path) -> None:
    """A shared library exporting the package under the symbol ICU looks for."""
    cc = _tool("cc")
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "icudata.dat"
        dat.write_bytes(package)
        asm = Path(tmp) / "icudata.S"
        asm.write_text(
            '.section .note.GNU-stack,"",@progbits\n'
            ".section .rodata\n"
            f".globl {symbol}\n.type {symbol}, @object\n.balign 16\n{symbol}:\n"
            f'.incbin "{dat}"\n.size {symbol}, . - {symbol}\n'
        )
        subprocess.run([cc, "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-Wl,-z,noexecstack",
                        "-o", str(out), str(asm)], check=True)


def check_qt_icu_use(qt_libs: list[Path]) -> None:
    """Raise SlimError if a Qt library calls ICU functions whose data might be trimmed away."""
    nm = _tool("nm")
    for lib in qt_libs:
        out = subprocess.run([nm, "-D", "--undefined-only", str(lib)], capture_output=True, text=True,
                             check=True).stdout
        icu = {re.sub(r"_\d+$", "", line.split()[-1].split("@")[0]) for line in out.splitlines()
               if re.search(r"\b(u[a-z]*_\w+|U[A-Z]+_\w+)_\d{2,3}(@|$)", line.split()[-1])}
        unknown = sorted(name for name in icu if not QT_ICU_FUNCTIONS.match(name))
        if unknown:
            raise SlimError(f"{lib.name} calls ICU functions the trimmed data may not serve: {', '.join(unknown)}"
                            " (review DROPPED_TREES in packaging/slim_icu.py)")


# Every Qt call that reaches ICU, with inputs from several scripts; printed for comparison.
PROBE = r"""
import functools, pathlib, sys
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone, Qt, QXmlStreamReader, QByteArray, QBuffer, QIODevice
data = [line for line in pathlib.Path("/proc/self/maps").read_text().splitlines() if "libicudata" in line]
print("icudata:", sorted({line.split()[-1] for line in data}))
words = ["zebra", "Äpfel", "apple", "ångström", "Zürich", "çà", "chaque", "ch", "czar", "école", "Straße",
         "strasse", "ıi", "İstanbul", "istanbul", "北京", "上海", "東京", "서울", "Москва", "القاهرة", "ไทย", "10", "9"]
for name in ("en_US", "fr_FR", "de_DE", "sv_SE", "tr_TR", "cs_CZ", "es_ES", "zh_CN", "zh_TW", "ja_JP", "ko_KR",
             "ru_RU", "ar_EG", "th_TH", "C"):
    locale = QLocale(name)
    collator = QCollator(locale)
    print(name, sorted(words, key=functools.cmp_to_key(collator.compare)))
    collator.setNumericMode(True); collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    print(name, sorted(words, key=functools.cmp_to_key(collator.compare)))
    print(name, locale.toUpper("istanbul ıi straße ǆ"), locale.toLower("İSTANBUL ΣΑΣ"))
    for zone in (b"Europe/Paris", b"America/New_York", b"Asia/Tokyo", b"Africa/Cairo"):
        tz = QTimeZone(zone)
        print(name, zone, [tz.displayName(t, n, locale) for t in (QTimeZone.TimeType.StandardTime,
              QTimeZone.TimeType.DaylightTime) for n in (QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName)])
sample = "Grüße, Ελλάδα, Москва, 北京, 東京, 서울, ไทย, €"
for codec in ("windows-1252", "ISO-8859-15", "KOI8-R", "Shift_JIS", "EUC-JP", "GB18030", "GBK", "Big5", "EUC-KR",
              "windows-874", "IBM437", "macintosh", "UTF-7", "ISO-2022-JP"):
    decoder = QStringDecoder(codec)
    # QXmlStreamReader decodes a document in its declared encoding through QStringDecoder (ICU).
    python_codec = {"windows-874": "cp874", "macintosh": "mac_roman"}.get(codec, codec)
    encoded = sample.encode(python_codec, errors="replace")
    document = QBuffer()
    document.setData(QByteArray(f'<?xml version="1.0" encoding="{codec}"?><a>'.encode() + encoded + b"</a>"))
    document.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QXmlStreamReader(document)
    text = [reader.text() for _ in range(4) if reader.readNext() == QXmlStreamReader.TokenType.Characters]
    print(codec, decoder.isValid(), decoder.name(), text, reader.errorString())
print(sorted(QStringDecoder.availableCodecs()))
"""


def compare_with_original(python: str, original: Path, slim: Path) -> int:
    """Run the probe with each library; raise SlimError unless the results agree. Returns the lines compared."""
    results = []
    for lib in (original, slim):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(lib, Path(tmp) / original.name)
            env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LD_LIBRARY_PATH=tmp)
            run = subprocess.run([python, "-c", PROBE], capture_output=True, text=True, env=env)
            if run.returncode != 0:
                raise SlimError(f"the ICU probe failed with {lib}: {run.stderr.strip()[-500:]}")
            first, _, rest = run.stdout.partition("\n")
            if tmp not in first:
                raise SlimError(f"the ICU probe did not load the library under test: {first}")
            results.append(rest)
    if results[0] != results[1]:
        diff = [f"  original: {a}\n  trimmed:  {b}" for a, b in zip(results[0].splitlines(), results[1].splitlines(),
                                                                     strict=False) if a != b]
        raise SlimError("Qt's ICU calls give other results with the trimmed data:\n" + "\n".join(diff[:5]))
    return len(results[0].splitlines())


def slim(original: Path, out: Path, *, qt_libs: list[Path], python: str | None) -> str:
    """Write the trimmed library to OUT and check it; returns a one-line summary."""
    check_qt_icu_use(qt_libs)
    symbol, offset, size = data_symbol(original)
    blob = original.read_bytes()[offset:offset + size]
    package, removed = trim(blob)
    build_library(package, symbol, original.name, out)
    checked = compare_with_original(python, original, out) if python else 0
    return (f"{original.name}: {len(blob) / 1e6:.1f} MB of ICU data -> {len(package) / 1e6:.1f} MB "
            f"({len(removed)} items of {', '.join(DROPPED_TREES)} removed; {checked} Qt results compared)")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: slim_icu.py ORIGINAL_LIB OUT_LIB", file=sys.stderr)
        return 2
    original, out = Path(argv[0]), Path(argv[1])
    qt_libs = sorted(original.parent.glob("libQt6*.so.6"))
    try:
        print(slim(original, out, qt_libs=qt_libs, python=sys.executable))
    except (SlimError, OSError, subprocess.CalledProcessError) as error:
        print(f"slim_icu: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
