"""The changes report: every assessment recorded since a date, who recorded it, and the evidence.

A pure function of ``ChangesReportData``: a summary (how many, by whom, to which statuses),
then one table per day of recording with the status each assessment replaced and the new one,
notes below their row, the evidence as numbered references, long notes in full.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import groupby
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table

from tcbm_tracker.domain.local_time import clock_time, instant_text, local_day, zone
from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.reports.components import (
    NotesInFull,
    References,
    about,
    cell,
    hexcolor,
    kv_table,
    legend,
    lines,
    standing_note,
    status_cell,
    status_label,
    status_style,
    swatch,
    table,
)
from tcbm_tracker.reports.document import Heading, Layout, Renderer
from tcbm_tracker.reports.fonts import BOLD
from tcbm_tracker.reports.model import ChangesReportData, ChangeStanding
from tcbm_tracker.reports.styles import LEGEND_ORDER, WARNING, Styles, look
from tcbm_tracker.reports.text import SafeText, shorten
from tcbm_tracker.services.dto import AssessmentInfo, Change

WIDTH = A4[0] - 36 * mm
KIND = "Changes report"


def layout_for(data: ChangesReportData) -> Layout:
    scope = f"since {data.since.isoformat()}" + (f", {data.catalog}" if data.catalog else "")
    return Layout(kind=KIND, subject=scope, header_right=f"recorded {data.since.isoformat()} to {data.context.generated_day.isoformat()}",
                  pdf_title=f"{KIND}: assessments recorded {scope}",
                  pdf_subject=f"Assessments recorded {scope}, with who recorded them and the evidence")


def _summary(data: ChangesReportData, text: SafeText) -> list[Flowable]:
    changes = data.changes
    by_user = Counter(c.assessment.recorded_by for c in changes)
    by_status = Counter(c.assessment.status for c in changes)
    pairs = [
        ("Assessments", f"{len(changes)} recorded from {data.since.isoformat()} to {data.context.generated_text}"),
        ("Actors", str(len({c.assessment.actor_key for c in changes}))),
        ("Measures", str(len({c.assessment.measure_key for c in changes}))),
        ("Recorded by", ", ".join(f"{text.para(u)} ({n})" for u, n in by_user.most_common()) or "–"),
        ("Statuses recorded", "&nbsp;&nbsp; ".join(f"{swatch(s)} {status_label(s, recorded=True)} ({by_status[s]})"
                                                    for s in LEGEND_ORDER if by_status[s]) or "–"),
    ]
    back_dated = sum(1 for c in changes if _standing(data, c).back_dated)
    if back_dated:
        pairs.append(("Back-dated", f"{back_dated} of the {len(changes)} assessments corrected the record for an earlier "
                                    "date: the status in force today did not change with them (marked “back-dated” below)."))
    if data.catalog:
        pairs.insert(0, ("Catalogue", text.para(data.catalog)))
    return [kv_table(pairs, WIDTH)]


def _standing(data: ChangesReportData, change: Change) -> ChangeStanding:
    # Data built without standings (by hand, in tests) reads every change as current.
    return data.standing.get(change.assessment.id) or ChangeStanding(False, change.assessment, True)


def _in_force_text(standing: ChangeStanding) -> str:
    a = standing.in_force
    if a is None:
        return f"the cell is {look(Status.NOT_ASSESSED).symbol} Not assessed today"
    if a.status is Status.NOT_ASSESSED:
        return (f"the cell is {look(Status.NOT_ASSESSED).symbol} Not assessed today "
                f"(assessment withdrawn, effective {a.effective_date.isoformat()})")
    return f"the status in force today is {look(a.status).symbol} {look(a.status).label} (effective {a.effective_date.isoformat()})"


def _standing_text(a: AssessmentInfo, standing: ChangeStanding, today: dt.date) -> str | None:
    """A line under a change that is not today's status, saying why and what is in force."""
    if standing.is_current:
        return None
    effective, in_force = a.effective_date.isoformat(), _in_force_text(standing)
    if standing.back_dated:
        return (f"<b>Back-dated to {effective}:</b> this corrects the record for that date. "
                f"{in_force[0].upper()}{in_force[1:]}, unchanged by this entry.")
    if a.effective_date > today:
        return f"<b>Takes effect on {effective}:</b> {in_force}."
    return f"<b>Since replaced:</b> {in_force}."


