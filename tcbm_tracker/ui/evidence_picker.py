"""A checkable list of evidence for the assessment editor, new (unsaved) evidence included.

Rows are ``EvidenceInfo`` DTOs (already stored) or ``EvidenceInput`` (added in this editor,
written together with the assessment). Checking a row links it to the assessment.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from tcbm_tracker.domain.vocabulary import EvidenceType
from tcbm_tracker.services.dto import EvidenceInfo
from tcbm_tracker.services.evidence import EvidenceInput
from tcbm_tracker.ui.bidi import isolate

Index = QModelIndex | QPersistentModelIndex


def _type_label(value: str) -> str:
    try:
        return EvidenceType(value).label
    except ValueError:
        return value


def evidence_line(e: EvidenceInfo | EvidenceInput) -> str:
    symbol = f"{e.symbol} — " if e.symbol else ""
    date = f" ({e.date})" if e.date else ""
    new = "" if isinstance(e, EvidenceInfo) else "  [new]"
    # An Arabic or Hebrew title is isolated, so that the date after it is not laid out in its
    # right-to-left run (which showed "2024-03-01" as "01-03-2024").
    return f"{symbol}{isolate(e.title)}{date}{new}"


class EvidencePickerModel(QAbstractListModel):
    def __init__(self, evidence: tuple[EvidenceInfo, ...], checked: tuple[int, ...] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[EvidenceInfo | EvidenceInput] = list(evidence)
        self.checked: list[bool] = [e.id in checked for e in evidence]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return evidence_line(e)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if self.checked[index.row()] else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [_type_label(e.evidence_type if isinstance(e.evidence_type, str) else e.evidence_type.value)]
            if e.url:
                parts.append(e.url)
            if e.pinpoint:
                parts.append(e.pinpoint)
            return "\n".join(parts)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(value)
        self.checked[index.row()] = state == Qt.CheckState.Checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def add_new(self, item: EvidenceInput) -> QModelIndex:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(item)
        self.checked.append(True)
        self.endInsertRows()
        return self.index(row, 0)

    def checked_ids(self) -> tuple[int, ...]:
        return tuple(e.id for e, c in zip(self.rows, self.checked, strict=True) if c and isinstance(e, EvidenceInfo))

    def checked_new(self) -> tuple[EvidenceInput, ...]:
        return tuple(e for e, c in zip(self.rows, self.checked, strict=True) if c and isinstance(e, EvidenceInput))


class EvidenceSearchProxyModel(QSortFilterProxyModel):
    """Case-insensitive search over the displayed line (symbol, title, date)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
