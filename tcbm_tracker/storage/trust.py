"""The trust list: copies whose signed exchange packages this copy accepts.

Kept in the config folder beside the copy's key (``trusted-copies.json``), never in the
database: a package cannot smuggle its signer onto the list, and whoever can rewrite the
database file cannot make this copy accept a forged package. Each entry is a key fingerprint
(the SHA-256 of the raw Ed25519 public key, in hex), an optional name and when it was added.
The file is replaced whole (written aside, then renamed), so a crash leaves the old list.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tcbm_tracker.domain.errors import KeyFileError
from tcbm_tracker.storage.locations import config_dir

TRUST_FILE_NAME = "trusted-copies.json"
FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class TrustEntry:
    fingerprint: str
    name: str | None
    added_at: str


def trust_path(folder: Path | None = None) -> Path:
    return (folder or config_dir()) / TRUST_FILE_NAME


def load(folder: Path | None = None) -> list[TrustEntry]:
    """The list, oldest first; a missing file is an empty list, a damaged one an error."""
    path = trust_path(folder)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read the trust list {path}: {exc}") from None
    try:
        data = json.loads(raw)
        entries = [TrustEntry(str(e["fingerprint"]), e.get("name"), str(e["added_at"])) for e in data["trusted"]]
    except (ValueError, KeyError, TypeError):
        raise KeyFileError(f"the trust list {path} is damaged: fix or delete it, then add the trusted copies again") from None
    if not all(FINGERPRINT.match(e.fingerprint) for e in entries):
        raise KeyFileError(f"the trust list {path} holds an entry that is not a key fingerprint: fix or delete it")
    return entries


def save(entries: list[TrustEntry], folder: Path | None = None) -> None:
    path = trust_path(folder)
    body = json.dumps({"format": "tcbm-tracker/trust-list", "version": 1,
                       "trusted": [{"fingerprint": e.fingerprint, "name": e.name, "added_at": e.added_at} for e in entries]},
                      indent=2, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".trusted-", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise KeyFileError(f"cannot write the trust list {path}: {exc.strerror or exc}") from None


def is_trusted(fingerprint: str, folder: Path | None = None) -> TrustEntry | None:
    for e in load(folder):
        if e.fingerprint == fingerprint:
            return e
    return None
