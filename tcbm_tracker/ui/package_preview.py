"""The preview of an exchange package before it is merged, with the conflict list.

``PackagePreviewDialog`` shows who signed the package and what importing it would do: the
entries it would add, those already in this copy, the conflicts, and the rejected entries (any
rejection stops the import). Each conflict is a cell both copies changed differently since their
last common change; the conflict list shows both sides with their evidence, and the user keeps
this copy's side ("mine") or the other copy's ("theirs") per conflict, or the same rule for all
(including "newest"). Import stays disabled until every conflict has a side.

A package signed by a copy that is not on the trust list is shown by its summary only, with two
ways on: trust the signer (after comparing fingerprints) or import as third-party information.
The dialog only emits what the user chose; ``package_actions`` runs the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.exchange.packages.api import Conflict, ConflictSide, ImportPlan, PackageSummary, PlannedItem, Side
from tcbm_tracker.ui.status_style import status_text
from tcbm_tracker.ui.wording import count

_Index = QModelIndex | QPersistentModelIndex
SIDE_WORDS = {"mine": "Mine (this copy)", "theirs": "Theirs (the package)"}


def grouped(fingerprint: str) -> str:
    """A fingerprint in groups of four, easier to read aloud and compare."""
    return " ".join(fingerprint[i:i + 4] for i in range(0, len(fingerprint), 4))


def _instant(text: str) -> str:
    return text[:16].replace("T", " ") + " UTC" if len(text) >= 16 else text


def _status(value: str) -> str:
    try:
        return status_text(Status(value))
    except ValueError:
        return value


def side_text(side: ConflictSide, *, theirs: bool, names: Mapping[str, str] | None = None) -> str:
    """Both sides read the same way: status and date, who and when, where from, note, evidence.
    ``names``: the trust list's names of copies, by key fingerprint."""
    if side.origin:
        name = (names or {}).get(side.origin)
        where = f"recorded in copy {name} ({side.origin[:8]}…)" if name else f"recorded in copy {side.origin[:16]}…"
    else:
        where = "recorded in this copy" if not theirs else "recorded in the package's copy"
    lines = [f"{_status(side.status)} from {side.effective_date.isoformat()}",
             f"by {side.recorded_by}, {_instant(side.recorded_at)}; {where}",
             f"Note: {side.note}" if side.note else "No note",
             ("Evidence: " + "; ".join(side.evidence_titles)) if side.evidence_titles else "No evidence cited"]
    return "\n".join(lines)


def summary_text(summary: PackageSummary) -> str:
    signer = summary.exporter.short
    if summary.trusted:
        who = f"signed by the trusted copy {summary.signer_name or signer}" + (f" ({signer}…)" if summary.signer_name else "…")
    else:
        who = f"signed by copy {signer}…, which is NOT on your list of trusted copies"
    span = f"changes since {summary.since.isoformat()}" if summary.since else "the whole record"
    what = ", ".join([count(summary.assessments, "assessment"), count(summary.evidence, "evidence item"),
                      count(summary.evidence_files, "attached file"), count(summary.actors, "actor"),
                      count(summary.catalogs, "catalogue")])
    return (f"{summary.path.name}: {who}. Exported {_instant(summary.exported_at)} by {summary.exported_by}: "
            f"{span}; {what}.")


class ConflictModel(QAbstractTableModel):
    """One row per conflict: the cell, this copy's side, the package's side, and the side kept."""

    HEADERS = ("Cell", "Mine: this copy", "Theirs: the package", "Keep")

    def __init__(self, conflicts: tuple[Conflict, ...], names: Mapping[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflicts = conflicts
        self.names = dict(names or {})
        self.choices: dict[str, Side] = {}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.conflicts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.conflicts[index.row()]
        chosen = self.choices.get(c.key)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{c.actor_key} {c.measure_key}"
            if column == 1:
                return side_text(c.mine, theirs=False, names=self.names)
            if column == 2:
                return side_text(c.theirs, theirs=True, names=self.names)
            keep = SIDE_WORDS[chosen] if chosen else "not chosen yet"
            return f"{keep}\n(newest: {c.newest})"
        if role == Qt.ItemDataRole.FontRole and chosen and column == (1 if chosen == "mine" else 2):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 2):
            return side_text(c.mine if column == 1 else c.theirs, theirs=column == 2, names=self.names)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index).replace("\n", "; ")
        return None

    def choose(self, rows: list[int], rule: str) -> None:
        """Keep ``rule`` ("mine", "theirs" or "newest") for the conflicts in ``rows``."""
        for row in rows:
            c = self.conflicts[row]
            self.choices[c.key] = c.newest if rule == "newest" else rule  # type: ignore[assignment]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(self.HEADERS) - 1))

    @property
    def unresolved(self) -> int:
        return sum(1 for c in self.conflicts if c.key not in self.choices)


