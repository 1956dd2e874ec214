"""Reading a sheet's values fast: python-calamine for values, one scan for formulas.

calamine (Rust) reads a 50,000-row sheet in about a third of the time an lxml
``iterparse`` pass takes (benchmarks/README.md, table "read side"), and types
dates through the styles as Excel does. It gives a formula's cached result;
opsbook must know formulas (it reports them, and never writes over one), so a
bytes scan of the sheet XML finds the few ``<f>`` cells and puts their text,
``=…``, in place of the result. Values come out as the file engine has always
handed them to xlwings: whole numbers as int, dates as datetime, durations as
day fractions, empty cells as None.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

from python_calamine import CalamineWorkbook

from .cellxml import REF, col_of
from .refs import column_letter

Grid = list[list[Any]]
_F = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_C_START = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_SI = re.compile(rb'\bsi="(\d+)"')
_ERROR = re.compile(
    rb'<(?:\w+:)?c\b([^>]*?\bt="e"[^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S
)
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def normal(v: Any) -> Any:
    if v == "":
        return None
    if type(v) is float:
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if type(v) is dt.date:
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 86400
    return v


def read_grid(workbook: CalamineWorkbook, sheet: str) -> Grid:
    """Every cell of ``sheet`` from A1, rows trimmed of trailing empties.

    Row by row, so calamine's Python objects for the whole sheet never exist at
    once, and equal texts share one ``str`` (as the file's shared strings do): a
    50,000-row inquiry sheet repeats its channels, results and staff names.
    """
    data = workbook.get_sheet_by_name(sheet)
    if data.start is None:
        return []
    top, left = data.start
    yielded = [0]

    def counted() -> Iterator[list[Any]]:
        for row in data.iter_rows():
            yielded[0] += 1
            yield row

    rows = trimmed(counted(), left)
    if yielded[0] == data.height and top:  # rows from the first used row: pad above
        rows[:0] = [[] for _ in range(top)]
    return rows


def trimmed(rows: Iterable[list[Any]], left: int = 0) -> Grid:
    """Rows of raw values as the engine hands them over, trailing empties dropped.

    ``left`` empty cells go in front of each row (calamine starts rows at the first
    used column); equal texts become one object.
    """
    strings: dict[str, str] = {}
    share = strings.setdefault
    pad = [None] * left
    out: Grid = []
    for row in rows:
        values = pad + [
            (share(v, v) if v else None) if type(v) is str else normal(v) for v in row
        ]
        while values and values[-1] is None:
            values.pop()
        out.append(values)
    while out and not out[-1]:
        out.pop()
    return out


def errors(xml: bytes) -> dict[tuple[int, int], str]:
    """``(row, col) -> "#N/A"`` for every error cell (calamine reads them as empty)."""
    found: dict[tuple[int, int], str] = {}
    if b't="e"' not in xml:  # most sheets: one fast scan instead of a regex per cell
        return found
    for m in _ERROR.finditer(xml):
        ref = REF.search(m.group(1))
        v = _V.search(m.group(2) or b"")
        if ref and v:
            found[(int(ref.group(2)), col_of(ref.group(1)))] = v.group(1).decode()
    return found


def formulas(xml: bytes) -> dict[tuple[int, int], str]:
    """``(row, col) -> "=…"`` for every formula cell of a sheet part.

    Shared formulas' followers carry no text; theirs is the master's,
    translated to their cell, as Excel shows it.
    """
    found: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[str, str]] = {}
    followers: list[tuple[int, int, bytes]] = []
    for m in _F.finditer(xml):
        start = xml.rfind(b"<c", 0, m.start())
        tag = _C_START.match(xml, start)
        ref = REF.search(tag.group(0)) if tag else None
        if ref is None:
            continue
        row, col = int(ref.group(2)), col_of(ref.group(1))
        attrs, text = m.group(1), m.group(2)
        si = _SI.search(attrs)
        if text:
            formula = "=" + html.unescape(text.decode("utf-8"))
            found[(row, col)] = formula
            if si and b'"shared"' in attrs:
                masters[si.group(1)] = (formula, f"{column_letter(col)}{row}")
        elif si:
            followers.append((row, col, si.group(1)))
    if followers:  # shared formulas: openpyxl's translator, loaded only for them
        from openpyxl.formula.translate import Translator
    for row, col, key in followers:
        if key in masters:
            formula, origin = masters[key]
            found[(row, col)] = Translator(formula, origin).translate_formula(
                f"{column_letter(col)}{row}"
            )
    return found


def put(grid: Grid, row: int, col: int, value: Any) -> None:
    """Set one 1-based cell of ``grid``, growing it as needed."""
    while len(grid) < row:
        grid.append([])
    cells = grid[row - 1]
    if len(cells) < col:
        if value is None:
            return
        cells.extend([None] * (col - len(cells)))
    cells[col - 1] = value


def block(grid: Grid, r1: int, c1: int, r2: int, c2: int) -> list[list[Any]]:
    width = c2 - c1 + 1
    out = []
    for r in range(r1, r2 + 1):
        cells = grid[r - 1][c1 - 1 : c2] if r <= len(grid) else []
        out.append(cells + [None] * (width - len(cells)))
    return out
