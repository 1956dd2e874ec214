"""汇总今日 Consolidate day: tidy the staff sheets in place and summarise the day.

``consolidate_day(book)`` is what the desktop button and ``opsbook consolidate``
both run. Staff rows are never deleted, reordered or rewritten beyond the
listed normalisations (``opsbook.core.normalize``), the keyword duplicate marks and
merged sources, and the 上次重发 of products whose repost was ticked done;
formula cells are never written. A value that cannot be read is left as typed
and reported; it does not stop the rest. Each table is read once (values, plus
formulas so they are never overwritten) and each output block written once.
The 活动 sheet is only read: campaigns due within 3 days go into the today
block and, once each, into tomorrow's tasks (``opsbook.core.campaigns``). Last,
流量分析 and 分析 are rewritten (``opsbook.excel.analysis_macro``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlwings as xw

from ..book.layout import DAILY_AT, TODAY_AT, TODAY_KEYS, TREND_AT, TREND_DAYS
from ..core.campaigns import campaign_tasks, due_campaigns, due_text
from ..core.cells import is_blank
from ..core.consolidate import (
    breakdown_headers,
    daily_headers,
    day_slots,
    dedupe_keywords,
    last_repost_updates,
    next_day_tasks,
    summarize_day,
    upsert_by_date,
)
from ..core.normalize import Change, tidy_rows
from ..core.parser import Parsed, find_header, parse_sheet
from ..core.schema import (
    CAMPAIGNS,
    DAILY,
    HISTORY,
    INQUIRIES,
    KEYWORDS,
    PLAN,
    PRODUCTS,
    TASKS,
    TRAFFIC,
    SheetSpec,
)
from ..errors import Problem
from .analysis_macro import AnalysisResult, write_analysis
from .blocks import (
    Sheet,
    append_rows,
    read_raw,
    set_value,
    table_frame,
    table_named,
    update_table,
    write_changes,
)
from .macros import read_sheet

Progress = Callable[[str], None]

#: The today block's line for campaigns due (``TODAY_KEYS`` gets it appended); the
#: block is written by key, so it is filled once the key is in ``TODAY_KEYS``.
CAMPAIGNS_KEY = "临近截止的活动 campaigns due"


@dataclass(frozen=True)
class DayResult:
    day: dt.date
    summary: dict[str, Any]
    problems: list[Problem]
    tidied: dict[str, int]
    tasks_added: int
    last_reposts: int
    campaigns_due: tuple[str, ...] = ()  # 活动名称 of the campaigns due, by deadline
    analysis: AnalysisResult | None = None


def tidy_sheet(sheet: Sheet, year: int) -> list[Problem]:
    """Find the header, tidy the known columns (never formulas), parse the result."""
    hdr, mapping, problems = find_header(sheet.rows, sheet.spec)
    body = range(hdr + 1, len(sheet.rows))
    data = [i for i in body if not all(is_blank(v) for v in sheet.rows[i])]
    cols = {k: sheet.first_col + j for k, j in mapping.items()}
    raw = [
        [
            ("=" if (sheet.first_row + i, sheet.first_col + j) in sheet.formulas else v)
            for j, v in enumerate(sheet.rows[i])
        ]
        for i in data
    ]
    changes, unreadable = tidy_rows(
        raw,
        sheet.spec,
        cols,
        [sheet.first_row + i for i in data],
        sheet.first_col,
        year=year,
    )
    sheet.changes = changes
    for c in changes:
        set_value(sheet, c.row, c.col, c.after)
    sheet.parsed = parse_sheet(sheet.rows, sheet.spec, sheet.first_row, sheet.first_col)
    seen = {(p.row, p.col) for p in unreadable}
    later = [
        p
        for p in sheet.parsed.problems
        if (p.row, p.col) not in seen and p.code not in ("missing_header", "empty")
    ]
    return problems + unreadable + later


def _empty(spec: SheetSpec) -> Parsed:
    return parse_sheet([spec.headers], spec)


def _keyword_changes(book: xw.Book, kw: Sheet) -> list[Change]:
    """Duplicate marks and merged sources, adding the 重复 column to the table if missing."""
    parsed = kw.parsed
    if parsed is None or parsed.frame.empty or "keyword" not in parsed.columns:
        return []
    if "duplicate_of" not in parsed.columns:
        col = (
            max(
                [kw.first_col + len(r) - 1 for r in kw.rows]
                + list(parsed.columns.values())
            )
            + 1
        )
        sheet = book.sheets[KEYWORDS.name]
        sheet.range((parsed.header_row, col)).value = KEYWORDS.column("duplicate_of").zh
        for table in sheet.tables:
            r = table.range
            if r.row == parsed.header_row and r.column + r.shape[1] == col:
                table.resize(
                    sheet.range((r.row, r.column), (r.row + r.shape[0] - 1, col))
                )
        parsed.columns["duplicate_of"] = col
    target = dedupe_keywords(parsed.frame)
    changes = []
    for key in ("source", "duplicate_of"):
        if key not in parsed.columns:
            continue
        col = parsed.columns[key]
        for row, old, new in zip(
            parsed.frame["_row"], parsed.frame[key], target[key], strict=True
        ):
            if (
                (is_blank(old) and is_blank(new))
                or old == new
                or (int(row), col) in kw.formulas
            ):
                continue
            changes.append(Change(int(row), col, old, new, "keyword"))
    parsed.frame["duplicate_of"] = target["duplicate_of"]
    parsed.frame["source"] = target["source"]
    return changes


def consolidate_day(
    book: xw.Book, *, day: dt.date | None = None, progress: Progress = lambda _: None
) -> DayResult:
    """Tidy 咨询/关键词/任务/流量 in place, then write 日报 (with the campaigns due),
    重发记录, tomorrow's tasks (with campaign sign-ups), the loop back into 商品,
    and last 流量分析 and 分析."""
    day = day or dt.date.today()
    progress(f"读取并整理 咨询、关键词、任务、流量 / reading and tidying ({day})")
    sheets = {
        spec.name: read_raw(book, spec)
        for spec in (INQUIRIES, KEYWORDS, TASKS, TRAFFIC)
    }
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for spec in (INQUIRIES, KEYWORDS, TASKS, TRAFFIC):
        sheet = sheets[spec.name]
        if sheet is None:
            problems.append(
                Problem(
                    spec.name,
                    "missing_sheet",
                    f"没有「{spec.name}」工作表，跳过 / sheet missing, skipped",
                    "用 opsbook new 生成的模板里有这张表 / a new template has it",
                )
            )
            frames[spec.name] = _empty(spec).frame
            continue
        problems += tidy_sheet(sheet, day.year)
        assert sheet.parsed is not None  # tidy_sheet parses the sheet
        frames[spec.name] = sheet.parsed.frame
    kw = sheets[KEYWORDS.name]
    if kw is not None:
        kw.changes += _keyword_changes(book, kw)
    for sheet in sheets.values():
        if sheet is not None and sheet.changes:
            write_changes(book, sheet, sheet.changes)
        if sheet is not None:  # written: the rest reads the parsed frames, so the
            sheet.rows = []  # raw rows (a 50,000-row sheet's lists) can go
    plan = (
        read_sheet(book, PLAN).frame
        if PLAN.name in [s.name for s in book.sheets]
        else _empty(PLAN).frame
    )
    campaigns = _read_campaigns(book, problems)
    due = due_campaigns(campaigns, day)
    progress("汇总 / summarising")
    summary = summarize_day(
        day,
        frames[INQUIRIES.name],
        frames[TRAFFIC.name],
        frames[KEYWORDS.name],
        frames[TASKS.name],
        plan,
    )
    _write_daily(book, day, summary, due_text(due))
    _write_history(book, day, plan)
    tasks = frames[TASKS.name]
    new_tasks = [
        next_day_tasks(tasks, day),
        campaign_tasks(due, tasks, day + dt.timedelta(days=1)),
    ]
    task_sheet = sheets[TASKS.name]
    tasks_added = append_rows(book, task_sheet, _stack(new_tasks)) if task_sheet else 0
    moved, products = _close_loop(book, plan, day)
    reused = {spec.name: frames[spec.name] for spec in (TRAFFIC, INQUIRIES, KEYWORDS)}
    if products is not None:  # titles and IDs: 上次重发 is all the loop changed
        reused[PRODUCTS.name] = products
    analysis = write_analysis(book, day, progress, frames=reused)
    tidied = {name: len(s.changes) for name, s in sheets.items() if s is not None}
    return DayResult(
        day,
        summary,
        problems,
        tidied,
        tasks_added,
        moved,
        tuple(str(c) for c in due["campaign"]) if not due.empty else (),
        analysis,
    )


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of several frames with the same columns, in order (one append)."""
    parts = [f for f in frames if not f.empty]
    if not parts:
        return frames[0]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _read_campaigns(book: xw.Book, problems: list[Problem]) -> pd.DataFrame:
    """The 活动 sheet parsed (read, never tidied); an older book without it has none."""
    if CAMPAIGNS.name not in [s.name for s in book.sheets]:
        return _empty(CAMPAIGNS).frame
    parsed = read_sheet(book, CAMPAIGNS)
    problems += [p for p in parsed.problems if p.code != "empty"]
    return parsed.frame


