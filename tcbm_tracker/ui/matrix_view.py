"""The home screen: every actor against every measure, with filters, search and a legend."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tcbm_tracker.domain.vocabulary import STATUS_ORDER, Status
from tcbm_tracker.ui.cell_delegate import StatusCellDelegate
from tcbm_tracker.ui.controller import MatrixData
from tcbm_tracker.ui.edits import Cell
from tcbm_tracker.ui.frozen_columns import FrozenColumnsView, keep_clear_of_frozen
from tcbm_tracker.ui.keyboard import TypedText, TypeToSelectCombo
from tcbm_tracker.ui.legend import StatusLegend
from tcbm_tracker.ui.matrix_model import (
    ACTOR_COLUMN,
    COVERAGE_COLUMN,
    FIRST_MEASURE_COLUMN,
    MEASURE_KEY_ROLE,
    MEASURE_SEARCH_PREFIX,
    MatrixFilter,
    MatrixFilterProxyModel,
    MatrixTableModel,
)
from tcbm_tracker.ui.measure_strip import MeasureStrip
from tcbm_tracker.ui.start_panel import StartPanel
from tcbm_tracker.ui.status_style import status_text

MEASURE_COLUMN_WIDTH = 34



OPENING_TEXT = "Opening the record… the matrix appears as soon as it is read."
OPENING_FAILED_TEXT = ("The record could not be opened (the message says why). File > Open Database (Ctrl+O) "
                       "opens another file; File > New Database creates one.")

class MatrixTableView(QTableView):
    """The grid. F2 edits the selected cells; Enter does what a double-click on the current cell
    does: edits on a measure cell, opens the dossier on an actor name (Enter would otherwise just
    move down).

    A darker line separates the catalogues (and the actor columns from the measures), so that
    GGE and LTS columns read as two blocks.
    """

    edit_pressed = Signal()
    enter_pressed = Signal()
    menu_requested = Signal(QModelIndex, QPoint)  # the cell, where to show the menu (global)

    def __init__(self) -> None:
        super().__init__()
        self.separator_columns: list[int] = []  # view columns with a separator on their left
        self.frozen: FrozenColumnsView | None = None  # the Actor and Coverage columns, kept in view
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)  # Tab and Shift+Tab leave the grid; arrows move in it
        self._typed = TypedText()

    def keyboardSearch(self, search: str) -> None:
        """Typing a name jumps to that actor, from any column (the column stays)."""
        model = self.model()
        if not search or model is None or model.rowCount() == 0:
            return
        typed = self._typed.add(search)
        current = self.currentIndex()
        row = max(current.row(), 0)
        start = row if len(typed) > 1 else row + 1
        flags = Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchWrap
        found = model.match(model.index(start % model.rowCount(), 0), Qt.ItemDataRole.DisplayRole, typed, 1, flags)
        if not found and len(typed) > 1:  # no name starts so: start again from this letter
            found = model.match(model.index((row + 1) % model.rowCount(), 0), Qt.ItemDataRole.DisplayRole,
                                self._typed.restart(search), 1, flags)
        if found:
            column = current.column() if current.isValid() else 0
            self.setCurrentIndex(model.index(found[0].row(), column))

    def scrollTo(self, index: QModelIndex, hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # type: ignore[override]
        before = self.horizontalScrollBar().value()
        super().scrollTo(index, hint)
        if self.frozen is not None:
            keep_clear_of_frozen(self, self.frozen, index, before)

    def resizeEvent(self, event: object) -> None:  # type: ignore[override]
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.frozen is not None:
            self.frozen.update_geometry()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if self.frozen is not None:
            self.frozen.update_geometry()

    def keyPressEvent(self, event: object) -> None:  # type: ignore[override]
        key = event.key()  # type: ignore[attr-defined]
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            return
        if key == Qt.Key.Key_F2:
            self.edit_pressed.emit()
            return
        if key == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier:  # type: ignore[attr-defined]
            # Shift+F10 is the menu key's twin; only Windows turns it into a context-menu event.
            self._keyboard_menu()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The cell menu. From the keyboard (the Menu key) it is the current cell's: the position
        Qt gives then is the current cell's rectangle in the viewport's coordinates, delivered to
        the table (so ``indexAt`` found the row below, and nothing on the last row)."""
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            self._keyboard_menu()
            return
        index = self.indexAt(self.viewport().mapFromGlobal(event.globalPos()))
        if index.isValid():
            self.menu_requested.emit(index, event.globalPos())

    def _keyboard_menu(self) -> None:
        current = self.currentIndex()
        if current.isValid():
            rect = self.visualRect(current)
            self.menu_requested.emit(current, self.viewport().mapToGlobal(rect.bottomLeft()))

    def paintEvent(self, event: object) -> None:  # type: ignore[override]
        super().paintEvent(event)  # type: ignore[arg-type]
        if not self.separator_columns:
            return
        painter = QPainter(self.viewport())
        painter.setPen(QPen(QColor("#5b6b7c"), 2))
        height = self.viewport().height()
        for column in self.separator_columns:
            x = self.columnViewportPosition(column)
            if x >= 0:
                painter.drawLine(x, 0, x, height)
        painter.end()


