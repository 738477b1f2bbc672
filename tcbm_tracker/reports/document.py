"""The page frame every report shares, and writing the PDF safely.

Every page carries a running header, "Page N of M", the date generated, the catalogue versions
and the short data fingerprint; the full fingerprint goes into the document properties. "M" is
drawn from a PDF form object filled in when the last page is done, so the document is laid out
in one pass and bookmarks keep pointing at the right pages.

The file is written to a hidden temporary file beside the target and renamed over it only when
complete: an error or a cancellation leaves no file behind, and an existing report stays intact.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from tcbm_tracker.domain.errors import TrackerError
from tcbm_tracker.reports.fonts import BOLD, REGULAR, register_fonts
from tcbm_tracker.reports.model import PRODUCT, ReportContext
from tcbm_tracker.reports.styles import LEGEND_ORDER, MIN_TEXT_SIZE, MUTED, RULE, STATUS_LOOKS, WARNING
from tcbm_tracker.reports.text import SafeText, draw_runs

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

_TOTAL_FORM = "tcbmTotalPages"
_FOOT_SIZE = MIN_TEXT_SIZE
_HEAD_SIZE = 7.5


class ReportCancelled(Exception):
    """The caller's ``cancelled()`` returned True; no output file was left behind."""


class ReportOutputError(TrackerError):
    """The report cannot be written where asked (missing folder, no permission, disk full)."""


@dataclass(frozen=True)
class ReportResult:
    """What a finished report build returns to the CLI or the GUI."""

    path: Path
    pages: int
    title: str
    fingerprint: str
    warnings: tuple[str, ...] = ()  # characters that could not be shown, and the like


@dataclass(frozen=True)
class Layout:
    """The page frame of one report: what the header says and how the page is turned."""

    kind: str  # "Compliance summary"
    subject: str  # "France (FRA)": user text, made safe when drawn
    header_right: str  # "as of 2025-06-01"
    pdf_title: str
    pdf_subject: str
    landscape: bool = False
    legend: bool = False  # a status key in every footer (pages of a heat map are read alone)
    lang: str = "en"  # the document language (PDF /Lang) for screen readers: the report's own words are English


class Heading(Paragraph):
    """A heading that adds a bookmark (PDF outline entry) pointing at itself, and never ends a page.

    A heading needs ``keep`` points below it for the start of what it introduces; with less
    room left it reports that it does not fit and cannot split, so it moves to the next page.
    (reportlab's keepWithNext would move a heading *and* a many-page table to a fresh page.)
    """

    def __init__(self, markup: str, style: Any, *, outline: str, level: int, closed: bool = False, keep: float = 60) -> None:
        super().__init__(markup, style)
        self.markup = markup
        self.outline = outline
        self.level = level
        self.closed = closed
        self.keep = keep

    # A "heading" taller than this is runaway text (a name pasted many times over): it flows
    # and splits like any paragraph instead of looking for a page it can never fit on.
    MAX_KEPT_HEIGHT = 120.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        w, h = super().wrap(avail_width, avail_height)
        if h + self.keep <= avail_height or h > self.MAX_KEPT_HEIGHT:
            return w, h
        return w, h + self.keep

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        w, h = super().wrap(avail_width, avail_height)
        if h <= self.MAX_KEPT_HEIGHT:
            return []
        # Paragraph.split builds pieces of this class with its own arguments: split a plain copy.
        plain = Paragraph(self.markup, self.style)
        plain.wrap(avail_width, avail_height)
        return [_Bookmark(self.outline, self.level, self.closed), *plain.split(avail_width, avail_height)]

    def draw(self) -> None:
        _add_bookmark(self.canv, self, self.height + 4)
        super().draw()


class _Bookmark(Flowable):
    """A zero-size outline entry (for a heading that had to be split like a paragraph)."""

    def __init__(self, outline: str, level: int, closed: bool) -> None:
        super().__init__()
        self.outline, self.level, self.closed = outline, level, closed
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        _add_bookmark(self.canv, self, 0)


def _add_bookmark(canv: Canvas, item: Any, top: float) -> None:
    # Numbered per document (not id(): a flowable freed mid-build can hand its id on), so the
    # same report gives the same bytes.
    key = f"o{next(canv.__dict__.setdefault('_tcbm_bookmark_keys', itertools.count(1)))}"
    canv.bookmarkHorizontal(key, 0, top)
    canv.addOutlineEntry(item.outline, key, level=item.level, closed=item.closed)


