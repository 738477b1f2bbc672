"""The copy's Ed25519 key pair: what seals (and exchange packages) are signed with.

Each installation ("copy") of TCBM Tracker has one key pair, made on first use and kept in the
user's config folder (``locations.config_dir()``), never in the database: whoever can rewrite
the database file cannot also make valid seals unless they take this key too.

API: ``load_or_create()`` returns a ``CopyKey`` (``sign(data)``, ``public_key_bytes``,
``fingerprint``); ``load_existing()`` returns None when no key was made yet; ``verify(public_key,
data, signature)`` checks a signature with any public key; ``fingerprint(public_key)`` is the
SHA-256 of the raw 32-byte public key in hex.

The key file is PEM-encoded PKCS#8, as OpenSSL writes an Ed25519 key. That encoding of an
Ed25519 key is a fixed 16-byte header and the 32 private bytes (RFC 8410), so it is read and
written here directly: a process that seals one report then loads only cryptography's Ed25519
code, not its serialization module (PEM, SSH, PKCS#12 loaders: a tenth of a report's start-up).
A file in any other layout that cryptography reads (text around the PEM block, another key
encoding) is still read, through cryptography's full PEM loader.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tcbm_tracker.domain.errors import KeyFileError
from tcbm_tracker.storage.locations import config_dir

KEY_FILE_NAME = "copy-key.pem"
# PKCS#8 PrivateKeyInfo of an Ed25519 key without its public half: SEQUENCE { version 0,
# AlgorithmIdentifier { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32 bytes) } }.
PKCS8_ED25519_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
PEM_BEGIN, PEM_END = b"-----BEGIN PRIVATE KEY-----", b"-----END PRIVATE KEY-----"


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
        return self.private_key.public_key().public_bytes_raw()

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
    key = _from_pem(data)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(
            f"the signing key {path} is damaged (not an Ed25519 private key): restore it from a backup "
            "(seals made with it can be checked only with it)"
        )
    return CopyKey(key, path)


def _from_pem(data: bytes) -> object:
    """The private key in a PEM file: the usual 48-byte form read here, anything else by
    cryptography's full loader; None when it is not a key at all."""
    der = _pem_body(data)
    if der is not None and len(der) == len(PKCS8_ED25519_PREFIX) + 32 and der.startswith(PKCS8_ED25519_PREFIX):
        return Ed25519PrivateKey.from_private_bytes(der[len(PKCS8_ED25519_PREFIX):])
    from cryptography.hazmat.primitives import serialization  # another form: the full loader

    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return None


def _pem_body(data: bytes) -> bytes | None:
    """The DER bytes of a file holding exactly one unencrypted PEM ``PRIVATE KEY`` block."""
    lines = data.strip().splitlines()
    if len(lines) < 3 or lines[0].strip() != PEM_BEGIN or lines[-1].strip() != PEM_END:
        return None
    try:
        return base64.b64decode(b"".join(line.strip() for line in lines[1:-1]), validate=True)
    except (binascii.Error, ValueError):
        return None


def to_pem(key: Ed25519PrivateKey) -> bytes:
    """The key as PEM-encoded PKCS#8, byte for byte what OpenSSL (and cryptography) write."""
    body = base64.b64encode(PKCS8_ED25519_PREFIX + key.private_bytes_raw())
    return PEM_BEGIN + b"\n" + body + b"\n" + PEM_END + b"\n"


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
    pem = to_pem(key)
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