def _write_daily(
    book: xw.Book, day: dt.date, summary: dict[str, Any], campaigns: str
) -> None:
    headers = daily_headers()
    table = table_named(book, DAILY.name, DAILY.table, headers, DAILY_AT)
    old = table_frame(table)
    old = (
        old.reindex(columns=headers) if not old.empty else pd.DataFrame(columns=headers)
    )
    daily = upsert_by_date(old, pd.DataFrame([summary], columns=headers), "日期", day)
    update_table(table, daily, DAILY.formats)
    sheet = book.sheets[DAILY.name]
    rate = summary["转化率"]
    reasons = "、".join(
        f"{summary[f'未成交原因{i}']}({summary[f'次数{i}']})"
        for i in range(1, 4)
        if summary[f"未成交原因{i}"]
    )
    visitors = summary["访客数"]
    today = [  # a display block: all text, so it reads the same in every host
        f"{summary['日期']:%Y-%m-%d}",
        str(summary["咨询数"]),
        str(summary["成交数"]),
        "—" if rate is None else f"{rate:.1%}",
        f"{summary['成交金额']:,.2f}",
        "—" if visitors is None else f"{visitors:,}",
        "—" if summary["高峰小时"] is None else f"{summary['高峰小时']} 点",
        str(summary["新关键词"]),
        f"{summary['任务完成']}/{summary['任务总数']}",
        f"{summary['重发完成数']}/{summary['重发计划数']}",
        reasons or "—",
    ]
    base = [k for k in TODAY_KEYS if k != CAMPAIGNS_KEY]
    lines = {**dict(zip(base, today, strict=True)), CAMPAIGNS_KEY: campaigns}
    sheet.range(TODAY_AT).value = [[k, lines[k]] for k in TODAY_KEYS]
    trend = (
        daily.assign(_d=pd.to_datetime(daily["日期"], errors="coerce"))
        .sort_values("_d")
        .tail(TREND_DAYS)
    )
    block = [
        [r["日期"], r["咨询数"], r["成交数"], r["访客数"]] for _, r in trend.iterrows()
    ]
    block += [[None] * 4] * (TREND_DAYS - len(block))
    sheet.range((TREND_AT[0] + 1, TREND_AT[1])).value = [
        [None if is_blank(v) else v for v in row] for row in block
    ]


