"""Cell references: ``A1``, ``$B$7``, ``A1:K5001`` and column letters.

Small and pure, so that reading and editing a book never loads openpyxl (10 MB of
memory and a quarter of a second of start-up for a few string helpers). The
rules are openpyxl's (``openpyxl.utils.cell``), pinned equal to them by a test.
"""

from __future__ import annotations

import functools
import re

MAX_COLUMN = 18_278  # XFD... ZZZ: what three letters can name
_CELL = r"[$]?([A-Za-z]{1,3})[$]?(\d+)"
_RANGE = re.compile(f"^{_CELL}(?::{_CELL})?$")
_ONE = re.compile(f"^{_CELL}$")


@functools.cache
def column_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    if not 1 <= col <= MAX_COLUMN:
        raise ValueError(f"Invalid column index {col}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@functools.cache
def column_index(letters: str) -> int:
    """A -> 1, aa -> 27."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is not a valid column name (A to ZZZ)")
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def range_bounds(ref: str) -> tuple[int, int, int, int]:
    """``A1:K5`` -> (min_col, min_row, max_col, max_row); a cell is a range of one.
    Whole columns or rows (``C:E``) are not cell ranges: ValueError."""
    m = _RANGE.match(ref)
    if not m:
        raise ValueError(f"{ref} is not a cell or a range of cells")
    c1, r1, c2, r2 = m.groups()
    return column_index(c1), int(r1), column_index(c2 or c1), int(r2 or r1)


def cell_position(ref: str) -> tuple[int, int]:
    """``B7`` -> (7, 2): row, then column."""
    m = _ONE.match(ref)
    if not m:
        raise ValueError(f"{ref} is not a cell reference")
    return int(m[2]), column_index(m[1])
