"""Traffic weights: each window hour's share of the day's reposts, from past visitors.

The lookback's traffic rows are weighed per day (plain mean, or recent days and
the plan date's kind of day first) and averaged per hour; with no usable
traffic every hour weighs the same. Pure pandas/numpy; ``opsbook.core.planner``
re-exports it, and the 流量 view and the UDFs read the same rows and weights.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .repost_windows import Window, usable_minutes, window_label


def lookback_rows(
    traffic: pd.DataFrame | None, plan_date: dt.date, lookback_days: int
) -> pd.DataFrame:
    """Traffic rows (date, hour, visitors) with plan_date - lookback <= date < plan_date."""
    columns = ["date", "hour", "visitors"]
    if traffic is None or not set(columns) <= set(traffic.columns):
        traffic = pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(traffic["date"]).dt.normalize(),
            "hour": pd.to_numeric(traffic["hour"], errors="coerce"),
            "visitors": pd.to_numeric(traffic["visitors"], errors="coerce"),
        }
    ).dropna()
    day = pd.Timestamp(plan_date)
    keep = (frame["date"] >= day - pd.Timedelta(days=lookback_days)) & (
        frame["date"] < day
    )
    frame = frame[keep]
    return frame.assign(
        hour=frame["hour"].astype(np.int64), visitors=frame["visitors"].astype(float)
    )


PROFILES = {"mean": "平均 mean", "recent": "近期加权 recent"}


def day_weights(
    rows: pd.DataFrame, plan_date: dt.date, lookback_days: int, profile: str
) -> tuple[pd.Series, str]:
    """How much each traffic row counts, and a label saying what was used.

    ``mean``: every day of the lookback counts the same (the plain mean).
    ``recent``: a day d days before the plan date counts (lookback - d + 1), so
    yesterday counts lookback times as much as the oldest day; and when the
    lookback has at least two weekdays and two weekend days, only days of the
    plan date's kind count (a Saturday plan uses Saturday and Sunday traffic).
    """
    if profile == "mean" or rows.empty:
        return pd.Series(1.0, index=rows.index), PROFILES["mean"]
    age = (pd.Timestamp(plan_date) - rows["date"]).dt.days
    weight = (lookback_days - age + 1).clip(lower=1).astype(float)
    weekend = rows["date"].dt.day_of_week >= 5
    days = rows.drop_duplicates("date")
    n_weekend = int((days["date"].dt.day_of_week >= 5).sum())
    label = PROFILES["recent"]
    if n_weekend >= 2 and len(days) - n_weekend >= 2:
        plan_weekend = plan_date.weekday() >= 5
        weight = weight.where(weekend == plan_weekend, 0.0)
        label += "·周末 weekends" if plan_weekend else "·工作日 weekdays"
    return weight, label


def hourly_weights(
    traffic: pd.DataFrame | None,
    windows: Sequence[Window],
    plan_date: dt.date,
    lookback_days: int,
    profile: str = "mean",
) -> tuple[pd.DataFrame, str, int]:
    """Each window hour's share of the day's reposts, from mean visitors in the lookback.

    Returns (frame of hour, label, mean_visitors, weight), the source ("traffic"
    or "even") and the number of distinct traffic dates in the lookback. An hour
    without data weighs 0 while others have data; with no data at all (or only
    zeros) every window hour weighs the same, as the shop did by hand.
    """
    usable = usable_minutes(windows)
    hours = np.array(list(usable), dtype=np.int64)
    rows = lookback_rows(traffic, plan_date, lookback_days)
    weight_of_day, label = day_weights(rows, plan_date, lookback_days, profile)
    inside = rows.assign(w=weight_of_day, wv=weight_of_day * rows["visitors"])
    inside = inside[inside["hour"].isin(hours) & (inside["w"] > 0)]
    sums = inside.groupby("hour")[["w", "wv"]].sum().reindex(hours)
    means = (sums["wv"] / sums["w"]).to_numpy(dtype=float)
    total = float(np.nansum(means))
    if rows.empty or not total > 0:
        weight = np.ones(len(hours)) / max(len(hours), 1)
        source = "even"
    else:
        weight = np.where(np.isnan(means), 0.0, means) / total
        source = "traffic"
    frame = pd.DataFrame(
        {
            "hour": hours,
            "label": pd.Series([window_label(usable[h]) for h in hours], dtype=object),
            "mean_visitors": means,
            "weight": weight,
        }
    )
    frame.attrs["profile"] = label
    return frame, source, int(rows["date"].nunique())
