"""The state compliance summary: a pure function of ``ActorSummaryData``.

Title block (the state, its groups, the date the statuses were in force), coverage per
catalogue and per group with the denominator stated, a chart of statuses, every measure with
status, provenance, confidence, effective date and a short note, the evidence cited as numbered
references, long notes in full, and how the report was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from tcbm_tracker.domain.local_time import local_day
from tcbm_tracker.reports.components import (
    NotesInFull,
    References,
    StatusBars,
    about,
    assessment_cell,
    citation,
    coverage_of,
    coverage_table,
    legend,
    standing_note,
    status_cell,
    status_style,
    table,
)
from tcbm_tracker.reports.document import Heading, Layout, Renderer
from tcbm_tracker.reports.fonts import BOLD
from tcbm_tracker.reports.model import ActorSummaryData
from tcbm_tracker.reports.one_line import text_cell
from tcbm_tracker.reports.rtl_lines import aligned
from tcbm_tracker.reports.styles import GROUP_BAND, Styles
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.dto import Coverage, DossierEntry
from tcbm_tracker.services.figures import RATE_RULE, summary_sentence

WIDTH = A4[0] - 36 * mm
KIND = "Compliance summary"
STANDING_ATTRIBUTE = "un_regional_group_standing"


def layout_for(data: ActorSummaryData) -> Layout:
    actor = data.dossier.actor
    subject = f"{actor.name} ({actor.key})"
    return Layout(
        kind=KIND,
        subject=subject,
        header_right=data.context.as_of_text,
        pdf_title=f"{KIND}: {subject}",
        pdf_subject=f"Implementation of space TCBMs and LTS guidelines by {actor.name}, {data.context.as_of_text}",
    )


def _title_block(data: ActorSummaryData, text: SafeText) -> list[Flowable]:
    actor, ctx = data.dossier.actor, data.context
    standing = actor.attributes.get(STANDING_ATTRIBUTE)
    if standing:
        # The United States: not a member of any group, though counted with WEOG for elections;
        # said as the UN's list of regional groups says it, never as a plain "WEOG".
        words = ctx.attribute_text(STANDING_ATTRIBUTE, standing)[1]
        groups = [f"UN regional group: {text.para(words[:1].lower() + words[1:])} (UN list of regional groups); "
                  f"counted with {text.para(actor.region or '–')} in the figures by regional group"]
    else:
        groups = [f"UN regional group: {text.para(ctx.region_name(actor.region))}"]
    groups += [": ".join(text.para(t) for t in ctx.attribute_text(k, actor.attributes[k]))
               for k in sorted(actor.attributes) if k not in ("un_regional_group", STANDING_ATTRIBUTE)]
    out: list[Flowable] = [
        Heading(text.para(actor.name, BOLD, field="actor name"), aligned(Styles.title, actor.name),
                outline=text.logical(actor.name), level=0),
        Paragraph(f"{KIND}  ·  {text.para(actor.kind.label)}  ·  {text.para(actor.key)}", Styles.subtitle),
        Paragraph("<br/>".join(groups), Styles.body),
        Paragraph(f"Statuses in force <b>{ctx.as_of_text}</b>. Catalogues: "
                  + "; ".join(f"{text.para(c.short_title)} ({text.para(c.key)} v{c.version}, {text.para(c.source_document)})"
                              for c in ctx.catalogs) + ".", Styles.body),
    ]
    for key, adopted in sorted(data.dossier.not_yet_adopted.items()):
        out.append(Paragraph(f"<b>{text.para(key)}: not yet adopted</b> on {data.dossier.as_of.isoformat()} (adopted "
                             f"{text.para(adopted)}); its measures are not listed.", Styles.body))
    if actor.note:
        out.append(Paragraph("<i>Note on this actor:</i> " + text.para(actor.note, field="note on this actor"), Styles.note))
    return out


def with_name(text: SafeText, sentence: str, name: str) -> str:
    """A sentence in the report's own words around an actor's name: the name is a unit of its
    own (an Arabic name stays right to left inside it), the sentence stays left to right."""
    return text.para(name, field="actor name").join(text.para(part) for part in sentence.split(name))


def _at_a_glance(data: ActorSummaryData, text: SafeText) -> list[Flowable]:
    """Page 1: one sentence with the figures, when the record was last reviewed, what changed lately."""
    d = data.dossier
    overall = coverage_of("all", (e.status for e in d.entries))
    reviewed = (f"{local_day(data.last_reviewed).isoformat()} (the most recent assessment recorded)"
                if data.last_reviewed else "never: no assessment has been recorded")
    out: list[Flowable] = [
        Heading("At a glance", Styles.h1, outline="At a glance", level=0),
        Paragraph(with_name(text, summary_sentence(d.actor.name, overall), d.actor.name), Styles.lead),
        Paragraph(f"<b>Record last reviewed:</b> {reviewed}.", Styles.body),
    ]
    if data.since is None:
        return out
    period = f"since {data.since.isoformat()}"
    if not data.changes:
        out.append(Paragraph(f"<b>What changed {period}:</b> no status changed.", Styles.body))
        return out
    down = sum(1 for c in data.changes if c.down)
    head = f"<b>What changed {period}:</b> {len(data.changes)} status{'es' if len(data.changes) != 1 else ''}"
    if down:
        head += f", {down} of them <b>down</b> (further from implementation)"
    out.append(Paragraph(head + ".", Styles.body))
    rows: list[list[object]] = [["Measure", "Before", "Now", ""]]
    extra: list[tuple[object, ...]] = []
    widths = [WIDTH * f for f in (0.2, 0.3, 0.3, 0.2)]
    for c in data.changes:
        r = len(rows)
        rows.append([text.plain(c.measure_key, BOLD), status_cell(c.before, widths[1]), status_cell(c.after, widths[2]),
                     "▼ went down" if c.down else ""])
        extra += status_style(1, r, c.before) + status_style(2, r, c.after)
        if c.down:
            extra.append(("FONT", (3, r), (3, r), BOLD, 8))
    out.append(table(rows, widths, extra=extra))
    return out


def coverage_rows(entries: Sequence[DossierEntry]) -> list[tuple[str, Coverage, bool]]:
    """(label, coverage, is_catalogue) per catalogue, each followed by its groups, in table order.

    Built from the entries' own catalogue and group keys, not from the service's label strings.
    """
    by_catalog: dict[str, dict[str, list[DossierEntry]]] = {}
    for e in entries:
        m = e.measure
        by_catalog.setdefault(m.catalog_key, {}).setdefault(f"{m.group_key}. {m.group_title}", []).append(e)
    rows: list[tuple[str, Coverage, bool]] = []
    for catalog, groups in by_catalog.items():
        rows.append((catalog, coverage_of(catalog, (e.status for g in groups.values() for e in g)), True))
        rows += [(label, coverage_of(label, (e.status for e in g)), False) for label, g in groups.items()]
    return rows


def _coverage(data: ActorSummaryData, text: SafeText) -> list[Flowable]:
    rows = coverage_rows(data.dossier.entries)
    bars = [(label if bold else "   " + label, dict(c.counts), bold) for label, c, bold in rows]
    excluded = sum(c.not_applicable for _, c, is_catalog in rows if is_catalog)
    return [
        Heading("Coverage", Styles.h1, outline="Coverage", level=0),
        coverage_table(rows, WIDTH, text),
        Spacer(1, 3),
        Paragraph(
            f"In scope: the measures less those marked not applicable ({excluded} excluded here). {RATE_RULE} "
            "Not assessed: no assessment recorded, or the last one withdrawn.",
            Styles.small),
        Spacer(1, 8),
        KeepTogether([Paragraph("Statuses by catalogue and group", Styles.h2), StatusBars(bars, WIDTH, text),
                      Spacer(1, 4), legend(WIDTH)]),
    ]


def _measure_tables(entries: list[DossierEntry], text: SafeText, refs: References, notes: NotesInFull) -> list[Flowable]:
    """A table per group of a catalogue: the group's band repeats with the column heads after a
    page break, so a page that starts mid-group still says which group it is; a measure stays
    with its note."""
    widths = [WIDTH * f for f in (0.36, 0.17, 0.17, 0.11, 0.19)]
    heads = ("Measure", "Status", "Provenance · confidence", "Effective", "Evidence")
    out: list[Flowable] = []
    for _, group_entries in groupby(entries, key=lambda e: e.measure.group_key):
        group = list(group_entries)
        g = group[0].measure
        rows: list[list[object]] = [list(heads), [text_cell(text, f"{g.group_key}. {g.group_title}", WIDTH, BOLD),
                                                  "", "", "", ""]]
        extra: list[tuple[object, ...]] = [("SPAN", (0, 1), (-1, 1)), ("BACKGROUND", (0, 1), (-1, 1), GROUP_BAND),
                                           ("FONT", (0, 1), (-1, 1), BOLD, 8, 10)]
        for i, e in enumerate(group):
            m, a = e.measure, e.assessment
            r = len(rows)
            rows.append([
                Paragraph(f"<b>{text.para(m.key, BOLD)}</b>  {text.para(m.title)}<br/>"
                          f'<font size="7.5" color="#5F6B76">{citation(text, m)}</font>', Styles.cell),
                status_cell(e.status, widths[1], recorded=a is not None),
                assessment_cell(a, widths[2]),
                a.effective_date.isoformat() if a else "–",
                refs.citations(text, a, e.evidence),
            ])
            extra += status_style(1, r, e.status)
            note = notes.short(text, f"{m.key} — note", a.note if a else None)
            if note is not None:
                rows.append([note, "", "", "", ""])
                extra += [("SPAN", (0, r + 1), (-1, r + 1)), ("LEFTPADDING", (0, r + 1), (-1, r + 1), 14),
                          ("LINEBELOW", (0, r), (-1, r), 0.25, colors.white), ("NOSPLIT", (0, r), (-1, r + 1))]
            if i == 0:  # the band never ends a page without its first measure
                extra.append(("NOSPLIT", (0, 0), (-1, len(rows) - 1)))
        out += [table(rows, widths, extra=extra, repeat_rows=2), Spacer(1, 4)]
    return out


def _measures(data: ActorSummaryData, text: SafeText, refs: References, notes: NotesInFull) -> list[Flowable]:
    out: list[Flowable] = [Heading("Measures", Styles.h1, outline="Measures", level=0)]
    cats = {c.key: c for c in data.context.catalogs}
    for cat_key, cat_entries in groupby(data.dossier.entries, key=lambda e: e.measure.catalog_key):
        cat = cats.get(cat_key)
        title = f"{cat_key} — {cat.title}" if cat else cat_key
        out.append(Heading(text.para(title), Styles.h2, outline=text.logical(title), level=1))
        out += _measure_tables(list(cat_entries), text, refs, notes)
        out.append(Spacer(1, 6))
    return out


def actor_summary_flowables(data: ActorSummaryData, text: SafeText) -> list[Flowable]:
    """Every flowable of the summary, in order (pure: no I/O)."""
    refs, notes = References(), NotesInFull()
    out = _title_block(data, text)
    out.append(standing_note(text, data.context))
    out += _at_a_glance(data, text)
    out += _coverage(data, text)
    out += _measures(data, text, refs, notes)
    out += refs.flowables(text)
    out += notes.flowables(text)
    out += about(text, data.context, WIDTH)
    return out


render_actor_summary: Renderer[ActorSummaryData] = Renderer(actor_summary_flowables, layout_for)
"""Write the report PDF for its data to a path (atomically): ``render_actor_summary(data, "out.pdf")``."""
