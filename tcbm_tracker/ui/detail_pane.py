"""The detail pane: one assessment in full, beside the cell history.

Tables show a note's first line; here the note is shown whole and word-wrapped, with the
evidence it cites: document symbol, title, date, pinpoint, and the link when it is http(s)
(opened in the browser by click or by Tab then Enter), and for an evidence item with an attached
file a link that opens a copy of it. Nothing typed by a user is read as markup: every value is
escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser, QWidget

from tcbm_tracker.domain.local_time import instant_text
from tcbm_tracker.services.dto import AssessmentInfo, EvidenceInfo
from tcbm_tracker.ui.bidi import isolate
from tcbm_tracker.ui.status_style import status_text

ATTACHMENT_SCHEME = "tcbm-attachment"  # an internal link: "tcbm-attachment:ID" opens evidence ID's file
_EMPTY = "<p style='color:#5a5a5a'>Choose a cell, or a row of its history, to read its note and evidence in full.</p>"


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None (no file:, javascript: or data: links)."""
    if not url:
        return None
    parsed = QUrl(url.strip())
    return parsed.toString() if parsed.isValid() and parsed.scheme().lower() in ("http", "https") and parsed.host() else None


def evidence_html(e: EvidenceInfo) -> str:
    symbol = f"<b>{escape(e.symbol)}</b> " if e.symbol else ""
    parts = [f"{symbol}{escape(isolate(e.title))}"]
    if e.date:
        parts.append(escape(e.date))
    if e.pinpoint:
        parts.append(f"at {escape(e.pinpoint)}")
    link = safe_link(e.url)
    text = ", ".join(parts)
    if e.file_name:
        text += (f"<br><a href=\"{ATTACHMENT_SCHEME}:{int(e.id)}\">Open the attached file "
                 f"{escape(isolate(e.file_name))}</a>")
    if link:
        text += f"<br><a href=\"{escape(link, quote=True)}\">{escape(link)}</a>"
    elif e.url:
        text += f"<br>{escape(e.url)}"
    return f"<li>{text}</li>"


def assessment_html(title: str, a: AssessmentInfo | None, evidence: Sequence[EvidenceInfo]) -> str:
    head = f"<p><b>{escape(title)}</b></p>"
    if a is None:
        return head + "<p>Not assessed yet.</p>"
    facts = (f"<p>{escape(status_text(a.status))}, in force from {a.effective_date.isoformat()}<br>"
             f"{escape(a.provenance.label)}, {escape(a.confidence.label.lower())} confidence<br>"
             f"<span style='color:#5a5a5a'>recorded {escape(instant_text(a.recorded_at))} by {escape(a.recorded_by)}</span></p>")
    note = (f"<p style='white-space: pre-wrap'>{escape(a.note)}</p>" if a.note
            else "<p style='color:#5a5a5a'>No note.</p>")
    cited = ("<p><b>Evidence</b></p><ul>" + "".join(evidence_html(e) for e in evidence) + "</ul>") if evidence \
        else "<p style='color:#5a5a5a'>No evidence cited.</p>"
    return head + facts + note + cited


class DetailPane(QTextBrowser):
    """Read-only, selectable, links followable from the keyboard; only http(s) links open."""

    def __init__(self, open_url: Callable[[QUrl], object] = QDesktopServices.openUrl, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Opens a copy of evidence ID's attached file; set by the window (None: links do nothing).
        self.open_attachment: Callable[[int], object] | None = None
        self.setObjectName("detailPane")
        self.setAccessibleName("Assessment details")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setTabChangesFocus(False)  # Tab moves between links; Ctrl+Tab and Esc leave
        self._open_url = open_url
        self.anchorClicked.connect(self._follow)
        self.setHtml(_EMPTY)

    def show_assessment(self, title: str, assessment: AssessmentInfo | None, evidence: Sequence[EvidenceInfo]) -> None:
        self.setHtml(assessment_html(title, assessment, evidence))

    def clear_details(self) -> None:
        self.setHtml(_EMPTY)

    def _follow(self, url: QUrl) -> None:
        if url.scheme() == ATTACHMENT_SCHEME:
            if self.open_attachment is not None and url.path().isdigit():
                self.open_attachment(int(url.path()))
        elif safe_link(url.toString()) is not None:
            self._open_url(url)
