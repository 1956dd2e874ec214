"""The batch summary: ``汇总-YYYY-MM-DD.xlsx``, one row per shop, beside the books.

A brand-new file of opsbook's own (nothing of staff's to keep), so openpyxl
writes it, atomically like every save. It is never one of the shop books: the
folder scan of ``opsbook batch`` skips files named like it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .files import atomic_save
from .layout import header_fill

PREFIX = "汇总-"
SHEET = "汇总"
#: (header, width, number format)
COLUMNS = (
    ("店铺", 24, "@"),
    ("结果", 8, "@"),
    ("计划数", 8, "0"),
    ("未排入", 8, "0"),
    ("咨询", 8, "0"),
    ("成交", 8, "0"),
    ("转化率", 9, "0.0%"),
    ("临近截止的活动", 28, "@"),
    ("问题", 80, "@"),
)
HEADERS = tuple(h for h, _, _ in COLUMNS)


def summary_path(folder: Path, day: dt.date) -> Path:
    return folder / f"{PREFIX}{day:%Y-%m-%d}.xlsx"


def is_summary(path: Path) -> bool:
    return path.name.startswith(PREFIX) and path.suffix.lower() == ".xlsx"


def write_summary(rows: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """One row per shop (keys are ``HEADERS``), as an Excel table with a frozen header."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADERS))
    for row in rows:
        ws.append([row.get(h) for h in HEADERS])
    for j, (header, width, fmt) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = width
        head = ws.cell(row=1, column=j)
        head.font, head.fill = Font(bold=True), header_fill()
        for r in range(2, len(rows) + 2):
            ws.cell(row=r, column=j).number_format = fmt
            if header == "问题":
                ws.cell(row=r, column=j).alignment = Alignment(wrap_text=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    atomic_save(wb, path)
    return path
