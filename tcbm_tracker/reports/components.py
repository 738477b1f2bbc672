"""Building blocks shared by the reports: tables, status cells, coverage, legend, references, notes.

Long user text never goes into a table cell whole (a cell cannot split across pages, and a
50,000-character note would stop the build): cells get a shortened form with a visible marker,
and the full text is printed at the end of the report as ordinary paragraphs, which do split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from tcbm_tracker.domain.vocabulary import Provenance, Status
from tcbm_tracker.reports.document import Heading
from tcbm_tracker.reports.fonts import BOLD, REGULAR, fit_text
from tcbm_tracker.reports.model import ReportContext
from tcbm_tracker.reports.one_line import label_paragraph, lines, text_cell
from tcbm_tracker.reports.rtl_lines import aligned
from tcbm_tracker.reports.styles import (
    BAND,
    INK,
    LEGEND_ORDER,
    MIN_TEXT_SIZE,
    MUTED,
    PALETTE_NOTE,
    RULE,
    UNCONFIRMED_MARK,
    WARNING,
    Styles,
    look,
)
from tcbm_tracker.reports.text import SafeText, shorten
from tcbm_tracker.services import figures
from tcbm_tracker.services.dto import AssessmentInfo, Coverage, EvidenceInfo, MeasureInfo
from tcbm_tracker.services.figures import rate_denominator, rate_text
from tcbm_tracker.services.integrity import WHAT_IT_PROVES

HEAD_SIZE = MIN_TEXT_SIZE
CELL_LIMIT = 600  # characters of one user field shown inside a table cell
NOTE_LIMIT = 400  # characters of a note shown beside its measure
NOTE_LINES = 5

STATUS_DEFINITIONS: dict[Status, str] = {
    Status.IMPLEMENTED: "the measure is implemented.",
    Status.PARTIALLY_IMPLEMENTED: "parts of the measure are implemented.",
    Status.PLANNED: "implementation is announced or in preparation.",
    Status.NOT_IMPLEMENTED: "the measure was examined and found not to be implemented.",
    Status.NO_INFORMATION: "the measure was examined and no information was found either way.",
    Status.NOT_APPLICABLE: "the measure does not apply to this actor; excluded from every denominator.",
    Status.NOT_ASSESSED: "no assessment has been recorded, or the last one was withdrawn.",
}


def cell(text: SafeText, value: str | None, style: Any = Styles.cell, *, limit: int = CELL_LIMIT, font: str = REGULAR) -> Paragraph:
    """One user field in a table cell, shortened (visibly) if it is too long for a cell."""
    raw = value or ""
    short, cut = shorten(raw, limit)
    markup = text.para(short, font)
    if cut:
        markup += f' <font color="#5F6B76">[{len(raw) - len(short) + 2:,} more characters not shown]</font>'
    return Paragraph(markup, aligned(style, raw))


def table(rows: list[list[Any]], widths: Sequence[float], *, header_rows: int = 1, extra: Iterable[tuple[Any, ...]] = (),
          zebra: bool = False, right_from: int | None = None, repeat_rows: int | None = None) -> Table:
    """A report table: banded header repeated on each page, hairlines between rows.

    Header cells given as strings are set in bold and wrapped to their column; columns from
    ``right_from`` on are right-aligned (numbers).
    """
    if header_rows:
        rows[0] = [lines(h, w, BOLD, HEAD_SIZE) if isinstance(h, str) else h for h, w in zip(rows[0], widths, strict=False)]
    commands: list[tuple[Any, ...]] = [("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]
    if header_rows:
        commands += [("BACKGROUND", (0, 0), (-1, header_rows - 1), BAND),
                     ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.8, INK),
                     ("FONT", (0, 0), (-1, header_rows - 1), BOLD, HEAD_SIZE, HEAD_SIZE + 1.5),
                     ("VALIGN", (0, 0), (-1, header_rows - 1), "BOTTOM")]
    if right_from is not None:
        commands.append(("ALIGN", (right_from, 0), (-1, -1), "RIGHT"))
    if zebra:
        commands += [("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#F7F9FB")])]
    commands += list(extra)
    t = Table(rows, colWidths=list(widths), repeatRows=header_rows if repeat_rows is None else repeat_rows, hAlign="LEFT",
              cellStyles=cell_styles(rows))
    t.setStyle(TableStyle(commands))
    return t


class ReportCellStyle(CellStyle):  # type: ignore[misc]
    """Table cell defaults of the reports: set per class rather than by a command per cell
    (each table style command visits every cell it covers: the cost adds up in big tables).
    The font is DejaVu even for empty cells, else the table would select Helvetica."""

    fontname = REGULAR
    fontsize = 8
    leading = 10
    leftPadding = 3
    rightPadding = 3
    topPadding = 2.5
    bottomPadding = 2.5
    valign = "TOP"


def cell_styles(rows: Sequence[Sequence[Any]]) -> list[list[CellStyle]]:
    return [[ReportCellStyle("cell") for _ in row] for row in rows]


def hexcolor(c: colors.Color) -> str:
    return "#" + str(c.hexval())[2:]


def status_label(status: Status, *, recorded: bool = False) -> str:
    """The status's label. A *recorded* "not assessed" withdraws the cell's assessment (the GUI's
    undo records one), which the reader should not mistake for "nobody has looked yet"."""
    return "Not assessed (withdrawn)" if recorded and status is Status.NOT_ASSESSED else look(status).label


def status_cell(status: Status, width: float, *, recorded: bool = False) -> str:
    """Symbol and label, wrapped to the column; pair with ``status_style`` for the colours."""
    return lines(f"{look(status).symbol}  {status_label(status, recorded=recorded)}", width)


def status_style(col: int, row: int, status: Status) -> list[tuple[Any, ...]]:
    lk = look(status)
    return [("BACKGROUND", (col, row), (col, row), lk.fill), ("TEXTCOLOR", (col, row), (col, row), lk.text)]


def assessment_cell(a: AssessmentInfo | None, width: float) -> str:
    """Provenance and confidence, two short fixed labels; a dash when there is no judgement
    (nothing recorded, or a withdrawal, whose provenance and confidence are only defaults)."""
    if a is None or a.status is Status.NOT_ASSESSED:
        return "–"
    return lines(a.provenance.label, width) + "\n" + f"{a.confidence.label} confidence"


def swatch(status: Status) -> str:
    """Inline markup: a coloured square (outlined for the white statuses) before a label."""
    lk = look(status)
    if lk.fill == colors.white or status is Status.NOT_APPLICABLE:
        return '<font color="#8A949E">□</font>'
    return f'<font color="{hexcolor(lk.fill)}">■</font>'


def legend(width: float, *, per_row: int = 4) -> Table:
    """Swatch, symbol and label of every status; readable in colour and in black and white."""
    rows: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = []
    entries = list(LEGEND_ORDER)
    for r in range(0, len(entries), per_row):
        row: list[Any] = []
        for c, status in enumerate(entries[r : r + per_row]):
            lk = look(status)
            row += [lk.symbol, lk.label]
            commands += [
                ("BACKGROUND", (2 * c, r // per_row), (2 * c, r // per_row), lk.fill),
                ("TEXTCOLOR", (2 * c, r // per_row), (2 * c, r // per_row), lk.text),
                ("BOX", (2 * c, r // per_row), (2 * c, r // per_row), 0.4, RULE),
            ]
        row += [""] * (2 * per_row - len(row))
        rows.append(row)
    # Each label column is as wide as its longest label (plus a gap), so "Partially implemented"
    # never runs into the next swatch; what is left over is spread evenly.
    need = [max(stringWidth(look(s).label, REGULAR, 8) for s in entries[c::per_row]) + 12 for c in range(per_row)]
    spare = max(0.0, width - 14 * per_row - sum(need)) / per_row
    t = Table(rows, colWidths=[w for n in need for w in (14, n + spare)], hAlign="LEFT")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 8),
        *[("FONT", (c, 0), (c, -1), BOLD, 8) for c in range(0, 2 * per_row, 2)],
        *[("ALIGN", (c, 0), (c, -1), "CENTER") for c in range(0, 2 * per_row, 2)],
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        *commands,
    ]))
    return t


def kv_table(pairs: Sequence[tuple[str, str]], width: float, label_width: float = 95) -> Table:
    """Label/value rows; values are markup already made safe by the caller."""
    rows = [[lines(label, label_width, BOLD, HEAD_SIZE), Paragraph(value, Styles.cell)] for label, value in pairs]
    t = Table(rows, colWidths=[label_width, width - label_width], hAlign="LEFT")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), REGULAR, 8),
        ("FONT", (0, 0), (0, -1), BOLD, HEAD_SIZE, HEAD_SIZE + 1.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return t


COVERAGE_STATUSES: tuple[Status, ...] = (
    Status.IMPLEMENTED,
    Status.PARTIALLY_IMPLEMENTED,
    Status.PLANNED,
    Status.NOT_IMPLEMENTED,
    Status.NO_INFORMATION,
    Status.NOT_ASSESSED,
)


coverage_of = figures.coverage_of
percent = figures.percent


def rate_cell(c: Coverage, width: float, font: str = REGULAR) -> str:
    """``45%`` over ``5 of 11 assessed``: a rate is never printed without its denominator."""
    if not c.assessed:
        return "–\nnone assessed"
    return rate_text(c) + "\n" + lines(rate_denominator(c), width, font)


def assessed_cell(c: Coverage) -> str:
    """Assessed cells over the share of those in scope; a plain 0 when none (no "0%" to misread)."""
    return f"{c.assessed}\n({percent(c.assessment_coverage)})" if c.assessed else "0"


def coverage_table(rows: Sequence[tuple[str, Coverage, bool]], width: float, text: SafeText, *, scope: str = "Scope") -> Table:
    """Counts per status, what is in scope, what was assessed, and the implementation rate over the
    assessed cells with its denominator; ``rows`` are (label, coverage, bold)."""
    numeric = [27, 31, 28, 34, 38, 28, 28, 40, 48, 76]
    widths = [max(width - sum(numeric), 90), *numeric]
    heads = [scope, "N/A\nexcl.", "In\nscope", "Impl.", "Partial", "Planned", "Not\nimpl.", "No\ninfo", "Not\nassessed",
             "Assessed\n(coverage)", "Implementation\nrate"]
    data: list[list[Any]] = [heads]
    commands: list[tuple[Any, ...]] = [("FONT", (1, 0), (-1, 0), BOLD, HEAD_SIZE, 8.5),
                                       ("LEFTPADDING", (1, 0), (-1, -1), 2), ("RIGHTPADDING", (1, 0), (-1, -1), 3)]
    for r, (label, c, bold) in enumerate(rows, start=1):
        nums = [c.not_applicable, c.in_scope, *[c.count(s) for s in COVERAGE_STATUSES]]
        font = BOLD if bold else REGULAR
        data.append([text_cell(text, shorten(label, 200)[0], widths[0], font), *[str(n) for n in nums],
                     assessed_cell(c), rate_cell(c, widths[-1], font)])
        if bold:
            commands += [("FONT", (0, r), (-1, r), BOLD, 8, 10), ("LINEABOVE", (0, r), (-1, r), 0.5, MUTED)]
    return table(data, widths, extra=commands, right_from=1)


class StatusBars(Flowable):
    """Horizontal stacked bars, one per row, segments in legend order with their counts.

    Drawn straight on the canvas (not a reportlab Drawing, which would select Helvetica, a
    font not embedded in the file).
    """

    BAR_H, GAP, LINE = 11.0, 5.0, 9.0

    def __init__(self, rows: Sequence[tuple[str, Mapping[Status, int], bool]], width: float, text: SafeText) -> None:
        super().__init__()
        self.label_w = min(210.0, width * 0.4)
        # A label wraps onto a second line rather than being cut; only a third line is shortened.
        # Text DejaVu shows as it is is drawn as strings; other text (Chinese, Arabic) as a
        # paragraph with the fallback faces.
        self.rows: list[tuple[list[str] | Paragraph, int, dict[Status, int], bool]] = []
        for label, counts, bold in rows:
            font = BOLD if bold else REGULAR
            indent = len(label) - len(label.lstrip(" "))
            room = self.label_w - 6 - 4 * indent
            shown: list[str] | Paragraph
            if text.is_plain(label, font):
                wrapped = simpleSplit(label.strip(), font, MIN_TEXT_SIZE, room) or [""]
                if len(wrapped) > 2:
                    wrapped = [wrapped[0], fit_text(" ".join(wrapped[1:]), font, MIN_TEXT_SIZE, room)]
                shown = wrapped
            else:
                shown = label_paragraph(text, label.strip(), room, font, MIN_TEXT_SIZE, self.LINE)
                shown.wrap(room, 10_000)
            self.rows.append((shown, indent, dict(counts), bold))
        self.width = width
        self.heights = [max(self.BAR_H, self._lines(lbl) * self.LINE) + self.GAP for lbl, _, _, _ in self.rows]
        self.height = sum(self.heights)

    @staticmethod
    def _lines(label: list[str] | Paragraph) -> int:
        return len(label) if isinstance(label, list) else len(label.blPara.lines)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        top = self.height
        for (label, indent, counts, bold), h in zip(self.rows, self.heights, strict=True):
            top -= h
            y = top + self.GAP / 2 + (h - self.GAP - self.BAR_H) / 2
            c.setFillColor(INK)
            c.setFont(BOLD if bold else REGULAR, MIN_TEXT_SIZE)
            n_lines = self._lines(label)
            first = top + self.GAP / 2 + (h - self.GAP) / 2 + (n_lines - 1) * self.LINE / 2 - 2.5
            if isinstance(label, Paragraph):
                label.drawOn(c, 4 * indent, first - n_lines * self.LINE + MIN_TEXT_SIZE)  # first baseline at `first`
            else:
                for n, line in enumerate(label):
                    c.drawString(4 * indent, first - n * self.LINE, line)
            total = sum(counts.values())
            x, span = self.label_w, self.width - self.label_w
            c.setLineWidth(0.4)
            c.setStrokeColor(RULE)
            c.rect(x, y, span, self.BAR_H, stroke=1, fill=0)
            for status in LEGEND_ORDER:
                n = counts.get(status, 0)
                if not n or not total:
                    continue
                w = span * n / total
                lk = look(status)
                c.setFillColor(lk.fill)
                c.setStrokeColor(colors.white if lk.fill != colors.white else RULE)
                c.rect(x, y, w, self.BAR_H, stroke=1, fill=1)
                shown = f"{lk.symbol} {n}" if w >= 22 else (str(n) if w >= 9 else "")
                if shown:
                    c.setFillColor(lk.text)
                    c.setFont(BOLD, MIN_TEXT_SIZE)
                    c.drawCentredString(x + w / 2, y + 2.5, shown)
                x += w


def citation(text: SafeText, m: MeasureInfo) -> str:
    """The measure's source with a dagger when its pinpoint is not confirmed."""
    parts = [text.para(m.source_document)]
    if m.pinpoint:
        parts.append(text.para(m.pinpoint))
    markup = ", ".join(parts)
    if m.pinpoint and not m.pinpoint_confirmed:
        markup += f' <font color="#9A3412">{UNCONFIRMED_MARK} pinpoint not confirmed</font>'
    return markup


