"""An xlwings engine over a workbook file, so macros run headless on Linux.

xlwings' own file engines (Reader/calamine, remote) need a PRO licence, so this
implements xlwings' BSD engine interface (``xlwings/base_classes.py``) over
:class:`~opsbook.excel.store.WorkbookStore`, for what opsbook's macros use:
values in and out, sheets, tables (ListObjects), clearing, number formats,
column widths, frozen panes and alerts (kept as messages). Macro code holds real
``xw.Book``/``xw.Range`` objects and runs xlwings' own converters
(``Range.options(pd.DataFrame, ...)``, ``Table.update``), so what the tests
exercise is what Excel runs. Anything not implemented raises
NotImplementedError, as xlwings' base classes do.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw
from openpyxl.utils.cell import get_column_letter, range_boundaries
from xlwings import base_classes

from .store import WorkbookStore

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
NAME = "opsbook-file"


def _to_excel(x: Any) -> Any:
    """Python/numpy/pandas value -> a value a workbook cell holds."""
    if x is None or x is pd.NaT:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime().replace(tzinfo=None)
    if isinstance(x, np.datetime64):
        return None if np.isnat(x) else pd.Timestamp(x).to_pydatetime()
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return None if np.isnan(x) else float(x)
    if isinstance(x, dt.datetime) and x.tzinfo is not None:
        return x.replace(tzinfo=None)
    if x is pd.NA:
        return None
    return x


class Engine:
    def __init__(self) -> None:
        self.apps = Apps(self)

    name = NAME
    type = "file"

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        if (
            empty_as is None
            and number_builder is None
            and datetime_builder is dt.datetime
        ):
            return data

        def clean(v: Any) -> Any:
            if v is None:
                return empty_as
            if isinstance(v, dt.datetime) and datetime_builder is not dt.datetime:
                return datetime_builder(
                    year=v.year,
                    month=v.month,
                    day=v.day,
                    hour=v.hour,
                    minute=v.minute,
                    second=v.second,
                    microsecond=v.microsecond,
                )
            if number_builder is not None and isinstance(v, float):
                return number_builder(v)
            return v

        return [[clean(v) for v in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x: Any, options: Any) -> Any:
        return _to_excel(x)


class Apps(base_classes.Apps):
    """The headless "Excel instances": one per opened file, alive while its book is used.

    Held by weak reference, so a long-running process (or a test session) that
    opens many books does not keep every workbook in memory.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._apps: list[weakref.ref[App]] = []

    def _live(self) -> list[App]:
        apps = [app for ref in self._apps if (app := ref()) is not None]
        self._apps = [weakref.ref(app) for app in apps]
        return apps

    def keys(self) -> list[int]:
        return [app.pid for app in self._live()]

    def add(self, spec=None, add_book=None, xl=None, visible=None) -> App:
        app = App(self)
        self._apps.insert(0, weakref.ref(app))
        return app

    def __iter__(self):
        return iter(self._live())

    def __len__(self) -> int:
        return len(self._live())

    def __getitem__(self, index: int) -> App:
        return self._live()[index]


class App(base_classes.App):
    _next_pid = -1

    def __init__(self, apps: Apps):
        self.apps = apps
        self._pid = App._next_pid
        App._next_pid -= 1
        self._books = Books(self)
        self.alerts: list[tuple[str, str]] = []
        self._props: dict[str, Any] = {
            "display_alerts": False,
            "screen_updating": False,
            "enable_events": False,
            "interactive": False,
            "status_bar": False,
        }

    def _prop(name: str) -> property:
        return property(
            lambda self: self._props[name],
            lambda self, value: self._props.__setitem__(name, value),
        )

    display_alerts = _prop("display_alerts")
    screen_updating = _prop("screen_updating")
    enable_events = _prop("enable_events")
    interactive = _prop("interactive")
    status_bar = _prop("status_bar")

    @property
    def engine(self) -> Engine:
        return self.apps.engine

    @property
    def books(self) -> Books:
        return self._books

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def visible(self) -> bool:
        return False

    @visible.setter
    def visible(self, value: bool) -> None:
        pass

    @property
    def version(self) -> str:
        return "16.0"

    @property
    def calculation(self) -> str:
        return "manual"

    def calculate(self) -> None:
        pass

    def activate(self, steal_focus: bool = False) -> None:
        pass

    def alert(self, prompt, title, buttons, mode, callback):
        """No dialog without Excel: the message is kept for the caller to print."""
        self.alerts.append((title or "", prompt))
        return "ok"

    def quit(self) -> None:
        self.kill()

    def kill(self) -> None:
        self.apps._apps = [r for r in self.apps._apps if r() is not self]


