"""The file under the engine: a workbook's parts, read in blocks, saved part by part.

This is the one narrow seam between xlwings' object model and a file on disk
(as httpx's transport is for HTTP): ``excel/engine.py`` only calls the methods
of :class:`WorkbookStore`. Values are read with python-calamine (only the
sheets asked for); writes are recorded as cell edits and saved by rewriting
only the rows, tables and shared parts they touch, every other part of the zip
copied as it is (``ooxml/``). openpyxl is used only to make a brand-new book.

The store counts its round trips (``stats``): every ``read`` is one, every
``write``, ``clear``, format or table change is one, as each would be one call
into Excel.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from python_calamine import CalamineWorkbook

from ..errors import InputError, Problem
from .files import check_workbook_path, file_problem
from .ooxml import reader, styles, xmlread
from .ooxml.cellxml import date_format_for, is_date_value
from .ooxml.package import Package, PartError, Pieces, write_atomic
from .ooxml.refs import column_letter, range_bounds
from .ooxml.serials import is_date_format
from .ooxml.sheet import KEEP, Edit, SheetPart
from .ooxml.sheetview import column_width, freeze, select_tab, set_column_width
from .ooxml.tables import TablePart, follow_table, header_names, new_table
from .ooxml.workbook import WorkbookPart

STYLES = "xl/styles.xml"
# What a damaged file raises from the parts' parsers and the zip reader.
DAMAGED = (
    PartError,
    etree.XMLSyntaxError,
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
)


def _unreadable(path: Path, exc: Exception) -> Exception:
    return file_problem(
        path,
        f"读取失败：{exc} / could not read the workbook",
        "文件可能已损坏：在 Excel 或 WPS 里打开看看；或从备份恢复：opsbook restore / "
        "the file may be damaged; open it in Excel or WPS, or `opsbook restore`",
    )


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """A damaged part found only when it is used is "damaged", like one found at open."""

    @functools.wraps(method)
    def run(self: WorkbookStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except DAMAGED as exc:
            raise _unreadable(self.path, exc) from exc

    return run


def _every_call_guarded(cls: type) -> type:
    for name, value in list(vars(cls).items()):
        if (
            callable(value)
            and not isinstance(value, (classmethod, staticmethod))
            and not name.startswith("__")
        ):
            setattr(cls, name, _guarded(value))
    return cls


@_every_call_guarded
class WorkbookStore:
    """An open workbook file: block reads and writes on sheets, tables, save."""

    def __init__(self, package: Package, path: Path):
        self.package = package
        self.path = path
        self.stats: Counter[str] = Counter()
        try:
            self.workbook = WorkbookPart(package)
            for name in package.names():
                if name.endswith((".xml", ".rels", ".vml")):
                    package_head = package.head(name)
                    if b"<!DOCTYPE" in package_head or b"<!ENTITY" in package_head:
                        raise PartError(f"{name}: XML with a DTD is not allowed")
        except (*DAMAGED, ValueError, KeyError) as exc:
            raise _unreadable(path, exc) from exc
        self._calamine: CalamineWorkbook | None = None
        self._grids: dict[str, reader.Grid] = {}
        self._sheets: dict[str, SheetPart] = {}
        self._tables: dict[str, TablePart] = {}
        self._resized: set[str] = set()
        self._formats: dict[tuple[int, str], int] = {}
        self._written = False

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, checked: bool = False
    ) -> WorkbookStore:
        path = Path(path).resolve()
        if not checked:
            check_workbook_path(path)
        try:
            package = Package.open(path)
        except Exception as exc:  # untrusted input: a parser failure is "damaged"
            raise _unreadable(path, exc) from exc
        return cls(package, path)

    @classmethod
    def new(cls, path: str | os.PathLike[str]) -> WorkbookStore:
        """A brand-new empty book (openpyxl makes it: nothing there to lose)."""
        from openpyxl import Workbook

        buffer = io.BytesIO()
        Workbook().save(buffer)
        return cls(Package(buffer.getvalue()), Path(path).resolve())

    # -- sheets -------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        """Every sheet, chart sheets included, in tab order (what tab indexes count)."""
        return self.workbook.names()

    def worksheet_names(self) -> list[str]:
        """The sheets with cells, as Excel's ``Worksheets`` (and so ``book.sheets``) lists them."""
        return [e.name for e in self.workbook.sheets if e.part]

    def active_sheet(self) -> str:
        names = self.sheet_names()
        return names[min(self.workbook.active_index(), len(names) - 1)]

    def _part_name(self, sheet: str) -> str:
        part = self.workbook.entry(sheet).part
        if part is None:
            raise KeyError(f"{sheet} is a chart sheet, not a worksheet")
        return part

    def _sheet(self, sheet: str) -> SheetPart:
        if sheet not in self._sheets:
            part = self._part_name(sheet)
            try:
                self._sheets[sheet] = SheetPart.load(self.package, part)
            except (PartError, ValueError) as exc:
                raise _unreadable(self.path, exc) from exc
        return self._sheets[sheet]

    def _grid(self, sheet: str) -> reader.Grid:
        if sheet not in self._grids:
            part = self._part_name(sheet)
            try:
                xml = self.package.read(part)
                grid = self._read_values(sheet, xml)
                for found in (reader.errors(xml), reader.formulas(xml)):
                    for (r, c), value in found.items():
                        reader.put(grid, r, c, value)
            except Exception as exc:  # calamine's errors are untyped
                raise _unreadable(self.path, exc) from exc
            self._grids[sheet] = grid
        return self._grids[sheet]

    def _current_bytes(self) -> bytes:
        """The book as it stands: the file's bytes, or (after parts were changed and not
        yet saved, e.g. a save that failed) the package written out in memory."""
        if not self.package.changed():
            return self.package.original()
        buffer = io.BytesIO()
        self.package.save_to(buffer)
        return buffer.getvalue()

    def _read_values(self, sheet: str, xml: bytes) -> reader.Grid:
        """calamine for speed; the XML reader where calamine would panic."""
        if not xmlread.needs_xml_read(xml):
            if self._calamine is None:
                self._calamine = CalamineWorkbook.from_filelike(
                    io.BytesIO(self._current_bytes())
                )
            try:
                return reader.read_grid(self._calamine, sheet)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # pyo3's PanicException is not an Exception
                pass
        main = self.package.main_part()
        strings = self.package.related(main, "/sharedStrings")
        grid = xmlread.read_grid_xml(
            xml,
            xmlread.shared_strings(self.package.read(strings[0]) if strings else None),
            styles.number_formats(self.package.read(STYLES))
            if STYLES in self.package
            else [],
            date1904=self.workbook.date1904,
        )
        return reader.trimmed(grid)

    def add_sheet(self, name: str, index: int | None = None) -> None:
        self.stats["writes"] += 1
        self.workbook.add_sheet(name, index)
        self._grids[name] = []

    def add_laid_out_sheet(
        self, name: str, lay_out: Callable[[Any], None], index: int | None = None
    ) -> None:
        """A sheet laid out by the template's openpyxl code, grafted in as parts of its own."""
        from openpyxl import Workbook

        from .ooxml.graft import graft_sheets

        self.stats["writes"] += 1
        scratch = Workbook()
        scratch.active.title = name
        lay_out(scratch.active)
        buffer = io.BytesIO()
        scratch.save(buffer)
        source = Package(buffer.getvalue())
        self.workbook.save()
        for part, data in graft_sheets(self.package, source, [name], index).items():
            self.package.write(part, data)
        self.workbook = WorkbookPart(self.package)
        self._grids[name] = reader.read_grid(
            CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())), name
        )

    def delete_sheet(self, name: str) -> None:
        self.stats["writes"] += 1
        self.workbook.remove_sheet(name)
        for cache in (self._grids, self._sheets):
            cache.pop(name, None)

    def set_active(self, name: str) -> None:
        previous = self.active_sheet()
        self.workbook.set_active(self.sheet_names().index(name))
        select_tab(self._sheet(previous), False)
        select_tab(self._sheet(name), True)

    def used_bounds(self, sheet: str) -> tuple[int, int, int, int] | None:
        """(first_row, first_col, last_row, last_col) of cells holding values, 1-based."""
        self.stats["reads"] += 1
        grid = self._grid(sheet)
        rows = [
            (r, [c for c, v in enumerate(cells, 1) if v is not None])
            for r, cells in enumerate(grid, 1)
        ]
        rows = [(r, cols) for r, cols in rows if cols]
        if not rows:
            return None
        return (
            rows[0][0],
            min(cols[0] for _, cols in rows),
            rows[-1][0],
            max(cols[-1] for _, cols in rows),
        )

    def extent(self, sheet: str) -> tuple[int, int]:
        """(last row, last column) holding anything, as openpyxl's max_row/max_column."""
        grid = self._grid(sheet)
        return len(grid), max((len(r) for r in grid), default=0)

    # -- values ---------------------------------------------------------------
    def read(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
        self.stats["reads"] += 1
        return reader.block(self._grid(sheet), r1, c1, r2, c2)

    def write(self, sheet: str, r1: int, c1: int, rows: list[list[Any]]) -> None:
        """Write a block of values. Text is always text: ``=cmd`` is never a formula."""
        self.stats["writes"] += 1
        self._write(sheet, r1, c1, rows, formula=False)

    def write_formulas(
        self, sheet: str, r1: int, c1: int, rows: list[list[Any]]
    ) -> None:
        self.stats["writes"] += 1
        self._write(sheet, r1, c1, rows, formula=True)

    def _write(
        self, sheet: str, r1: int, c1: int, rows: list[list[Any]], *, formula: bool
    ) -> None:
        part = self._sheet(sheet)
        _refuse_merged(sheet, part, r1, c1, rows)
        grid = self._grid(sheet)
        for i, row in enumerate(rows):
            r = r1 + i
            old = grid[r - 1] if r <= len(grid) else []
            for j, value in enumerate(row):
                c = c1 + j
                current = old[c - 1] if c <= len(old) else None
                if _same(current, value):
                    continue  # unchanged: the cell keeps its bytes (and its formula)
                self._written = True
                style = self._date_style if is_date_value(value) else None
                part.set(r, c, Edit(value, formula, style))
                reader.put(grid, r, c, value)
                old = grid[r - 1]

    def clear(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> None:
        self.stats["writes"] += 1
        grid = self._grid(sheet)
        if not any(
            v is not None for cells in grid[r1 - 1 : r2] for v in cells[c1 - 1 : c2]
        ):
            return
        self._written = True
        self._sheet(sheet).clear(r1, c1, r2, c2)
        for r in range(r1, min(r2, len(grid)) + 1):
            cells = grid[r - 1]
            for c in range(c1, min(c2, len(cells)) + 1):
                cells[c - 1] = None

    def number_format(self, sheet: str, r: int, c: int) -> str:
        self.stats["reads"] += 1
        style = self._sheet(sheet).style_at(r, c)
        return styles.number_format_of(self.package.read(STYLES), style)

    def set_number_format(
        self, sheet: str, r1: int, c1: int, r2: int, c2: int, fmt: str
    ) -> None:
        self.stats["writes"] += 1
        part = self._sheet(sheet)
        restyle = lambda style, value: self._with_format(style, fmt)  # noqa: E731
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                part.set(r, c, Edit(KEEP, style=restyle))

    def _with_format(self, style: int, fmt: str) -> int:
        key = (style, fmt)
        if key not in self._formats:
            data, new = styles.with_number_format(self.package.read(STYLES), style, fmt)
            self.package.write(STYLES, data)
            self._formats[key] = new
        return self._formats[key]

    def _date_style(self, style: int, value: Any) -> int:
        """A date keeps a date format the cell has; otherwise it gets openpyxl's default."""
        if is_date_format(styles.number_format_of(self.package.read(STYLES), style)):
            return style
        return self._with_format(style, date_format_for(value))

    def column_width(self, sheet: str, col: int) -> float | None:
        return column_width(self._sheet(sheet), col)

    def set_column_width(self, sheet: str, c1: int, c2: int, width: float) -> None:
        self.stats["writes"] += 1
        set_column_width(self._sheet(sheet), c1, c2, width)

    def freeze(self, sheet: str, cell: str | None) -> None:
        self.stats["writes"] += 1
        freeze(self._sheet(sheet), cell)

    # -- tables (ListObjects) -------------------------------------------------
    def _table_parts(self, sheet: str) -> list[TablePart]:
        parts = self.package.related(self._part_name(sheet), "/table")
        for name in parts:
            if name not in self._tables:
                self._tables[name] = TablePart(self.package, name)
        return [self._tables[name] for name in parts]

    def tables(self, sheet: str) -> list[str]:
        return [t.name for t in self._table_parts(sheet)]

    def table(self, sheet: str, name: str) -> TablePart:
        for t in self._table_parts(sheet):
            if t.name == name:
                return t
        raise KeyError(name)

    def add_table(
        self, sheet: str, name: str, ref: str, style: str = "TableStyleMedium2"
    ) -> None:
        self.stats["writes"] += 1
        self._written = True
        table = new_table(
            self.package,
            self._part_name(sheet),
            self._sheet(sheet),
            name,
            ref,
            style,
            self._headers(sheet, ref),
        )
        self._tables[table.part] = table
        self._resized.add(table.part)

    def resize_table(self, sheet: str, name: str, ref: str) -> None:
        """Point a table at a new range; its column names are read from the header row at save."""
        self.stats["writes"] += 1
        self._written = True
        table = self.table(sheet, name)
        old = table.ref
        table.resize(ref, self._headers(sheet, ref))
        self._resized.add(table.part)
        follow_table(self.package, self._part_name(sheet), sheet, old, ref)

    def _headers(self, sheet: str, ref: str) -> list[str]:
        c1, r1, c2, _ = range_bounds(ref)
        return header_names(self.read_quietly(sheet, r1, c1, r1, c2)[0])

    def read_quietly(
        self, sheet: str, r1: int, c1: int, r2: int, c2: int
    ) -> list[list[Any]]:
        return reader.block(self._grid(sheet), r1, c1, r2, c2)

    # -- persistence ----------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        self.stats["saves"] += 1
        target = Path(path).resolve() if path else self.path
        self._flush()
        write_atomic(target, self.package.save_to)
        self.package = Package.open(target)  # what was saved is what is read next
        self.workbook = WorkbookPart(self.package)
        self._tables.clear()
        self._resized.clear()  # written; a later save resizes only what changes after
        return target

    def _flush(self) -> None:
        """Put every pending edit into the package's parts."""
        for part_name in self._resized:
            table = self._tables[part_name]
            sheet = next(
                e.name
                for e in self.workbook.sheets
                if e.part  # chart sheets hold no tables
                and part_name in self.package.related(e.part, "/table")
            )
            table.resize(table.ref, self._headers(sheet, table.ref))
        dimensions = {
            sheet: _used_ref(self._grid(sheet))
            for sheet, part in self._sheets.items()
            if part.changed()
        }
        # the cell grids are not needed to write the parts: let them go first (the
        # largest book's grids are tens of MB of Python objects)
        self._grids.clear()
        self._calamine = None
        formulas = False
        for sheet, dimension in dimensions.items():
            # popped: re-parsed from the new bytes if edited again
            part = self._sheets.pop(sheet)
            data = Pieces(part.pieces(dimension))
            formulas |= part.formulas_touched
            name = self._part_name(sheet)
            if not self.package.holds(name, data):
                self.package.write(name, data)
            del part, data  # the old XML stays only as long as the new pieces need it
        if formulas:
            self.workbook.drop_calc_chain()
        if self._written:
            self.workbook.recalculate_on_open()
        self.workbook.save()


def _same(current: Any, value: Any) -> bool:
    """Whether writing ``value`` over ``current`` changes nothing (then nothing is written)."""
    if current is None or value is None:
        return current is None and (value is None or value == "")
    numbers = (int, float)
    if type(current) is type(value) or (
        type(current) in numbers and type(value) in numbers
    ):
        try:
            return bool(current == value)
        except (TypeError, ValueError):
            return False
    return False


def _used_ref(grid: reader.Grid) -> str:
    """The ``<dimension ref>`` that covers the used range."""
    last_row = len(grid)
    last_col = max((len(r) for r in grid), default=1)
    return f"A1:{column_letter(max(last_col, 1))}{max(last_row, 1)}"


def _refuse_merged(
    sheet: str, part: SheetPart, r1: int, c1: int, rows: list[list[Any]]
) -> None:
    """Excel refuses to write into part of a merged cell; so do we, saying which and how."""
    if not rows:
        return
    r2, c2 = r1 + len(rows) - 1, c1 + max(len(r) for r in rows) - 1
    for min_col, min_row, max_col, max_row in part.merged():
        if min_row <= r2 and r1 <= max_row and min_col <= c2 and c1 <= max_col:
            coord = (
                f"{column_letter(min_col)}{min_row}:{column_letter(max_col)}{max_row}"
            )
            raise InputError(
                [
                    Problem(
                        sheet,
                        "merged",
                        f"合并单元格 {coord} 挡住了 opsbook 要写的区域 / a merged cell is where opsbook writes",
                        "选中它，点 开始 › 合并后居中 取消合并，再运行 / unmerge it and run again",
                        row=min_row,
                        col=min_col,
                    )
                ]
            )