class _ReportCanvas(Canvas):
    """Fills in the total page count, referenced by every page footer, just before saving."""

    def save(self) -> None:
        self.beginForm(_TOTAL_FORM, lowerx=0, lowery=-2, upperx=40, uppery=10)
        self.setFont(REGULAR, _FOOT_SIZE)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


class _ReportDocument(BaseDocTemplate):
    def __init__(self, filename: str, layout: Layout, context: ReportContext, text: SafeText, **kw: Any) -> None:
        size = landscape(A4) if layout.landscape else A4
        side = 14 * mm if layout.landscape else 18 * mm
        super().__init__(
            filename, pagesize=size, leftMargin=side, rightMargin=side, topMargin=20 * mm, bottomMargin=20 * mm,
            title=text.logical(layout.pdf_title), author=text.logical(context.author), subject=text.logical(layout.pdf_subject),
            creator=PRODUCT, keywords=_keywords(context), lang=layout.lang, displayDocTitle=1, initialFontName=REGULAR,
            initialFontSize=9, **kw,
        )
        self.layout, self.context, self.text = layout, context, text
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._frame_page)])
        self._head = [(BOLD, f"{PRODUCT}  ·  {layout.kind}  ·  "), *text.runs(layout.subject, BOLD, field="report subject")]

    def _frame_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        w, h = self.pagesize
        left, right = self.leftMargin, w - self.rightMargin
        canv.saveState()
        if canv.getPageNumber() == 1:
            canv.showOutline()  # open with the bookmarks pane visible
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        top = h - 12 * mm
        canv.setFont(BOLD, _HEAD_SIZE)
        canv.setFillColor(MUTED)
        draw_runs(canv, left, top, self._head, _HEAD_SIZE, (right - left) * 0.72)
        canv.setFont(REGULAR, _HEAD_SIZE)
        canv.drawRightString(right, top, self.layout.header_right)
        canv.line(left, top - 3, right, top - 3)
        bottom = 12 * mm
        canv.line(left, bottom + 9, right, bottom + 9)
        canv.setFont(REGULAR, _FOOT_SIZE)
        ctx = self.context
        canv.drawString(left, bottom, f"Generated {ctx.generated_text}  ·  Catalogues: {ctx.catalog_versions}")
        # With a status key on the same line, the fingerprint is said briefly (the full value is
        # in the document properties and under "About this report").
        where = "" if self.layout.legend else " (full value in the document properties)"
        canv.drawString(left, bottom - 9, f"Data fingerprint {ctx.short_fingerprint}{where}  ·  {ctx.seal_text}")
        if self.layout.legend:  # before the page number: "Page N of M" stays one run of text
            _footer_legend(canv, right, bottom - 9)
        if ctx.unverified:
            _unverified_stamp(canv, left, right, top - 14)
        label = f"Page {canv.getPageNumber()} of "
        x = right - canv.stringWidth("Page 0000 of 0000", REGULAR, _FOOT_SIZE)
        canv.drawString(x, bottom, label)
        canv.translate(x + canv.stringWidth(label, REGULAR, _FOOT_SIZE), bottom)
        canv.doForm(_TOTAL_FORM)
        canv.restoreState()


STAMP = "DATA FAILED VERIFICATION"


def _unverified_stamp(canv: Canvas, left: float, right: float, y: float) -> None:
    """A red band under the running header: the data behind this page failed ``verify``."""
    canv.setFillColor(WARNING)
    canv.rect(left, y - 3, right - left, 13, stroke=0, fill=1)
    canv.setFillColor(colors.white)
    canv.setFont(BOLD, 8.5)
    canv.drawCentredString((left + right) / 2, y, f"{STAMP}: the database did not pass its integrity check when "
                                                  "this report was made; do not rely on it")


