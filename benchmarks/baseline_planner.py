"""The repost planner written the plain way: one Python loop per product, per traffic row.

This is the benchmark's yardstick for ``opsbook.core.planner.build_plan``: the same
rules (README "How the plan is computed"), with no pandas or numpy in the
work itself, only ``list``, ``dict``, ``sorted`` and ``for``. ``run.py`` checks
that both give the same plan (same products, same order, same hours, same
minutes) before any timing is trusted.

Two numeric details follow numpy on purpose, so that ties in the
largest-remainder step break the same way: sums of float weights use numpy's
pairwise summation (``_np_sum``) and remainders are rounded as ``np.round``
does (``x * 1e9`` to nearest even, ``/ 1e9``). Means of integer visitor counts
are exact either way.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from opsbook.core.repost_windows import Window
from opsbook.core.settings import PlanSettings

DEFAULT_PRIORITY = 3.0
SNAP = 1e-9


class BaselineCapacityError(Exception):
    def __init__(self, total: int, cap_total: int):
        super().__init__(f"{total} products but the windows hold at most {cap_total}")
        self.total, self.cap_total = total, cap_total


@dataclass
class BaselinePlan:
    slots: list[
        tuple[dt.datetime, int, Any, Any, Any]
    ]  # time, hour, id, category, priority
    hours: list[
        tuple[int, str, float, float, int, int]
    ]  # hour, label, mean, weight, cap, slots
    weights_source: str
    traffic_days: int


# -- small helpers -------------------------------------------------------------
def _missing(v: Any) -> bool:
    if v is None or v is pd.NaT:
        return True
    try:
        return bool(v != v)  # NaN, NaT
    except TypeError:  # pd.NA
        return True


def _np_sum(values: list[float]) -> float:
    """numpy's pairwise summation of float64 (blocks of 8, halves above 128)."""
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total += v
        return total
    if n <= 128:
        r = list(values[:8])
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] += values[i + j]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            total += values[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return _np_sum(values[:half]) + _np_sum(values[half:])


def _round9(x: float) -> float:
    return round(x * 1e9) / 1e9  # as np.round(x, 9): scale, round half even, unscale


def _number(v: Any) -> float | None:
    """A number as pd.to_numeric(errors="coerce") reads it; None when it is not one."""
    if _missing(v):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _day(v: Any) -> dt.date | None:
    if _missing(v):
        return None
    if isinstance(v, dt.datetime):  # pd.Timestamp too
        return v.date()
    if isinstance(v, dt.date):
        return v
    return pd.Timestamp(v).date()


def _stamp(v: Any) -> int:
    """Nanoseconds since the epoch; a missing value sorts before every date."""
    if _missing(v):
        return -(2**63)
    return pd.Timestamp(v).value


# -- the steps ------------------------------------------------------------------
def usable(windows: tuple[Window, ...]) -> dict[int, list[tuple[int, int]]]:
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: dict[int, list[tuple[int, int]]] = {}
    for start, end in merged:
        for hour in range(start // 60, (end - 1) // 60 + 1):
            out.setdefault(hour, []).append(
                (max(start, hour * 60), min(end, hour * 60 + 60))
            )
    return out


def select(products: pd.DataFrame, daily_count: int | None) -> list[dict[str, Any]]:
    cols = list(products.columns)
    rows = [
        dict(zip(cols, values, strict=True))
        for values in products.itertuples(index=False, name=None)
    ]
    if "include" in cols:
        rows = [r for r in rows if not _missing(r["include"]) and r["include"] == True]  # noqa: E712 - as Series.eq(True)
    keyed = []
    for r in rows:
        p = _number(r.get("priority"))
        keyed.append(
            (
                -(DEFAULT_PRIORITY if p is None else p),
                _stamp(r.get("last_repost")),
                str(r["product_id"]),
                len(keyed),
                r,
            )
        )
    keyed.sort(key=lambda k: k[:4])
    chosen = [k[4] for k in keyed]
    return chosen if daily_count is None else chosen[:daily_count]


def day_weight(
    day: dt.date,
    plan_date: dt.date,
    lookback_days: int,
    profile: str,
    kind: bool | None,
) -> float:
    """How much one traffic row of ``day`` counts: 1 for "mean"; for "recent",
    lookback - age + 1 (at least 1), and 0 for a day of the other kind (weekday /
    weekend) when ``kind`` says only days like the plan date's count."""
    if profile == "mean":
        return 1.0
    if kind is not None and (day.weekday() >= 5) != kind:
        return 0.0
    return float(max(lookback_days - (plan_date - day).days + 1, 1))


def weights(
    traffic: pd.DataFrame | None,
    windows: tuple[Window, ...],
    plan_date: dt.date,
    lookback_days: int,
    profile: str = "mean",
) -> tuple[list[int], list[float], list[float], str, int]:
    """(hours, mean visitors, weights, source, traffic days) from loops over the rows."""
    hours = list(usable(windows))
    first = plan_date - dt.timedelta(days=lookback_days)
    rows = []  # (day, hour, visitors) of the lookback
    if traffic is not None and {"date", "hour", "visitors"} <= set(traffic.columns):
        for d, h, v in zip(
            traffic["date"].tolist(),
            traffic["hour"].tolist(),
            traffic["visitors"].tolist(),
            strict=True,
        ):
            day, hour, visitors = _day(d), _number(h), _number(v)
            if day is None or hour is None or visitors is None:
                continue
            if first <= day < plan_date:
                rows.append((day, int(hour), visitors))
    days = {day for day, _, _ in rows}
    weekends = sum(1 for day in days if day.weekday() >= 5)
    kind = (  # only days like the plan date's, when both kinds have 2+ days
        plan_date.weekday() >= 5
        if profile != "mean" and weekends >= 2 and len(days) - weekends >= 2
        else None
    )
    sums = dict.fromkeys(hours, 0.0)
    counts = dict.fromkeys(hours, 0.0)
    for day, hour, visitors in rows:
        w = day_weight(day, plan_date, lookback_days, profile, kind)
        if hour in sums and w > 0:
            sums[hour] += w * visitors
            counts[hour] += w
    means = [sums[h] / counts[h] if counts[h] else math.nan for h in hours]
    total = _np_sum([0.0 if math.isnan(m) else m for m in means])
    if not days or not total > 0:
        return hours, means, [1 / max(len(hours), 1)] * len(hours), "even", len(days)
    weight = [(0.0 if math.isnan(m) else m) / total for m in means]
    return hours, means, weight, "traffic", len(days)


def capacity(
    segments: dict[int, list[tuple[int, int]]], gap: int, cap: int | None
) -> dict[int, int]:
    out = {}
    for hour, parts in segments.items():
        fits = sum(e - s for s, e in parts) // gap
        out[hour] = fits if cap is None else min(fits, cap)
    return out


def hamilton(total: int, w: list[float]) -> list[int]:
    if not _np_sum(w) > 0:
        w = [1.0] * len(w)
    s = _np_sum(w)
    share, rest = [], []
    for x in w:
        quota = total * x / s
        floor = math.floor(quota + SNAP)
        share.append(floor)
        rest.append(_round9(max(quota - floor, 0.0)))
    order = sorted(range(len(w)), key=lambda i: (-rest[i], -w[i], i))
    for i in order[: total - sum(share)]:
        share[i] += 1
    return share


def apportion(total: int, w: list[float], caps: list[int]) -> list[int]:
    w = [0.0 if math.isnan(x) else x for x in w]
    if total > sum(caps):
        raise BaselineCapacityError(total, sum(caps))
    out = [0] * len(w)
    active = list(range(len(w)))
    remaining = total
    while remaining > 0:
        share = hamilton(remaining, [w[i] for i in active])
        over = [i for i, k in zip(active, share, strict=True) if k > caps[i]]
        if not over:
            for i, k in zip(active, share, strict=True):
                out[i] = k
            break
        for i in over:
            out[i] = caps[i]
            remaining -= caps[i]
        active = [i for i in active if i not in over]
    return out


def minutes(parts: list[tuple[int, int]], k: int) -> list[int]:
    length = sum(e - s for s, e in parts)
    out = []
    for i in range(k):
        offset = i * length // k
        for s, e in parts:
            if offset < e - s:
                out.append(s + offset)
                break
            offset -= e - s
    return out


def spread(keys: list[str]) -> list[int]:
    """Take the key with most items left that differs from the last (ties: first seen)."""
    queues: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        queues.setdefault(key, []).append(i)
    lists = list(queues.values())
    heads = [0] * len(lists)
    out: list[int] = []
    prev = -1
    for _ in keys:
        best = -1
        for rank, q in enumerate(lists):
            left = len(q) - heads[rank]
            if (
                left
                and rank != prev
                and (best < 0 or left > len(lists[best]) - heads[best])
            ):
                best = rank
        if best < 0:
            best = prev  # only the last key is left
        out.append(lists[best][heads[best]])
        heads[best] += 1
        prev = best
    return out


def build_plan(
    products: pd.DataFrame, traffic: pd.DataFrame | None, settings: PlanSettings
) -> BaselinePlan:
    chosen = select(products, settings.daily_count)
    segments = usable(settings.windows)
    hours, means, weight, source, days = weights(
        traffic,
        settings.windows,
        settings.plan_date,
        settings.lookback_days,
        getattr(settings, "profile", "mean"),
    )
    fits = capacity(segments, settings.min_gap_minutes, settings.hourly_cap)
    caps = [fits[h] for h in hours]
    counts = apportion(len(chosen), weight, caps)
    weight_of = dict(zip(hours, weight, strict=True))
    slots = []  # (hour, minute) in time order
    for hour, k in sorted(zip(hours, counts, strict=True)):
        slots += [(hour, m) for m in minutes(segments[hour], k)]
    by_weight = sorted(
        range(len(slots)), key=lambda s: (-weight_of[slots[s][0]], *slots[s])
    )
    product_at = [0] * len(slots)
    groups: dict[float, list[int]] = {}
    for j, row in enumerate(chosen):
        product_at[by_weight[j]] = j
        p = _number(row.get("priority"))
        groups.setdefault(DEFAULT_PRIORITY if p is None else p, []).append(j)
    for members in groups.values():
        taken = sorted(by_weight[j] for j in members)
        keys = [
            "" if _missing(chosen[j].get("category")) else str(chosen[j]["category"])
            for j in members
        ]
        for slot, pick in zip(taken, spread(keys), strict=True):
            product_at[slot] = members[pick]
    midnight = dt.datetime.combine(settings.plan_date, dt.time())
    plan_slots = []
    for (hour, minute), j in zip(slots, product_at, strict=True):
        row = chosen[j]
        plan_slots.append(
            (
                midnight + dt.timedelta(minutes=minute),
                hour,
                row["product_id"],
                row.get("category"),
                row.get("priority"),
            )
        )
    labels = [
        ",".join(
            f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
            for a, b in segments[h]
        )
        for h in hours
    ]
    table = list(zip(hours, labels, means, weight, caps, counts, strict=True))
    return BaselinePlan(plan_slots, table, source, days)
