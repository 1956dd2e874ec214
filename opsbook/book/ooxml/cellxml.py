"""One worksheet cell as XML: what a value becomes, and the cells of a row.

Written text is an inline string, so the shared-string table is never touched;
a cell keeps its style (``s``) when its value changes, as in Excel. Values come
from the engine already in Excel's types (see ``excel/values.py``): text,
numbers, booleans, dates and times, or None for an empty cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from .refs import column_index, column_letter
from .serials import to_serial

# Cells of one row: <c .../> or <c ...>...</c> (no <c> nests in a cell).
CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DATE_FORMATS = {
    dt.datetime: "yyyy-mm-dd h:mm:ss",
    dt.date: "yyyy-mm-dd",
    dt.time: "h:mm:ss",
    dt.timedelta: "[hh]:mm:ss",
}


@dataclass
class Cell:
    """A cell token of a row: its column, attributes as written, and whole XML."""

    col: int
    attrs: bytes
    xml: bytes

    def attr(self, name: bytes) -> bytes | None:
        m = re.search(rb"\b" + name + rb'="([^"]*)"', self.attrs)
        return m.group(1) if m else None

    @property
    def style(self) -> int:
        s = self.attr(b"s")
        return int(s) if s else 0

    @property
    def has_formula(self) -> bool:
        return b"<f" in self.xml[len(self.attrs) :]


def col_of(letters: bytes) -> int:
    return column_index(letters.decode())


def row_cells(row_xml: bytes) -> dict[int, Cell]:
    """The cells of one ``<row>``'s XML, by column (cells without ``r`` follow the last)."""
    cells: dict[int, Cell] = {}
    last = 0
    for m in CELL.finditer(row_xml):
        attrs = m.group(1)
        ref = REF.search(attrs)
        col = col_of(ref.group(1)) if ref else last + 1
        cells[col] = Cell(col, attrs, m.group(0))
        last = col
    return cells


def escape(text: str) -> str:
    """Text as XML character data; characters XML cannot hold as OOXML's _xHHHH_."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def number_text(value: float) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def is_date_value(value: Any) -> bool:
    return isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta))


def date_format_for(value: Any) -> str:
    for kind, fmt in DATE_FORMATS.items():
        if isinstance(value, kind):
            return fmt
    raise TypeError(value)


def cell_xml(col: int, row: int, value: Any, style: int, *, formula: bool) -> bytes:
    """The XML of a cell holding ``value`` (a formula if ``formula`` and it starts with =)."""
    ref = f"{column_letter(col)}{row}"
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'.encode()
    if isinstance(value, str):
        if formula and value.startswith("="):
            return f'<c r="{ref}"{s}><f>{escape(value[1:])}</f></c>'.encode()
        body = escape(value)
        space = ' xml:space="preserve"' if body != body.strip() or "\n" in body else ""
        return (
            f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{body}</t></is></c>'.encode()
        )
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'.encode()
    if is_date_value(value):
        serial = (
            value.total_seconds() / 86400
            if isinstance(value, dt.timedelta)
            else to_serial(value)
        )
        return f'<c r="{ref}"{s}><v>{number_text(serial)}</v></c>'.encode()
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return f'<c r="{ref}"{s} t="e"><v>#NUM!</v></c>'.encode()
        return f'<c r="{ref}"{s}><v>{number_text(value)}</v></c>'.encode()
    raise TypeError(f"{ref}: cannot write a {type(value).__name__}")
