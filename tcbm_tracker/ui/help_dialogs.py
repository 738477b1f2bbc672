"""Help: the user guide and the keyboard shortcuts (offline, from the shipped docs/desktop.md),
and About (version, where the data is, catalogue versions, licences).

Each opens as a window of its own beside the main one (not modal), closed by Esc.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from tcbm_tracker.services.dto import CatalogInfo
from tcbm_tracker.shipped import user_guide_file

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]+)\)")

LICENCES = (
    ("TCBM Tracker", "MIT licence"),
    ("Qt for Python (PySide6)", "LGPL v3"),
    ("ReportLab", "BSD licence"),
    ("SQLAlchemy, SQLModel, Alembic, platformdirs", "MIT licence"),
    ("DejaVu fonts (in PDF reports)", "Bitstream Vera licence; DejaVu changes in the public domain"),
    ("Noto Sans Arabic (Arabic in PDF reports)", "SIL Open Font License 1.1"),
    ("Droid Sans Fallback (Chinese in PDF reports)", "Apache License 2.0"),
    ("uharfbuzz; python-bidi", "Apache License 2.0; LGPL"),
    ("cryptography; openpyxl, wcwidth", "Apache License 2.0 or BSD 3-clause; MIT"),
    ("Measure texts", "United Nations documents A/68/189 and A/74/20, annex II"),
)


def user_guide_markdown(path: Path | None = None) -> str:
    """The guide's Markdown; pictures not shipped alongside are left out (no broken images)."""
    path = path or user_guide_file()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return f"The user guide was not found at {path}. It is docs/desktop.md in the source repository."

    def keep_if_present(match: re.Match[str]) -> str:
        return match.group(0) if (path.parent / match.group(2)).is_file() else ""

    return _IMAGE.sub(keep_if_present, text)


def keyboard_markdown(guide: str) -> str:
    """The guide's "Keyboard" section, heading included."""
    match = re.search(r"^## Keyboard\n.*?(?=^## |\Z)", guide, flags=re.MULTILINE | re.DOTALL)
    return match.group(0) if match else "## Keyboard\n\nThe user guide has no keyboard section."


def about_html(version: str, database: Path | None, locations: Mapping[str, str], catalogs: Sequence[CatalogInfo]) -> str:
    rows = [("Database", str(database) if database else "none open")]
    rows += list(locations.items())
    where = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    cats = "".join(f"<li>{escape(c.short_title)} ({escape(c.key)}), version {c.version}: {escape(c.source_document)}</li>"
                   for c in catalogs) or "<li>none loaded (open a database)</li>"
    lic = "".join(f"<li>{escape(name)}: {escape(text)}</li>" for name, text in LICENCES)
    return (f"<h2>TCBM Tracker {escape(version)}</h2>"
            "<p>Who implements the UN space TCBMs (A/68/189) and the COPUOS guidelines for the long-term "
            "sustainability of outer space activities (A/74/20, annex II), with the evidence.</p>"
            f"<h3>Where the data is</h3><table cellspacing='4'>{where}</table>"
            f"<h3>Catalogues</h3><ul>{cats}</ul><h3>Licences</h3><ul>{lic}</ul>")


class TextWindow(QDialog):
    """A read-only page (Markdown or HTML) in a window of its own; Esc or Close closes it."""

    def __init__(self, title: str, parent: QWidget | None = None, *, markdown: str = "", html: str = "",
                 search_path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(False)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        if search_path is not None:
            self.browser.setSearchPaths([str(search_path)])
        if markdown:
            self.browser.setMarkdown(markdown)
        else:
            self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(760, 620)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def show_beside(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.browser.setFocus()