class References:
    """Evidence items numbered in order of first citation, listed at the end of a report."""

    def __init__(self) -> None:
        self._numbers: dict[int, int] = {}
        self._items: list[EvidenceInfo] = []

    def cite(self, items: Iterable[EvidenceInfo]) -> str:
        """``[1], [4]`` for these items (numbering new ones), or an empty string."""
        numbers = []
        for e in items:
            if e.id not in self._numbers:
                self._items.append(e)
                self._numbers[e.id] = len(self._items)
            numbers.append(self._numbers[e.id])
        return ", ".join(f"[{n}]" for n in sorted(numbers))

    def citations(self, text: SafeText, a: AssessmentInfo | None, items: Sequence[EvidenceInfo]) -> Paragraph:
        """A table cell citing each item with its pinpoint for this assessment: ``[1] A/72/65, p. 21``.

        An official record claimed with no evidence at all is flagged: the reader should know
        that the page does not show where it is recorded.
        """
        parts = []
        for e in items:
            number = self.cite([e])
            name = e.symbol or shorten(e.title, 40)[0]
            pin = a.pinpoint_for(e) if a is not None else e.pinpoint
            parts.append(f"{number}&nbsp;{text.para(name)}" + (f", {text.para(pin)}" if pin else ""))
        if parts:
            return Paragraph("<br/>".join(parts), Styles.cell)
        if a is not None and a.provenance is Provenance.OFFICIAL_RECORD and a.status is not Status.NOT_ASSESSED:
            return Paragraph(f'<font color="{hexcolor(WARNING)}"><b>⚠ No evidence</b> for an official record</font>',
                             Styles.cell)
        return Paragraph("–", Styles.cell)

    def __len__(self) -> int:
        return len(self._items)

    def flowables(self, text: SafeText, *, level: int = 0) -> list[Flowable]:
        if not self._items:
            return []
        out: list[Flowable] = [Heading("Evidence cited", Styles.h1, outline="Evidence cited", level=level)]
        for n, e in enumerate(self._items, start=1):
            out.append(Paragraph(f"[{n}]&nbsp;&nbsp;" + reference_markup(text, e), Styles.reference))
        return out


