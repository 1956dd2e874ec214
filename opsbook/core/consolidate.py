"""The end-of-day consolidation (汇总今日), as verbs on DataFrames.

Given the tidied, parsed sheets, it works out the day's summary row for 日报,
the keyword duplicates and merged sources, tomorrow's task list, the day's
repost record, and the 上次重发 updates that close the repost loop. Pure
pandas: the macro in ``opsbook.excel.daily`` reads and writes the book.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import pandas as pd

from .cells import is_blank
from .normalize import SOURCE_SEP  # one separator for merging and for reading back
from .schema import DAILY, INQUIRIES, KEYWORDS, TASKS
from .standard_day import STANDARD_DAY

DEAL, LOST = "成交", "未成交"
DONE = "完成"
CHANNELS = (*INQUIRIES.column("channel").choices, "其他")
SOURCES = KEYWORDS.column("source").choices
OWNERS = TASKS.column("owner").choices
TOP_REASONS = 3


def breakdown_headers() -> list[str]:
    """The 日报 columns after the fixed ones: top lost reasons, channels, sources, owners."""
    reasons = [
        h for i in range(1, TOP_REASONS + 1) for h in (f"未成交原因{i}", f"次数{i}")
    ]
    return [
        *reasons,
        *(f"渠道·{c}" for c in CHANNELS),
        *(f"来源·{s}" for s in SOURCES),
        *(f"任务·{o}" for o in OWNERS),
    ]


def daily_headers() -> list[str]:
    return [*DAILY.headers, *breakdown_headers()]


def keyword_key(text: Any) -> str:
    """Keywords equal after width folding, case and spaces are the same keyword."""
    if is_blank(text):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def dedupe_keywords(keywords: pd.DataFrame) -> pd.DataFrame:
    """Target 来源 and 重复 for every keyword row: duplicates point at the first row,
    which gets every source of its group (in row order, joined by 、)."""
    out = keywords[["_row", "source", "duplicate_of"]].copy()
    keys = keywords["keyword"].map(keyword_key)
    for key, group in keywords.groupby(keys, sort=False):
        if not key:
            continue
        rows = group.sort_values("_row")
        first = int(rows["_row"].iloc[0])
        sources: list[str] = []
        for value in rows["source"]:
            for part in str(value).split(SOURCE_SEP) if not is_blank(value) else []:
                if part.strip() and part.strip() not in sources:
                    sources.append(part.strip())
        index = rows.index
        out.loc[index[0], "duplicate_of"] = None
        if len(rows) > 1:
            out.loc[index[0], "source"] = SOURCE_SEP.join(sources) or None
            out.loc[index[1:], "duplicate_of"] = f"重复：见第 {first} 行"
    return out


def _on(frame: pd.DataFrame, column: str, day: dt.date) -> pd.DataFrame:
    if frame.empty or column not in frame:
        return frame.iloc[0:0]
    dates = pd.to_datetime(frame[column], errors="coerce")
    return frame[dates.dt.date == day]


def summarize_day(
    day: dt.date,
    inquiries: pd.DataFrame,
    traffic: pd.DataFrame,
    keywords: pd.DataFrame,
    tasks: pd.DataFrame,
    plan: pd.DataFrame,
) -> dict[str, Any]:
    """The 日报 row for ``day``, keyed by header, in order."""
    inq = _on(inquiries, "date", day)
    deals = inq[inq["outcome"] == DEAL] if not inq.empty else inq
    traf = _on(traffic, "date", day)
    by_hour = (
        traf.groupby("hour")["visitors"].sum()
        if not traf.empty
        else pd.Series(dtype=float)
    )
    kw = (
        keywords[keywords["duplicate_of"].map(is_blank)]
        if not keywords.empty
        else keywords
    )
    first_seen = (
        pd.to_datetime(kw["collected_on"], errors="coerce")
        .groupby(kw["keyword"].map(keyword_key))
        .min()
        if not kw.empty
        else pd.Series(dtype="datetime64[ns]")
    )
    new_kw = _on(kw, "collected_on", day)
    tsk = _on(tasks, "date", day)
    slots = _on(plan, "time", day)
    done = slots[~slots["done"].map(is_blank)] if not slots.empty else slots
    row: dict[str, Any] = {
        "日期": dt.datetime(day.year, day.month, day.day),
        "咨询数": len(inq),
        "成交数": len(deals),
        "转化率": len(deals) / len(inq) if len(inq) else None,
        "成交金额": float(deals["amount"].sum()) if len(deals) else 0.0,
        "访客数": int(traf["visitors"].sum()) if not traf.empty else None,
        "浏览量": int(traf["page_views"].sum())
        if not traf.empty and traf["page_views"].notna().any()
        else None,
        "高峰小时": int(by_hour.idxmax())
        if len(by_hour) and by_hour.max() > 0
        else None,
        "新关键词": int((first_seen.dt.date == day).sum()) if len(first_seen) else 0,
        "任务完成": int((tsk["status"] == DONE).sum()) if not tsk.empty else 0,
        "任务总数": len(tsk),
        "重发计划数": len(slots),
        "重发完成数": len(done),
    }
    lost = (
        inq[inq["outcome"] == LOST]["reason"]
        .map(lambda r: None if is_blank(r) else str(r).strip())
        .dropna()
        if not inq.empty
        else pd.Series(dtype=object)
    )
    counts = lost.value_counts(sort=False)
    ranked = sorted(
        counts.items(), key=lambda kv: (-kv[1], list(counts.index).index(kv[0]))
    )
    for i in range(TOP_REASONS):
        reason, n = ranked[i] if i < len(ranked) else (None, None)
        row[f"未成交原因{i + 1}"], row[f"次数{i + 1}"] = reason, n
    channel = (
        inq["channel"].map(lambda c: c if c in CHANNELS[:-1] else "其他")
        if not inq.empty
        else pd.Series(dtype=object)
    )
    for c in CHANNELS:
        row[f"渠道·{c}"] = int((channel == c).sum())
    for s in SOURCES:
        row[f"来源·{s}"] = (
            int(
                new_kw["source"].map(lambda v, s=s: s in str(v).split(SOURCE_SEP)).sum()
            )
            if not new_kw.empty
            else 0
        )
    for o in OWNERS:
        row[f"任务·{o}"] = int((tsk["owner"] == o).sum()) if not tsk.empty else 0
    return row


def upsert_by_date(
    table: pd.DataFrame, rows: pd.DataFrame, column: str, day: dt.date
) -> pd.DataFrame:
    """Replace ``day``'s rows of ``table`` with ``rows``; other dates' rows keep their order."""
    if table.empty:
        return rows.reset_index(drop=True)
    dates = pd.to_datetime(table[column], errors="coerce").dt.date
    kept = table[dates != day]
    return (
        pd.concat([kept, rows], ignore_index=True)
        if not rows.empty
        else kept.reset_index(drop=True)
    )


def next_day_tasks(tasks: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The standard day for ``day + 1`` when 任务 has no rows for it yet (else no rows)."""
    tomorrow = day + dt.timedelta(days=1)
    if not _on(tasks, "date", tomorrow).empty:
        return pd.DataFrame(columns=[c.key for c in TASKS.columns])
    when = dt.datetime(tomorrow.year, tomorrow.month, tomorrow.day)
    rows = [[when, at, task, owner, "待办", None] for at, task, owner in STANDARD_DAY]
    return pd.DataFrame(rows, columns=[c.key for c in TASKS.columns])


def day_slots(plan: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The day's 重发计划 rows, with the date in front, for 重发记录."""
    slots = _on(plan, "time", day).drop(columns=["_row"], errors="ignore")
    return slots.assign(date=dt.datetime(day.year, day.month, day.day))


def last_repost_updates(
    products: pd.DataFrame, plan: pd.DataFrame, day: dt.date
) -> pd.DataFrame:
    """Products whose 上次重发 moves to a done slot of ``day`` (never backwards): _row, last_repost."""
    slots = _on(plan, "time", day)
    done = slots[~slots["done"].map(is_blank)] if not slots.empty else slots
    if done.empty or products.empty:
        return pd.DataFrame(columns=["_row", "last_repost"])
    latest = done.groupby("product_id")["time"].max()
    new = products["product_id"].map(latest)
    old = pd.to_datetime(products["last_repost"], errors="coerce")
    move = new.notna() & (old.isna() | (new > old))
    return pd.DataFrame({"_row": products.loc[move, "_row"], "last_repost": new[move]})