def _footer_legend(canv: Canvas, right: float, y: float) -> None:
    """Swatch, symbol and label of each status, right-aligned on the footer's second line."""
    size, box, gap = _FOOT_SIZE, 8.0, 9.0
    entries = [(STATUS_LOOKS[s], STATUS_LOOKS[s].label) for s in LEGEND_ORDER]
    width = sum(box + 3 + canv.stringWidth(label, REGULAR, size) + gap for _, label in entries) - gap
    x = right - width
    for lk, label in entries:
        canv.setFillColor(lk.fill)
        canv.setStrokeColor(RULE)
        canv.rect(x, y - 1.5, box, box, stroke=1, fill=1)
        canv.setFillColor(lk.text)
        canv.setFont(BOLD, size)
        canv.drawCentredString(x + box / 2, y + 0.5, lk.symbol)
        canv.setFillColor(MUTED)
        canv.setFont(REGULAR, size)
        canv.drawString(x + box + 3, y, label)
        x += box + 3 + canv.stringWidth(label, REGULAR, size) + gap


def _keywords(ctx: ReportContext) -> str:
    return (f"{PRODUCT}; data fingerprint sha256:{ctx.fingerprint}; {ctx.seal_text.lower()}; catalogues {ctx.catalog_versions}; "
            f"generated {ctx.generated_at.isoformat()}")


def _output_error(out: Path, reason: str) -> ReportOutputError:
    return ReportOutputError(f"cannot write the report to {out}: {reason}")


def check_output_path(out_path: Path | str) -> Path:
    """Refuse an output path that cannot be a report file, before any work (or seal) is done."""
    out = Path(out_path).expanduser()
    if out.is_dir():
        raise _output_error(out, "it is a folder; give a file name")
    folder = out.parent
    if not folder.is_dir():
        raise _output_error(out, f"{folder} is not a folder" if folder.exists() else f"the folder {folder} does not exist")
    return out


def write_atomically(out_path: Path | str, write: Callable[[Path], None]) -> Path:
    """Run ``write(temp_path)`` and rename the result to ``out_path``; on any failure, remove it."""
    out = check_output_path(out_path)
    folder = out.parent
    tmp = folder / f".{out.name}.{secrets.token_hex(4)}.part"
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise _output_error(out, exc.strerror or str(exc)) from None
    try:
        write(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _output_error(out, exc.strerror or str(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def render_pdf(
    out_path: Path | str,
    flowables: list[Flowable],
    layout: Layout,
    context: ReportContext,
    text: SafeText,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    invariant: bool | None = None,
) -> ReportResult:
    """Lay ``flowables`` out in the shared page frame and write the PDF atomically."""
    register_fonts()
    total = len(flowables)
    pages = 0
    done = 0

    def on_progress(kind: str, value: int) -> None:
        nonlocal done
        if kind == "PROGRESS":
            if cancelled is not None and cancelled():
                raise ReportCancelled()
            # reportlab counts flowables left to place; a split puts the remainder back, so
            # its figure can step back. Report only forward movement.
            if progress is not None and min(value, total) > done:
                done = min(value, total)
                progress(done, total)

    def write(tmp: Path) -> None:
        nonlocal pages
        kw: dict[str, Any] = {} if invariant is None else {"invariant": int(invariant)}
        doc = _ReportDocument(str(tmp), layout, context, text, **kw)
        doc.setProgressCallBack(on_progress)
        doc.build(flowables, canvasmaker=_ReportCanvas)
        pages = doc.page
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        if progress is not None and done < total:
            progress(total, total)

    if cancelled is not None and cancelled():
        raise ReportCancelled()
    path = write_atomically(out_path, write)
    return ReportResult(path=path, pages=pages, title=layout.pdf_title, fingerprint=context.fingerprint,
                        warnings=text.warnings())


class _HasContext(Protocol):
    @property
    def context(self) -> ReportContext: ...


D = TypeVar("D", bound=_HasContext)


class Renderer(Generic[D]):
    """One report kind: ``render(data, out_path)`` lays the data out and writes the PDF atomically.

    ``flowables(data, text)`` and ``layout(data)`` are the report module's pure functions; the
    ``SafeText`` is made per build, so each result's warnings are its own.
    """

    def __init__(self, flowables: Callable[[D, SafeText], list[Flowable]], layout: Callable[[D], Layout]) -> None:
        self.flowables, self.layout = flowables, layout

    def __call__(
        self,
        data: D,
        out_path: Path | str,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        invariant: bool | None = None,
    ) -> ReportResult:
        text = SafeText()
        return render_pdf(out_path, self.flowables(data, text), self.layout(data), data.context, text,
                          progress=progress, cancelled=cancelled, invariant=invariant)
