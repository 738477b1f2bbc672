"""Sub-commands over the data: init, catalogues, measures, actors, assess, evidence, queries."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from tcbm_tracker.cli.opening import command_tracker as _tracker
from tcbm_tracker.cli.output import (
    STATUS_SYMBOLS,
    compact_matrix,
    display_width,
    print_json,
    stream_json,
    stream_table,
    table,
    table_cell,
    terminal_text,
)
from tcbm_tracker.domain.errors import ValidationError
from tcbm_tracker.domain.local_time import instant_text, instant_texts
from tcbm_tracker.domain.vocabulary import Confidence, EvidenceType, Provenance, Status
from tcbm_tracker.services import figures  # light: dataclasses and arithmetic only

# Services (SQLAlchemy, SQLModel, Alembic) are imported inside the handlers: `--help` and
# `--version` should answer at once.


def _known_note(args: argparse.Namespace) -> str:
    """Say so when a picture is cut off at what had been recorded by a date."""
    return f", as recorded by the end of {args.known_at}" if getattr(args, "known_at", None) else ""


def read_note_file(path: Path) -> str:
    """Read a note from a UTF-8 file, refusing one too long before reading all of it."""
    from tcbm_tracker.domain.validation import MAX_NOTE_CHARS

    limit = MAX_NOTE_CHARS * 4  # UTF-8 needs at most four bytes a character
    try:
        with path.open("rb") as fh:  # bounded read: /dev/zero or a huge file must not fill memory
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ValidationError("note", f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise ValidationError("note", f"{path} is longer than the {MAX_NOTE_CHARS:,}-character limit of a note")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("note", f"{path} is not UTF-8 text") from None


def _add(sub: Any, name: str, handler: Any, help_: str, description: str | None = None) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=description or help_)
    p.set_defaults(handler=handler)
    return p


def _as_of_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="the record as it stood on DATE (YYYY-MM-DD): statuses in force that day")
    p.add_argument(
        "--known-at",
        metavar="DATE",
        help="only what had been recorded by the end of DATE (rebuilds the picture shown at a past meeting)",
    )


def register(sub: Any) -> None:
    _add(sub, "init", cmd_init, "create or upgrade the database and load the shipped catalogues and actors (safe to repeat)")

    p = _add(sub, "catalogs", cmd_catalogs, "list catalogues, or load one from a file")
    p.add_argument("--load", metavar="FILE", type=Path, help="add a catalogue file, or upgrade one to its newer version")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _add(sub, "measures", cmd_measures, "list the measures of the loaded catalogues")
    p.add_argument("--catalog", metavar="KEY", help="only this catalogue (GGE2013, LTS2019, ...)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _add(sub, "actors", cmd_actors, "list actors (states and organizations), or add an organization")
    p.add_argument("--as-of", metavar="DATE", help="attributes (regional group...) as they were on DATE")
    p.add_argument(
        "--add-org",
        nargs=2,
        metavar=("KEY", "NAME"),
        help='add an intergovernmental organization, e.g. ESA "European Space Agency"',
    )
    p.add_argument("--note", help="with --add-org: a note about the organization")
    p.add_argument("--search", metavar="TEXT", help='only actors whose key, name or other name contains TEXT, e.g. "United States"')
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _add(
        sub,
        "assess",
        cmd_assess,
        "record an assessment of one actor against one measure",
        "Record an assessment. Nothing is overwritten: the new assessment is added to the cell's history.",
    )
    p.add_argument("actor", help="actor key, e.g. FRA")
    p.add_argument("measure", help="measure key, e.g. LTS-B.4")
    p.add_argument("status", help="one of: " + ", ".join(s.value for s in Status))
    p.add_argument(
        "--provenance",
        default=Provenance.ANALYST_JUDGMENT.value,
        help="one of: " + ", ".join(s.value for s in Provenance) + " (default: analyst_judgment)",
    )
    p.add_argument("--confidence", default=Confidence.MEDIUM.value, help="high, medium or low (default: medium)")
    p.add_argument("--note", help="free text (plain text, kept literally)")
    p.add_argument("--note-file", type=Path, metavar="FILE", help="read the note from a UTF-8 file")
    p.add_argument("--effective", metavar="DATE", help="date the status took effect (default: today)")
    p.add_argument("--evidence", nargs="+", default=[], metavar="ID[:PINPOINT]",
                   help="evidence numbers (see `evidence list`), each optionally with where it says so: 12:'p. 21'")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    ev = _add(sub, "evidence", cmd_evidence_list, "add, list, show, export (attached file) or correct evidence (documents and sources)")
    ev_sub = ev.add_subparsers(dest="evidence_command", metavar="ACTION")
    p = ev_sub.add_parser("add", help="add an evidence item", description="Add a document or source that assessments can cite.")
    p.set_defaults(handler=cmd_evidence_add)
    p.add_argument("--title", required=True, help="title of the document or source")
    p.add_argument("--symbol", help="UN document symbol, e.g. A/72/65")
    p.add_argument("--date", help="date of the document (YYYY-MM-DD)")
    p.add_argument("--language", help="language code, e.g. en, fr, ru")
    p.add_argument("--type", default=EvidenceType.OTHER.value, help="one of: " + ", ".join(t.value for t in EvidenceType))
    p.add_argument("--url", help="http(s) address")
    p.add_argument("--pinpoint", help="e.g. 'para. 37' or 'p. 12'")
    p.add_argument("--file", type=Path, help="attach a file (stored in the database with its SHA-256)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p = ev_sub.add_parser("list", help="list evidence", description="List evidence items.")
    p.set_defaults(handler=cmd_evidence_list)
    p.add_argument("--search", help="only items whose title or symbol contains this text")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    from tcbm_tracker.cli import evidence_commands

    evidence_commands.register(ev_sub)
    ev.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    ev.set_defaults(search=None)

    p = _add(sub, "show", cmd_show, "one actor's dossier: every measure with status, provenance, evidence")
    p.add_argument("actor", help="actor key, e.g. FRA")
    p.add_argument("--catalog", metavar="KEY", help="only this catalogue")
    _as_of_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _add(sub, "history", cmd_history, "every assessment ever recorded for one actor and measure")
    p.add_argument("actor")
    p.add_argument("measure")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _add(sub, "matrix", cmd_matrix, "actors x measures, current or as of a date")
    p.add_argument("--catalog", metavar="KEY", help="only this catalogue")
    p.add_argument("--group", help="only this group of measures, e.g. B or LTS2019/B")
    p.add_argument("--region", help="only actors of this UN regional group (AFRICA, APG, EEG, GRULAC, WEOG)")
    p.add_argument("--status", nargs="+", metavar="STATUS", help="only actors with at least one cell at one of these statuses")
    _as_of_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _add(sub, "coverage", cmd_coverage, "coverage statistics with their denominators")
    p.add_argument("--by", default="catalog", choices=["catalog", "group", "region", "actor", "measure"])
    p.add_argument("--catalog", metavar="KEY", help="only this catalogue")
    _as_of_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = _add(sub, "changes", cmd_changes, "assessments recorded since a date, with the status each replaced")
    p.add_argument("--since", required=True, metavar="DATE")
    p.add_argument("--catalog", metavar="KEY")
    p.add_argument("--json", action="store_true", help="machine-readable output")


# --- handlers ------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from tcbm_tracker.cli import database_target
    from tcbm_tracker.services.backups import daily_backup_due
    from tcbm_tracker.services.setup import initialise

    target = database_target(args)
    # made and sealed with init's first write: init may yet be refused (a server: pg_dump, not here)
    due = isinstance(target, Path) and daily_backup_due(target)
    report = initialise(target, user=args.user, daily_backup=due)
    print(f"database: {report.path}")
    m = report.migration
    if report.created:
        print(f"created with schema {m.to_revision}")
    elif m.changed:
        print(f"upgraded schema {m.from_revision} -> {m.to_revision}; backup: {m.backup}")
    else:
        print(f"schema {m.to_revision} is current")
    for c in report.catalogs:
        if c.action == "unchanged":
            print(f"catalogue {c.key} v{c.new_version}: unchanged")
        else:
            print(
                f"catalogue {c.key} v{c.new_version}: {c.action} ({len(c.added)} added, {len(c.updated)} updated, {len(c.retired)} retired)"
            )
    if report.actors:
        print(
            f"actors: {len(report.actors.added)} added, {len(report.actors.updated)} renamed or updated, "
            f"{report.actors.attributes_changed} attribute values recorded"
        )
    return 0


def cmd_catalogs(args: argparse.Namespace) -> int:
    t = _tracker(args, writing=bool(args.load))
    if args.load:
        r = t.reference.load_catalog_file(args.load)
        print(
            f"catalogue {r.key} v{r.new_version}: {r.action} ({len(r.added)} added, {len(r.updated)} updated, {len(r.retired)} retired)"
        )
        return 0
    cats = t.reference.catalogs()
    if args.json:
        print_json(cats)
    else:
        print(table(["key", "version", "title", "source"], [(c.key, c.version, c.short_title, c.source_document) for c in cats]))
    return 0


def cmd_measures(args: argparse.Namespace) -> int:
    measures = _tracker(args).reference.measures(args.catalog)
    if args.json:
        print_json(measures)
    else:
        print(
            table(
                ["key", "group", "title", "pinpoint"],
                [
                    (m.key, m.group_key, m.title, (m.pinpoint or "") + ("" if m.pinpoint_confirmed else " (not confirmed)"))
                    for m in measures
                ],
            )
        )
    return 0


def cmd_actors(args: argparse.Namespace) -> int:
    t = _tracker(args, writing=bool(args.add_org))
    if args.add_org:
        a = t.reference.add_organization(args.add_org[0], args.add_org[1], args.note)
        print(terminal_text(f"added {a.key}: {a.name}"))
        return 0
    from tcbm_tracker.domain.validation import parse_date

    day = parse_date("as of", args.as_of) if args.as_of else None
    actors = t.reference.find_actors(args.search, day) if args.search else t.reference.actors(day)
    if args.json:
        print_json(actors)
    else:
        print(table(["key", "name", "kind", "regional group"], [(a.key, a.name, a.kind.value, a.region or "") for a in actors]))
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    note = args.note
    if args.note_file is not None:
        if note is not None:
            raise ValidationError("note", "give --note or --note-file, not both")
        note = read_note_file(args.note_file)
    from tcbm_tracker.services.assessments import AssessmentInput

    ids, pins = parse_citations(args.evidence)
    t = _tracker(args, writing=True)
    a = t.assessments.record(
        AssessmentInput(
            actor=args.actor,
            measure=args.measure,
            status=args.status,
            provenance=args.provenance,
            confidence=args.confidence,
            note=note,
            effective=args.effective,
            evidence_ids=ids,
            evidence_pinpoints=pins,
        )
    )
    if args.json:
        print_json(a)
    else:
        print(f"recorded #{a.id}: {a.actor_key} {a.measure_key} {a.status.value} (effective {a.effective_date.isoformat()})")
    return 0


def parse_citations(values: list[str]) -> tuple[list[int], dict[int, str]]:
    """``["3", "12:p. 21"]`` -> ids [3, 12] and pinpoints {12: "p. 21"}; a bad number is named."""
    ids: list[int] = []
    pins: dict[int, str] = {}
    for raw in values:
        number, colon, pin = raw.partition(":")
        try:
            eid = int(number.strip())
        except ValueError:
            raise ValidationError("--evidence", f"{raw!r} is not an evidence number (give ID or ID:PINPOINT)") from None
        ids.append(eid)
        if colon:
            if not pin.strip():
                raise ValidationError("--evidence", f"{raw!r}: the pinpoint after ':' is empty")
            pins[eid] = pin.strip()
    return ids, pins


def cmd_evidence_add(args: argparse.Namespace) -> int:
    from tcbm_tracker.services.evidence import EvidenceInput

    e = _tracker(args, writing=True).evidence.add(
        EvidenceInput(
            title=args.title,
            symbol=args.symbol,
            date=args.date,
            language=args.language,
            evidence_type=args.type,
            url=args.url,
            pinpoint=args.pinpoint,
            file=args.file,
        )
    )
    if args.json:
        print_json(e)
    else:
        print(terminal_text(f"added evidence {e.id}: {e.label}" + (f" (file {e.file_name}, sha256 {e.file_sha256})" if e.file_name else "")))
    return 0


def cmd_evidence_list(args: argparse.Namespace) -> int:
    items = _tracker(args).evidence.list(args.search)
    if args.json:
        print_json(items)
    else:
        print(
            table(
                ["id", "symbol", "title", "date", "type", "pinpoint", "file"],
                [(e.id, e.symbol, e.title, e.date, e.evidence_type, e.pinpoint, e.file_name) for e in items],
            )
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    d = _tracker(args).queries.dossier(args.actor, catalog=args.catalog, as_of=args.as_of, known_at=args.known_at)
    if args.json:
        print_json(d)
        return 0
    t = _tracker(args)
    region = d.actor.region or "none"
    standing = d.actor.attributes.get("un_regional_group_standing")
    if standing:  # the United States: not a member of any group, counted with WEOG (the UN's wording)
        words = t.reference.attribute_labels("un_regional_group_standing").get(standing, standing)
        region = f"none ({words[:1].lower() + words[1:]}; counted with {region})"
    print(terminal_text(f"{d.actor.name} ({d.actor.key}), {d.actor.kind.label}, regional group: {region}; "
                        f"as of {d.as_of.isoformat()}" + _known_note(args)))
    for key, adopted in sorted(d.not_yet_adopted.items()):
        print(f"  {key}: not yet adopted on {d.as_of.isoformat()} (adopted {adopted})")
    if not d.entries:
        if not d.not_yet_adopted:
            print("no measures had been loaded into this database by then")
        return 0
    for c in d.coverage_by_catalog:
        print(
            f"  {c.label}: implementation rate {figures.rate_phrase(c)}; assessment coverage "
            f"{figures.coverage_phrase(c)}; {c.not_applicable} not applicable excluded"
        )
    rows = []
    for e in d.entries:
        a = e.assessment if e.status is not Status.NOT_ASSESSED else None  # a withdrawn cell is no judgement
        rows.append(
            (
                e.measure.key,
                e.status.label,
                a.provenance.value if a else "",
                a.confidence.value if a else "",
                a.effective_date.isoformat() if a else "",
                ", ".join(str(x.id) for x in e.evidence),
                (a.note or "") if a else "",
            )
        )
    print(table(["measure", "status", "provenance", "confidence", "effective", "evidence", "note"], rows, max_width=50))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    t = _tracker(args)
    h = t.assessments.history(args.actor, args.measure)
    # Which version of each evidence item was cited, when it has been corrected since.
    versions = t.evidence.versions(sorted({e for a in h for e in a.evidence_ids}))
    if args.json:
        print_json(h)
        return 0
    if not h:
        print(f"{args.actor.upper()} {args.measure.upper()}: no assessment recorded (not assessed)")
        return 0
    print(
        table(
            ["#", "effective", "status", "provenance", "confidence", "recorded at", "by", "evidence", "note"],
            [
                (
                    a.id,
                    a.effective_date.isoformat(),
                    a.status.value,
                    a.provenance.value,
                    a.confidence.value,
                    instant_text(a.recorded_at),
                    a.recorded_by,
                    ", ".join(versions[e].label() for e in a.evidence_ids),
                    a.note,
                )
                for a in h
            ],
            max_width=50,
        )
    )
    from tcbm_tracker.exchange.importer import import_provenance

    for a in h:  # where imported rows came from: the author above is the file's, the importer is here
        origin = import_provenance(t.db, a.id)
        if origin:
            print(f"#{a.id}: {origin}")
    return 0


def cmd_matrix(args: argparse.Namespace) -> int:
    m = _tracker(args).queries.matrix(
        catalog=args.catalog, group=args.group, region=args.region, statuses=args.status, as_of=args.as_of, known_at=args.known_at
    )
    if args.json:
        print_json(
            {
                "as_of": m.as_of,
                "known_at": m.known_at,
                "measures": [x.key for x in m.measures],
                "actors": [
                    {
                        "key": a.key,
                        "name": a.name,
                        "region": a.region,
                        "cells": {x.key: m.status(a.key, x.key).value for x in m.measures},
                    }
                    for a in m.actors
                ],
            }
        )
        return 0
    print(
        f"as of {m.as_of.isoformat()}"
        + _known_note(args)
        + f": {len(m.actors)} actors x {len(m.measures)} measures"
    )
    print("legend: " + "  ".join(f"{sym} {st.label.lower()}" for st, sym in STATUS_SYMBOLS.items()))
    print(compact_matrix(m))
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    covs = _tracker(args).queries.coverage(by=args.by, catalog=args.catalog, as_of=args.as_of, known_at=args.known_at)
    if args.json:
        print_json(covs)
        return 0
    print(
        table(
            [args.by, "cells", "n/a excluded", "in scope", "assessed", "implemented", "partial", "planned",
             "not impl.", "no info", "not assessed", "implementation rate", "assessment coverage"],
            [
                (
                    c.label,
                    c.total,
                    c.not_applicable,
                    c.in_scope,
                    c.assessed,
                    c.implemented,
                    c.count(Status.PARTIALLY_IMPLEMENTED),
                    c.count(Status.PLANNED),
                    c.count(Status.NOT_IMPLEMENTED),
                    c.count(Status.NO_INFORMATION),
                    c.count(Status.NOT_ASSESSED),
                    figures.rate_phrase(c),
                    figures.coverage_phrase(c),
                )
                for c in covs
            ],
            max_width=90,
        )
    )
    print(figures.RATE_RULE)
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    if args.json:
        # Streamed: a JSON array written change by change, whatever the number of changes.
        stream_json(_tracker(args).assessments.iter_changes_since(args.since, catalog=args.catalog))
        return 0
    # Streamed too: the narrow columns are sized first from their distinct values (one query),
    # then each change is printed as it is read (memory bounded, whatever their number).
    service = _tracker(args).assessments
    cols = service.changes_columns_since(args.since, catalog=args.catalog)
    widths = [
        max((display_width(table_cell(instant_text(_utc(day, end)))) for day in cols.days for end in (False, True)), default=0),
        max((display_width(table_cell(u)) for u in cols.authors), default=0),
        max((display_width(table_cell(a)) for a in cols.actors), default=0),
        max((display_width(table_cell(m)) for m in cols.measures), default=0),
        max(len(s.value) for s in Status), max(len(s.value) for s in Status), len("YYYY-MM-DD"),
    ]
    # Plain text rows, no object per change; each UTC minute's local text worked out once.
    when = instant_texts()
    rows = ((when(at), by, actor, measure, before, now, day, labels)
            for at, by, actor, measure, before, now, day, labels in
            service.iter_change_rows_since(args.since, catalog=args.catalog))
    headers = ["recorded at", "by", "actor", "measure", "from", "to", "effective", "evidence"]
    for line in stream_table(headers, widths, rows):
        print(line)
    return 0


def _utc(day: dt.date, end: bool) -> dt.datetime:
    """The first or last minute of a UTC day: a local zone's name can change once within it."""
    return dt.datetime.combine(day, dt.time(23, 59) if end else dt.time(0, 0), tzinfo=dt.UTC)