def reference_markup(text: SafeText, e: EvidenceInfo) -> str:
    parts = []
    head = f"<b>{text.para(e.symbol, BOLD)}</b> " if e.symbol else ""
    parts.append(head + text.para(e.title, field=f"title of evidence {e.symbol or e.id}"))
    detail = [x for x in (e.date, f"pinpoint: {e.pinpoint}" if e.pinpoint else None,
                          f"language: {e.language}" if e.language else None) if x]
    if detail:
        parts.append(text.para("; ".join(detail)))
    kind = _evidence_type_label(e.evidence_type)
    if kind:
        parts.append(text.para(kind))
    if e.url:
        parts.append(text.link(e.url))
    if e.file_name:
        sha = f", SHA-256 {e.file_sha256[:16]}…" if e.file_sha256 else ""
        parts.append("attached file " + text.para(e.file_name) + text.para(sha))
    return ". ".join(parts)


def _evidence_type_label(value: str) -> str:
    from tcbm_tracker.domain.vocabulary import EvidenceType

    try:
        return EvidenceType(value).label
    except ValueError:
        return value


_BLANK_LINES = re.compile(r"\n\s*\n")


class NotesInFull:
    """Shortened notes beside their measure, and the full text of long ones at the end."""

    def __init__(self) -> None:
        self._long: list[tuple[str, str]] = []

    def short(self, text: SafeText, label: str, note: str | None) -> Paragraph | None:
        if not note:
            return None
        lines = note.split("\n")
        short, cut = shorten("\n".join(lines[:NOTE_LINES]), NOTE_LIMIT)
        cut = cut or len(lines) > NOTE_LINES
        markup = text.para(short, field=label)
        if cut:
            self._long.append((label, note))
            markup += (f' <font color="#5F6B76"><i>(shortened; the full note, {len(note):,} characters, is under '
                       f'“Notes in full”, entry {len(self._long)})</i></font>')
        return Paragraph(markup, aligned(Styles.note, note))

    def flowables(self, text: SafeText, *, level: int = 0) -> list[Flowable]:
        if not self._long:
            return []
        out: list[Flowable] = [Heading("Notes in full", Styles.h1, outline="Notes in full", level=level)]
        for n, (label, note) in enumerate(self._long, start=1):
            out.append(Heading(f"{n}. " + text.para(label, BOLD), Styles.h2, outline=text.logical(f"{n}. {label}"), level=level + 1))
            for chunk in _BLANK_LINES.split(note):
                if chunk.strip():
                    out.append(Paragraph(text.para(chunk, field=label), aligned(Styles.note, chunk)))
        return out


