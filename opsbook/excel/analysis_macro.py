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
from typing import Any

import pandas as pd
import xlwings as xw
from openpyxl.worksheet.worksheet import Worksheet

from ..book import analysis_sheets as layout
from ..book.store import WorkbookStore
from ..core.cells import header_key, is_blank, norm_text
from ..core.keywords import keyword_scores, title_coverage
from ..core.parser import parse_sheet
from ..core.schema import INQUIRIES, KEYWORDS, PRODUCTS, SETTINGS, TRAFFIC, SheetSpec
from ..core.settings import (
    DEFAULT_WINDOWS,
    SETTINGS_ROWS,
    read_settings,
    read_share_value,
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

Progress = Callable[[str], None]

DEFAULT_SHARE = next(s.default for s in SETTINGS_ROWS if s.key == "suggest_share")


@dataclass(frozen=True)
class AnalysisResult:
    day: dt.date
    grid: pd.DataFrame
    suggested: str  # windows text, or layout.NO_TRAFFIC
    share: float
    wording: pd.DataFrame
    scores: pd.DataFrame
    top: pd.DataFrame
    coverage: pd.DataFrame


@dataclass(frozen=True)
class TrafficSettings:
    lookback_days: int
    typed: str  # 重发时段 as typed (the default when blank)
    windows: tuple[tuple[int, int], ...]  # typed windows in minutes; () if unreadable
    share: float


def _rows(settings: pd.DataFrame, key: str) -> pd.DataFrame:
    """The 设置 rows named as ``key``'s row is (Chinese or English key)."""
    setting = next(s for s in SETTINGS_ROWS if s.key == key)
    names = {header_key(setting.zh), header_key(setting.en)}
    rows = pd.DataFrame(
        {c: settings.get(c, pd.Series(dtype=object)) for c in ("key", "value", "_row")}
    )
    mine = rows["key"].map(lambda k: not is_blank(k) and header_key(k) in names)
    return rows[mine.astype(bool).to_numpy()]


def _typed(settings: pd.DataFrame, key: str) -> Any:
    """The value typed in ``key``'s row, None when blank or missing."""
    values = [v for v in _rows(settings, key)["value"] if not is_blank(v)]
    return values[0] if values else None


def _setting(settings: pd.DataFrame, key: str) -> tuple[Any, bool]:
    """One 设置 value as 生成重发计划 reads it, and whether it could be read: the
    default when missing or unreadable (生成重发计划 is what reports that)."""
    rows = _rows(settings, key)
    try:
        return getattr(read_settings(rows), key), True
    except InputError:
        return getattr(read_settings(rows.iloc[0:0]), key), False


def read_share(settings: pd.DataFrame) -> float:
    """The 建议覆盖率 row's value as a fraction in (0, 1] (60% and 60 read as 0.6);
    ``DEFAULT_SHARE`` when there is no such row or it cannot be read."""
    typed = _typed(settings, "suggest_share")
    try:
        return DEFAULT_SHARE if typed is None else read_share_value(typed)
    except (ValueError, TypeError):
        return DEFAULT_SHARE


def traffic_settings(settings: pd.DataFrame) -> TrafficSettings:
    """Lookback, typed windows and share from the parsed 设置 rows, each on its own: an
    unreadable value takes its default here (生成重发计划 is what reports it)."""
    typed = _typed(settings, "windows")
    windows, readable = _setting(settings, "windows")
    return TrafficSettings(
        _setting(settings, "lookback_days")[0],
        DEFAULT_WINDOWS if typed is None else norm_text(typed),
        tuple(windows) if readable else (),
        read_share(settings),
    )


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
    if name == layout.TRAFFIC_SHEET:  # desktop Excel: title, formats, colour scale
        sheet.range("A1").value = layout.TRAFFIC_TITLE
        sheet.range(layout.GRID_VALUES_AT).resize(
            len(layout.ROW_LABELS), len(HOURS)
        ).number_format = layout.GRID_FORMAT
        # Windows Excel; elsewhere the grid goes without colours (a nicety, never a failure)
        with contextlib.suppress(Exception):
            sheet.range(layout.grid_range()).api.FormatConditions.AddColorScale(3)
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
        layout.MARK
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
        suggested, text, held = (), layout.NO_TRAFFIC, None
    start = plan_day - dt.timedelta(days=lookback)
    dates = pd.to_datetime(traffic["date"], errors="coerce").dt.date
    days_with = int(dates[(dates >= start) & (dates <= day)].nunique())
    info = {
        layout.TYPED_KEY: settings.typed,
        layout.SUGGESTED_KEY: text,
        layout.SHARE_KEY: settings.share,
        layout.HELD_KEY: held,
        layout.LOOKBACK_KEY: lookback,
        layout.SPAN_KEY: f"{start:%Y-%m-%d} 至 {day:%Y-%m-%d}（有流量 {days_with} 天）"
        f" / {days_with} days with traffic",
        layout.NOTE_KEY: layout.INFO_NOTE,
    }
    sheet = _ensure_sheet(book, layout.TRAFFIC_SHEET, layout.lay_out_traffic_sheet)
    sheet.range(layout.INFO_AT).value = [[k, info[k]] for k in layout.INFO_KEYS]
    values = [
        *(list(r) for r in grid.to_numpy()),
        list(means.to_numpy()),
        _marks(settings.windows),
        _marks(tuple((s * 60, e * 60) for s, e in suggested)),
    ]
    block = layout.grid_labels()
    for i, row in enumerate(values, start=1):
        block[i][1:] = [None if is_blank(v) else to_excel(v) for v in row]
    sheet.range(layout.GRID_AT).value = block
    return grid, text


# -- 分析 --------------------------------------------------------------------
def _old_lengths(sheet: xw.Sheet) -> dict[int, int]:
    """Rows each 分析 block now holds below its header (one read of the used range)."""
    rng = sheet.used_range
    value = rng.options(ndim=2).value
    out = {}
    for block in layout.BLOCKS:
        cols = range(block.col - rng.column, block.col - rng.column + block.width)
        filled = [
            rng.row + i
            for i, row in enumerate(value)
            if rng.row + i > layout.HEADER_ROW
            and any(0 <= j < len(row) and row[j] is not None for j in cols)
        ]
        out[block.col] = max(filled, default=layout.HEADER_ROW) - layout.HEADER_ROW
    return out


def _write_block(
    sheet: xw.Sheet, block: layout.Block, frame: pd.DataFrame, old: int
) -> None:
    rows = _cells(frame[list(block.keys)])
    rows += [[None] * block.width] * (old - len(rows))
    sheet.range(block.at).value = [block.headers, *rows]
    r = layout.HEADER_ROW + 1
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
    sheet = _ensure_sheet(book, layout.ANALYSIS_SHEET, layout.lay_out_analysis_sheet)
    old = _old_lengths(sheet)
    sheet.range((1, 1)).value = layout.analysis_title_rows(day)
    for block, frame in zip(
        layout.BLOCKS, (wording, top, coverage, scores), strict=True
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
        frames[INQUIRIES.name], day, layout.WORDING_DAYS, layout.WORDING_MIN_N
    )
    scores = keyword_scores(frames[KEYWORDS.name])
    top, coverage = title_coverage(scores, frames[PRODUCTS.name], layout.TOP_N)
    write_analysis_sheet(book, day, wording, scores, top, coverage)
    return AnalysisResult(
        day, grid, suggested, settings.share, wording, scores, top, coverage
    )


__all__ = [
    "DEFAULT_SHARE",
    "AnalysisResult",
    "read_share",
    "traffic_settings",
    "write_analysis",
]
