"""Opening a ``.tcbm`` package safely: every check before a single row is looked at.

In order: the file is a zip whose directory is whole; it holds only the members the layout
names (no ``..``, absolute paths, symbolic links, directories, duplicates or encrypted members);
no member declares a size that makes it a zip bomb; the manifest is of a format this version
reads; the signature over the manifest is the exporting copy's; and every member's SHA-256 and
size are the manifest's. Nothing is ever extracted to disk: members are read as streams. Each
failure is a ``PackageError`` naming the file, the entry and the reason.
"""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tcbm_tracker.exchange.packages import layout
from tcbm_tracker.exchange.packages.api import FORMAT_VERSION, CopyIdentity, PackageError, PackageSummary
from tcbm_tracker.storage import copy_key
from tcbm_tracker.storage import trust as trust_store

CHUNK = 1 << 20


@dataclass
class OpenedPackage:
    """A checked package, open for reading its members."""

    path: Path
    zf: zipfile.ZipFile
    manifest: dict[str, Any]
    summary: PackageSummary

    def rows(self, member: str, *, check: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, object) for each line of a ``data/*.jsonl`` member.

        ``check``: hash the bytes as they are read and raise at the end if they are not the
        manifest's (the file changed on disk since it was checked); a merge reads this way.
        """
        if member not in self.manifest["members"]:
            return
        digest = hashlib.sha256() if check else None
        with self.zf.open(member) as fh:
            number = 0
            # Bounded reads: a line is never longer than MAX_LINE_BYTES in memory, whatever the member holds.
            while raw := fh.readline(layout.MAX_LINE_BYTES + 1):
                number += 1
                if digest is not None:
                    digest.update(raw)
                if len(raw) > layout.MAX_LINE_BYTES:
                    raise _bad(self.path, f"{member} line {number}", f"is longer than {layout.MAX_LINE_BYTES:,} bytes")
                if not raw.strip():
                    continue
                try:
                    value = json.loads(raw)
                except ValueError:
                    raise _bad(self.path, f"{member} line {number}", "is not JSON") from None
                if not isinstance(value, dict):
                    raise _bad(self.path, f"{member} line {number}", "is not a JSON object")
                yield number, value
        if digest is not None and digest.hexdigest() != self.manifest["members"][member]["sha256"]:
            raise _bad(self.path, member, "changed on disk while it was read")

    def file_bytes(self, sha256: str) -> bytes:
        name = f"files/{sha256}"
        if name not in self.manifest["members"]:
            raise _bad(self.path, name, "is cited by an evidence item but not in the package")
        return self.zf.read(name)


def _bad(path: Path, entry: str, reason: str) -> PackageError:
    return PackageError(f"{path.name}: {entry}: {reason} (nothing was imported)")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        with path.open("rb") as fh:
            start = fh.read(4)
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        if start.startswith(b"PK"):
            raise _bad(path, "package", "is truncated or damaged (its zip directory cannot be read)") from None
        raise _bad(path, "package", "is not a .tcbm package (not a zip file)") from None


def _check_entries(path: Path, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > layout.MAX_MEMBERS:
        raise _bad(path, "package", f"holds {len(infos):,} entries (at most {layout.MAX_MEMBERS:,})")
    seen: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
            raise _bad(path, repr(name), "is an absolute path")
        if ".." in parts:
            raise _bad(path, repr(name), "leads out of the package (a '..' path)")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _bad(path, repr(name), "is a symbolic link")
        if info.is_dir():
            raise _bad(path, repr(name), "is a folder entry, which a package never holds")
        if info.flag_bits & 0x1:
            raise _bad(path, repr(name), "is encrypted")
        if name in seen:
            raise _bad(path, repr(name), "appears twice")
        if name not in (layout.MANIFEST, layout.SIGNATURE, *layout.DATA_MEMBERS) and not layout.FILE_MEMBER.match(name):
            raise _bad(path, repr(name), "is not an entry of the package format")
        if info.file_size > layout.MAX_MEMBER_BYTES:
            raise _bad(path, name, f"declares {info.file_size:,} bytes: refused as a possible zip bomb")
        if info.file_size > layout.RATIO_FLOOR and info.file_size > layout.MAX_RATIO * max(info.compress_size, 1):
            raise _bad(path, name, f"declares {info.file_size:,} bytes from {info.compress_size:,}: refused as a possible zip bomb")
        total += info.file_size
        if total > layout.MAX_TOTAL_BYTES:
            raise _bad(path, "package", f"declares more than {layout.MAX_TOTAL_BYTES:,} bytes in all: refused as a possible zip bomb")
        seen[name] = info
    for required in (layout.MANIFEST, layout.SIGNATURE):
        if required not in seen:
            raise _bad(path, required, "is missing")
    return seen


def _read_member(path: Path, zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        with zf.open(name) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        raise _bad(path, name, "is damaged or truncated") from None
    if len(data) > limit:
        raise _bad(path, name, "is too large")
    return data


def _manifest(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad(path, layout.MANIFEST, "is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != layout.FORMAT:
        raise _bad(path, layout.MANIFEST, f"is not a manifest of a TCBM Tracker package (format {layout.FORMAT!r})")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(path, layout.MANIFEST, f"has no valid format version ({version!r})")
    if version > FORMAT_VERSION:
        raise _bad(path, layout.MANIFEST, f"was written by a newer version of TCBM Tracker (package format {version}; "
                                         f"this version reads format {FORMAT_VERSION}): update this copy first")
    try:
        exporter = manifest["exporter"]
        for field in ("fingerprint", "public_key", "database_id"):
            if not isinstance(exporter[field], str):
                raise TypeError(field)
        members = manifest["members"]
        if not isinstance(members, dict) or not all(
                isinstance(m, dict) and isinstance(m.get("sha256"), str) and isinstance(m.get("size"), int) for m in members.values()):
            raise TypeError("members")
        head = manifest["head"]
        int(head["seq"]), str(head["hash"])
        for field in ("exported_at", "exported_by"):
            if not isinstance(manifest[field], str):
                raise TypeError(field)
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(path, layout.MANIFEST, f"is incomplete ({exc})") from None
    return manifest


def _check_signature(path: Path, manifest_bytes: bytes, manifest: dict[str, Any], signature: bytes) -> None:
    exporter = manifest["exporter"]
    try:
        public = bytes.fromhex(exporter["public_key"])
        sig = bytes.fromhex(signature.decode("ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise _bad(path, layout.SIGNATURE, "is not a signature") from None
    if copy_key.fingerprint(public) != exporter["fingerprint"]:
        raise _bad(path, layout.MANIFEST, "names a key fingerprint that is not its public key's")
    if not copy_key.verify(public, layout.signed_message(manifest_bytes), sig):
        raise _bad(path, layout.SIGNATURE, "does not match the manifest: the package was changed after it was signed")


def _check_members(path: Path, zf: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], manifest: dict[str, Any]) -> None:
    listed: dict[str, dict[str, Any]] = manifest["members"]
    present = set(entries) - {layout.MANIFEST, layout.SIGNATURE}
    for name in sorted(set(listed) - present):
        raise _bad(path, name, "is listed in the manifest but missing from the package")
    for name in sorted(present - set(listed)):
        raise _bad(path, name, "is in the package but not in its manifest (added after signing)")
    for name in sorted(present):
        expected = listed[name]
        if entries[name].file_size != expected["size"]:
            raise _bad(path, name, f"holds {entries[name].file_size:,} bytes, the manifest says {expected['size']:,}: "
                                   "changed after signing")
        digest = hashlib.sha256()
        try:
            with zf.open(name) as fh:
                for block in iter(lambda: fh.read(CHUNK), b""):
                    digest.update(block)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
            raise _bad(path, name, "is damaged or truncated") from None
        if digest.hexdigest() != expected["sha256"]:
            raise _bad(path, name, "does not match the SHA-256 in the manifest: changed after signing")


def _summary(path: Path, manifest: dict[str, Any], package_sha: str) -> PackageSummary:
    import datetime as dt

    exporter = manifest["exporter"]
    counts = manifest.get("counts", {})
    since = manifest.get("since")
    trusted = trust_store.is_trusted(exporter["fingerprint"])
    try:
        since_day = dt.date.fromisoformat(since) if since else None
    except (TypeError, ValueError):
        raise _bad(path, layout.MANIFEST, f"has an invalid 'since' date {since!r}") from None

    def count(name: str) -> int:
        value = counts.get(name, 0)
        return value if isinstance(value, int) else 0

    return PackageSummary(
        path=path, format_version=int(manifest["format_version"]),
        exporter=CopyIdentity(exporter["fingerprint"], exporter["database_id"]),
        exported_at=manifest["exported_at"], exported_by=manifest["exported_by"], since=since_day,
        head_seq=int(manifest["head"]["seq"]), head_hash=str(manifest["head"]["hash"]),
        assessments=count("assessments"), evidence=count("evidence"), evidence_files=count("evidence_files"),
        actors=count("actors"), catalogs=count("catalogs"), package_sha256=package_sha,
        trusted=trusted is not None, signer_name=trusted.name if trusted else None,
    )


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def open_package(path: Path) -> Iterator[OpenedPackage]:
    """Check everything about the package (see the module doc), then yield it open for reading."""
    path = Path(path)
    zf = _open_zip(path)
    try:
        entries = _check_entries(path, zf)
        manifest_bytes = _read_member(path, zf, layout.MANIFEST, layout.MAX_MANIFEST_BYTES)
        manifest = _manifest(path, manifest_bytes)
        signature = _read_member(path, zf, layout.SIGNATURE, 1024)
        _check_signature(path, manifest_bytes, manifest, signature)
        _check_members(path, zf, entries, manifest)
        yield OpenedPackage(path, zf, manifest, _summary(path, manifest, _file_sha(path)))
    finally:
        zf.close()


def read_summary(path: Path) -> PackageSummary:
    with open_package(path) as package:
        return package.summary