OWN_NUMBERING_CATALOGS = frozenset({"GGE2013"})  # the 2013 report does not number its measures
OWN_NUMBERING = ("The GGE report (A/68/189) does not number its measures: the GGE-… keys are this tracker's own "
                 "numbering, not the report's.")


def own_numbering(catalog_keys: Iterable[str]) -> bool:
    return any(k in OWN_NUMBERING_CATALOGS for k in catalog_keys)


def standing_note(text: SafeText, ctx: ReportContext, catalog_keys: Iterable[str] = ()) -> Paragraph:
    """Page 1: what the statuses are and are not (voluntary measures; this copy's user's record)."""
    keys = list(catalog_keys) or [c.key for c in ctx.catalogs]
    markup = (
        "The TCBMs and LTS guidelines are <b>voluntary</b>. Statuses record implementation as reported or assessed "
        f"by {text.para(ctx.reporter_text, field='reporter (settings)')}; they are not an official UN finding."
    )
    if own_numbering(keys):
        markup += " " + OWN_NUMBERING
    return Paragraph(markup, Styles.standing)


def _seal_words(ctx: ReportContext) -> str:
    if ctx.seal:
        return f"{ctx.seal}: this copy's signature over that state, made with the report."
    if ctx.read_only_login:
        return ("None: this server login may only read the shared record, so it adds nothing to it, not even a seal. "
                "The server's roles and append-only history guard that record, and the fingerprint above ties this "
                "report to its change log.")
    return "None: the database file is read-only, so no seal could be recorded with this report."


