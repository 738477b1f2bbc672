"""The copy's key pair: made on first use in the config folder (0600), never in the database;
a damaged or unreadable key file is a clear error."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tcbm_tracker.domain.errors import KeyFileError
from tcbm_tracker.storage import copy_key
from tcbm_tracker.storage.locations import config_dir


def test_made_on_first_use_in_the_config_folder_readable_by_the_user_only() -> None:
    assert copy_key.load_existing() is None
    key = copy_key.load_or_create()
    path = config_dir() / copy_key.KEY_FILE_NAME
    assert key.path == path and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    again = copy_key.load_or_create()
    assert again.public_key_bytes == key.public_key_bytes and len(key.public_key_bytes) == 32
    assert copy_key.load_existing() is not None
    assert [p.name for p in path.parent.iterdir()] == [copy_key.KEY_FILE_NAME]  # no temporary file left


def test_sign_and_verify() -> None:
    key = copy_key.load_or_create()
    sig = key.sign(b"head 42")
    assert copy_key.verify(key.public_key_bytes, b"head 42", sig)
    assert not copy_key.verify(key.public_key_bytes, b"head 43", sig)
    assert not copy_key.verify(key.public_key_bytes, b"head 42", sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not copy_key.verify(b"\x00" * 5, b"head 42", sig)  # not a public key at all
    other = copy_key.load_or_create(config_dir() / "elsewhere")
    assert not copy_key.verify(other.public_key_bytes, b"head 42", sig)
    assert key.fingerprint == copy_key.fingerprint(key.public_key_bytes) and len(key.fingerprint) == 64
    assert other.fingerprint != key.fingerprint


def test_a_damaged_key_file_is_a_clear_error() -> None:
    path = config_dir() / copy_key.KEY_FILE_NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyFileError, match=rf"the signing key {path} is damaged .*restore it from a backup"):
        copy_key.load_or_create()
    assert b"not a key" in path.read_bytes()  # never replaced: seals made with it need it


def test_an_unreadable_key_file_is_a_clear_error() -> None:
    path = config_dir() / copy_key.KEY_FILE_NAME
    path.mkdir(parents=True)  # unreadable as a file, for root too
    with pytest.raises(KeyFileError, match=rf"cannot read the signing key {path}: "):
        copy_key.load_or_create()


def test_a_key_that_cannot_be_made_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("TCBM_TRACKER_CONFIG_DIR", str(blocker))
    with pytest.raises(KeyFileError, match="cannot create the signing key"):
        copy_key.load_or_create()


def test_a_seal_that_cannot_be_noted_beside_the_key_is_a_clear_error(db_path: Path) -> None:
    from tcbm_tracker.services.tracker import open_tracker
    from tcbm_tracker.storage import seals

    copy_key.load_or_create()
    seals.ledger_path().mkdir()  # the ledger cannot be written
    t = open_tracker(db_path)
    try:
        with pytest.raises(KeyFileError, match=r"seal 1-[0-9a-f]{8} was made, but could not be noted in "):
            t.integrity.seal()
    finally:
        t.close()


def test_the_key_file_is_what_cryptography_writes_and_reads() -> None:
    """Existing copies' keys (written by cryptography's PEM serializer) read unchanged, and a key
    made now is byte for byte the same file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    made = Ed25519PrivateKey.generate()
    pem = made.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    assert copy_key.to_pem(made) == pem
    path = config_dir() / copy_key.KEY_FILE_NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(pem)
    key = copy_key.load_or_create()
    assert key.private_key.private_bytes_raw() == made.private_bytes_raw()
    assert key.public_key_bytes == made.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    loaded = serialization.load_pem_private_key(copy_key.to_pem(key.private_key), password=None)
    assert isinstance(loaded, Ed25519PrivateKey) and loaded.private_bytes_raw() == made.private_bytes_raw()


def test_a_key_file_in_another_pem_layout_is_read_by_the_full_loader() -> None:
    """Explanatory text before the PEM block (RFC 7468 allows it): not the usual form, still read."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    made = Ed25519PrivateKey.generate()
    path = config_dir() / copy_key.KEY_FILE_NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(b"Ed25519 key of this copy\n" + copy_key.to_pem(made))
    assert copy_key.load_or_create().public_key_bytes == made.public_key().public_bytes_raw()


def test_loading_the_key_leaves_cryptographys_serialization_module_out(tmp_path: Path) -> None:
    """A process that seals one report loads the Ed25519 code only (the key file in its usual form)."""
    import subprocess
    import sys

    code = ("import sys; from tcbm_tracker.storage import copy_key; k = copy_key.load_or_create(); "
            "k.sign(b'x'); print(k.fingerprint[:8], 'cryptography.hazmat.primitives.serialization' in sys.modules)")
    for _ in range(2):  # made, then read
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                             env={**__import__("os").environ, "TCBM_TRACKER_CONFIG_DIR": str(tmp_path)})
        assert out.stdout.split()[1] == "False"
