"""The catalogue file format: parse and validate a catalogue document into plain dataclasses.

A catalogue file (``resources/catalogs/*.json``, or one a user supplies) describes one set of
measures with a version number. Validation here is complete: storage only has to check what
depends on the database (a key used by another catalogue, a version older than the loaded one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import CatalogError, ValidationError
from tcbm_tracker.domain.json_input import JsonInputError, decode_json_bytes

FORMAT = "tcbm-tracker/catalog"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_VERSION = 2**31 - 1  # stored in an SQLite integer; anything larger is a typo


@dataclass(frozen=True)
class GroupSpec:
    key: str
    title: str


@dataclass(frozen=True)
class MeasureSpec:
    key: str
    group: str
    heading: str | None
    title: str
    description: str | None
    source_document: str
    pinpoint: str | None
    pinpoint_confirmed: bool
    pinpoint_note: str | None
    agreed: str | None
    sort_order: int
    pinpoint_source: str | None = None  # the document and place a confirmed pinpoint was checked in


@dataclass(frozen=True)
class CatalogSpec:
    key: str
    version: int
    title: str
    short_title: str
    source_document: str
    adopted: str | None
    description: str | None
    groups: tuple[GroupSpec, ...]
    measures: tuple[MeasureSpec, ...]


def load_catalog_file(path: Path) -> CatalogSpec:
    """Read and validate a catalogue file; every problem is a ``CatalogError`` naming the file."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CatalogError(f"{path.name}: file is {size:,} bytes; a catalogue is at most {MAX_FILE_BYTES:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read catalogue file {path}: {exc.strerror or exc}") from None
    try:
        doc = decode_json_bytes(raw)
    except JsonInputError as exc:
        raise CatalogError(f"{path.name}: {exc}") from None
    return parse_catalog(doc, source=path.name)


def _get(obj: dict[str, Any], name: str, where: str, kind: type | tuple[type, ...], required: bool = True) -> Any:
    if name not in obj or obj[name] is None:
        if required:
            raise CatalogError(f"{where}: missing field {name!r}")
        return None
    value = obj[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise CatalogError(f"{where}: field {name!r} must be {expected}")
    return value


def _text(
    obj: dict[str, Any], name: str, where: str, *, max_chars: int, required: bool = True, multiline: bool = False
) -> str | None:
    value = _get(obj, name, where, str, required)
    try:
        return v.clean_text(name, value, max_chars=max_chars, required=required, multiline=multiline)
    except ValidationError as exc:
        raise CatalogError(f"{where}: {exc.message}") from None


def parse_catalog(doc: Any, *, source: str = "catalogue") -> CatalogSpec:
    if not isinstance(doc, dict):
        raise CatalogError(f"{source}: a catalogue must be a JSON object")
    if doc.get("format") != FORMAT:
        raise CatalogError(f"{source}: not a TCBM Tracker catalogue (field 'format' must be {FORMAT!r})")
    fmt_version = _get(doc, "format_version", source, int)
    if fmt_version != FORMAT_VERSION:
        raise CatalogError(f"{source}: catalogue format version {fmt_version} is not supported (expected {FORMAT_VERSION})")
    try:
        key = v.parse_catalog_key(_get(doc, "key", source, str))
    except ValidationError as exc:
        raise CatalogError(f"{source}: {exc.message}") from None
    where = f"{source} ({key})"
    version = _get(doc, "version", where, int)
    if not 1 <= version <= MAX_VERSION:
        raise CatalogError(f"{where}: version must be a whole number from 1 to {MAX_VERSION:,}")
    title = _text(doc, "title", where, max_chars=v.MAX_TITLE_CHARS)
    short_title = _text(doc, "short_title", where, max_chars=v.MAX_NAME_CHARS, required=False) or title
    source_document = _text(doc, "source_document", where, max_chars=v.MAX_SHORT_CHARS)
    adopted = _text(doc, "adopted", where, max_chars=10, required=False)
    if adopted is not None:
        try:
            v.parse_date("adopted", adopted)
        except ValidationError as exc:
            raise CatalogError(f"{where}: {exc.message}") from None
    description = _text(doc, "description", where, max_chars=5_000, required=False, multiline=True)

    groups_raw = _get(doc, "groups", where, list)
    groups: list[GroupSpec] = []
    for i, g in enumerate(groups_raw):
        gw = f"{where} group #{i + 1}"
        if not isinstance(g, dict):
            raise CatalogError(f"{gw}: must be an object")
        gkey = _text(g, "key", gw, max_chars=16)
        if any(existing.key == gkey for existing in groups):
            raise CatalogError(f"{where}: group key {gkey!r} is used twice")
        groups.append(GroupSpec(key=gkey or "", title=_text(g, "title", gw, max_chars=v.MAX_TITLE_CHARS) or ""))
    if not groups:
        raise CatalogError(f"{where}: a catalogue needs at least one group")
    group_keys = {g.key for g in groups}

    measures_raw = _get(doc, "measures", where, list)
    if not measures_raw:
        raise CatalogError(f"{where}: a catalogue needs at least one measure")
    measures: list[MeasureSpec] = []
    seen: set[str] = set()
    for i, m in enumerate(measures_raw):
        mw = f"{where} measure #{i + 1}"
        if not isinstance(m, dict):
            raise CatalogError(f"{mw}: must be an object")
        try:
            mkey = v.parse_measure_key(_get(m, "key", mw, str))
        except ValidationError as exc:
            raise CatalogError(f"{mw}: {exc.message}") from None
        mw = f"{where} measure {mkey}"
        if mkey in seen:
            raise CatalogError(f"{where}: measure key {mkey} is used twice")
        seen.add(mkey)
        group = _get(m, "group", mw, str)
        if group not in group_keys:
            raise CatalogError(f"{mw}: group {group!r} is not one of the catalogue's groups ({', '.join(sorted(group_keys))})")
        confirmed = _get(m, "pinpoint_confirmed", mw, bool, required=False)
        pinpoint = _text(m, "pinpoint", mw, max_chars=v.MAX_SHORT_CHARS, required=False)
        pinpoint_source = _text(m, "pinpoint_source", mw, max_chars=v.MAX_TITLE_CHARS, required=False)
        if confirmed and pinpoint is not None and not pinpoint_source:
            raise CatalogError(
                f"{mw}: a confirmed pinpoint needs 'pinpoint_source' naming the document and where it was checked; "
                "otherwise set 'pinpoint_confirmed' to false"
            )
        measures.append(
            MeasureSpec(
                key=mkey,
                group=group,
                heading=_text(m, "heading", mw, max_chars=v.MAX_TITLE_CHARS, required=False),
                title=_text(m, "title", mw, max_chars=v.MAX_TITLE_CHARS) or "",
                description=_text(m, "description", mw, max_chars=5_000, required=False, multiline=True),
                source_document=_text(m, "source_document", mw, max_chars=v.MAX_SHORT_CHARS, required=False)
                or source_document
                or "",
                pinpoint=pinpoint,
                # An absent flag never promotes a pinpoint to "confirmed".
                pinpoint_confirmed=bool(confirmed) and pinpoint is not None,
                pinpoint_note=_text(m, "pinpoint_note", mw, max_chars=v.MAX_TITLE_CHARS, required=False),
                agreed=_text(m, "agreed", mw, max_chars=10, required=False),
                sort_order=i,
                pinpoint_source=pinpoint_source,
            )
        )
    return CatalogSpec(
        key=key,
        version=version,
        title=title or "",
        short_title=short_title or "",
        source_document=source_document or "",
        adopted=adopted,
        description=description,
        groups=tuple(groups),
        measures=tuple(measures),
    )
