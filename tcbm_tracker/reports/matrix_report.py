"""The matrix report: a landscape heat map of actors x measures, one section per catalogue.

Each cell shows its status by colour and by symbol, so the map reads on a black-and-white
printer; the header row (rotated measure keys) repeats on every page. Coverage per actor sits
at the right of each row, coverage per measure in the closing rows of the map and in a table
that also gives each measure's title.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.reports.components import (
    about,
    assessed_cell,
    citation,
    coverage_of,
    coverage_table,
    legend,
    lines,
    percent,
    rate_cell,
    standing_note,
    table,
)
from tcbm_tracker.reports.document import Heading, Layout, Renderer
from tcbm_tracker.reports.fonts import BOLD, REGULAR
from tcbm_tracker.reports.model import MatrixReportData
from tcbm_tracker.reports.one_line import one_line_cell
from tcbm_tracker.reports.styles import BAND, INK, MIN_TEXT_SIZE, MUTED, RULE, STATUS_LOOKS, Styles
from tcbm_tracker.reports.text import SafeText
from tcbm_tracker.services.dto import ActorInfo, MeasureInfo
from tcbm_tracker.services.figures import RATE_RULE, coverage_phrase, member_states, peer_coverage, rate_phrase

WIDTH = landscape(A4)[0] - 28 * mm
KIND = "Implementation matrix"
NAME_W, KEY_W, TAIL_W = 150.0, 30.0, 34.0
ROW_H = 10.0
CELL_FONT = MIN_TEXT_SIZE


class RotatedLabel(Flowable):
    """A column header written bottom-to-top, so narrow status columns can carry full keys."""

    def __init__(self, label: str, font: str = BOLD, size: float = MIN_TEXT_SIZE) -> None:
        super().__init__()
        self.label, self.font, self.size = label, font, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = self.size * 1.3
        self.height = stringWidth(self.label, self.font, self.size) + 2
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFont(self.font, self.size)
        c.setFillColor(INK)
        c.rotate(90)
        c.drawString(1, -self.size * 1.0, self.label)
        c.restoreState()


def layout_for(data: MatrixReportData) -> Layout:
    scope = ", ".join(x for x in (data.catalog, f"group {data.group}" if data.group else None,
                                  f"region {data.region}" if data.region else None) if x) or "all catalogues"
    return Layout(kind=KIND, subject=scope, header_right=data.context.as_of_text, landscape=True, legend=True,
                  pdf_title=f"{KIND}: {scope}, {data.context.as_of_text}",
                  pdf_subject=f"Which actors implement which measures ({scope}), {data.context.as_of_text}")


def heat_map(data: MatrixReportData, measures: list[MeasureInfo], text: SafeText) -> Table:
    """Actors (rows) x measures (columns); plain strings in cells keep a 7,000-cell map fast."""
    m = data.matrix
    # An organisation's key can be 16 characters long ("SAMPLEAR"): the key column takes what the
    # longest key needs from the name column, so no key runs into the first status cell.
    key_w = max([KEY_W, *[stringWidth(a.key, REGULAR, CELL_FONT) + 5 for a in m.actors]])
    name_w = NAME_W - (key_w - KEY_W)
    col_w = min(24.0, (WIDTH - NAME_W - KEY_W - 3 * TAIL_W) / max(len(measures), 1))
    head: list[Any] = ["Actor", "Key", *[RotatedLabel(x.key) for x in measures],
                       lines("Impl. of assessed", TAIL_W, BOLD, MIN_TEXT_SIZE), lines("Impl. rate", TAIL_W, BOLD, MIN_TEXT_SIZE),
                       lines("Assessed of in scope", TAIL_W, BOLD, MIN_TEXT_SIZE)]
    rows: list[list[Any]] = [head]
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, 0), BOLD, MIN_TEXT_SIZE),
        ("FONT", (0, 1), (-1, -1), REGULAR, CELL_FONT),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 0), (-1, -1), "CENTER"),
        ("ALIGN", (-3, 1), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 0.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("GRID", (2, 1), (1 + len(measures), -1), 0.4, colors.white),
        ("LINEBELOW", (0, 1), (1, -1), 0.25, RULE),
        ("LINEBELOW", (-3, 1), (-1, -1), 0.25, RULE),
        ("TEXTCOLOR", (1, 1), (1, -1), MUTED),
    ]
    for r, actor in enumerate(m.actors, start=1):
        statuses = [m.status(actor.key, x.key) for x in measures]
        cov = coverage_of(actor.key, statuses)
        rows.append([one_line_cell(text, actor.name, name_w - 4, REGULAR, CELL_FONT), actor.key,
                     *[STATUS_LOOKS[s].symbol for s in statuses],
                     f"{cov.implemented}/{cov.assessed}", percent(cov.implementation_rate),
                     percent(cov.assessment_coverage) if cov.assessed else "0"])
        for c, s in enumerate(statuses, start=2):
            lk = STATUS_LOOKS[s]
            if s is not Status.NOT_ASSESSED:
                cmds.append(("BACKGROUND", (c, r), (c, r), lk.fill))
            cmds.append(("TEXTCOLOR", (c, r), (c, r), lk.text))
    # Coverage per measure closes the map.
    per_measure = [coverage_of(x.key, [m.status(a.key, x.key) for a in m.actors]) for x in measures]
    first_tail = len(rows)
    rows.append(["Implemented", "", *[f"{c.implemented}" for c in per_measure], "", "", ""])
    rows.append(["Assessed (rate denominator)", "", *[f"{c.assessed}" for c in per_measure], "", "", ""])
    rows.append(["Implementation rate", "", *[percent(c.implementation_rate) for c in per_measure], "", "", ""])
    cmds += [
        ("FONT", (0, first_tail), (-1, -1), BOLD, MIN_TEXT_SIZE),
        ("LINEABOVE", (0, first_tail), (-1, first_tail), 0.8, INK),
        ("BACKGROUND", (0, first_tail), (-1, -1), BAND),
        ("NOSPLIT", (0, first_tail - 1), (-1, -1)),
    ]
    widths = [name_w, key_w, *[col_w] * len(measures), TAIL_W, TAIL_W, TAIL_W]
    t = Table(rows, colWidths=widths, rowHeights=[None] + [ROW_H] * (len(rows) - 1), repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(cmds))
    return t


def _in_words(data: MatrixReportData, measures: list[MeasureInfo]) -> str:
    m = data.matrix
    cov = coverage_of("map", (m.status(a.key, x.key) for a in m.actors for x in measures))
    return (f"In words: {len(m.actors)} actors × {len(measures)} measures; {cov.in_scope:,} cells in scope, "
            f"{coverage_phrase(cov)}; implementation rate {rate_phrase(cov)}. Each row ends with the actor's own "
            "figures.")


def _measure_table(data: MatrixReportData, measures: list[MeasureInfo], text: SafeText) -> Table:
    m = data.matrix
    heads = ["Measure", "Title and source", "Impl.", "Partial", "Planned", "Not\nimpl.", "No\ninfo", "N/A",
             "Not\nassessed", "Assessed\n(coverage)", "Implementation\nrate"]
    widths = [64.0, 0.0, *[38.0] * 7, 46.0, 70.0]
    widths[1] = WIDTH - sum(widths)
    rows: list[list[Any]] = [heads]
    order = (Status.IMPLEMENTED, Status.PARTIALLY_IMPLEMENTED, Status.PLANNED, Status.NOT_IMPLEMENTED,
             Status.NO_INFORMATION, Status.NOT_APPLICABLE, Status.NOT_ASSESSED)
    for x in measures:
        cov = coverage_of(x.key, [m.status(a.key, x.key) for a in m.actors])
        rows.append([Paragraph(text.para(x.key, BOLD), Styles.cell_bold),
                     Paragraph(f"{text.para(x.title)}<br/><font size='7.5' color='#5F6B76'>{citation(text, x)}</font>", Styles.cell),
                     *[str(cov.count(s)) for s in order], assessed_cell(cov),
                     rate_cell(cov, widths[-1])])
    return table(rows, widths, right_from=2)


def _scope_text(data: MatrixReportData, actors: tuple[ActorInfo, ...], text: SafeText) -> str:
    parts = [f"{len(actors)} actors × {len(data.matrix.measures)} measures", f"statuses in force {data.context.as_of_text}"]
    if data.catalog:
        parts.append(f"catalogue {text.para(data.catalog)}")
    if data.group:
        parts.append(f"group {text.para(data.group)}")
    if data.region:
        parts.append(f"actors of the {text.para(data.context.region_name(data.region))}")
    return " · ".join(parts)


def matrix_flowables(data: MatrixReportData, text: SafeText) -> list[Flowable]:
    """Every flowable of the matrix report, in order (pure: no I/O)."""
    m = data.matrix
    cats = {c.key: c for c in data.context.catalogs}
    by_catalog = [(k, list(g)) for k, g in groupby(m.measures, key=lambda x: x.catalog_key)]
    summary = []
    for key, measures in by_catalog:
        members = member_states(m.actors)
        statuses = [m.status(a.key, x.key) for a in members for x in measures]
        label = f"{key} — {cats[key].short_title}: UN member states ({len(members)})" if key in cats else key
        summary.append((label, coverage_of(label, statuses), True))
        for group, cov in peer_coverage(m.actors, lambda a, ms=measures: (m.status(a.key, x.key) for x in ms),
                                        data.context.region_name):
            summary.append((group.label, cov, False))
    out: list[Flowable] = [
        Heading(KIND, Styles.title, outline=KIND, level=0),
        Paragraph(_scope_text(data, m.actors, text), Styles.subtitle),
        standing_note(text, data.context),
        legend(WIDTH, per_row=7),
        Spacer(1, 8),
        Heading("Coverage per catalogue and UN regional group", Styles.h2, outline="Coverage", level=0),
        coverage_table(summary, WIDTH, text, scope="Catalogue and regional group"),
        Paragraph("Cells: actors × measures. In scope: cells less those marked not applicable. " + RATE_RULE
                  + " Regional groups count UN member states only; observer states and organizations are counted "
                  "apart. Per actor (right of each row): implemented of assessed, the rate, and the share of cells in "
                  "scope assessed. Per measure: the rows closing each map and the table after it.", Styles.small),
    ]
    for key, adopted in sorted(m.not_yet_adopted.items()):
        out.append(Paragraph(f"<b>{text.para(key)}: not yet adopted</b> on {m.as_of.isoformat()} (adopted "
                             f"{text.para(adopted)}); its measures are not shown.", Styles.body))
    if (not m.actors or not m.measures) and not m.not_yet_adopted:
        out.append(Paragraph("No actor or measure matches these filters.", Styles.body))
    for key, measures in by_catalog if m.actors else []:
        title = f"{key} — {cats[key].title}" if key in cats else key
        out += [
            # A catalogue's map starts on a fresh page unless a good part of one is left: no
            # two-thirds-empty first page, and its header row repeats on every page anyway.
            CondPageBreak(180),
            Heading(text.para(title), Styles.h1, outline=text.logical(title), level=0),
            # The map in words: a text alternative for readers who cannot see the colours or the grid.
            Paragraph(_in_words(data, measures), Styles.small),
            heat_map(data, measures, text),
            Spacer(1, 8),
            Heading(f"Coverage per measure: {text.para(key)}", Styles.h2, outline="Coverage per measure", level=1),
            _measure_table(data, measures, text),
        ]
    out += about(text, data.context, WIDTH)
    return out


render_matrix_report: Renderer[MatrixReportData] = Renderer(matrix_flowables, layout_for)
"""Write the report PDF for its data to a path (atomically): ``render_matrix_report(data, "out.pdf")``."""
