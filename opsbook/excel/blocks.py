"""Block I/O on staff sheets and output tables, shared by the macros.

A staff sheet is read once as raw values plus where its formulas sit, so a
macro can tidy or update cells and write back only the changed columns (one
block each, never over a formula), or append rows below the last one and grow
the sheet's Excel table over them. Output tables are replaced with
``Table.update`` in one write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xlwings as xw

from ..core.cells import is_blank
from ..core.normalize import Change
from ..core.parser import Parsed
from ..core.schema import SheetSpec


@dataclass
class Sheet:
    """One staff sheet as read: raw values, where formulas sit, and its parsed form."""

    spec: SheetSpec
    first_row: int
    first_col: int
    rows: list[list[Any]]
    formulas: set[tuple[int, int]]
    parsed: Parsed | None = None
    changes: list[Change] = field(default_factory=list)


def _rows2d(value: Any) -> list[list[Any]]:
    """Rows as lists to edit in place; the lists xlwings handed over are used as they
    are (a 50,000-row sheet is not copied again)."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and not isinstance(value[0], (list, tuple)):
        return [list(value)]
    if type(value) is list and all(type(r) is list for r in value):
        return value
    return [list(r) for r in value]


def read_raw(book: xw.Book, spec: SheetSpec) -> Sheet | None:
    """Values and formulas of the sheet's used range (two reads), or None if it is missing."""
    if spec.name not in [s.name for s in book.sheets]:
        return None
    rng = book.sheets[spec.name].used_range
    values = _rows2d(rng.options(ndim=2).value)
    formulas = _rows2d(rng.formula)
    where = {
        (rng.row + i, rng.column + j)
        for i, row in enumerate(formulas)
        for j, f in enumerate(row)
        if isinstance(f, str) and f.startswith("=")
    }
    return Sheet(spec, rng.row, rng.column, values, where)


def set_value(sheet: Sheet, row: int, col: int, value: Any) -> None:
    """Set a cell of the in-memory block; rows stay rectangular, widened only for a new column."""
    i, j = row - sheet.first_row, col - sheet.first_col
    width = max(len(sheet.rows[0]) if sheet.rows else 0, j + 1)
    while len(sheet.rows) <= i:
        sheet.rows.append([None] * width)
    if j >= len(
        sheet.rows[i]
    ):  # rows are rectangular: widen all once, not on every change
        for r in sheet.rows:
            r.extend([None] * (width - len(r)))
    sheet.rows[i][j] = value


def get_value(sheet: Sheet, row: int, col: int) -> Any:
    i, j = row - sheet.first_row, col - sheet.first_col
    return (
        sheet.rows[i][j]
        if 0 <= i < len(sheet.rows) and 0 <= j < len(sheet.rows[i])
        else None
    )


def write_changes(book: xw.Book, sheet: Sheet, changes: Iterable[Change]) -> None:
    """One block write per changed column (split only around formula cells)."""
    by_col: dict[int, list[Change]] = {}
    for change in changes:
        set_value(sheet, change.row, change.col, change.after)
        by_col.setdefault(change.col, []).append(change)
    target = book.sheets[sheet.spec.name]
    for col, items in by_col.items():
        rows = sorted(c.row for c in items)
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and not any(
                (r, col) in sheet.formulas for r in range(prev, row)
            ):
                prev = row
                continue
            target.range((start, col), (prev, col)).value = [
                [get_value(sheet, r, col)] for r in range(start, prev + 1)
            ]
            if row is not None:
                start = prev = row


def table_named(
    book: xw.Book, sheet_name: str, table: str, headers: list[str], at: tuple[int, int]
) -> xw.main.Table:
    if sheet_name not in [s.name for s in book.sheets]:
        book.sheets.add(sheet_name, after=book.sheets[-1])
    sheet = book.sheets[sheet_name]
    for t in sheet.tables:
        if t.name.lower() == table.lower():
            return t
    top = sheet.range(at).resize(2, len(headers))
    top.value = [headers, [None] * len(headers)]
    return sheet.tables.add(source=top, name=table)


def table_frame(table: xw.main.Table) -> pd.DataFrame:
    df = table.range.options(pd.DataFrame, index=False, header=1).value
    return df.dropna(how="all")


def update_table(
    table: xw.main.Table, df: pd.DataFrame, formats: dict[str, str]
) -> None:
    """``Table.update`` in one write, then the number formats by header. An empty frame
    keeps the header and one blank row (xlwings would shrink the table to one column)."""
    if df.empty:
        df = pd.DataFrame([[None] * len(df.columns)], columns=df.columns)
    table.update(df.astype(object).where(df.notna(), None), index=False)
    r = table.range
    for j, name in enumerate(df.columns):
        if name in formats:
            r[1:, j].number_format = formats[name]


def append_rows(book: xw.Book, target: Sheet, rows: pd.DataFrame) -> int:
    """Write ``rows`` (canonical columns) below the sheet's last row in one block and
    grow its Excel table over them; existing rows are never touched."""
    if rows.empty or target.parsed is None:
        return 0
    spec = target.spec
    sheet = book.sheets[spec.name]
    cols = target.parsed.columns
    last = max([target.parsed.header_row, *target.parsed.frame["_row"].tolist()])
    first_col, last_col = min(cols.values()), max(cols.values())
    block = [[None] * (last_col - first_col + 1) for _ in range(len(rows))]
    for key, col in cols.items():
        for i, value in enumerate(rows.get(key, [])):
            block[i][col - first_col] = None if is_blank(value) else value
    sheet.range((last + 1, first_col)).value = block
    for key, col in cols.items():
        fmt = spec.column(key).number_format
        if fmt:
            sheet.range((last + 1, col), (last + len(rows), col)).number_format = fmt
    for table in sheet.tables:
        r = table.range
        if r.row == target.parsed.header_row and r.row + r.shape[0] - 1 < last + len(
            rows
        ):
            table.resize(
                sheet.range(
                    (r.row, r.column), (last + len(rows), r.column + r.shape[1] - 1)
                )
            )
    return len(rows)