class Books(base_classes.Books):
    def __init__(self, app: App):
        self.app = app
        self.books: list[Book] = []

    @property
    def active(self) -> Book | None:
        return self.books[-1] if self.books else None

    def open(self, fullname, *args: Any, **kwargs: Any) -> Book:
        book = Book(self, WorkbookStore.open(fullname))
        self.books.append(book)
        return book

    def add(self) -> Book:
        book = Book(
            self, WorkbookStore.new(Path.cwd() / f"Book{len(self.books) + 1}.xlsx")
        )
        self.books.append(book)
        return book

    def __call__(self, name_or_index):
        if isinstance(name_or_index, numbers.Number):
            return self.books[int(name_or_index) - 1]
        for book in self.books:
            if name_or_index.lower() in (book.name.lower(), book.fullname.lower()):
                return book
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self.books)

    def __iter__(self):
        return iter(list(self.books))


class Book(base_classes.Book):
    def __init__(self, books: Books, store: WorkbookStore):
        self.books = books
        self.store = store

    @property
    def api(self) -> WorkbookStore:
        return self.store

    @property
    def name(self) -> str:
        return self.store.path.name

    @property
    def fullname(self) -> str:
        return str(self.store.path)

    @property
    def sheets(self) -> Sheets:
        return Sheets(self)

    @property
    def app(self) -> App:
        return self.books.app

    def save(self, path=None, password=None) -> None:
        if password:
            raise NotImplementedError(
                "Saving with a password isn't supported headless."
            )
        self.store.path = self.store.save(path)

    def close(self) -> None:
        if self in self.books.books:
            self.books.books.remove(self)

    def activate(self) -> None:
        pass


class Sheets(base_classes.Sheets):
    def __init__(self, book: Book):
        self.book = book

    @property
    def api(self) -> None:
        return None

    @property
    def active(self) -> Sheet:
        return Sheet(self.book, self.book.store.wb.active.title)

    def __call__(self, name_or_index) -> Sheet:
        names = self.book.store.sheet_names()
        if isinstance(name_or_index, numbers.Number):
            return Sheet(self.book, names[int(name_or_index) - 1])
        for name in names:
            if name.lower() == str(name_or_index).lower():
                return Sheet(self.book, name)
        raise KeyError(name_or_index)

    def __contains__(self, name: str) -> bool:
        return name.lower() in (n.lower() for n in self.book.store.sheet_names())

    def __len__(self) -> int:
        return len(self.book.store.sheet_names())

    def __iter__(self):
        for name in self.book.store.sheet_names():
            yield Sheet(self.book, name)

    def add(self, before=None, after=None, name=None) -> Sheet:
        names = self.book.store.sheet_names()
        index = len(names)
        if before is not None:
            index = names.index(before.name)
        elif after is not None:
            index = names.index(after.name) + 1
        name = name or f"Sheet{len(names) + 1}"
        self.book.store.add_sheet(name, index)
        return Sheet(self.book, name)


