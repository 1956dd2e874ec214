"""流量分析 and 分析: what 汇总今日 writes for the operator to read, in blocks.

``write_analysis(book, day)`` reads 设置, 流量, 咨询, 关键词 and 商品 (or takes
the frames 汇总今日 already parsed), computes with the pure core
(``traffic_view``, ``wording``, ``keywords``) and writes:

- 流量分析: the weekday × hour grid of mean visitors, the mean day and which
  hours the typed 重发时段 and the suggested windows cover (one block), and the
  key / value block with the typed windows, the suggestion and its share (one
  block). The grid looks at the lookback days before the *next* plan
  (``day + 1``), so the day just closed counts. opsbook never changes 设置.
- 分析: rows 1–2 (titles, notes, the score rule) and the four header + rows
  blocks, one write each; a block that got shorter is padded with empty rows
  in that same write, so no stale row is left below it.

A sheet missing from an older book is added at the end and laid out as a new
book lays it out. Without traffic the suggestion cell says to import traffic
first; nothing else stops.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlwings as xw

from ..book import analysis_sheets as sheets
from ..book import layout
from ..book.store import WorkbookStore
from ..core.cells import is_blank
from ..core.keywords import keyword_scores, title_coverage
from ..core.parser import parse_sheet
from ..core.schema import INQUIRIES, KEYWORDS, PRODUCTS, SETTINGS, TRAFFIC, SheetSpec
from ..core.settings import (
    TrafficSettings,
    traffic_settings,
)
from ..core.traffic_view import (
    HOURS,
    mean_day,
    suggest_windows,
    weekday_hour_grid,
    windows_text,
)
from ..core.wording import wording_table
from ..errors import InputError
from .macros import read_sheet
from .values import to_excel

if TYPE_CHECKING:  # openpyxl lays out a missing sheet; loaded only then
    from openpyxl.worksheet.worksheet import Worksheet

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AnalysisResult:
    day: dt.date
    grid: pd.DataFrame
    suggested: str  # windows text, or sheets.NO_TRAFFIC
    share: float
    wording: pd.DataFrame
    scores: pd.DataFrame
    top: pd.DataFrame
    coverage: pd.DataFrame


def _frame(book: xw.Book, spec: SheetSpec) -> pd.DataFrame:
    """The sheet parsed against ``spec`` (problems are 汇总今日's to report); empty if missing."""
    if spec.name in [s.name for s in book.sheets]:
        parsed = read_sheet(book, spec)
        if set(c.key for c in spec.columns) <= set(parsed.frame.columns):
            return parsed.frame
    return parse_sheet([spec.headers], spec).frame


def _ensure_sheet(
    book: xw.Book, name: str, lay_out: Callable[[Worksheet], None]
) -> xw.Sheet:
    """The sheet, added at the end of an older book that lacks it and laid out as in a new book."""
    if name in [s.name for s in book.sheets]:
        return book.sheets[name]
    if isinstance(
        book.api, WorkbookStore
    ):  # the file engine: laid out as the template does
        book.api.add_laid_out_sheet(name, lay_out)
        return book.sheets[name]
    sheet = book.sheets.add(name, after=book.sheets[-1])
    if name == sheets.TRAFFIC_SHEET:  # desktop Excel: title, formats, colour scale
        sheet.range("A1").value = sheets.TRAFFIC_TITLE
        sheet.range(layout.TRAFFIC_GRID_VALUES_AT).resize(
            len(sheets.ROW_LABELS), len(HOURS)
        ).number_format = sheets.GRID_FORMAT
        # Windows Excel; elsewhere the grid goes without colours (a nicety, never a failure)
        with contextlib.suppress(Exception):
            sheet.range(sheets.grid_range()).api.FormatConditions.AddColorScale(3)
    return sheet


def _cells(frame: pd.DataFrame) -> list[list[Any]]:
    """Frame rows -> cell values: NaN/NA and empty text as empty cells, numpy as Python."""
    return [
        [None if is_blank(v) or v is pd.NA else to_excel(v) for v in row]
        for row in frame.astype(object).itertuples(index=False)
    ]


# -- 流量分析 ----------------------------------------------------------------
def _marks(windows_minutes: tuple[tuple[int, int], ...]) -> list[str | None]:
    """● for each hour a window touches."""
    return [
        sheets.MARK
        if any(s < (h + 1) * 60 and e > h * 60 for s, e in windows_minutes)
        else None
        for h in HOURS
    ]


def write_traffic_view(
    book: xw.Book, day: dt.date, traffic: pd.DataFrame, settings: TrafficSettings
) -> tuple[pd.DataFrame, str]:
    """Grid block and key / value block of 流量分析; returns (grid, suggested text)."""
    plan_day = day + dt.timedelta(days=1)
    lookback = settings.lookback_days
    grid = weekday_hour_grid(traffic, plan_day, lookback)
    means = mean_day(traffic, plan_day, lookback)
    try:
        suggested = suggest_windows(traffic, plan_day, lookback, settings.share)
        text = windows_text(suggested)
        visitors = means.fillna(0.0).clip(lower=0.0)
        held = float(
            sum(visitors[h] for s, e in suggested for h in range(s, e)) / visitors.sum()
        )
    except InputError:
        suggested, text, held = (), sheets.NO_TRAFFIC, None
    start = plan_day - dt.timedelta(days=lookback)
    dates = pd.to_datetime(traffic["date"], errors="coerce").dt.date
    days_with = int(dates[(dates >= start) & (dates <= day)].nunique())
    info = {
        sheets.TYPED_KEY: settings.typed,
        sheets.SUGGESTED_KEY: text,
        sheets.SHARE_KEY: settings.share,
        sheets.HELD_KEY: held,
        sheets.LOOKBACK_KEY: lookback,
        sheets.SPAN_KEY: f"{start:%Y-%m-%d} 至 {day:%Y-%m-%d}（有流量 {days_with} 天）"
        f" / {days_with} days with traffic",
        sheets.NOTE_KEY: sheets.INFO_NOTE,
    }
    sheet = _ensure_sheet(book, sheets.TRAFFIC_SHEET, sheets.lay_out_traffic_sheet)
    sheet.range(layout.TRAFFIC_INFO_AT).value = [
        [k, info[k]] for k in sheets.TRAFFIC_INFO_KEYS
    ]
    values = [
        *(list(r) for r in grid.to_numpy()),
        list(means.to_numpy()),
        _marks(settings.windows),
        _marks(tuple((s * 60, e * 60) for s, e in suggested)),
    ]
    block = sheets.grid_labels()
    for i, row in enumerate(values, start=1):
        block[i][1:] = [None if is_blank(v) else to_excel(v) for v in row]
    sheet.range(layout.TRAFFIC_GRID_AT).value = block
    return grid, text


# -- 分析 --------------------------------------------------------------------
def _old_lengths(sheet: xw.Sheet) -> dict[int, int]:
    """Rows each 分析 block now holds below its header (one read of the used range)."""
    rng = sheet.used_range
    value = rng.options(ndim=2).value
    out = {}
    for block in sheets.BLOCKS:
        cols = range(block.col - rng.column, block.col - rng.column + block.width)
        filled = [
            rng.row + i
            for i, row in enumerate(value)
            if rng.row + i > layout.ANALYSIS_HEADER_ROW
            and any(0 <= j < len(row) and row[j] is not None for j in cols)
        ]
        out[block.col] = (
            max(filled, default=layout.ANALYSIS_HEADER_ROW) - layout.ANALYSIS_HEADER_ROW
        )
    return out


def _write_block(
    sheet: xw.Sheet, block: sheets.Block, frame: pd.DataFrame, old: int
) -> None:
    rows = _cells(frame[list(block.keys)])
    rows += [[None] * block.width] * (old - len(rows))
    sheet.range(block.at).value = [block.headers, *rows]
    r = layout.ANALYSIS_HEADER_ROW + 1
    for j, key in enumerate(block.keys):
        if key in block.formats:
            sheet.range(
                (r, block.col + j), (r + max(len(frame), 1) - 1, block.col + j)
            ).number_format = block.formats[key]


def write_analysis_sheet(
    book: xw.Book,
    day: dt.date,
    wording: pd.DataFrame,
    scores: pd.DataFrame,
    top: pd.DataFrame,
    coverage: pd.DataFrame,
) -> None:
    sheet = _ensure_sheet(book, sheets.ANALYSIS_SHEET, sheets.lay_out_analysis_sheet)
    old = _old_lengths(sheet)
    sheet.range((1, 1)).value = sheets.analysis_title_rows(day)
    for block, frame in zip(
        sheets.BLOCKS, (wording, top, coverage, scores), strict=True
    ):
        _write_block(sheet, block, frame, old[block.col])


def write_analysis(
    book: xw.Book,
    day: dt.date,
    progress: Progress | None = None,
    *,
    frames: dict[str, pd.DataFrame] | None = None,
) -> AnalysisResult:
    """Compute and write 流量分析 and 分析 for ``day``; ``frames`` (by sheet name) are
    sheets already parsed by the caller, the others are read here."""
    progress = progress or (lambda _: None)
    frames = dict(frames or {})
    progress("流量分析、分析 / traffic view and analysis")
    for spec in (TRAFFIC, INQUIRIES, KEYWORDS, PRODUCTS):
        if spec.name not in frames:
            frames[spec.name] = _frame(book, spec)
    parsed = (
        read_sheet(book, SETTINGS)
        if SETTINGS.name in [s.name for s in book.sheets]
        else None
    )
    settings = traffic_settings(
        parsed.frame if parsed is not None and "key" in parsed.frame else pd.DataFrame()
    )
    grid, suggested = write_traffic_view(book, day, frames[TRAFFIC.name], settings)
    wording = wording_table(
        frames[INQUIRIES.name], day, sheets.WORDING_DAYS, sheets.WORDING_MIN_N
    )
    scores = keyword_scores(frames[KEYWORDS.name])
    top, coverage = title_coverage(scores, frames[PRODUCTS.name], sheets.TOP_N)
    write_analysis_sheet(book, day, wording, scores, top, coverage)
    return AnalysisResult(
        day, grid, suggested, settings.share, wording, scores, top, coverage
    )


__all__ = [
    "AnalysisResult",
    "write_analysis",
]
