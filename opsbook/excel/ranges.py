"""Ranges and tables (ListObjects) of the headless engine, over the WorkbookStore.

A Range is a rectangle on a sheet; reading or writing its value is one block
call into the store, as it is one round trip into Excel. Tables are the
store's Excel tables; ``xw.Table.update`` resizes them through ``resize``.
"""

from __future__ import annotations

import numbers
from typing import Any, Protocol

import xlwings as xw
from xlwings import base_classes

from ..book.ooxml.refs import column_letter, range_bounds
from ..book.store import WorkbookStore
from .values import to_excel


class Sheet(Protocol):
    """What a range needs of its sheet (engine.Sheet provides it; no import back)."""

    @property
    def name(self) -> str: ...
    @property
    def store(self) -> WorkbookStore: ...
    @property
    def book(self) -> Any: ...
    @property
    def api(self) -> Any: ...
    @property
    def tables(self) -> Any: ...


MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384


def _coords(sheet: Sheet, arg: Any) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """Any xlwings cell reference -> ((row, col), (row2, col2) or None), 1-based."""
    if isinstance(arg, Range):
        return (arg.row, arg.column), (
            arg.row + arg.shape[0] - 1,
            arg.column + arg.shape[1] - 1,
        )
    if isinstance(arg, str):
        c1, r1, c2, r2 = range_bounds(arg.replace("$", ""))
        return (r1, c1), (r2, c2)
    if len(arg) == 4:
        row, col, nrows, ncols = arg
        return (row, col), (row + nrows - 1, col + ncols - 1)
    return (int(arg[0]), int(arg[1])), None


class Range(base_classes.Range):
    def __init__(self, sheet: Sheet, arg1: Any, arg2: Any = None):
        self.sheet = sheet
        self.options: dict[str, Any] = {}
        start, end = _coords(sheet, arg1)
        if arg2 is not None:
            end2 = _coords(sheet, arg2)
            corners = [start, end or start, end2[0], end2[1] or end2[0]]
            start = (min(r for r, _ in corners), min(c for _, c in corners))
            end = (max(r for r, _ in corners), max(c for _, c in corners))
        self.arg1 = start
        self.arg2 = end or start

    # -- geometry -----------------------------------------------------------
    @property
    def store(self) -> WorkbookStore:
        return self.sheet.store

    @property
    def api(self) -> Range:
        return self

    @property
    def row(self) -> int:
        return self.arg1[0]

    @property
    def column(self) -> int:
        return self.arg1[1]

    @property
    def shape(self) -> tuple[int, int]:
        return self.arg2[0] - self.arg1[0] + 1, self.arg2[1] - self.arg1[1] + 1

    def __len__(self) -> int:
        rows, cols = self.shape
        return max(0, rows) * max(0, cols)

    @property
    def coords(self):
        return self.sheet.name, self.row, self.column, *self.shape

    @property
    def max_cells_per_read(self) -> None:
        return (
            None  # one block per read: the engine counts round trips, Excel would too
        )

    @property
    def max_cells_per_write(self) -> None:
        return None

    def __call__(self, row: int, col: int | None = None) -> Range:
        if col is None:
            col = 1
        return Range(self.sheet, (self.row + row - 1, self.column + col - 1))

    def get_address(self, row_absolute=True, col_absolute=True, external=False) -> str:
        def cell(r: int, c: int) -> str:
            cs = ("$" if col_absolute else "") + column_letter(c)
            rs = ("$" if row_absolute else "") + str(r)
            return cs + rs

        address = cell(*self.arg1)
        if self.arg2 != self.arg1:
            address += ":" + cell(*self.arg2)
        if external:
            return f"[{self.sheet.book.name}]{self.sheet.name}!{address}"
        return address

    @property
    def address(self) -> str:
        return self.get_address()

    @property
    def has_array(self) -> bool:
        return False

    def end(self, direction: str) -> Range:
        """Ctrl+arrow from this cell; reads the row or column once."""
        r, c = self.arg1
        if direction in ("down", "d"):
            col = self.store.read(self.sheet.name, r, c, MAX_ROWS_SCAN(self), c)
            i = _edge([v[0] for v in col])
            return Range(self.sheet, (r + i, c))
        if direction in ("right", "r"):
            row = self.store.read(self.sheet.name, r, c, r, MAX_COLS_SCAN(self))[0]
            return Range(self.sheet, (r, c + _edge(row)))
        raise NotImplementedError(f"Range.end({direction!r}) isn't supported headless.")

    # -- values ----------------------------------------------------------------
    @property
    def raw_value(self) -> Any:
        return self.store.read(self.sheet.name, *self.arg1, *self.arg2)

    @raw_value.setter
    def raw_value(self, value: Any) -> None:
        if not isinstance(value, (list, tuple)):
            rows, cols = self.shape
            value = [[to_excel(value)] * cols for _ in range(rows)]
        elif value and not isinstance(value[0], (list, tuple)):
            value = [list(value)]
        self.store.write(
            self.sheet.name, self.row, self.column, [list(r) for r in value]
        )

    @property
    def formula(self) -> Any:
        return self.raw_value

    @formula.setter
    def formula(self, value: Any) -> None:
        if not isinstance(value, (list, tuple)):
            value = [[value]]
        self.store.write_formulas(
            self.sheet.name, self.row, self.column, [list(r) for r in value]
        )

    def clear_contents(self) -> None:
        self.store.clear(self.sheet.name, *self.arg1, *self.arg2)

    def clear(self) -> None:
        self.clear_contents()

    @property
    def number_format(self) -> str:
        return self.store.number_format(self.sheet.name, *self.arg1)

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.store.set_number_format(self.sheet.name, *self.arg1, *self.arg2, value)

    @property
    def column_width(self) -> float:
        return self.store.column_width(self.sheet.name, self.column) or 8.43

    @column_width.setter
    def column_width(self, value: float) -> None:
        self.store.set_column_width(self.sheet.name, self.column, self.arg2[1], value)

    def autofit(self, axis=None) -> None:
        pass

    @property
    def table(self) -> Table | None:
        for table in self.sheet.tables:
            r = table.range
            if r.row <= self.row <= r.arg2[0] and r.column <= self.column <= r.arg2[1]:
                return table
        return None


