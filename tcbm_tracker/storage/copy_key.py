"""The copy's Ed25519 key pair: what seals (and exchange packages) are signed with.

Each installation ("copy") of TCBM Tracker has one key pair, made on first use and kept in the
user's config folder (``locations.config_dir()``), never in the database: whoever can rewrite
the database file cannot also make valid seals unless they take this key too.

API: ``load_or_create()`` returns a ``CopyKey`` (``sign(data)``, ``public_key_bytes``,
``fingerprint``); ``load_existing()`` returns None when no key was made yet; ``verify(public_key,
data, signature)`` checks a signature with any public key; ``fingerprint(public_key)`` is the
SHA-256 of the raw 32-byte public key in hex.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tcbm_tracker.domain.errors import KeyFileError
from tcbm_tracker.storage.locations import config_dir

KEY_FILE_NAME = "copy-key.pem"


def fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()


def verify(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """True if ``signature`` is the signature of ``data`` by the key whose public half is given."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class CopyKey:
    private_key: Ed25519PrivateKey
    path: Path

    @property
    def public_key_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key_bytes)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def key_path(folder: Path | None = None) -> Path:
    return (folder or config_dir()) / KEY_FILE_NAME


def _read(path: Path) -> CopyKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read the signing key {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(
            f"the signing key {path} is damaged (not an Ed25519 private key): restore it from a backup "
            "(seals made with it can be checked only with it)"
        )
    return CopyKey(key, path)


def load_existing(folder: Path | None = None) -> CopyKey | None:
    """The copy's key if one was made, else None (nothing is created)."""
    path = key_path(folder)
    if not path.exists():
        return None
    return _read(path)


def load_or_create(folder: Path | None = None) -> CopyKey:
    """The copy's key, made now (file mode 0600) if this copy has none yet."""
    path = key_path(folder)
    if path.exists():
        return _read(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a temporary name, then linked into place: a reader never sees half
        # a key, and of two processes creating a key at once, one wins and both use its key.
        fd, tmp = tempfile.mkstemp(prefix=".copy-key-", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise KeyFileError(f"cannot create the signing key {path}: {exc.strerror or exc}") from None
    return _read(path)
