"""Trust-list operations as users meet them: add by fingerprint, public-key file or package; remove."""

from __future__ import annotations

import zipfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.clock import utc_now_iso
from tcbm_tracker.exchange.packages.api import PackageError, TrustedCopy
from tcbm_tracker.storage import copy_key
from tcbm_tracker.storage import trust as store

MAX_KEY_FILE = 64 * 1024


def _copy(e: store.TrustEntry) -> TrustedCopy:
    return TrustedCopy(e.fingerprint, e.name, e.added_at)


def list_trusted() -> list[TrustedCopy]:
    return [_copy(e) for e in store.load()]


def export_public_key(out: Path) -> Path:
    key = copy_key.load_or_create()
    pem = key.private_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        out.write_bytes(pem)
    except OSError as exc:
        raise PackageError(f"cannot write {out}: {exc.strerror or exc}") from None
    return out


def fingerprint_of_file(path: Path) -> str:
    """The key fingerprint a public-key file holds, or the signer's of a package."""
    try:
        if zipfile.is_zipfile(path):
            from tcbm_tracker.exchange.packages.reader import read_summary

            return read_summary(path).exporter.fingerprint
        if path.stat().st_size > MAX_KEY_FILE:
            raise PackageError(f"{path.name}: not a public-key file (too large)")
        data = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise PackageError(f"{path.name}: not a copy's public key (expected the file `tcbm-tracker trust export` writes, "
                           "or a .tcbm package)")
    return copy_key.fingerprint(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _parse(source: str | Path) -> str:
    text = str(source).strip()
    candidate = text.lower().replace(":", "").replace(" ", "")
    if store.FINGERPRINT.match(candidate):
        return candidate
    path = Path(text).expanduser()
    if path.is_file():
        return fingerprint_of_file(path)
    if all(c in "0123456789abcdef" for c in candidate) and candidate:
        raise PackageError(f"{text!r} is not a key fingerprint (64 hex digits; this has {len(candidate)})")
    raise PackageError(f"{text!r} is neither a key fingerprint (64 hex digits) nor a file")


def add(source: str | Path, *, name: str | None = None) -> TrustedCopy:
    fingerprint = _parse(source)
    clean = v.clean_text("name", name, max_chars=v.MAX_SHORT_CHARS)
    entries = store.load()
    for e in entries:
        if e.fingerprint == fingerprint:
            if clean and clean != e.name:
                entries = [store.TrustEntry(x.fingerprint, clean if x is e else x.name, x.added_at) for x in entries]
                store.save(entries)
                return TrustedCopy(e.fingerprint, clean, e.added_at)
            return _copy(e)
    entry = store.TrustEntry(fingerprint, clean, utc_now_iso())
    store.save([*entries, entry])
    return _copy(entry)


def remove(fingerprint: str) -> TrustedCopy:
    wanted = str(fingerprint).strip().lower().replace(":", "")
    if len(wanted) < 8 or not all(c in "0123456789abcdef" for c in wanted):
        raise PackageError(f"{fingerprint!r}: give a key fingerprint, or at least its first 8 hex digits")
    entries = store.load()
    found = [e for e in entries if e.fingerprint.startswith(wanted)]
    if not found:
        raise PackageError(f"{wanted} is not on the trust list (`tcbm-tracker trust list` shows it)")
    if len(found) > 1:
        raise PackageError(f"{wanted} starts {len(found)} trusted fingerprints: give more digits")
    store.save([e for e in entries if e is not found[0]])
    return _copy(found[0])