def MAX_ROWS_SCAN(rng: Range) -> int:
    return max(rng.row, rng.store.extent(rng.sheet.name)[0]) + 1


def MAX_COLS_SCAN(rng: Range) -> int:
    return max(rng.column, rng.store.extent(rng.sheet.name)[1]) + 1


def _edge(values: list[Any]) -> int:
    """Offset Ctrl+arrow stops at: the last filled cell of the first run, or the next filled one."""
    filled = [v not in (None, "") for v in values]
    if len(filled) < 2:
        return 0
    if filled[0] and filled[1]:
        i = 1
        while i + 1 < len(filled) and filled[i + 1]:
            i += 1
        return i
    for i in range(1, len(filled)):
        if filled[i]:
            return i
    return len(filled) - 1


class Tables(base_classes.Collection):
    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    @property
    def parent(self) -> Sheet:
        return self.sheet

    def __call__(self, key) -> Table:
        names = self.sheet.store.tables(self.sheet.name)
        if isinstance(key, numbers.Real):
            return Table(self.sheet, names[int(float(key)) - 1])
        for name in names:
            if name.lower() == str(key).lower():
                return Table(self.sheet, name)
        raise KeyError(key)

    def __contains__(self, key: str) -> bool:
        return key.lower() in (
            n.lower() for n in self.sheet.store.tables(self.sheet.name)
        )

    def __len__(self) -> int:
        return len(self.sheet.store.tables(self.sheet.name))

    def __iter__(self):
        for name in self.sheet.store.tables(self.sheet.name):
            yield Table(self.sheet, name)

    def add(
        self,
        source_type=None,
        source=None,
        link_source=None,
        has_headers=True,
        destination=None,
        table_style_name="TableStyleMedium2",
        name=None,
    ) -> Table:
        name = name or f"Table{len(self.sheet.store.sheet_names()) + len(self)}"
        self.sheet.store.add_table(
            self.sheet.name,
            name,
            source.impl.address.replace("$", ""),
            table_style_name,
        )
        return Table(self.sheet, name)


class Table(base_classes.Table):
    def __init__(self, sheet: Sheet, name: str):
        self.sheet = sheet
        self._name = name

    @property
    def api(self):
        return self.sheet.store.table(self.sheet.name, self._name)

    @property
    def parent(self) -> Sheet:
        return self.sheet

    @property  # type: ignore[misc]  # settable in Excel; read-only on a file
    def name(self) -> str:
        return self._name

    @property  # type: ignore[misc]  # settable in Excel; read-only on a file
    def display_name(self) -> str:
        return self._name

    @property
    def range(self) -> Range:
        return Range(self.sheet, self.api.ref)

    @property  # type: ignore[misc]  # settable in Excel; read-only on a file
    def show_headers(self) -> bool:
        return bool(self.api.header_rows)

    @property
    def header_row_range(self) -> Range | None:
        if not self.show_headers:
            return None
        r = self.range
        return Range(self.sheet, (r.row, r.column), (r.row, r.arg2[1]))

    @property
    def data_body_range(self) -> Range | None:
        r = self.range
        first = r.row + (1 if self.show_headers else 0)
        if first > r.arg2[0]:
            return None
        return Range(self.sheet, (first, r.column), r.arg2)

    @property  # type: ignore[misc]  # settable in Excel; read-only on a file
    def show_totals(self) -> bool:
        return bool(self.api.totals_rows)

    @property
    def totals_row_range(self) -> None:
        return None

    def resize(self, range: Any) -> None:
        impl = range.impl if isinstance(range, xw.Range) else range
        self.sheet.store.resize_table(
            self.sheet.name, self._name, impl.address.replace("$", "")
        )
