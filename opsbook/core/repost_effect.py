"""Does reposting work? Visitors in hours with reposts against the same hour without.

For each hour, the days on which at least one repost in that hour was ticked
done (from 重发记录, which 汇总今日 keeps) are compared with the days with
traffic for that hour but no repost done in it, from the first recorded
repost on (so a shop's growth before it used opsbook does not pass for an
effect).
The difference of mean visitors gets a 95% Welch interval (unequal variances,
Welch–Satterthwaite degrees of freedom); the lift and its interval are that
difference divided by the mean without reposts. Fewer than MIN_DAYS days on
either side says so instead of guessing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .cells import is_blank

MIN_DAYS = 3
COLUMNS = [
    "hour",
    "days_with",
    "days_without",
    "mean_with",
    "mean_without",
    "difference",
    "lift",
    "lift_low",
    "lift_high",
    "verdict",
]


def repost_hours(history: pd.DataFrame) -> pd.DataFrame:
    """(date, hour) pairs with at least one repost ticked done."""
    if history.empty:
        return pd.DataFrame(columns=["date", "hour"])
    done = history[~history["done"].map(is_blank)]
    when = pd.to_datetime(done["time"], errors="coerce")
    pairs = pd.DataFrame({"date": when.dt.normalize(), "hour": when.dt.hour}).dropna()
    return pairs.drop_duplicates().astype({"hour": int}).reset_index(drop=True)


def _pct(x: float) -> str:
    return f"{(0.0 if abs(x) < 0.005 else x):+.0%}"


def verdict(hour: int, row: dict) -> str:
    if row["lift"] is None or np.isnan(row["lift"]):
        return f"{hour}点：数据不足（重发 {row['days_with']} 天，未重发 {row['days_without']} 天，各需至少 {MIN_DAYS} 天）/ {hour}:00: too little data"
    lift, lo, hi = (_pct(row[k]) for k in ("lift", "lift_low", "lift_high"))
    return f"{hour}点重发后访客平均 {lift}（95%区间 {lo}~{hi}）/ {hour}:00 reposts: visitors {lift} (95% CI {lo} to {hi})"


def hourly_effect(traffic: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """One row per hour that had a repost done: days, means, difference, lift, interval, verdict."""
    treated = repost_hours(history)
    if treated.empty or traffic.empty:
        return pd.DataFrame(columns=COLUMNS)
    visits = pd.DataFrame(
        {
            "date": pd.to_datetime(traffic["date"]).dt.normalize(),
            "hour": pd.to_numeric(traffic["hour"]),
            "visitors": pd.to_numeric(traffic["visitors"], errors="coerce"),
        }
    ).dropna()
    visits = visits[visits["date"] >= treated["date"].min()]
    marked = visits.merge(
        treated.assign(reposted=True), on=["date", "hour"], how="left"
    )
    marked["reposted"] = marked["reposted"].fillna(False).astype(bool)
    rows = []
    for hour in sorted(treated["hour"].unique()):
        at = marked[marked["hour"] == hour]
        with_, without = (
            at.loc[at["reposted"], "visitors"].to_numpy(float),
            at.loc[~at["reposted"], "visitors"].to_numpy(float),
        )
        row: dict[str, Any] = {
            "hour": int(hour),
            "days_with": len(with_),
            "days_without": len(without),
            "mean_with": _mean(with_),
            "mean_without": _mean(without),
            "difference": None,
            "lift": None,
            "lift_low": None,
            "lift_high": None,
        }
        if (
            len(with_) >= MIN_DAYS
            and len(without) >= MIN_DAYS
            and row["mean_without"] > 0
        ):
            low, high = welch_interval(with_, without)
            base = row["mean_without"]
            row.update(
                difference=row["mean_with"] - base,
                lift=(row["mean_with"] - base) / base,
                lift_low=low / base,
                lift_high=high / base,
            )
        row["verdict"] = verdict(int(hour), row)
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def welch_interval(
    a: np.ndarray, b: np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """Confidence interval of mean(a) - mean(b), unequal variances (Welch)."""
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    diff = a.mean() - b.mean()
    if se == 0:
        return diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    t = stats.t.ppf(0.5 + level / 2, df)
    return diff - t * se, diff + t * se


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None