def _day_table(changes: list[Change], data: ChangesReportData, text: SafeText, refs: References, notes: NotesInFull,
               report_zone: str) -> Table:
    # "By" is wide enough for a user name of a dozen characters on one line (never broken mid-word).
    widths = [WIDTH * f for f in (0.07, 0.16, 0.12, 0.14, 0.15, 0.13, 0.14, 0.09)]
    # "Before" and "Recorded" are the statuses on the effective date; a line below a change says
    # what is in force today when that differs (back-dated or since replaced).
    heads = ("Time", "Actor", "Measure", "Before", "Recorded", "Effective", "By", "Evidence")
    rows: list[list[Any]] = [list(heads)]
    extra: list[tuple[Any, ...]] = []
    for ch in changes:
        a = ch.assessment
        actor = data.actors.get(a.actor_key)
        r = len(rows)
        # The zone is stated once under the title; a time in another offset (summer time
        # began or ended within the period) carries its own.
        when = clock_time(a.recorded_at)
        if zone(a.recorded_at) != report_zone:
            when += " " + zone(a.recorded_at).split(" ")[0]
        standing = _standing(data, ch)
        effective: Any = a.effective_date.isoformat()
        if standing.back_dated:
            effective = Paragraph(f"<b>{effective}</b><br/><font color='{hexcolor(WARNING)}'>back-dated</font>", Styles.cell)
        rows.append([
            lines(when, widths[0]),
            cell(text, f"{actor.name} ({a.actor_key})" if actor else a.actor_key),
            Paragraph(f"<b>{text.para(a.measure_key, BOLD)}</b>", Styles.cell),
            status_cell(ch.previous_status, widths[3]),
            status_cell(a.status, widths[4], recorded=True),
            effective,
            cell(text, a.recorded_by),
            lines(refs.cite(ch.evidence) or "–", widths[7]),
        ])
        extra += status_style(3, r, ch.previous_status) + status_style(4, r, a.status)
        below = []
        explained = _standing_text(a, standing, data.context.generated_day)
        if explained is not None:
            below.append(Paragraph(explained, Styles.note))
        pinned = [(e, a.pinpoint_for(e)) for e in ch.evidence if a.pinpoint_for(e)]
        if pinned:  # where in each cited item: the narrow Evidence column has room for the numbers only
            below.append(Paragraph("Cites " + "; ".join(
                f"{refs.cite([e])} {text.para(e.symbol or shorten(e.title, 40)[0])}, {text.para(pin or '')}"
                for e, pin in pinned) + ".", Styles.note))
        note = notes.short(text, f"{a.actor_key} {a.measure_key}, recorded {instant_text(a.recorded_at)} — note", a.note)
        if note is not None:
            below.append(note)
        for extra_row in below:
            rows.append([extra_row, *[""] * 7])
            extra += [("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)), ("LEFTPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 14)]
        if below:
            extra.append(("NOSPLIT", (0, r), (-1, len(rows) - 1)))
    return table(rows, widths, extra=extra)


def changes_flowables(data: ChangesReportData, text: SafeText) -> list[Flowable]:
    """Every flowable of the changes report, in order (pure: no I/O)."""
    refs, notes = References(), NotesInFull()
    title = f"Changes since {data.since.isoformat()}"
    # The zone most of the times were recorded in is stated once; the others are marked in place.
    zones = Counter(zone(c.assessment.recorded_at) for c in data.changes)
    report_zone = zones.most_common(1)[0][0] if zones else zone(data.context.generated_at)
    out: list[Flowable] = [
        Heading(title, Styles.title, outline=title, level=0),
        Paragraph(f"Assessments recorded in the tracker, with the status each one replaced. Days and times are in "
                  f"local time, {report_zone}{', unless marked' if len(zones) > 1 else ''}. "
                  "Nothing is overwritten: earlier assessments stay in each cell's history.", Styles.subtitle),
    ]
    out.append(standing_note(text, data.context))
    out += _summary(data, text)
    out.append(Heading("Changes", Styles.h1, outline="Changes", level=0))
    if not data.changes:
        out.append(Paragraph(f"No assessment was recorded on or after {data.since.isoformat()}.", Styles.body))
    else:
        out.append(legend(WIDTH))
        # Local days, like --since: a change at 00:30 on 1 March in Paris is under 1 March.
        for day, day_changes in groupby(data.changes, key=lambda c: local_day(c.assessment.recorded_at)):
            group = list(day_changes)
            label = f"{day.isoformat()} ({len(group)} recorded)"
            out.append(Heading(text.para(label), Styles.h2, outline=text.logical(label), level=1))
            out.append(_day_table(group, data, text, refs, notes, report_zone))
    out += _measures_concerned(data, text)
    out += refs.flowables(text)
    out += notes.flowables(text)
    out += about(text, data.context, WIDTH)
    return out


def _measures_concerned(data: ChangesReportData, text: SafeText) -> list[Flowable]:
    keys = sorted({c.assessment.measure_key for c in data.changes},
                  key=lambda k: (data.measures[k].catalog_key, data.measures[k].sort_order) if k in data.measures else ("~", 0))
    if not keys:
        return []
    rows: list[list[Any]] = [["Measure", "Title"]]
    for k in keys:
        m = data.measures.get(k)
        rows.append([Paragraph(text.para(k, BOLD), Styles.cell_bold), cell(text, m.title if m else "(unknown measure)")])
    return [Heading("Measures concerned", Styles.h1, outline="Measures concerned", level=0), table(rows, [70, WIDTH - 70])]


render_changes_report: Renderer[ChangesReportData] = Renderer(changes_flowables, layout_for)
"""Write the report PDF for its data to a path (atomically): ``render_changes_report(data, "out.pdf")``."""