class MatrixView(QWidget):
    edit_requested = Signal(object)  # list[Cell]
    actor_opened = Signal(str)
    measure_opened = Signal(str)
    history_requested = Signal(str, str)
    current_cell_changed = Signal(str, str)  # actor, measure ("" when not a measure cell)
    filter_applied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = MatrixTableModel(self)
        self.proxy = MatrixFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self.catalog_box = QComboBox()
        self.catalog_box.setAccessibleName("Catalogue")
        self.catalog_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group_box = QComboBox()
        self.group_box.setAccessibleName("Group of measures")
        self.group_box.setMinimumContentsLength(14)
        self.region_box = QComboBox()
        self.region_box.setAccessibleName("Regional group")
        self.region_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status_box = TypeToSelectCombo()
        self.status_box.setAccessibleName("Status")
        self.status_box.addItem("Any status", None)
        for s in STATUS_ORDER:
            self.status_box.addItem(f"Has {status_text(s)}", s.value)
        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Actors (Ctrl+F) · {MEASURE_SEARCH_PREFIX} measures")
        self.search.setToolTip(f"Actor names or codes; “{MEASURE_SEARCH_PREFIX}debris” shows only the measures whose key or "
                               "title contains “debris”")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self.summary = QLabel()
        self.summary.setObjectName("matrixSummary")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Clipped rather than widening the window: the legend beside it matters more.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        bar = QHBoxLayout()
        # Alt+letter reaches each filter (letters chosen to clash with no menu, tab or toolbar mnemonic).
        for label, widget in (("Ca&talogue", self.catalog_box), ("&Group", self.group_box),
                              ("Reg&ion", self.region_box), ("Stat&us", self.status_box)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)

        self.table = MatrixTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(StatusCellDelegate(self.table))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's alphabetical order
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        self.table.setShowGrid(True)
        self.table.setStyleSheet("QTableView { gridline-color: #d0d0d0; }")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(24)
        header.setDefaultSectionSize(MEASURE_COLUMN_WIDTH)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setHighlightSections(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.sectionDoubleClicked.connect(self._header_double_clicked)
        self.table.menu_requested.connect(self._cell_menu)
        self.last_menu: QMenu | None = None
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.edit_pressed.connect(self.request_edit)
        self.table.enter_pressed.connect(self._enter_pressed)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        self.model.modelReset.connect(self._shape_columns)
        self.frozen = FrozenColumnsView(self.table, FIRST_MEASURE_COLUMN)
        self.table.frozen = self.frozen
        # The grid's own Actor and Coverage cells are always under the frozen view: not painted twice.
        self.table.itemDelegate().covered_columns = FIRST_MEASURE_COLUMN
        self.frozen.doubleClicked.connect(self._double_clicked)
        self.frozen.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.frozen.customContextMenuRequested.connect(self._frozen_menu)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.addLayout(bar)
        # Said whenever a search hides measures: Coverage then counts only the measures shown.
        self.measure_banner = QLabel()
        self.measure_banner.setObjectName("measureSearchBanner")
        self.measure_banner.setStyleSheet("background: #fff4c2; color: #4a3b00; padding: 3px 6px;")
        self.measure_banner.setWordWrap(True)
        self.measure_banner.hide()
        layout.addWidget(self.measure_banner)
        # Until the first matrix arrives (the database is opened in the background), say so
        # rather than show a bare grid that looks like an empty record.
        self.opening = QLabel(OPENING_TEXT)
        self.opening.setObjectName("openingLabel")
        self.opening.setStyleSheet("background: #eef1f4; color: #2b3a47; padding: 8px 10px;")
        self.opening.setWordWrap(True)
        layout.addWidget(self.opening)
        self.start_panel = StartPanel()  # shown by the window while nothing is assessed
        layout.addWidget(self.start_panel)
        self.strip = MeasureStrip()
        layout.addWidget(self.strip)
        layout.addWidget(self.table, 1)
        self.hint = QLabel("Double-click a cell (or Enter) to record an assessment · select several cells, "
                           "or actor names for whole rows, and press F2 to edit them together · Ctrl+Z undoes")
        self.hint.setObjectName("matrixHint")
        self.hint.setStyleSheet("color: #5a5a5a;")
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bottom = QHBoxLayout()
        bottom.addWidget(StatusLegend())
        bottom.addWidget(self.summary, 1)
        layout.addLayout(bottom)
        hint_row = QHBoxLayout()
        hint_row.setContentsMargins(6, 0, 0, 0)
        hint_row.addWidget(self.hint, 1)
        layout.addLayout(hint_row)

        # Ctrl+F is the main window's Edit > Find (from any tab): a second Ctrl+F action here
        # would make the shortcut ambiguous whenever the grid has the focus, and Qt then runs neither.

        # Typing in the search box filters after a short pause, not on every keystroke.
        self._search_timer = QTimer(self, singleShot=True, interval=120)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_return)
        # Esc, in the search box or the grid, shows every measure again.
        self.clear_measure_search = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._clear_measure_search,
                                              context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.clear_measure_search.setEnabled(False)
        for box in (self.region_box, self.status_box):
            box.currentIndexChanged.connect(self.apply_filter)
        # The group list depends on the catalogue: refill it first, then filter once.
        self.catalog_box.currentIndexChanged.connect(lambda: (self._fill_groups(), self.apply_filter()))
        self.group_box.currentIndexChanged.connect(self.apply_filter)
        self._data: MatrixData | None = None

    # --- data ---------------------------------------------------------------------------------
    def set_data(self, data: MatrixData) -> None:
        first = self._data is None
        self.opening.hide()
        self._data = data
        if first or [c.key for c in data.catalogs] != [self.catalog_box.itemData(i) for i in range(1, self.catalog_box.count())]:
            self._fill_filters(data)
        self.model.set_matrix(data.matrix)
        self.apply_filter()

    def opening_failed(self) -> None:
        """The record could not be opened: the busy line says so until another file is opened."""
        if self._data is None:
            self.opening.setText(OPENING_FAILED_TEXT)

    def _fill_filters(self, data: MatrixData) -> None:
        for box in (self.catalog_box, self.region_box):
            box.blockSignals(True)
            box.clear()
        self.catalog_box.addItem("All catalogues", None)
        for c in data.catalogs:
            self.catalog_box.addItem(f"{c.short_title} ({c.key})", c.key)
        self.region_box.addItem("All regional groups", None)
        regions = sorted({a.region for a in data.matrix.actors if a.region})
        for r in regions:
            self.region_box.addItem(data.region_labels.get(r, r), r)
        self.region_box.addItem("No regional group", "NONE")
        for box in (self.catalog_box, self.region_box):
            box.blockSignals(False)
        self._fill_groups()

    def _fill_groups(self) -> None:
        catalog = self.catalog_box.currentData()
        self.group_box.blockSignals(True)
        self.group_box.clear()
        self.group_box.addItem("All groups", None)
        seen: set[str] = set()
        for m in self.model.measures if self.model.measures else (self._data.matrix.measures if self._data else ()):
            gid = f"{m.catalog_key}/{m.group_key}"
            if gid not in seen and (catalog is None or m.catalog_key == catalog):
                seen.add(gid)
                self.group_box.addItem(f"{m.catalog_key} {m.group_key}. {m.group_title}", gid)
        self.group_box.blockSignals(False)

    def _shape_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.resizeSection(ACTOR_COLUMN, 190)
        header.resizeSection(COVERAGE_COLUMN, 104)

    # --- filtering ----------------------------------------------------------------------------
    def current_filter(self) -> MatrixFilter:
        status = self.status_box.currentData()
        actor_text, measure_text = MatrixFilter.split_search(self.search.text())
        return MatrixFilter(catalog=self.catalog_box.currentData(), group=self.group_box.currentData(),
                            region=self.region_box.currentData(), status=Status(status) if status else None,
                            text=actor_text, measure_text=measure_text)

    def apply_filter(self) -> None:
        self._search_timer.stop()
        self.proxy.set_filter(self.current_filter())
        self._mark_separators()
        m = self.model
        self.summary.setText(f"{self.proxy.matching_actors:,} of {len(m.actors):,} actors × "
                             f"{self.proxy.matching_measures:,} of {len(m.measures):,} measures")
        measure_text = self.proxy.filter.measure_text
        self.clear_measure_search.setEnabled(bool(measure_text))
        self.measure_banner.setVisible(bool(measure_text))
        if measure_text:
            self.measure_banner.setText(
                f"Measures filtered by “{measure_text}”: {self.proxy.matching_measures:,} of {len(m.measures):,} shown, "
                "and Coverage counts only these. Esc shows every measure.")
        self.filter_applied.emit()

    def _mark_separators(self) -> None:
        columns, previous = [], None
        for c in range(FIRST_MEASURE_COLUMN, self.proxy.columnCount()):
            key = self.proxy.headerData(c, Qt.Orientation.Horizontal, MEASURE_KEY_ROLE) or ""
            catalog = key.split("-", 1)[0]
            if catalog != previous:
                columns.append(c)
                previous = catalog
        self.table.separator_columns = columns
        self.table.viewport().update()

    def _clear_measure_search(self) -> None:
        self.search.clear()
        self.apply_filter()

    def _search_return(self) -> None:
        self.apply_filter()
        if self.proxy.rowCount() and self.proxy.columnCount() > FIRST_MEASURE_COLUMN:
            self.table.setFocus()
            self.table.setCurrentIndex(self.proxy.index(0, FIRST_MEASURE_COLUMN))

    # --- selection and actions ---------------------------------------------------------------
    def selected_cells(self) -> list[Cell]:
        """The selected measure cells; a selected actor name stands for its whole (visible) row.

        Read from the selection's ranges, each view row and column mapped once: going through
        ``selectedIndexes()`` cost ~0.8 s for Ctrl+A over 2,000 actors x 37 measures.
        """
        by_row: dict[int, set[int]] = {}
        for rng in self.table.selectionModel().selection():
            columns = range(rng.left(), rng.right() + 1)
            for row in range(rng.top(), rng.bottom() + 1):
                by_row.setdefault(row, set()).update(columns)
        if not by_row:
            return []
        proxy, model = self.proxy, self.model
        source_column = {c: proxy.mapToSource(proxy.index(0, c)).column()
                         for c in range(proxy.columnCount())} if proxy.rowCount() else {}
        measure_of = {c: model.measure_at(sc) for c, sc in source_column.items()}
        visible_measure_columns = [c for c in range(FIRST_MEASURE_COLUMN, proxy.columnCount()) if measure_of.get(c) is not None]
        cells: list[Cell] = []
        seen: set[Cell] = set()
        for row in sorted(by_row):
            actor = model.actor_at(proxy.mapToSource(proxy.index(row, 0)).row()).key
            chosen = sorted(by_row[row])
            for column in chosen:
                if source_column.get(column) == ACTOR_COLUMN:
                    targets = visible_measure_columns
                else:
                    targets = [column]
                for target in targets:
                    measure = measure_of.get(target)
                    if measure is None or (actor, measure.key) in seen:
                        continue
                    seen.add((actor, measure.key))
                    cells.append((actor, measure.key))
        return cells

    def select_cells(self, cells: list[Cell]) -> None:
        """Select the given cells (those visible), e.g. from a test or a saved selection."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        for actor, measure in cells:
            index = self.proxy.mapFromSource(self.model.index(self.model.row_of(actor), self.model.column_of(measure)))
            if index.isValid():
                selection.select(index, QItemSelectionModel.SelectionFlag.Select)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def request_edit(self) -> None:
        cells = self.selected_cells()
        if cells:
            self.edit_requested.emit(cells)
        else:
            current = self.table.currentIndex()
            if current.isValid() and self.proxy.mapToSource(current).column() == ACTOR_COLUMN:
                self.actor_opened.emit(self.model.actor_at(self.proxy.mapToSource(current).row()).key)

    def _enter_pressed(self) -> None:
        """Enter is the keyboard's double-click on the current cell: on an actor name (or its
        coverage) it opens the dossier; it never turns a name into a whole-row bulk edit."""
        current = self.table.currentIndex()
        if current.isValid():
            self._double_clicked(current)
        else:
            self.request_edit()

    def _double_clicked(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        if source.column() == ACTOR_COLUMN or source.column() == COVERAGE_COLUMN:
            self.actor_opened.emit(self.model.actor_at(source.row()).key)
        else:
            self.request_edit()

    def _header_double_clicked(self, section: int) -> None:
        key = self._measure_key_of_section(section)
        if key:
            self.measure_opened.emit(key)

    def _measure_key_of_section(self, section: int) -> str:
        return self.proxy.headerData(section, Qt.Orientation.Horizontal, MEASURE_KEY_ROLE) or ""

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        source = self.proxy.mapToSource(current)
        measure = self.model.measure_at(source.column())
        note = "" if measure else str(self.model.headerData(source.column(), Qt.Orientation.Horizontal,
                                                           Qt.ItemDataRole.ToolTipRole) or "Actor: double-click opens the dossier")
        self.strip.show_measure(measure, note)
        self.current_cell_changed.emit(self.model.actor_at(source.row()).key, measure.key if measure else "")

    def _cell_menu(self, index: QModelIndex, where: QPoint) -> None:
        if self.last_menu is not None and self.last_menu.isVisible():
            return  # one key press, one menu (a platform may send both a key and a menu event)
        source = self.proxy.mapToSource(index)
        actor = self.model.actor_at(source.row())
        measure = self.model.measure_at(source.column())
        menu = QMenu(self)
        if measure is not None:
            n = len(self.selected_cells())
            menu.addAction("Edit assessment…" if n <= 1 else f"Edit {n} cells…", self.request_edit)
            menu.addAction("Show history", lambda: self.history_requested.emit(actor.key, measure.key))
            menu.addSeparator()
            menu.addAction(f"Open measure {measure.key}", lambda: self.measure_opened.emit(measure.key))
        menu.addAction(f"Open dossier of {actor.name}", lambda: self.actor_opened.emit(actor.key))
        if self.last_menu is not None:
            self.last_menu.deleteLater()
        self.last_menu = menu
        menu.popup(where)

    def _frozen_menu(self, pos: QPoint) -> None:
        """Right-click on a name or coverage in the frozen columns: that actor's dossier."""
        assert self.frozen is not None
        index = self.frozen.indexAt(pos)
        if not index.isValid():
            return
        actor = self.model.actor_at(self.proxy.mapToSource(index).row())
        menu = QMenu(self)
        menu.addAction(f"Open dossier of {actor.name}", lambda: self.actor_opened.emit(actor.key))
        menu.popup(self.frozen.viewport().mapToGlobal(pos))

    def _header_menu(self, pos: QPoint) -> None:
        section = self.table.horizontalHeader().logicalIndexAt(pos)
        key = self._measure_key_of_section(section)
        if key:
            menu = QMenu(self)
            menu.addAction(f"Open measure {key}", lambda: self.measure_opened.emit(key))
            menu.popup(self.table.horizontalHeader().mapToGlobal(pos))
