"""The file under the engine: load a workbook, read and write blocks, save atomically.

This is the one narrow seam between xlwings' object model and a file on disk
(as httpx's transport is for HTTP). The engine in ``engine.py`` only calls the
methods of :class:`WorkbookStore`; today openpyxl does both sides. The read
side (``load_workbook`` + ``read``) and the write side (``write``/``clear`` +
``save``) are kept apart so either can be swapped later: python-calamine for
reads, or rewriting only the changed sheet parts of the zip for saves.

The store counts its round trips (``stats``): every ``read`` is one, every
``write``, ``clear``, format or table change is one, as each would be one call
into Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import InputError, Problem
from ..files import MACRO_SUFFIXES, atomic_save, check_workbook_path, file_problem


def load_workbook(path: Path) -> Workbook:
    """Read side: parse the file into openpyxl's model (values, not cached formula results)."""
    check_workbook_path(path)
    try:  # from memory: openpyxl leaves its file open when a damaged book makes it fail
        data = io.BytesIO(path.read_bytes())
        return openpyxl.load_workbook(
            data, keep_vba=path.suffix.lower() in MACRO_SUFFIXES, keep_links=True
        )
    except (
        Exception
    ) as exc:  # untrusted input: any parser failure is "damaged", never a crash
        raise file_problem(
            path,
            f"读取失败：{exc} / could not read the workbook",
            "在 Excel 里打开并另存为 .xlsx 再试 / open and re-save it in Excel, then retry",
        ) from exc


def _cell_value(value: Any) -> Any:
    """openpyxl value -> what an Excel engine hands xlwings (errors stay as their text)."""
    if isinstance(
        value, dt.timedelta
    ):  # [h]:mm durations; Excel keeps them as day fractions
        return value.total_seconds() / 86400
    return value


