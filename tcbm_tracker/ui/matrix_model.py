"""The matrix as a Qt table model (actors x measures) and the proxy that filters and sorts it.

``MatrixTableModel`` holds a ``Matrix`` DTO turned into plain lists once, so that ``data()`` is a
couple of list look-ups: no database, no settings, no formatting beyond what is cached.
``MatrixFilterProxyModel`` computes the set of visible rows and columns in one pass whenever a
filter changes (cheap set look-ups afterwards), which keeps filtering a 2,000-actor matrix well
under the 100 ms a user notices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.services.dto import ActorInfo, CellState, Matrix, MeasureInfo
from tcbm_tracker.services.figures import percent
from tcbm_tracker.services.mapping import sort_key
from tcbm_tracker.ui.matrix_sort import coverage_sort_value, row_keys, sorted_rows
from tcbm_tracker.ui.status_style import BACKGROUND_BRUSHES, FOREGROUND_BRUSHES, STATUS_RANK, STYLES

Index = QModelIndex | QPersistentModelIndex

ACTOR_COLUMN = 0
COVERAGE_COLUMN = 1
FIRST_MEASURE_COLUMN = 2

STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
ACTOR_KEY_ROLE = Qt.ItemDataRole.UserRole + 3
MEASURE_KEY_ROLE = Qt.ItemDataRole.UserRole + 4

# The roles headerData() answers; the header asks for a dozen per section on every repaint.
_HEADER_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, MEASURE_KEY_ROLE})


def header_text(key: str) -> str:
    """``LTS-B.4`` -> ``LTS`` over ``B.4``: narrow columns, and "A.1" never ambiguous."""
    prefix, dash, rest = key.partition("-")
    return f"{prefix}\n{rest}" if dash else key


@dataclass(frozen=True)
class RowCoverage:
    """One row's figures by the rule of ``services.figures``: the rate is over assessed cells."""

    implemented: int
    assessed: int
    in_scope: int

    @property
    def rate(self) -> float | None:
        return self.implemented / self.assessed if self.assessed else None

    @property
    def text(self) -> str:
        # Nothing assessed is not "0% implemented": say nothing rather than something false.
        if self.rate is None:
            return "–"
        return f"{percent(self.rate)} · {self.implemented}/{self.assessed}"


def _row_coverage(statuses: Sequence[Status]) -> RowCoverage:
    # list.count runs in C: a filter change recounts every row, so no Python loop per cell.
    in_scope = len(statuses) - statuses.count(Status.NOT_APPLICABLE)
    return RowCoverage(statuses.count(Status.IMPLEMENTED), in_scope - statuses.count(Status.NOT_ASSESSED), in_scope)


class MatrixTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.actors: list[ActorInfo] = []
        self.measures: list[MeasureInfo] = []
        self.cells: dict[tuple[str, str], CellState] = {}
        self.statuses: list[list[Status]] = []
        self.coverage: list[RowCoverage] = []
        self._actor_sort: list[str] = []
        self._coverage_columns: list[int] | None = None  # measure indexes counted; None: all
        # The rows are kept in the order shown (see matrix_sort): row r is the service's row
        # _base_pos[r]; _service_keys is the service's actor order, to tell a reload of the same shape.
        self._base_pos: list[int] = []
        self._service_keys: list[str] = []
        self.sort_spec: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    # --- loading ---------------------------------------------------------------------------
    def set_matrix(self, matrix: Matrix) -> None:
        """Show a matrix; keeps selection and scrolling when only statuses changed."""
        service_keys = [a.key for a in matrix.actors]
        same_shape = service_keys == self._service_keys and [m.key for m in matrix.measures] == [m.key for m in self.measures]
        cell = matrix.cells.get
        keys = [m.key for m in matrix.measures]
        unknown = Status.NOT_ASSESSED
        statuses = [[c.status if (c := cell((a.key, k))) is not None else unknown for k in keys] for a in matrix.actors]
        if same_shape and self.actors:
            old_cells = self.cells
            pos = self._base_pos  # the rows stay where they are shown
            self.actors, self.cells, self.statuses = [matrix.actors[b] for b in pos], dict(matrix.cells), [statuses[b] for b in pos]
            self._recompute_coverage()
            changed = [r for r, a in enumerate(self.actors)
                       if any(old_cells.get((a.key, m.key)) != self.cells.get((a.key, m.key)) for m in self.measures)]
            last = self.columnCount() - 1
            for r in changed:
                self.dataChanged.emit(self.index(r, 0), self.index(r, last))
            if changed and self.sort_spec[0] > ACTOR_COLUMN:
                self._apply_sort(emit=True)  # a status or coverage changed: its row may move, as it would in a proxy
            return
        self.beginResetModel()
        self.actors, self.measures = list(matrix.actors), list(matrix.measures)
        self.cells, self.statuses = dict(matrix.cells), statuses
        self._actor_sort = [sort_key(a.name) for a in self.actors]
        self._base_pos = list(range(len(self.actors)))
        self._service_keys = service_keys
        self._coverage_columns = None
        self._recompute_coverage()
        self._apply_sort(emit=False)
        self.endResetModel()

    def update_cells(self, states: Mapping[tuple[str, str], CellState | None]) -> int:
        """Show new states of some cells (another writer's changes): only those cells repaint.

        A cell not shown (another catalogue, an actor out of scope) is skipped. Each changed
        cell emits ``dataChanged`` for itself and for its row's coverage figure, which it moves.
        Returns how many shown cells changed.
        """
        rows = {a.key: r for r, a in enumerate(self.actors)}
        columns = {m.key: i for i, m in enumerate(self.measures)}
        changed: list[tuple[int, int]] = []
        for (actor, measure), state in states.items():
            r, i = rows.get(actor), columns.get(measure)
            if r is None or i is None or self.cells.get((actor, measure)) == state:
                continue
            if state is None:
                self.cells.pop((actor, measure), None)
            else:
                self.cells[(actor, measure)] = state
            self.statuses[r][i] = state.status if state is not None else Status.NOT_ASSESSED
            changed.append((r, i))
        if not changed:
            return 0
        cols = self._coverage_columns
        for r in {r for r, _ in changed}:
            row = self.statuses[r]
            self.coverage[r] = _row_coverage(row if cols is None else [row[c] for c in cols])
        for r, i in changed:
            cell = self.index(r, FIRST_MEASURE_COLUMN + i)
            self.dataChanged.emit(cell, cell)
            figure = self.index(r, COVERAGE_COLUMN)
            self.dataChanged.emit(figure, figure)
        if self.sort_spec[0] > ACTOR_COLUMN:
            self._apply_sort(emit=True)  # a sorted column changed: the row may move
        return len(changed)

    # --- sorting (see matrix_sort) ------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Put the rows in order of ``column`` (-1: the service's order), keeping selections."""
        self.sort_spec = (column, order)
        self._apply_sort(emit=True)

    def _apply_sort(self, *, emit: bool) -> None:
        column, order = self.sort_spec
        new = sorted_rows(self._base_pos, row_keys(column, self._actor_sort, self.coverage, self.statuses), order)
        if new == list(range(len(new))):
            return
        if emit:
            self.layoutAboutToBeChanged.emit()
        self.actors = [self.actors[r] for r in new]
        self.statuses = [self.statuses[r] for r in new]
        self.coverage = [self.coverage[r] for r in new]
        self._actor_sort = [self._actor_sort[r] for r in new]
        self._base_pos = [self._base_pos[r] for r in new]
        if emit:
            where = [0] * len(new)
            for i, r in enumerate(new):
                where[r] = i
            old = self.persistentIndexList()
            self.changePersistentIndexList(old, [self.index(where[i.row()], i.column()) for i in old])
            self.layoutChanged.emit()

    def set_coverage_measures(self, measure_columns: Sequence[int] | None) -> None:
        """Count coverage over these measure indexes only (the visible catalogue or group)."""
        cols = list(measure_columns) if measure_columns is not None else None
        if cols == self._coverage_columns:
            return
        self._coverage_columns = cols
        self._recompute_coverage()
        if self.actors:
            self.dataChanged.emit(self.index(0, COVERAGE_COLUMN), self.index(len(self.actors) - 1, COVERAGE_COLUMN))
            if self.sort_spec[0] == COVERAGE_COLUMN:
                self._apply_sort(emit=True)

    def _recompute_coverage(self) -> None:
        cols = self._coverage_columns
        if cols is None:
            self.coverage = [_row_coverage(row) for row in self.statuses]
        else:
            self.coverage = [_row_coverage([row[c] for c in cols]) for row in self.statuses]

    # --- look-ups for views ----------------------------------------------------------------
    def actor_at(self, row: int) -> ActorInfo:
        return self.actors[row]

    def measure_at(self, column: int) -> MeasureInfo | None:
        i = column - FIRST_MEASURE_COLUMN
        return self.measures[i] if 0 <= i < len(self.measures) else None

    def column_of(self, measure_key: str) -> int:
        for i, m in enumerate(self.measures):
            if m.key == measure_key:
                return i + FIRST_MEASURE_COLUMN
        return -1

    def row_of(self, actor_key: str) -> int:
        for i, a in enumerate(self.actors):
            if a.key == actor_key:
                return i
        return -1

    # --- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.actors)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIRST_MEASURE_COLUMN + len(self.measures)

    # No flags() override: QAbstractTableModel's own (enabled, selectable, no children) is what
    # the matrix needs, and answering in C++ spares a Python call per cell on every repaint.

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if col >= FIRST_MEASURE_COLUMN:
            status = self.statuses[row][col - FIRST_MEASURE_COLUMN]
            if role == STATUS_ROLE:  # first: the cell delegate asks only this, on every paint
                return status.value
            if role == Qt.ItemDataRole.DisplayRole:
                return STYLES[status].symbol
            if role == Qt.ItemDataRole.BackgroundRole:
                return BACKGROUND_BRUSHES[status]
            if role == Qt.ItemDataRole.ForegroundRole:
                return FOREGROUND_BRUSHES[status]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
            if role == SORT_ROLE:
                return STATUS_RANK[status]
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                return self._cell_tooltip(row, col - FIRST_MEASURE_COLUMN, status)
            if role == ACTOR_KEY_ROLE:
                return self.actors[row].key
            if role == MEASURE_KEY_ROLE:
                return self.measures[col - FIRST_MEASURE_COLUMN].key
            return None
        actor = self.actors[row]
        if role == ACTOR_KEY_ROLE:
            return actor.key
        if col == ACTOR_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return actor.name
            if role == SORT_ROLE:
                return self._actor_sort[row]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{actor.name} ({actor.key}): {actor.kind.label}" + (f", {actor.region}" if actor.region else "")
            return None
        cov = self.coverage[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return cov.text
        if role == SORT_ROLE:
            return coverage_sort_value(cov.implemented, cov.assessed, cov.in_scope)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and cov.assessed == 0:
            return FOREGROUND_BRUSHES[Status.NOT_ASSESSED]
        if role == Qt.ItemDataRole.ToolTipRole:
            if cov.assessed == 0:
                return f"{actor.name}: none of the measures shown has been assessed yet"
            return (f"{actor.name}: implements {cov.implemented} of the {cov.assessed} measures shown that have been "
                    f"assessed ({cov.text.split(' ')[0]}); assessment coverage {cov.assessed} of {cov.in_scope} in scope "
                    "(not-applicable measures are left out)")
        return None

    def _cell_tooltip(self, row: int, m: int, status: Status) -> str:
        actor, measure = self.actors[row], self.measures[m]
        head = f"{actor.name} — {measure.key}: {status.label}"
        cell = self.cells.get((actor.key, measure.key))
        if cell is None:
            return head
        return (f"{head}\n{cell.provenance.label}, {cell.confidence.label.lower()} confidence, "
                f"in force from {cell.effective_date.isoformat()}")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _HEADER_ROLES or orientation != Qt.Orientation.Horizontal \
                or not 0 <= section < FIRST_MEASURE_COLUMN + len(self.measures):
            return None
        measure = self.measure_at(section)
        if measure is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Actor" if section == ACTOR_COLUMN else "Impl. rate"
            if role == Qt.ItemDataRole.ToolTipRole and section == COVERAGE_COLUMN:
                return ("Implementation rate: implemented of the measures shown that have been assessed "
                        "(not assessed and not applicable left out), e.g. “45% · 5/11”; “–” when none is assessed")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return header_text(measure.key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{measure.key}: {measure.title}\n{measure.citation}"
        if role == MEASURE_KEY_ROLE:
            return measure.key
        return None


# The search box searches actors; text after this prefix searches measures instead ("m:debris").
MEASURE_SEARCH_PREFIX = "m:"


@dataclass(frozen=True)
class MatrixFilter:
    """What the user asked to see; empty values mean "everything"."""

    catalog: str | None = None
    group: str | None = None  # "LTS2019/B"
    region: str | None = None  # a regional group code, or "NONE"
    status: Status | None = None
    text: str = ""  # actor names and codes
    measure_text: str = ""  # measure keys and titles: only when asked for (see ``from_search``)

    @staticmethod
    def split_search(search: str) -> tuple[str, str]:
        """The search box's text as (actor text, measure text).

        Actors by default: a state's first letters ("Fra", "Spa", "New") also occur in measure
        titles ("frameworks", "space"), and filtering the columns as well silently changed what
        the Coverage figures meant. Measures only after ``m:``.
        """
        stripped = search.strip()
        if stripped[:len(MEASURE_SEARCH_PREFIX)].casefold() == MEASURE_SEARCH_PREFIX:
            return "", stripped[len(MEASURE_SEARCH_PREFIX):].strip()
        return stripped, ""


class MatrixFilterProxyModel(QSortFilterProxyModel):
    """Filters rows (actors) and columns (measures); sorting is the source model's (``sort``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.filter = MatrixFilter()
        self._rows: set[int] | None = None
        self._columns: set[int] | None = None
        self.matching_actors = 0
        self.matching_measures = 0

    def source(self) -> MatrixTableModel:
        model = self.sourceModel()
        assert isinstance(model, MatrixTableModel)
        return model

    def set_filter(self, flt: MatrixFilter) -> None:
        self.filter = flt
        self.refilter()

    def refilter(self) -> None:
        """Recompute the visible rows and columns, then let Qt re-filter once."""
        model, flt = self.source(), self.filter
        needle = flt.text.strip().casefold()
        measure_needle = flt.measure_text.strip().casefold()
        cat, _, grp = (flt.group or "").rpartition("/")
        columns = [
            i for i, m in enumerate(model.measures)
            if (not flt.catalog or m.catalog_key == flt.catalog)
            and (not flt.group or (m.group_key == grp and (not cat or m.catalog_key == cat)))
        ]
        rows = [r for r, a in enumerate(model.actors) if not flt.region
                or a.region == flt.region or (flt.region == "NONE" and a.region is None)]
        if needle:
            rows = [r for r in rows if needle in model.actors[r].name.casefold() or needle == model.actors[r].key.casefold()]
        if measure_needle:
            columns = [c for c in columns if measure_needle in model.measures[c].key.casefold()
                       or measure_needle in model.measures[c].title.casefold()]
        self.matching_measures = len(columns)
        model.set_coverage_measures(columns if len(columns) != len(model.measures) else None)
        if flt.status is not None:
            wanted = flt.status
            rows = [r for r in rows if any(model.statuses[r][c] is wanted for c in columns)]
        self.matching_actors = len(rows)
        self.beginFilterChange()
        self._rows = set(rows)
        self._columns = {c + FIRST_MEASURE_COLUMN for c in columns}
        self.endFilterChange()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The view's sort (header click, ``sortByColumn``) goes to the model: the proxy never
        compares rows itself (see matrix_sort), so it keeps the source's order."""
        if column < 0:
            source_column = -1
        elif column < FIRST_MEASURE_COLUMN or self._columns is None:
            source_column = column
        else:
            shown = sorted(self._columns)
            source_column = shown[column - FIRST_MEASURE_COLUMN] if column - FIRST_MEASURE_COLUMN < len(shown) else -1
        self.source().sort(source_column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self._rows is None or source_row in self._rows

    def filterAcceptsColumn(self, source_column: int, source_parent: Index) -> bool:
        return source_column < FIRST_MEASURE_COLUMN or self._columns is None or source_column in self._columns