class ConflictTable(QTableView):
    """The conflict list; M, T and N keep mine, theirs or the newest for the selected rows."""

    chosen = Signal()

    KEYS = {Qt.Key.Key_M: "mine", Qt.Key.Key_T: "theirs", Qt.Key.Key_N: "newest"}

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The sides wrap: their rows' heights follow the columns' widths.
        super().resizeEvent(event)
        self.resizeRowsToContents()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        rule = self.KEYS.get(Qt.Key(event.key()))
        if rule is not None and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self.choose(rule)
            return
        super().keyPressEvent(event)

    def selected_rows(self) -> list[int]:
        rows = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        return rows

    def choose(self, rule: str, rows: list[int] | None = None) -> None:
        model = self.model()
        assert isinstance(model, ConflictModel)
        model.choose(self.selected_rows() if rows is None else rows, rule)
        self.resizeRowsToContents()
        self.chosen.emit()


def _list(lines: list[str], empty: str) -> QListView:
    """A read-only list; a model rather than items, since a year's package lists 100,000 entries."""
    widget = QListView()
    widget.setModel(QStringListModel(lines or [empty], widget))
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setUniformItemSizes(True)
    return widget


def item_text(item: PlannedItem) -> str:
    """"Assessment: FRA LTS-B.4 …"; a description that names its kind already is not prefixed again."""
    if item.description.lower().startswith(item.kind):
        return item.description[:1].upper() + item.description[1:]
    return f"{item.kind.capitalize()}: {item.description}"


