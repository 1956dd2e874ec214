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
import numbers
import os
import weakref
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings import base_classes

from ..book.store import WorkbookStore
from .ranges import MAX_COLUMNS, MAX_ROWS, Range, Tables
from .values import to_excel

NAME = "opsbook-file"


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
        return to_excel(x)


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


def _app_setting(name: str) -> property:
    """A settable App property kept in ``App._props`` (alerts, screen updating, ...)."""
    return property(
        lambda self: self._props[name],
        lambda self, value: self._props.__setitem__(name, value),
    )


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

    display_alerts = _app_setting("display_alerts")
    screen_updating = _app_setting("screen_updating")
    enable_events = _app_setting("enable_events")
    interactive = _app_setting("interactive")
    status_bar = _app_setting("status_bar")

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

    @property  # type: ignore[misc]  # settable in Excel; always manual on a file
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

    def open(self, fullname, *args: Any, checked: bool = False, **kwargs: Any) -> Book:
        book = Book(self, WorkbookStore.open(fullname, checked=checked))
        self.books.append(book)
        return book

    def add(self) -> Book:
        book = Book(
            self, WorkbookStore.new(Path.cwd() / f"Book{len(self.books) + 1}.xlsx")
        )
        self.books.append(book)
        return book

    def __call__(self, name_or_index):
        if isinstance(name_or_index, numbers.Real):
            return self.books[int(float(name_or_index)) - 1]
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
        return Sheet(self.book, self.book.store.active_sheet())

    def __call__(self, name_or_index) -> Sheet:
        names = self.book.store.worksheet_names()
        if isinstance(name_or_index, numbers.Real):
            return Sheet(self.book, names[int(float(name_or_index)) - 1])
        for name in names:
            if name.lower() == str(name_or_index).lower():
                return Sheet(self.book, name)
        raise KeyError(name_or_index)

    def __contains__(self, name: str) -> bool:
        return name.lower() in (n.lower() for n in self.book.store.worksheet_names())

    def __len__(self) -> int:
        return len(self.book.store.worksheet_names())

    def __iter__(self):
        for name in self.book.store.worksheet_names():
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
    def api(self) -> None:
        return None  # no COM object headless; the store is ``book.api``

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        raise NotImplementedError("Renaming sheets isn't supported headless.")

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
        self.store.set_active(self._name)

    def select(self) -> None:
        self.activate()

    def autofit(self, axis=None) -> None:
        pass

    def delete(self) -> None:
        self.store.delete_sheet(self._name)


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


ENGINE = Engine()


def register() -> xw.Engine:
    """Add the file engine to ``xw.engines`` (once), as xlwings adds its own."""
    if NAME not in [e.name for e in xw.engines]:
        xw.engines.add(xw.Engine(impl=ENGINE))
    return xw.engines[NAME]


def open_book(path: str | os.PathLike[str], *, checked: bool = False) -> xw.Book:
    """Open a workbook file headless as a real ``xw.Book``; ``checked``: the caller
    has already run ``check_workbook_path`` on it (``edit_book`` does, before its lock)."""
    register()
    app = ENGINE.apps.add()  # its own app, so alerts and state belong to this run
    return xw.Book(impl=app.books.open(Path(path), checked=checked))


def stats(book: xw.Book) -> dict[str, int]:
    """Round trips so far: reads and writes as Excel would count them."""
    return dict(book.impl.store.stats)
