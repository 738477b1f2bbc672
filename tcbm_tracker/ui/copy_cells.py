"""Edit > Copy: the selection as tab-separated text with headers, for a spreadsheet or a note.

From the matrix: one line per selected actor, the actor's name first, then one column per
selected measure (or Coverage) headed by its key, each cell's status in words (symbols do not
survive every paste). From the other tables: the selected rows under the table's column titles.
Tabs and line breaks inside values become spaces, so that the text keeps its grid.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QTableView

from tcbm_tracker.domain.vocabulary import Status
from tcbm_tracker.ui.matrix_model import ACTOR_COLUMN, MEASURE_KEY_ROLE, STATUS_ROLE


def _clean(value: object) -> str:
    return " ".join(str(value if value is not None else "").split())


def _selected(view: QTableView) -> tuple[list[int], list[int], set[tuple[int, int]]]:
    """Rows, columns and cells of the selection (view coordinates), read from its ranges."""
    cells: set[tuple[int, int]] = set()
    for rng in view.selectionModel().selection():
        for row in range(rng.top(), rng.bottom() + 1):
            for column in range(rng.left(), rng.right() + 1):
                cells.add((row, column))
    if not cells and view.currentIndex().isValid():
        cells.add((view.currentIndex().row(), view.currentIndex().column()))
    return sorted({r for r, _ in cells}), sorted({c for _, c in cells}), cells


def matrix_tsv(view: QTableView) -> str:
    model: QAbstractItemModel = view.model()
    rows, columns, cells = _selected(view)
    if not rows:
        return ""
    columns = [c for c in columns if c != ACTOR_COLUMN]
    header = ["Actor"] + [_clean(model.headerData(c, Qt.Orientation.Horizontal, MEASURE_KEY_ROLE)
                                 or model.headerData(c, Qt.Orientation.Horizontal)) for c in columns]
    lines = ["\t".join(header)]
    for r in rows:
        values = [_clean(model.index(r, ACTOR_COLUMN).data())]
        for c in columns:
            if (r, c) not in cells and (r, ACTOR_COLUMN) not in cells:
                values.append("")
                continue
            index = model.index(r, c)
            status = index.data(STATUS_ROLE)
            values.append(Status(status).label if status else _clean(index.data()))
        lines.append("\t".join(values))
    return "\n".join(lines) + "\n"


def table_rows_tsv(view: QTableView) -> str:
    """The selected rows of a read-only table, every visible column, under the column titles."""
    model = view.model()
    rows, _columns, _cells = _selected(view)
    if not rows:
        return ""
    columns = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    lines = ["\t".join(_clean(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns)]
    for r in rows:
        lines.append("\t".join(_clean(model.index(r, c).data()) for c in columns))
    return "\n".join(lines) + "\n"
