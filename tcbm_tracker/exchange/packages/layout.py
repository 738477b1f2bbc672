"""The ``.tcbm`` package layout: member names, manifest fields and the limits a reader enforces.

A package is a zip file holding exactly these members and nothing else:

- ``manifest.json``: format and version, the exporting copy (key fingerprint, public key,
  database id), when and by whom it was exported, since when, the head of the exporting copy's
  change log, counts, and the SHA-256 and size of every other member;
- ``signature``: the Ed25519 signature (hex) of the manifest's exact bytes by the exporting
  copy's key, so every member is covered through its SHA-256;
- ``data/*.jsonl``: one JSON object per line (catalogues, actors, evidence, assessments, cells);
- ``files/<sha256>``: each attached evidence file once, named by its SHA-256.
"""

from __future__ import annotations

import re

FORMAT = "tcbm-tracker/package"
MANIFEST = "manifest.json"
SIGNATURE = "signature"
CATALOGS = "data/catalogs.jsonl"
ACTORS = "data/actors.jsonl"
EVIDENCE = "data/evidence.jsonl"
ASSESSMENTS = "data/assessments.jsonl"
CELLS = "data/cells.jsonl"
DATA_MEMBERS = (CATALOGS, ACTORS, EVIDENCE, ASSESSMENTS, CELLS)
FILE_MEMBER = re.compile(r"^files/[0-9a-f]{64}$")

# What a reader accepts before reading anything: a package of a year of changes of a busy copy is
# a few hundred MB; anything claiming more is refused as a possible zip bomb.
MAX_MEMBERS = 200_000
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 8 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MB (JSON compresses ~10x)
RATIO_FLOOR = 1024 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024


def signed_message(manifest_bytes: bytes) -> bytes:
    """What the signature covers: a fixed prefix (so a seal can never pass for a package) and the manifest."""
    return b"tcbm-tracker package v1\x1f" + manifest_bytes