def about(text: SafeText, ctx: ReportContext, width: float, extra: Sequence[tuple[str, str]] = (), *, level: int = 0) -> list[Flowable]:
    """The closing section: provenance of the data, definitions, and any text that could not be shown."""
    cats = "<br/>".join(f"{text.para(c.key)} version {c.version}: {text.para(c.title)} ({text.para(c.source_document)})"
                        for c in ctx.catalogs) or "none"
    pairs = [
        ("Data fingerprint", f"{ctx.fingerprint}<br/><font color='#5F6B76'>SHA-256 head of the tamper-evident change log "
                             "when the report was made; the command “tcbm-tracker verify --fingerprint” checks that it is "
                             "still in the history.</font>"),
        ("Seal", _seal_words(ctx)),
        ("What this proves", text.para(WHAT_IT_PROVES)),
        ("Catalogues", cats),
        ("Generated", f"{ctx.generated_text} by {text.para(ctx.author)}"),
        *extra,
    ]
    if ctx.as_of is not None:
        known = (f" Only what had been recorded by the end of {ctx.known_at} (local time) is used (later corrections excluded)."
                 if ctx.known_at else "")
        pairs.append(("As of", f"Each cell shows the latest assessment whose effective date is on or before "
                               f"{ctx.as_of.isoformat()}.{known}"))
    pairs += [
        ("What the statuses are", "The measures are voluntary. Each status records implementation as reported or "
                                  f"assessed by {text.para(ctx.reporter_text)}, with the provenance shown beside it; "
                                  "it is not an official UN finding."),
        ("Reporter", text.para(ctx.reporter) if ctx.reporter else
                     "Not set: the name and organisation of who reports with this copy are set with "
                     "“tcbm-tracker settings set reporter.name …” and “… reporter.organisation …”."),
        ("Figures", text.para(figures.RATE_RULE) + " Figures by UN regional group count UN member states only; a "
                    "member that attends its group as an observer is named in the group's label; non-member observer "
                    "states and intergovernmental organizations are counted apart."),
        ("Statuses", "<br/>".join(f"{swatch(s)} {look(s).symbol} <b>{look(s).label}</b>: {STATUS_DEFINITIONS[s]}" for s in LEGEND_ORDER)),
        ("Colours", PALETTE_NOTE),
        ("Pinpoints", f"{UNCONFIRMED_MARK} marks a paragraph reference that has not been confirmed against the source "
                      "document; cite the section only."),
    ]
    if own_numbering(c.key for c in ctx.catalogs):
        pairs.append(("Measure keys", OWN_NUMBERING))
    warnings = text.warnings()
    if warnings:
        pairs.append(("Characters not shown", "<br/>".join(text.para(w) for w in warnings)))
    # Not kept together: a page left half empty before it read as a missing page. The heading
    # keeps room for the first rows below it, and the table splits between rows.
    return [
        Spacer(1, 6),
        Heading("About this report", Styles.h1, outline="About this report", level=level),
        kv_table(pairs, width),
    ]
