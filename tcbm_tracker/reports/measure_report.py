"""The measure report: one measure's official title and source, and every actor by status.

A pure function of ``MeasureReportData``: coverage across actors and per UN regional group,
then one table per status (implemented first) with provenance, confidence, effective date,
evidence references and notes; the actors not yet assessed are listed compactly by name.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from tcbm_tracker.domain.vocabulary import ActorKind, Status
from tcbm_tracker.reports.components import (
    NotesInFull,
    References,
    StatusBars,
    about,
    assessment_cell,
    citation,
    coverage_of,
    coverage_table,
    kv_table,
    legend,
    standing_note,
    swatch,
    table,
)
from tcbm_tracker.reports.document import Heading, Layout, Renderer
from tcbm_tracker.reports.fonts import BOLD
from tcbm_tracker.reports.model import MeasureReportData
from tcbm_tracker.reports.one_line import text_cell
from tcbm_tracker.reports.rtl_lines import aligned
from tcbm_tracker.reports.styles import LEGEND_ORDER, Styles, look
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.dto import Coverage, MeasureOverviewEntry
from tcbm_tracker.services.figures import OBSERVER_STANDING, RATE_RULE, member_states, peer_coverage, region_standing

WIDTH = A4[0] - 36 * mm
KIND = "Measure report"


def layout_for(data: MeasureReportData) -> Layout:
    m = data.overview.measure
    return Layout(kind=KIND, subject=m.key, header_right=data.context.as_of_text,
                  pdf_title=f"{KIND}: {m.key} {m.title}",
                  pdf_subject=f"Implementation of {m.key} by every actor, {data.context.as_of_text}")


def _coverage_rows(entries: tuple[MeasureOverviewEntry, ...], data: MeasureReportData) -> list[tuple[str, Coverage, bool]]:
    """All UN member states, then per regional group (member states only), observer states and
    organizations apart (``figures.peer_groups``)."""
    status = {e.actor.key: e.status for e in entries}
    actors = [e.actor for e in entries]
    members = member_states(actors)
    rows = [(f"UN member states: {len(members)}", coverage_of("UN member states", (status[a.key] for a in members)), True)]
    for group, cov in peer_coverage(actors, lambda a: (status[a.key],), data.context.region_name):
        rows.append((group.label, cov, False))
    return rows


def _head(data: MeasureReportData, text: SafeText) -> list[Flowable]:
    m, ctx = data.overview.measure, data.context
    cat = next((c for c in ctx.catalogs if c.key == m.catalog_key), None)
    pairs = [
        ("Catalogue", text.para(f"{cat.key} version {cat.version}: {cat.title}" if cat else m.catalog_key)),
        ("Group", text.para(f"{m.group_key}. {m.group_title}")),
        ("Source", citation(text, m)),
    ]
    if m.heading:
        pairs.append(("Heading", text.para(m.heading)))
    if m.agreed:
        pairs.append(("Agreed", text.para(m.agreed)))
    if m.pinpoint_note:
        pairs.append(("On the pinpoint", text.para(m.pinpoint_note)))
    if m.description:
        pairs.append(("Description", text.para(m.description)))
    if m.retired:
        pairs.append(("Retired", "This measure was retired by a newer catalogue version."))
    pairs.append(("Statuses", f"in force {ctx.as_of_text}"))
    return [
        Heading(text.para(m.key, BOLD), Styles.title, outline=text.logical(f"{m.key} {m.title}"), level=0),
        Paragraph(text.para(m.title), aligned(Styles.lead, m.title)),
        kv_table(pairs, WIDTH),
    ]


def _group_text(e: MeasureOverviewEntry) -> str:
    """The actor's peer group in the status tables: its regional group, or what kind of actor it is."""
    if e.actor.kind is ActorKind.ORGANIZATION:
        return "Organization"
    if e.actor.kind is ActorKind.OBSERVER_STATE:
        return "Observer state"
    if region_standing(e.actor) == OBSERVER_STANDING:
        return f"{e.actor.region} (observer)"
    return e.actor.region or "–"


