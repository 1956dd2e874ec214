"""Fixtures that build workbooks in tmp_path, the way staff would have them."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw
from openpyxl import load_workbook

from opsbook.book.files import atomic_save
from opsbook.book.template import build_workbook, demo_frames

PLAN_DAY = dt.date(2026, 11, 25)


@pytest.fixture
def demo_book(tmp_path: Path) -> Path:
    """The demo workbook (sample data, no plan yet) for PLAN_DAY."""
    path = tmp_path / "demo.xlsx"
    atomic_save(build_workbook(demo_frames(PLAN_DAY)), path)
    return path


@pytest.fixture
def edit_book() -> Callable[..., Path]:
    """Edit a saved book with openpyxl, as a person would in Excel: edit(path, sheet, fn)."""

    def edit(path: Path, sheet: str, fn: Callable[[Any], None]) -> Path:
        wb = load_workbook(path)
        fn(wb[sheet] if sheet in wb.sheetnames else wb)
        wb.save(path)
        return path

    return edit


@contextlib.contextmanager
def called_from(book: xw.Book) -> Iterator[xw.Book]:
    """Run a button's entry point as if Excel called it from ``book`` (xlwings' mock caller)."""
    book.set_mock_caller()
    try:
        yield book
    finally:
        del xw.Book._mock_caller


def require(tool: str, found: object) -> None:
    """Skip when an outside tool is missing; fail instead under CI's OPSBOOK_REQUIRE_TOOLS=1.

    ``.ci/run`` installs LibreOffice and poppler, so there these checks must run.
    """
    if found:
        return
    message = f"{tool} is not installed (.ci/run installs it)"
    if os.environ.get("OPSBOOK_REQUIRE_TOOLS"):
        pytest.fail(message)
    pytest.skip(message)