class PackagePreviewDialog(QDialog):
    """What importing a package would do; nothing is changed until Import is pressed.

    Signals: ``import_confirmed(resolution)`` (a dict of conflict key to side, or None when there
    is no conflict); ``trust_requested`` (trust the signer, then check again);
    ``third_party_requested`` (check again as third-party information)."""

    import_confirmed = Signal(object)
    trust_requested = Signal()
    third_party_requested = Signal()

    def __init__(self, summary: PackageSummary, plan: ImportPlan | None, parent: QWidget | None = None,
                 names: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import exchange package — nothing has been changed yet")
        self.summary, self.plan = summary, plan
        self.names = dict(names or {})
        layout = QVBoxLayout(self)
        self.summary_label = QLabel(summary_text(summary))
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        # Neither is the default: Enter must not trust a copy nor import anything.
        self.trust_button = QPushButton("&Trust This Copy, Then Preview")
        self.third_party_button = QPushButton("Import as T&hird-Party Information…")
        for button in (self.trust_button, self.third_party_button):
            button.setAutoDefault(False)
        self.import_button = QPushButton("&Import")
        self.conflicts: ConflictTable | None = None
        self.model: ConflictModel | None = None
        self.tabs: QTabWidget | None = None
        self.state = QLabel()
        self.state.setWordWrap(True)
        if plan is None:
            layout.addWidget(self._untrusted_box(summary), 1)
        else:
            if plan.third_party:
                layout.addWidget(self._banner(
                    "Importing as third-party information: the assessments this package adds are recorded with "
                    "third-party provenance, whatever provenance the other copy gave them, and the import is "
                    "recorded as from an untrusted copy."))
            layout.addWidget(self._plan_tabs(plan), 1)
        layout.addWidget(self.state)
        buttons = QDialogButtonBox()
        if plan is None:
            buttons.addButton(self.trust_button, QDialogButtonBox.ButtonRole.ActionRole)
            buttons.addButton(self.third_party_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.trust_button.clicked.connect(self._trust)
            self.third_party_button.clicked.connect(self._third_party)
        else:
            if plan.third_party:
                self.import_button.setText("&Import as Third-Party")
            buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
            self.import_button.clicked.connect(self._confirm)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()
        if plan is not None:
            self.resize(980, 620)
        else:
            self.resize(780, 380)

    # --- building -----------------------------------------------------------------------------
    @staticmethod
    def _banner(text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setFrameShape(QFrame.Shape.StyledPanel)
        label.setStyleSheet("QLabel { background: #fff3cd; color: #3d2e00; padding: 6px; }")
        return label

    def _untrusted_box(self, summary: PackageSummary) -> QWidget:
        box = QWidget()
        grid = QVBoxLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self._banner(
            "This package is signed by a copy that is not on your list of trusted copies, so nothing in it "
            "has been checked against this copy yet."))
        fingerprint = QLabel(f"Its key fingerprint:\n{grouped(summary.exporter.fingerprint)}")
        fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fingerprint.setFont(QFont("monospace"))
        grid.addWidget(fingerprint)
        advice = QLabel(
            "• Trust This Copy: only after checking, by telephone or in person, that this fingerprint is the one the "
            "other copy shows under File > Exchange Package. Its packages are then imported as it recorded them.\n"
            "• Third-Party Information: import without trusting the signer. Every assessment it adds is marked as "
            "third-party provenance (not self-reported or official), so it never passes for a trusted record.")
        advice.setWordWrap(True)
        grid.addWidget(advice)
        grid.addStretch(1)
        return box

    def _plan_tabs(self, plan: ImportPlan) -> QTabWidget:
        tabs = self.tabs = QTabWidget()
        self.model = ConflictModel(plan.conflicts, self.names, self)
        table = self.conflicts = ConflictTable()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(True)
        table.setTabKeyNavigation(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        table.verticalHeader().setVisible(False)
        table.resizeRowsToContents()
        table.chosen.connect(self._update)
        conflicts = QWidget()
        box = QVBoxLayout(conflicts)
        hint = QLabel("Each row is a cell both copies changed differently since they last exchanged. Choose the side to "
                      "keep: the choice is recorded as a new assessment (nothing is deleted; both sides stay in the "
                      "history). Keys in the list: M mine, T theirs, N the newest, for the selected rows (Ctrl+A: all).")
        hint.setWordWrap(True)
        box.addWidget(hint)
        box.addWidget(table, 1)
        grid = QGridLayout()
        self.choice_buttons: dict[str, QPushButton] = {}
        for col, (rule, selected, every) in enumerate([("mine", "Keep &Mine", "Mine for A&ll"),
                                                        ("theirs", "Keep &Theirs", "T&heirs for All"),
                                                        ("newest", "Keep &Newest", "Ne&west for All")]):
            one, all_ = QPushButton(selected), QPushButton(every)
            one.clicked.connect(lambda _=False, r=rule: table.choose(r))
            all_.clicked.connect(lambda _=False, r=rule: table.choose(r, list(range(len(plan.conflicts)))))
            grid.addWidget(one, 0, col)
            grid.addWidget(all_, 1, col)
            self.choice_buttons[selected] = one
            self.choice_buttons[every] = all_
        box.addLayout(grid)
        if plan.conflicts:
            table.selectRow(0)
        added = [item_text(i) for i in plan.added]
        present = [item_text(i) for i in plan.present]
        rejected = [str(r) for r in plan.rejected]
        tabs.addTab(_list(added, "Nothing new to add."), f"&Added ({len(plan.added):,})")
        tabs.addTab(conflicts, f"&Conflicts ({len(plan.conflicts):,})")
        tabs.addTab(_list(present, "Nothing of it is in this copy yet."), f"Already &Present ({len(plan.present):,})")
        tabs.addTab(_list(rejected, "No entry rejected."), f"&Rejected ({len(plan.rejected):,})")
        # Open where the user has something to do: rejections first, then conflicts.
        tabs.setCurrentIndex(3 if plan.rejected else 1 if plan.conflicts else 0)
        return tabs

    # --- state --------------------------------------------------------------------------------
    def _update(self) -> None:
        plan = self.plan
        if plan is None:
            self.state.setText("Choose how to go on, or Cancel: nothing is imported from an untrusted copy unless you say so.")
            return
        unresolved = self.model.unresolved if self.model is not None else 0
        if plan.rejected:
            text = (f"{count(len(plan.rejected), 'entry', 'entries')} rejected: nothing can be imported from this "
                    "package (see Rejected).")
        elif unresolved:
            text = (f"{unresolved:,} of {count(len(plan.conflicts), 'conflict')} without a side yet: choose Mine or "
                    "Theirs for each (or a rule for all) before importing.")
        elif not plan.added and not plan.conflicts:
            text = "Everything in this package is already in this copy: importing it would change nothing."
        else:
            text = (f"Ready: {count(len(plan.added), 'entry', 'entries')} to add"
                    + (f", {count(len(plan.conflicts), 'conflict')} resolved as chosen" if plan.conflicts else "")
                    + ". A backup is made first.")
        self.state.setText(text)
        ok = plan.ok and unresolved == 0 and bool(plan.added or plan.conflicts)
        self.import_button.setEnabled(ok)
        self.import_button.setDefault(ok)

    def resolution(self) -> dict[str, Side] | None:
        if self.model is None or not self.model.conflicts:
            return None
        return dict(self.model.choices)

    def _confirm(self) -> None:
        if self.import_button.isEnabled():
            resolution = self.resolution()
            self.accept()
            self.import_confirmed.emit(resolution)

    def _trust(self) -> None:
        self.accept()
        self.trust_requested.emit()

    def _third_party(self) -> None:
        self.accept()
        self.third_party_requested.emit()