class Sheet(base_classes.Sheet):
    def __init__(self, book: Book, name: str):
        self._book = book
        self._name = name

    @property
    def api(self):
        return self._book.store.ws(self._name)

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self.api.title = value
        self._name = value

    @property
    def index(self) -> int:
        return self._book.store.sheet_names().index(self._name) + 1

    @property
    def book(self) -> Book:
        return self._book

    @property
    def store(self) -> WorkbookStore:
        return self._book.store

    def range(self, arg1, arg2=None) -> Range:
        return Range(self, arg1, arg2)

    @property
    def cells(self) -> Range:
        return Range(self, (1, 1), (MAX_ROWS, MAX_COLUMNS))

    @property
    def used_range(self) -> Range:
        bounds = self.store.used_bounds(self._name)
        if bounds is None:
            return Range(self, (1, 1))
        r1, c1, r2, c2 = bounds
        return Range(self, (r1, c1), (r2, c2))

    @property
    def tables(self) -> Tables:
        return Tables(self)

    @property
    def freeze_panes(self) -> FreezePanes:
        return FreezePanes(self)

    def clear_contents(self) -> None:
        bounds = self.store.used_bounds(self._name)
        if bounds:
            self.store.clear(self._name, *bounds)

    def activate(self) -> None:
        self.store.wb.active = self.store.wb.sheetnames.index(self._name)

    def select(self) -> None:
        self.activate()

    def autofit(self, axis=None) -> None:
        pass

    def delete(self) -> None:
        self.store.stats["writes"] += 1
        del self.store.wb[self._name]


class FreezePanes:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    def freeze_at(self, frozen_range) -> None:
        address = (
            frozen_range if isinstance(frozen_range, str) else frozen_range.address
        )
        self.sheet.store.freeze(self.sheet.name, address.replace("$", "").split(":")[0])

    def unfreeze(self) -> None:
        self.sheet.store.freeze(self.sheet.name, None)


def _coords(sheet: Sheet, arg: Any) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """Any xlwings cell reference -> ((row, col), (row2, col2) or None), 1-based."""
    if isinstance(arg, Range):
        return (arg.row, arg.column), (
            arg.row + arg.shape[0] - 1,
            arg.column + arg.shape[1] - 1,
        )
    if isinstance(arg, str):
        c1, r1, c2, r2 = range_boundaries(arg.replace("$", ""))
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
            cs = ("$" if col_absolute else "") + get_column_letter(c)
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
            value = [[_to_excel(value)] * cols for _ in range(rows)]
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
        dims = self.sheet.api.column_dimensions[get_column_letter(self.column)]
        return dims.width or 8.43

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
    return max(rng.row, rng.sheet.api.max_row) + 1


def MAX_COLS_SCAN(rng: Range) -> int:
    return max(rng.column, rng.sheet.api.max_column) + 1


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
        if isinstance(key, numbers.Number):
            return Table(self.sheet, names[int(key) - 1])
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
        name = name or f"Table{len(self.sheet.store.wb._sheets) + len(self)}"
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

    @property
    def name(self) -> str:
        return self._name

    @property
    def display_name(self) -> str:
        return self._name

    @property
    def range(self) -> Range:
        return Range(self.sheet, self.api.ref)

    @property
    def show_headers(self) -> bool:
        return bool(
            self.api.headerRowCount if self.api.headerRowCount is not None else 1
        )

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

    @property
    def show_totals(self) -> bool:
        return bool(self.api.totalsRowCount)

    @property
    def totals_row_range(self) -> None:
        return None

    def resize(self, range: Any) -> None:
        impl = range.impl if isinstance(range, xw.Range) else range
        self.sheet.store.resize_table(
            self.sheet.name, self._name, impl.address.replace("$", "")
        )


ENGINE = Engine()


def register() -> xw.Engine:
    """Add the file engine to ``xw.engines`` (once), as xlwings adds its own."""
    if NAME not in [e.name for e in xw.engines]:
        xw.engines.add(xw.Engine(impl=ENGINE))
    return xw.engines[NAME]


def open_book(path: str | os.PathLike[str]) -> xw.Book:
    """Open a workbook file headless as a real ``xw.Book``."""
    register()
    app = ENGINE.apps.add()  # its own app, so alerts and state belong to this run
    return xw.Book(impl=app.books.open(Path(path)))


def stats(book: xw.Book) -> dict[str, int]:
    """Round trips so far: reads and writes as Excel would count them."""
    return dict(book.impl.store.stats)
