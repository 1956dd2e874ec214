"""Traffic as people look at it: a weekday × hour grid and suggested repost windows.

Shop tools for 1688/Taobao show visitors on a 7 × 24 grid (weekday × hour),
and the operator picks repost windows (重发时段) from it by eye, as the shop
did with 10:00–14:00 and 15:00–18:00. ``weekday_hour_grid`` is that grid;
``suggest_windows`` makes the pick reproducible: the fewest whole hours that
hold a given share of a mean day's visitors, merged into windows, written in
the 设置 sheet's format by ``windows_text``.

Both use the same days as the repost plan: the ``lookback_days`` days before
the plan date (``traffic_weights.lookback_rows``), and a mean is taken over the days
that have a row for that hour (a missing row is "no data", never 0 visitors),
as ``planner.hourly_weights`` does. The 流量 sheet holds one row per date and
hour, so "rows" and "days" are the same thing here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .settings import named
from .traffic_weights import lookback_rows

WEEKDAYS = (
    "周一 Mon",
    "周二 Tue",
    "周三 Wed",
    "周四 Thu",
    "周五 Fri",
    "周六 Sat",
    "周日 Sun",
)
HOURS = tuple(range(24))
WEEKDAY_AXIS = "星期 weekday"
HOUR_AXIS = "小时 hour"


def weekday_hour_grid(
    traffic: pd.DataFrame, plan_date: dt.date, lookback_days: int
) -> pd.DataFrame:
    """Mean visitors per (weekday, hour) over the lookback days before ``plan_date``.

    7 rows (``WEEKDAYS``, Monday first) × 24 columns (hours 0..23). Each cell is
    the mean over the lookback days of that weekday that have a row for that
    hour; NaN where there is none. An empty lookback gives an all-NaN grid.
    """
    rows = lookback_rows(traffic, plan_date, lookback_days)
    rows = rows[rows["hour"].between(0, 23)]
    means = (
        rows.assign(weekday=rows["date"].dt.day_of_week)
        .groupby(["weekday", "hour"])["visitors"]
        .mean()
        .unstack("hour")
        .reindex(index=range(7), columns=HOURS)
        .astype(float)
    )
    grid = pd.DataFrame(means.to_numpy(), index=list(WEEKDAYS), columns=list(HOURS))
    grid.index.name, grid.columns.name = WEEKDAY_AXIS, HOUR_AXIS
    return grid


def mean_day(
    traffic: pd.DataFrame, plan_date: dt.date, lookback_days: int
) -> pd.Series:
    """Mean visitors for each hour 0..23 over the lookback days that have that hour (NaN: none)."""
    rows = lookback_rows(traffic, plan_date, lookback_days)
    rows = rows[rows["hour"].between(0, 23)]
    means = rows.groupby("hour")["visitors"].mean().reindex(HOURS).astype(float)
    means.index.name = "hour"
    return means


def _no_traffic(lookback_days: int, reason: str) -> InputError:
    return InputError(
        [
            Problem(
                "流量",
                "no_traffic",
                f"{named('plan_date')}前 {lookback_days} 天{reason} / no usable traffic in the last {lookback_days} days",
                "先导入生意参谋的流量（按钮「导入流量」或 opsbook import-traffic）/ import traffic first",
            )
        ]
    )


def suggest_windows(
    traffic: pd.DataFrame,
    plan_date: dt.date,
    lookback_days: int,
    share: float = 0.6,
) -> tuple[tuple[int, int], ...]:
    """The fewest whole hours holding at least ``share`` of a mean day's visitors, as windows.

    Hours are taken in descending mean visitors (ties: the earlier hour first)
    until their sum reaches ``share`` of the mean day's total (the sum of the 24
    hourly means; an hour without data counts 0). The hours are then merged
    into contiguous windows ``(start_hour, end_hour_exclusive)``, sorted; a
    window never wraps past midnight. InputError when there is no traffic in
    the lookback (or only zeros), or when ``share`` is not in (0, 1].
    """
    if not (isinstance(share, (int, float, np.floating)) and 0 < share <= 1):
        raise InputError(
            [
                Problem(
                    "设置",
                    "share",
                    f"流量占比 {share} 不在 0 到 1 之间 / share must be in (0, 1]",
                    "填一个 0 到 1 之间的数，如 0.6 表示 60% / e.g. 0.6 for 60%",
                    value=share,
                )
            ]
        )
    means = mean_day(traffic, plan_date, lookback_days)
    if means.isna().all():
        raise _no_traffic(lookback_days, "没有流量数据")
    visitors = means.fillna(0.0).clip(lower=0.0).to_numpy()
    # A stable sort on -visitors keeps the earlier hour first among ties.
    order = np.argsort(-visitors, kind="stable")
    cumulative = np.cumsum(visitors[order])
    total = cumulative[-1]
    if not total > 0:
        raise _no_traffic(lookback_days, "的访客数全为 0")
    count = int(np.argmax(cumulative >= share * total)) + 1
    hours = sorted(int(HOURS[i]) for i in order[:count])
    return merge_hours(hours)


def merge_hours(hours: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Whole hours -> sorted contiguous windows (start, end exclusive): 10,11,13 -> (10,12),(13,14)."""
    windows: list[list[int]] = []
    for hour in sorted(set(hours)):
        if windows and windows[-1][1] == hour:
            windows[-1][1] = hour + 1
        else:
            windows.append([hour, hour + 1])
    return tuple((start, end) for start, end in windows)


def windows_text(windows: Iterable[tuple[int, int]]) -> str:
    """((10, 14), (15, 18)) -> "10:00-14:00,15:00-18:00", as the 设置 sheet's 重发时段 reads it."""
    return ",".join(f"{start:02d}:00-{end:02d}:00" for start, end in windows)