def _write_history(book: xw.Book, day: dt.date, plan: pd.DataFrame) -> None:
    headers = HISTORY.headers
    table = table_named(book, HISTORY.name, HISTORY.table, headers, (1, 1))
    old = table_frame(table)
    old = (
        old.reindex(columns=headers) if not old.empty else pd.DataFrame(columns=headers)
    )
    rows = day_slots(plan, day)
    rows = (
        rows[[c.key for c in HISTORY.columns]].set_axis(headers, axis=1)
        if not rows.empty
        else pd.DataFrame(columns=headers)
    )
    update_table(table, upsert_by_date(old, rows, "日期", day), HISTORY.formats)


def _close_loop(
    book: xw.Book, plan: pd.DataFrame, day: dt.date
) -> tuple[int, pd.DataFrame | None]:
    """Set 上次重发 of each product ticked done today to its slot time (one block write).

    Returns the count and the 商品 frame as read, which the analysis reuses.
    """
    products = read_raw(book, PRODUCTS)
    if products is None:
        return 0, None
    products.parsed = parse_sheet(
        products.rows, PRODUCTS, products.first_row, products.first_col
    )
    frame = products.parsed.frame
    col = products.parsed.columns.get("last_repost")
    updates = last_repost_updates(frame, plan, day)
    if col is None or updates.empty:
        return 0, frame
    changes = [
        Change(int(r), col, None, t.to_pydatetime(), "last_repost")
        for r, t in zip(updates["_row"], updates["last_repost"], strict=True)
        if (int(r), col) not in products.formulas
    ]
    write_changes(book, products, changes)
    return len(changes), frame


__all__ = [
    "CAMPAIGNS_KEY",
    "DayResult",
    "breakdown_headers",
    "consolidate_day",
]
