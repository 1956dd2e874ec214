"""Reading a sheet's values from its XML, for the cells calamine cannot read.

calamine (the fast path, ``reader.py``) panics on a number it cannot turn into a
date or duration: a staff member types -1000000000000 into a cell formatted as a
time, which Excel shows as ``#####`` and keeps. Such a book is valid, so opsbook
must still open it: the sheets that hold such a number are read here instead,
with lxml, as the old openpyxl engine read them. Values come out in the same
types as ``reader.read_grid``'s: a date-formatted number becomes a datetime (or
a time, under one day) when it is a date at all, and stays a number otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from lxml import etree

from .cellxml import REF, col_of
from .serials import (
    MAC_EPOCH,
    WINDOWS_EPOCH,
    from_serial,
    is_date_format,
    is_duration_format,
    unescape,
)

Grid = list[list[Any]]
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# A number calamine's date conversion panics on (printing a Rust backtrace):
# a negative one of 11+ digits or with a two-digit exponent. Positive ones (phone
# numbers typed as numbers) read fine, or raise an ordinary error that the store
# catches and sends here too.
_HUGE = re.compile(rb"<(?:\w+:)?v>\s*-(?:\d{11}|[\d.]+[eE]\+?\d\d)")


def needs_xml_read(sheet_xml: bytes) -> bool:
    """Whether the sheet holds a number too large for calamine to type safely."""
    return _HUGE.search(sheet_xml) is not None


def shared_strings(xml: bytes | None) -> list[str]:
    """The shared-string table's texts, by index (phonetic runs left out)."""
    if not xml:
        return []
    out = []
    for _, si in etree.iterparse(io.BytesIO(xml), tag=f"{_MAIN}si"):
        out.append(_text(si))
        si.clear()
    return out


def _text(el: etree._Element) -> str:
    parts = [
        t.text or "" for t in el.iter(f"{_MAIN}t") if t.getparent().tag != f"{_MAIN}rPh"
    ]
    return unescape("".join(parts))


def _number(text: str, fmt: str, epoch: dt.datetime) -> Any:
    value = float(text)
    if fmt == "General" or not is_date_format(fmt) or is_duration_format(fmt):
        return value  # durations are handed over as day fractions, like calamine's
    try:
        return from_serial(value, epoch)
    except (OverflowError, ValueError):
        return value  # not a date at all: Excel shows #####, the number is kept


def read_grid_xml(
    sheet_xml: bytes,
    strings: list[str],
    formats: list[str],
    *,
    date1904: bool = False,
) -> Grid:
    """Every cell value of a sheet part, as a grid from A1 (trailing empties trimmed).

    ``formats`` is each cell format's number format code (``styles.number_formats``).
    """
    epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
    cells: dict[tuple[int, int], Any] = {}
    for _, c in etree.iterparse(io.BytesIO(sheet_xml), tag=f"{_MAIN}c", huge_tree=True):
        ref = REF.search(f'r="{c.get("r", "")}"'.encode())
        if ref is not None:
            value = _cell_value(c, strings, formats, epoch)
            if value is not None:
                cells[(int(ref.group(2)), col_of(ref.group(1)))] = value
        c.clear()
    rows = max((r for r, _ in cells), default=0)
    grid: Grid = [[] for _ in range(rows)]
    for (r, col), value in sorted(cells.items()):
        row = grid[r - 1]
        row.extend([None] * (col - len(row)))
        row[col - 1] = value
    return grid


def _cell_value(
    c: etree._Element, strings: list[str], formats: list[str], epoch: dt.datetime
) -> Any:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        is_ = c.find(f"{_MAIN}is")
        return _text(is_) if is_ is not None else None
    v = c.find(f"{_MAIN}v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        index = int(text)
        return strings[index] if 0 <= index < len(strings) else None
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind in ("str", "e"):
        return unescape(text) if kind == "str" else None  # errors: reader.errors()
    if kind == "d":
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    style = int(c.get("s", "0"))
    fmt = formats[style] if 0 <= style < len(formats) else "General"
    try:
        return _number(text, fmt, epoch)
    except ValueError:
        return None
