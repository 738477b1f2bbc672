"""Planning a package import: what is new, what is already here, what conflicts, what is refused.

Runs on one open connection (the caller's transaction) and reads only. A row is known by its
global identity (``identity``), so a package imported twice plans nothing new. A conflict is a
cell where this copy's head assessment and the package's head are both unknown to the other side
and differ in status: both copies changed the cell after their last common change.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from tcbm_tracker.domain import validation as v
from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.domain.vocabulary import ActorKind, Confidence, EvidenceType, Provenance, Status
from tcbm_tracker.exchange.packages import layout
from tcbm_tracker.exchange.packages.api import Conflict, ConflictSide, PlannedItem, Progress, Rejected, Side
from tcbm_tracker.exchange.packages.identity import local_id, uid_of
from tcbm_tracker.exchange.packages.reader import OpenedPackage
from tcbm_tracker.services import mapping

INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
UID = re.compile(r"^[0-9A-Za-z._:-]{1,100}/[0-9A-Za-z._:-]{1,40}$")
MAX_REJECTED = 1_000
HEAD_SQL = mapping.LATEST_ID_SQL.format(actor="?", measure="?").replace(":as_of", "'9999-12-31'").replace(
    ":known_at", f"'{mapping.FAR_FUTURE}'")


@dataclass
class Plan:
    """The working plan: the public ``ImportPlan``'s content plus what applying needs."""

    added: list[PlannedItem] = field(default_factory=list)
    present: list[PlannedItem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    catalogs: list[dict[str, Any]] = field(default_factory=list)  # to load (add or upgrade)
    actors: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # Assessments to add, by their line in the member: the rows are read again while merging, so
    # that a year of changes is never held in memory twice.
    assessment_lines: set[int] = field(default_factory=set)
    rejected_count: int = 0

    @property
    def assessments(self) -> int:
        return len(self.assessment_lines)

    def reject(self, entry: str, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < MAX_REJECTED:
            self.rejected.append(Rejected(entry, reason))


class Local:
    """What this copy holds, looked up by global identity."""

    def __init__(self, conn: Any, database_id: str) -> None:
        self.conn, self.db_id = conn, database_id
        self.assessment_uids = {r[0]: r[1] for r in conn.execute("SELECT uid, id FROM assessment WHERE uid IS NOT NULL")}
        self.evidence_uids = {r[0]: r[1] for r in conn.execute("SELECT uid, id FROM evidence WHERE uid IS NOT NULL")}
        self.actors = {r[0] for r in conn.execute("SELECT key FROM actor")}
        self.measures = {r[0] for r in conn.execute("SELECT key FROM measure")}
        self.catalogs = {r[0]: (int(r[1]), bool(r[2])) for r in conn.execute("SELECT key, version, builtin FROM catalog")}

    def _find(self, table: str, uid: str, merged: dict[str, int]) -> int | None:
        if uid in merged:
            return merged[uid]
        lid = local_id(uid, self.db_id)
        if lid is None:
            return None
        row = self.conn.execute(f"SELECT uid FROM {table} WHERE id = ?", (lid,)).fetchone()
        return lid if row is not None and row[0] is None else None

    def assessment(self, uid: str) -> int | None:
        return self._find("assessment", uid, self.assessment_uids)

    def evidence(self, uid: str) -> int | None:
        return self._find("evidence", uid, self.evidence_uids)


_CHECKED: dict[tuple[str, str, int, bool], bool] = {}  # single-line values already found valid (authors repeat)


def _text(row: dict[str, Any], name: str, *, required: bool = False, max_chars: int = v.MAX_TITLE_CHARS,
          multiline: bool = False) -> str | None:
    """Check a text field as the tracker checks typed text; it must already be stored that way
    (trimmed, NFC), since it is merged as it is."""
    value = row.get(name)
    if value is None:
        if required:
            raise ValidationError(name, "is required")
        return None
    if not isinstance(value, str):
        raise ValidationError(name, f"must be text, not {type(value).__name__}")
    if multiline and len(value) <= max_chars and value.isprintable() and value == value.strip() \
            and unicodedata.is_normalized("NFC", value):
        return value  # a note with no line break or control character: nothing clean_text would change
    memo = (name, value, max_chars, multiline)
    if not multiline and memo in _CHECKED:
        return value
    cleaned = v.clean_text(name, value, max_chars=max_chars, required=required, multiline=multiline, allow_markup=multiline)
    if cleaned != value:
        raise ValidationError(name, "is not stored as the tracker stores text (trimmed, NFC, Unix line ends)")
    if not multiline and len(_CHECKED) < 100_000:
        _CHECKED[memo] = True
    return value


def _day(row: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = row.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValidationError(name, f"{str(value)[:40]!r} is not a date in the form YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(name, f"{value!r} is not a real calendar date") from None
    return value


def _uid(row: dict[str, Any], name: str = "uid") -> str:
    value = row.get(name)
    if not isinstance(value, str) or not UID.match(value):
        raise ValidationError(name, f"{str(value)[:60]!r} is not a global identity")
    return value


def _catalogs(package: OpenedPackage, local: Local, plan: Plan, new_measures: set[str]) -> None:
    for number, row in package.rows(layout.CATALOGS):
        entry = f"{layout.CATALOGS} line {number}"
        try:
            key = v.parse_catalog_key(str(row.get("key")))
            version = row.get("version")
            if not isinstance(version, int) or isinstance(version, bool) or version < 1:
                raise ValidationError("version", f"{version!r} is not a catalogue version")
            groups = row.get("groups")
            measures = row.get("measures")
            if not isinstance(groups, list) or not isinstance(measures, list) or not measures:
                raise ValidationError("measures", "a catalogue needs its groups and measures")
            group_keys = set()
            for g in groups:
                group_keys.add(_text(g, "key", required=True, max_chars=v.MAX_SHORT_CHARS))
                _text(g, "title", required=True)
            for m in measures:
                v.parse_measure_key(str(m.get("key")))
                if m.get("group") not in group_keys:
                    raise ValidationError("measures", f"measure {m.get('key')} names an unknown group {str(m.get('group'))[:40]!r}")
                _text(m, "title", required=True, max_chars=v.MAX_NOTE_CHARS)
                _text(m, "source_document", required=True)
                for name in ("heading", "pinpoint", "pinpoint_note", "agreed"):
                    _text(m, name, max_chars=v.MAX_TITLE_CHARS)
                _text(m, "description", max_chars=v.MAX_NOTE_CHARS, multiline=True)
                if not isinstance(m.get("sort_order"), int) or isinstance(m.get("sort_order"), bool):
                    raise ValidationError("measures", f"measure {m.get('key')} has no sort order")
            _text(row, "title", required=True)
            _text(row, "short_title", required=True)
            _text(row, "source_document", required=True)
            _text(row, "adopted", max_chars=v.MAX_SHORT_CHARS)
            _text(row, "description", max_chars=v.MAX_NOTE_CHARS, multiline=True)
        except (ValidationError, AttributeError, TypeError) as exc:
            plan.reject(entry, str(getattr(exc, "message", exc)))
            continue
        have = local.catalogs.get(key)
        if have is not None and have[1]:
            plan.reject(entry, f"catalogue {key} is shipped with the application; a package cannot change it")
        elif have is not None and have[0] >= version:
            plan.present.append(PlannedItem("catalog", key, f"catalogue {key} version {version} (here: version {have[0]})"))
        else:
            what = "new" if have is None else f"upgrade from version {have[0]}"
            plan.added.append(PlannedItem("catalog", key, f"catalogue {key} version {version} ({what})"))
            plan.catalogs.append(row)
            new_measures.update(str(m["key"]).strip().upper() for m in measures)


def _actors(package: OpenedPackage, local: Local, plan: Plan, new_actors: set[str]) -> None:
    for number, row in package.rows(layout.ACTORS):
        entry = f"{layout.ACTORS} line {number}"
        try:
            key = v.parse_actor_key(str(row.get("key")))
            name = _text(row, "name", required=True, max_chars=v.MAX_NAME_CHARS)
            if row.get("kind") not in {k.value for k in ActorKind}:
                raise ValidationError("kind", f"unknown value {str(row.get('kind'))[:40]!r}")
            _text(row, "note")
            if not isinstance(row.get("created_at"), str) or not INSTANT.match(row["created_at"]):
                raise ValidationError("created_at", "is not a UTC instant")
        except ValidationError as exc:
            plan.reject(entry, exc.message)
            continue
        if key in local.actors:
            plan.present.append(PlannedItem("actor", key, f"{key} {name}"))
        else:
            plan.added.append(PlannedItem("actor", key, f"{key} {name}"))
            plan.actors.append({**row, "key": key})
            new_actors.add(key)


def _evidence(package: OpenedPackage, local: Local, plan: Plan, new_evidence: dict[str, str]) -> None:
    members = package.manifest["members"]
    seen: set[str] = set()
    for number, row in package.rows(layout.EVIDENCE):
        entry = f"{layout.EVIDENCE} line {number}"
        try:
            uid = _uid(row)
            if uid in new_evidence or uid in seen:
                raise ValidationError("uid", f"evidence {uid} appears twice in the package")
            seen.add(uid)
            here = local.evidence(uid)
            if here is not None:
                found = local.conn.execute("SELECT title, created_at, file_sha256 FROM evidence WHERE id = ?", (here,)).fetchone()
                if tuple(found) != (row.get("title"), row.get("created_at"), row.get("file_sha256")):
                    raise ValidationError("uid", f"evidence {uid} is here with other content ({str(found[0])[:40]!r}): "
                                                 "the package was made wrongly or forged")
                plan.present.append(PlannedItem("evidence", uid, f"evidence {uid}: {str(row.get('title'))[:60]}"))
                continue
            title = _text(row, "title", required=True)
            for name in ("symbol", "language", "pinpoint", "file_name"):
                _text(row, name, max_chars=v.MAX_TITLE_CHARS)
            _text(row, "recorded_by", required=True, max_chars=v.MAX_SHORT_CHARS)
            _text(row, "url", max_chars=v.MAX_URL_CHARS)
            _text(row, "origin", required=True, max_chars=v.MAX_SHORT_CHARS)
            _text(row, "reason", max_chars=v.MAX_TITLE_CHARS)
            if row.get("evidence_type") not in {t.value for t in EvidenceType}:
                raise ValidationError("evidence_type", f"unknown value {str(row.get('evidence_type'))[:40]!r}")
            _day(row, "date", required=False)
            if not isinstance(row.get("created_at"), str) or not INSTANT.match(row["created_at"]):
                raise ValidationError("created_at", "is not a UTC instant")
            sha = row.get("file_sha256")
            if sha is not None:
                size = row.get("file_size")
                if not isinstance(sha, str) or f"files/{sha}" not in members:
                    raise ValidationError("file_sha256", "names an attached file the package does not hold")
                if size != members[f"files/{sha}"]["size"]:
                    raise ValidationError("file_size", "does not match the attached file's size")
                if size > v.MAX_ATTACHMENT_BYTES:
                    raise ValidationError("file_size", f"{size:,} bytes: attached files are at most {v.MAX_ATTACHMENT_BYTES:,}")
            corrects = row.get("corrects")
            if corrects is not None and local.evidence(_uid(row, "corrects")) is None and corrects not in new_evidence:
                raise ValidationError("corrects", f"corrects evidence {corrects}, which neither this copy nor the package holds")
        except ValidationError as exc:
            plan.reject(entry, f"{exc.message}")
            continue
        plan.added.append(PlannedItem("evidence", uid, f"evidence {uid}: {str(title)[:60]}"))
        plan.evidence.append(row)
        new_evidence[uid] = str(title)


_VALUES = (("status", frozenset(m.value for m in Status)), ("provenance", frozenset(m.value for m in Provenance)),
           ("confidence", frozenset(m.value for m in Confidence)))


def _statuses(row: dict[str, Any]) -> None:
    for name, allowed in _VALUES:
        value = row.get(name)
        if not isinstance(value, str) or value not in allowed:
            raise ValidationError(name, f"unknown value {str(value)[:40]!r}")
    if row["status"] == Status.NOT_ASSESSED.value:
        raise ValidationError("status", "'not_assessed' is the state of a cell nobody assessed, never recorded")


def _assessments(package: OpenedPackage, local: Local, plan: Plan, actors: set[str], measures: set[str],
                 new_evidence: dict[str, str], heads: set[str], progress: Progress | None) -> dict[str, dict[str, Any]]:
    head_rows: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    total = package.summary.assessments
    if progress is not None:
        progress(0, total)
    for number, row in package.rows(layout.ASSESSMENTS):
        if progress is not None and number % 5000 == 0:
            progress(number, total)
        entry = f"{layout.ASSESSMENTS} line {number}"
        try:
            uid = _uid(row)
            if uid in seen:
                raise ValidationError("uid", f"assessment {uid} appears twice in the package")
            seen.add(uid)
            what = f"{row.get('actor')} {row.get('measure')} {row.get('effective_date')} {row.get('status')}"
            here = local.assessment(uid)
            if here is not None:
                found = local.conn.execute("SELECT actor_key, measure_key, status, effective_date, recorded_at FROM assessment "
                                           "WHERE id = ?", (here,)).fetchone()
                if tuple(found) != tuple(row.get(k) for k in ("actor", "measure", "status", "effective_date", "recorded_at")):
                    raise ValidationError("uid", f"assessment {uid} is here with other content ({' '.join(found[:3])}): "
                                                 "the package was made wrongly or forged")
                plan.present.append(PlannedItem("assessment", uid, what))
                continue
            if row.get("actor") not in actors:
                raise ValidationError("actor", f"unknown actor {str(row.get('actor'))[:40]!r}")
            if row.get("measure") not in measures:
                raise ValidationError("measure", f"unknown measure {str(row.get('measure'))[:40]!r}")
            _statuses(row)
            _day(row, "effective_date", required=True)
            if not isinstance(row.get("recorded_at"), str) or not INSTANT.match(row["recorded_at"]):
                raise ValidationError("recorded_at", f"{str(row.get('recorded_at'))[:40]!r} is not a UTC instant")
            _text(row, "note", max_chars=v.MAX_NOTE_CHARS, multiline=True)
            _text(row, "recorded_by", required=True, max_chars=v.MAX_SHORT_CHARS)
            _text(row, "origin", required=True, max_chars=v.MAX_SHORT_CHARS)
            cites = row.get("evidence")
            if not isinstance(cites, list):
                raise ValidationError("evidence", "must be a list")
            for cite in cites:
                if not isinstance(cite, list) or len(cite) != 2:
                    raise ValidationError("evidence", "each citation is [evidence, pinpoint]")
                if not isinstance(cite[0], str) or (local.evidence(cite[0]) is None and cite[0] not in new_evidence):
                    raise ValidationError("evidence", f"cites evidence {str(cite[0])[:60]}, which neither this copy nor the "
                                                      "package holds")
                if cite[1] is not None:
                    v.clean_text("pinpoint", cite[1], max_chars=v.MAX_SHORT_CHARS)
            if len({c[0] for c in cites}) != len(cites):
                raise ValidationError("evidence", "cites the same evidence twice")
        except ValidationError as exc:
            plan.reject(entry, exc.message)
            continue
        plan.added.append(PlannedItem("assessment", uid, what))
        plan.assessment_lines.add(number)
        if uid in heads:
            head_rows[uid] = row
    return head_rows


def _side(local: Local, aid: int | None, row: dict[str, Any] | None, titles: dict[str, str]) -> ConflictSide:
    conn = local.conn
    if aid is not None:
        r = conn.execute("SELECT id, uid, origin, status, effective_date, recorded_by, recorded_at, note FROM assessment "
                         "WHERE id = ?", (aid,)).fetchone()
        names = tuple(t for (t,) in conn.execute(
            "SELECT e.title FROM assessment_evidence l JOIN evidence e ON e.id = l.evidence_id WHERE l.assessment_id = ? "
            "ORDER BY l.evidence_id", (aid,)))
        return ConflictSide(uid_of(r[1], local.db_id, r[0]), r[3], dt.date.fromisoformat(r[4]), r[5], r[6], r[2] or "",
                            r[7], names)
    assert row is not None
    their_names: list[str] = []
    for cite in row["evidence"]:
        eid = local.evidence(cite[0])
        if eid is not None:
            their_names.append(conn.execute("SELECT title FROM evidence WHERE id = ?", (eid,)).fetchone()[0])
        else:
            their_names.append(titles.get(cite[0], cite[0]))
    return ConflictSide(row["uid"], row["status"], dt.date.fromisoformat(row["effective_date"]), row["recorded_by"],
                        row["recorded_at"], row["origin"], row.get("note"), tuple(their_names))


def _order_key(side: ConflictSide) -> tuple[str, str, str]:
    return (side.effective_date.isoformat(), side.recorded_at, side.uid)


def make_plan(package: OpenedPackage, local: Local, progress: Progress | None = None) -> Plan:
    """The plan of merging ``package`` into ``local``; ``progress`` is called now and then (it may raise to cancel)."""
    plan = Plan()
    new_measures: set[str] = set()
    new_actors: set[str] = set()
    new_evidence: dict[str, str] = {}
    _catalogs(package, local, plan, new_measures)
    _actors(package, local, plan, new_actors)
    _evidence(package, local, plan, new_evidence)
    cells: list[dict[str, Any]] = []
    for number, row in package.rows(layout.CELLS):
        if not isinstance(row.get("head"), str) or not isinstance(row.get("known"), list):
            plan.reject(f"{layout.CELLS} line {number}", "needs the cell's head and the identities it holds")
            continue
        cells.append(row)
    heads = {c["head"] for c in cells}
    head_rows = _assessments(package, local, plan, local.actors | new_actors, local.measures | new_measures,
                             new_evidence, heads, progress)
    for cell in cells:
        their_head = head_rows.get(cell["head"])
        if their_head is None:
            continue  # their head is here already (or refused): no conflict
        mine = local.conn.execute(HEAD_SQL, (cell.get("actor"), cell.get("measure"))).fetchone()
        if mine is None:
            continue
        mine_side = _side(local, int(mine[0]), None, new_evidence)
        if mine_side.uid in set(cell["known"]) or mine_side.status == their_head["status"]:
            continue
        theirs_side = _side(local, None, their_head, new_evidence)
        newest: Side = "mine" if _order_key(mine_side) > _order_key(theirs_side) else "theirs"
        plan.conflicts.append(Conflict(f"{cell['actor']}/{cell['measure']}", cell["actor"], cell["measure"],
                                       mine_side, theirs_side, newest))
    return plan