class WorkbookStore:
    """An open workbook file: block reads and writes on sheets, tables, save."""

    def __init__(self, wb: Workbook, path: Path):
        self.wb = wb
        self.path = path
        self.stats: Counter[str] = Counter()

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> WorkbookStore:
        path = Path(path).resolve()
        return cls(load_workbook(path), path)

    @classmethod
    def new(cls, path: str | os.PathLike[str]) -> WorkbookStore:
        wb = Workbook()
        return cls(wb, Path(path).resolve())

    # -- sheets -------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def ws(self, sheet: str) -> Worksheet:
        return self.wb[sheet]

    def add_sheet(self, name: str, index: int | None = None) -> None:
        self.stats["writes"] += 1
        self.wb.create_sheet(name, index)

    def used_bounds(self, sheet: str) -> tuple[int, int, int, int] | None:
        """(first_row, first_col, last_row, last_col) of cells holding values, 1-based."""
        self.stats["reads"] += 1
        ws = self.ws(sheet)
        cells = [(r, c) for (r, c), cell in ws._cells.items() if cell.value is not None]
        if not cells:
            return None
        rows = [r for r, _ in cells]
        cols = [c for _, c in cells]
        return min(rows), min(cols), max(rows), max(cols)

    # -- values ---------------------------------------------------------------
    def read(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
        self.stats["reads"] += 1
        ws = self.ws(sheet)
        cells = ws._cells
        out = []
        for r in range(r1, r2 + 1):
            row = []
            for c in range(c1, c2 + 1):
                cell = cells.get((r, c))
                row.append(None if cell is None else _cell_value(cell.value))
            out.append(row)
        return out

    def write(self, sheet: str, r1: int, c1: int, rows: list[list[Any]]) -> None:
        """Write a block of values. Text is always text: ``=cmd`` is never a formula."""
        self.stats["writes"] += 1
        ws = self.ws(sheet)
        _refuse_merged(ws, r1, c1, rows)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                cell = ws.cell(row=r1 + i, column=c1 + j)
                cell.value = value
                if isinstance(value, str) and cell.data_type == "f":
                    cell.data_type = "s"

    def write_formulas(
        self, sheet: str, r1: int, c1: int, rows: list[list[Any]]
    ) -> None:
        self.stats["writes"] += 1
        ws = self.ws(sheet)
        _refuse_merged(ws, r1, c1, rows)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                ws.cell(row=r1 + i, column=c1 + j).value = value

    def clear(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> None:
        self.stats["writes"] += 1
        cells = self.ws(sheet)._cells
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cell = cells.get((r, c))
                if cell is not None and not isinstance(cell, MergedCell):
                    cell.value = None

    def number_format(self, sheet: str, r: int, c: int) -> str:
        self.stats["reads"] += 1
        return self.ws(sheet).cell(row=r, column=c).number_format

    def set_number_format(
        self, sheet: str, r1: int, c1: int, r2: int, c2: int, fmt: str
    ) -> None:
        self.stats["writes"] += 1
        ws = self.ws(sheet)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                ws.cell(row=r, column=c).number_format = fmt

    def set_column_width(self, sheet: str, c1: int, c2: int, width: float) -> None:
        self.stats["writes"] += 1
        ws = self.ws(sheet)
        for c in range(c1, c2 + 1):
            ws.column_dimensions[get_column_letter(c)].width = width

    def freeze(self, sheet: str, cell: str | None) -> None:
        self.stats["writes"] += 1
        self.ws(sheet).freeze_panes = cell

    # -- tables (ListObjects) -------------------------------------------------
    def tables(self, sheet: str) -> list[str]:
        return list(self.ws(sheet).tables.keys())

    def table(self, sheet: str, name: str) -> Table:
        return self.ws(sheet).tables[name]

    def add_table(
        self, sheet: str, name: str, ref: str, style: str = "TableStyleMedium2"
    ) -> None:
        self.stats["writes"] += 1
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
        self.ws(sheet).add_table(table)

    def resize_table(self, sheet: str, name: str, ref: str) -> None:
        """Point a table at a new range; openpyxl re-reads its column names from the header row at save."""
        self.stats["writes"] += 1
        table = self.table(sheet, name)
        old = table.ref
        table.ref = ref
        if table.autoFilter is not None:
            table.autoFilter.ref = ref
        table.tableColumns = []
        follow_table(self.ws(sheet), old, ref)

    # -- persistence ----------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        self.stats["saves"] += 1
        target = Path(path).resolve() if path else self.path
        atomic_save(self.wb, target)
        return target


def _refuse_merged(ws: Worksheet, r1: int, c1: int, rows: list[list[Any]]) -> None:
    """Excel refuses to write into part of a merged cell; so do we, saying which and how."""
    if not rows or not ws.merged_cells.ranges:
        return
    r2, c2 = r1 + len(rows) - 1, c1 + max(len(r) for r in rows) - 1
    for merged in ws.merged_cells.ranges:
        if (
            merged.min_row <= r2
            and r1 <= merged.max_row
            and merged.min_col <= c2
            and c1 <= merged.max_col
        ):
            raise InputError(
                [
                    Problem(
                        ws.title,
                        "merged",
                        f"合并单元格 {merged.coord} 挡住了 opsbook 要写的区域 / a merged cell is where opsbook writes",
                        "选中它，点 开始 › 合并后居中 取消合并，再运行 / unmerge it and run again",
                        row=merged.min_row,
                        col=merged.min_col,
                    )
                ]
            )


_REF = re.compile(
    r"^(?P<sheet>'(?:[^']|'')+'|[^!]+)!\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]+)\$?(?P<r2>\d+))?$"
)


def follow_table(ws: Worksheet, old: str, new: str) -> None:
    """Charts whose series read a table's whole data column follow the table's new size.

    That is what Excel does when a ListObject is resized; without it a chart made
    for the empty template would keep pointing at its first rows (or at 24 fixed
    rows, half of them blank).
    """
    (c1, r1), (c2, r2) = (range_boundaries(old)[:2], range_boundaries(old)[2:])
    last = range_boundaries(new)[3]
    for chart in ws._charts:
        for sub in [chart, *getattr(chart, "_charts", [])]:
            for series in sub.series:
                for ref in _refs(series):
                    ref.f = _moved(ref.f, ws.title, c1, c2, r1 + 1, r2, last)


def _refs(series: Any) -> list[Any]:
    """The formula holders of one series: name, categories, values, error bars."""
    out = []
    for source in (series.cat, series.val, getattr(series, "errBars", None)):
        if source is None:
            continue
        if hasattr(source, "plus"):  # error bars
            out += [
                s.numRef
                for s in (source.plus, source.minus)
                if s is not None and s.numRef
            ]
            continue
        out += [
            r
            for r in (getattr(source, "numRef", None), getattr(source, "strRef", None))
            if r
        ]
    return out


def _moved(
    f: str, sheet: str, c1: int, c2: int, top: int, bottom: int, last: int
) -> str:
    """``f`` with its end row set to ``last`` if it spans [top, bottom] of a column in c1..c2."""
    m = _REF.match(f or "")
    if not m or (m["c2"] or m["c1"]) != m["c1"]:
        return f
    name = m["sheet"].strip("'").replace("''", "'")
    col = column_index_from_string(m["c1"])
    if (
        name != sheet
        or not c1 <= col <= c2
        or int(m["r1"]) != top
        or int(m["r2"] or m["r1"]) != bottom
    ):
        return f
    return f"{m['sheet']}!${m['c1']}${top}:${m['c1']}${max(last, top)}"