def _status_table(entries: list[MeasureOverviewEntry], data: MeasureReportData, text: SafeText, refs: References,
                  notes: NotesInFull) -> Table:
    widths = [WIDTH * f for f in (0.30, 0.12, 0.22, 0.13, 0.23)]
    rows: list[list[object]] = [["Actor", "Group", "Provenance · confidence", "Effective", "Evidence"]]
    extra: list[tuple[object, ...]] = []
    for e in entries:
        a = e.assessment
        r = len(rows)
        rows.append([
            Paragraph(f"{text.para(e.actor.name)} <font color='#5F6B76'>({text.para(e.actor.key)})</font>",
                      aligned(Styles.cell, e.actor.name)),
            text_cell(text, _group_text(e), widths[1]),
            assessment_cell(a, widths[2]),
            a.effective_date.isoformat() if a else "–",
            refs.citations(text, a, e.evidence),
        ])
        note = notes.short(text, f"{e.actor.name} ({e.actor.key}) — note", a.note if a else None)
        if note is not None:
            rows.append([note, "", "", "", ""])
            extra += [("SPAN", (0, r + 1), (-1, r + 1)), ("LEFTPADDING", (0, r + 1), (-1, r + 1), 14),
                      ("NOSPLIT", (0, r), (-1, r + 1))]
    return table(rows, widths, extra=extra)


def measure_report_flowables(data: MeasureReportData, text: SafeText) -> list[Flowable]:
    """Every flowable of the measure report, in order (pure: no I/O)."""
    refs, notes = References(), NotesInFull()
    entries = data.overview.entries
    cov_rows = _coverage_rows(entries, data)
    out = _head(data, text)
    out.append(standing_note(text, data.context, [data.overview.measure.catalog_key]))
    if data.overview.not_yet_adopted:
        out.append(Paragraph(f"<b>Not yet adopted</b> on {data.overview.as_of.isoformat()}: this measure took effect "
                             f"on {text.para(data.overview.not_yet_adopted)}; no status could be in force before it.",
                             Styles.body))
    out += [
        Heading("Coverage", Styles.h1, outline="Coverage", level=0),
        coverage_table(cov_rows, WIDTH, text, scope="Actors"),
        Spacer(1, 3),
        Paragraph("One cell per actor. In scope: actors less those for which the measure is marked not applicable. "
                  f"{RATE_RULE} Regional groups count UN member states only; observer states and organizations "
                  "are counted apart.", Styles.small),
        Spacer(1, 6),
        KeepTogether([StatusBars([(label, dict(c.counts), bold) for label, c, bold in cov_rows], WIDTH, text),
                      Spacer(1, 4), legend(WIDTH)]),
        Heading("Actors by status", Styles.h1, outline="Actors by status", level=0),
    ]
    for status in LEGEND_ORDER:
        group = [e for e in entries if e.status is status]
        lk = look(status)
        title = f"{swatch(status)} {lk.symbol} {lk.label} ({len(group)})"
        out.append(Heading(title, Styles.h2, outline=f"{lk.label} ({len(group)})", level=1))
        if not group:
            out.append(Paragraph("None.", Styles.small))
        elif status is Status.NOT_ASSESSED:
            names = ", ".join(f"{text.para(e.actor.name)} ({text.para(e.actor.key)})" for e in group)
            out.append(Paragraph(names + ".", Styles.note))
        else:
            out.append(_status_table(group, data, text, refs, notes))
    out += refs.flowables(text)
    out += notes.flowables(text)
    out += about(text, data.context, WIDTH)
    return out


render_measure_report: Renderer[MeasureReportData] = Renderer(measure_report_flowables, layout_for)
"""Write the report PDF for its data to a path (atomically): ``render_measure_report(data, "out.pdf")``."""
