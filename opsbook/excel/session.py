"""One headless edit of a book, the way every writing command does it.

Take the book's lock, refuse if Excel has it open (unless forced), clear what a
killed save left behind, open it with the file engine, run the macro, and only
if the macro succeeded: keep a backup of the previous version, then save
atomically. A macro that raises writes nothing at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import xlwings as xw

from ..book.backups import make_backup
from ..book.files import check_workbook_path
from ..book.locks import (
    LOCK_WAIT_SECONDS,
    book_lock,
    check_not_open_elsewhere,
    clean_stale_temps,
)
from .engine import open_book

T = TypeVar("T")


def edit_book(
    path: str | os.PathLike[str],
    macro: Callable[[xw.Book], T],
    *,
    force: bool = False,
    wait: float = LOCK_WAIT_SECONDS,
) -> tuple[T, Path]:
    """Run ``macro`` on the book at ``path`` and save it; returns its result and the backup's path."""
    path = Path(path).resolve()
    check_workbook_path(path)
    with book_lock(path, wait):
        if not force:
            check_not_open_elsewhere(path)
        clean_stale_temps(path)
        book = open_book(path, checked=True)
        result = macro(book)
        backup = make_backup(path)
        book.save()
    return result, backup
