"""Importing 生意参谋 exports into 流量: new hours appended, changed figures updated.

Every file is read and checked before anything is written; re-importing the
same export adds nothing. Rows are keyed by date and hour; a changed figure
for a known hour updates that row's cells and is reported. Only numbers and
dates are written, in blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlwings as xw

from ..book.traffic_exports import merge_traffic, read_export
from ..core.normalize import Change
from ..core.parser import parse_sheet
from ..core.schema import TRAFFIC
from ..errors import InputError
from .blocks import append_rows, read_raw, write_changes
from .macros import read_sheet


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: (
        pd.DataFrame
    )  # date, hour, old_visitors, visitors, old_page_views, page_views
    unchanged: int


def import_traffic(
    book: xw.Book,
    exports: Sequence[str | Path],
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> ImportResult:
    """Read every export, then append and update 流量 in blocks."""
    frames = []
    for path in exports:
        progress(f"读取 / reading {Path(path).name}")
        frames.append(read_export(path))
    incoming = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["date", "hour", "visitors", "page_views"])
    )
    sheet = read_raw(book, TRAFFIC)
    if sheet is None:
        raise InputError(read_sheet(book, TRAFFIC).problems)  # names the missing sheet
    sheet.parsed = parse_sheet(sheet.rows, TRAFFIC, sheet.first_row, sheet.first_col)
    if sheet.parsed.problems:
        raise InputError(sheet.parsed.problems)
    appends, updates = merge_traffic(sheet.parsed.frame, incoming)
    changes = []
    for key in ("visitors", "page_views"):
        col = sheet.parsed.columns.get(key)
        if col is None or updates.empty:
            continue
        for row, new in zip(updates["_row"], updates[key], strict=True):
            if pd.notna(new) and (int(row), col) not in sheet.formulas:
                changes.append(Change(int(row), col, None, _number(new), "import"))
    progress(f"写入 流量：新增 {len(appends)} 行，更新 {len(updates)} 行 / writing")
    write_changes(book, sheet, changes)
    rows = appends.assign(
        date=appends["date"].dt.to_pydatetime() if len(appends) else appends["date"],
        visitors=appends["visitors"].map(_number),
        page_views=appends["page_views"].map(_number),
    )
    append_rows(book, sheet, rows)
    return ImportResult(
        len(appends), updates, len(incoming) - len(appends) - len(updates)
    )


def _number(x: float | None) -> int | float | None:
    if x is None or pd.isna(x):
        return None
    return int(x) if float(x).is_integer() else float(x)
