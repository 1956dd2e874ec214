"""The repost planner: which products to repost on a day, in which hour, at what minute.

Pure pandas/numpy (never xlwings or openpyxl) so it runs, and is tested, anywhere.
The steps are verbs on DataFrames, chained by :func:`build_plan`::

    select_products -> hourly_weights -> hour_capacity -> apportion -> assign_slots

with 1688's repost rules (interval, daily cap, batches) from :mod:`opsbook.core.repost_rules`,
the windows cut into hours by :mod:`opsbook.core.repost_windows` and the traffic weights from
:mod:`opsbook.core.traffic_weights` (both re-exported here).

Every step is deterministic: ties are broken by explicit keys (hour, product ID,
first appearance), never by dict order or randomness, so the same book gives
the same plan and staff's ticks can follow their products across rebuilds.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import CapacityError, Problem
from . import repost_rules as rules
from .repost_windows import segments_length, usable_minutes
from .schema import SETTINGS
from .settings import PlanSettings, named
from .traffic_weights import PROFILES, hourly_weights

__all__ = [
    "Plan",
    "apportion",
    "assign_slots",
    "build_plan",
    "hour_capacity",
    "select_products",
]


DEFAULT_PRIORITY = 3  # the 商品 sheet's default for an empty 优先级
SLOT_COLUMNS = ["time", "hour", "product_id", "title", "category", "priority", "done"]
HOUR_COLUMNS = ["hour", "label", "mean_visitors", "weight", "capacity", "slots"]
HOUR_COLUMNS += ["batches"]  # the hour's product IDs in batches, see rules.batches
_SNAP = 1e-9  # float noise in quotas below this is treated as exact


@dataclass(frozen=True)
class Plan:
    """The day's plan: one row per slot (time order), one per window hour, and the
    chosen products left without a slot (select order)."""

    slots: pd.DataFrame  # SLOT_COLUMNS
    hours: pd.DataFrame  # HOUR_COLUMNS
    weights_source: str  # "traffic" or "even"
    traffic_days: int  # distinct traffic dates in the lookback
    profile: str = "平均 mean"  # which traffic profile made the weights
    left_out: pd.DataFrame = field(  # rules.LEFT_OUT_COLUMNS
        default_factory=lambda: pd.DataFrame(columns=rules.LEFT_OUT_COLUMNS)
    )


# -- capacity and apportionment ------------------------------------------------
def hour_capacity(
    usable: Mapping[int, Sequence[tuple[int, int]]],
    min_gap_minutes: int,
    hourly_cap: int | None = None,
) -> dict[int, int]:
    """Slots an hour can hold: floor(usable minutes / min gap), capped by hourly_cap."""
    if min_gap_minutes < 1:
        raise ValueError("min_gap_minutes must be >= 1")
    caps = {}
    for hour, segments in usable.items():
        fits = segments_length(segments) // min_gap_minutes
        caps[hour] = fits if hourly_cap is None else min(fits, hourly_cap)
    return caps


def _hamilton(total: int, weights: np.ndarray) -> np.ndarray:
    """Largest remainder; ties to the larger weight, then the lower index."""
    w = weights if weights.sum() > 0 else np.ones_like(weights)
    quota = total * w / w.sum()
    floor = np.floor(quota + _SNAP)
    remainder = np.round(np.maximum(quota - floor, 0.0), 9)
    order = np.lexsort((np.arange(len(w)), -w, -remainder))
    share = floor.astype(np.int64)
    share[order[: total - int(share.sum())]] += 1
    return share


def _capacity_error(total: int, cap_total: int) -> CapacityError:
    return CapacityError(
        [
            Problem(
                sheet=SETTINGS.name,
                code="capacity",
                reason=f"要重发 {total} 件，但时段最多放 {cap_total} 件 / {total} products but the windows hold at most {cap_total}",
                hint=f"把 {named('daily_count')} 改成不超过 {cap_total}，或加长 {named('windows')}、减小 {named('min_gap_minutes')}、提高 {named('hourly_cap')} / lower daily_count, widen the windows, shorten min_gap_minutes or raise hourly_cap",
            )
        ]
    )


def apportion(
    total: int, weights: Sequence[float] | np.ndarray, caps: Sequence[int] | np.ndarray
) -> np.ndarray:
    """Split ``total`` slots over hours by largest remainder (Hamilton), within caps.

    Hours whose share exceeds their cap are fixed at the cap and the rest is
    split again over the others, until no cap is exceeded; if the hours left
    all weigh 0 they share equally. Raises CapacityError if total > sum(caps).
    """
    w = np.nan_to_num(np.asarray(weights, dtype=float), nan=0.0)
    cap = np.asarray(caps, dtype=np.int64)
    if w.shape != cap.shape or w.ndim != 1:
        raise ValueError("weights and caps must be 1-D and of the same length")
    if total < 0 or (w < 0).any() or (cap < 0).any():
        raise ValueError("total, weights and caps must not be negative")
    cap_total = int(cap.sum())
    if total > cap_total:
        raise _capacity_error(total, cap_total)
    out = np.zeros(len(w), dtype=np.int64)
    active = np.arange(len(w))
    remaining = int(total)
    while remaining > 0:
        share = _hamilton(remaining, w[active])
        over = share > cap[active]
        if not over.any():
            out[active] = share
            break
        fixed = active[over]
        out[fixed] = cap[fixed]
        remaining -= int(cap[fixed].sum())
        active = active[~over]
    return out


# -- products ------------------------------------------------------------------
def select_products(
    products: pd.DataFrame, daily_count: int | None = None
) -> pd.DataFrame:
    """Included products in repost order, first ``daily_count`` kept (None = all).

    Order: priority descending (5 = highest), then longest since last repost
    (never reposted first), then product_id as text. Extra columns ride along.
    """
    if "include" in products.columns:
        keep = products["include"].eq(True).to_numpy(dtype=bool, na_value=False)
        products = products[keep]
    n = len(products)
    if "priority" in products.columns:
        priority = pd.to_numeric(products["priority"]).to_numpy(
            dtype=float, na_value=DEFAULT_PRIORITY
        )
    else:
        priority = np.full(n, float(DEFAULT_PRIORITY))
    if "last_repost" in products.columns:
        stamps = pd.to_datetime(products["last_repost"]).astype("datetime64[ns]")
        last = stamps.to_numpy().view(np.int64)  # NaT is int64 min: sorts first
    else:
        last = np.zeros(n, dtype=np.int64)
    ids = products["product_id"].astype(str).to_numpy(dtype=str)
    order = np.lexsort((ids, last, -priority))
    if daily_count is not None:
        order = order[:daily_count]
    return products.iloc[order].reset_index(drop=True)


# -- slots -----------------------------------------------------------------------
def _slot_minutes(segments: Sequence[tuple[int, int]], k: int) -> np.ndarray:
    """k clock minutes spread evenly over the hour's usable time: offset floor(i*L/k).

    Offsets differ by >= floor(L/k) and the last one ends ceil(L/k) before the
    hour's usable time does, so k <= L // gap keeps every gap >= gap, across
    hours too.
    """
    length = segments_length(segments)
    if k > length:
        raise ValueError(f"{k} slots cannot fit in {length} usable minutes")
    offsets = np.arange(k, dtype=np.int64) * length // k
    starts = np.array([s for s, _ in segments], dtype=np.int64)
    before = np.cumsum([0] + [e - s for s, e in segments])  # usable minutes before
    seg = np.searchsorted(before, offsets, side="right") - 1
    return starts[seg] + offsets - before[seg]


def _spread(keys: Sequence[str]) -> list[int]:
    """Positions of ``keys`` reordered so equal neighbours happen only when forced.

    Greedy: take the key with most items left that differs from the last one
    (ties to first appearance); within a key keep the given order.
    """
    queues: dict[str, deque[int]] = {}
    for i, key in enumerate(keys):
        queues.setdefault(key, deque()).append(i)
    lists = list(queues.values())  # rank = order of first appearance
    heap = [(-len(q), rank) for rank, q in enumerate(lists)]
    heapq.heapify(heap)
    out: list[int] = []
    prev = -1
    while heap:
        count, rank = heapq.heappop(heap)
        if rank == prev and heap:
            count, rank = heapq.heapreplace(heap, (count, rank))
        out.append(lists[rank].popleft())
        if count < -1:
            heapq.heappush(heap, (count + 1, rank))
        prev = rank
    return out


def _category_keys(values: pd.Series) -> list[str]:
    """Category as text for spreading; missing (None/NaN) is its own category ""."""
    return ["" if pd.isna(v) else str(v) for v in values]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].reset_index(drop=True)
    return pd.Series([None] * len(frame), dtype=object)


def _spread_groups(
    chosen: pd.DataFrame,
    slot_of: np.ndarray,
    times: np.ndarray,
    earliest: np.ndarray | None,
) -> np.ndarray:
    """Slot -> product (-1 = empty), product j at ``slot_of[j]`` (-1 = none); then each
    priority group is reordered over its own slots so that neighbouring slots repeat
    a category only when unavoidable (not where that would break an interval)."""
    product_at = np.full(len(times), -1, dtype=np.int64)
    placed = np.flatnonzero(slot_of >= 0)
    product_at[slot_of[placed]] = placed
    priority = pd.to_numeric(_column(chosen, "priority")).to_numpy(
        dtype=float, na_value=DEFAULT_PRIORITY
    )
    keys = _category_keys(_column(chosen, "category"))
    group_order = placed[np.argsort(priority[placed], kind="stable")]
    bounds = np.flatnonzero(np.diff(priority[group_order])) + 1
    for members in np.split(group_order, bounds) if placed.size else []:
        slots = np.sort(slot_of[members])  # the group's slots in time order
        spread = members[_spread([keys[i] for i in members])]
        if earliest is None or (times[slots] >= earliest[spread]).all():
            product_at[slots] = spread
    return product_at


def assign_slots(
    chosen: pd.DataFrame,
    counts_by_hour: Mapping[int, int],
    usable: Mapping[int, Sequence[tuple[int, int]]],
    plan_date: dt.date,
    hours_weight: Mapping[int, float],
    earliest: np.ndarray | None = None,
) -> pd.DataFrame:
    """Give each chosen product (in select order) a clock time; the plan's slot rows.

    Products take slots by (hour weight desc, hour, time), so higher priority
    lands in busier hours; then each priority group is reordered over its own
    slots so that neighbouring slots repeat a category only when unavoidable.
    ``earliest`` (int64 ns per product, see rules.earliest_allowed): if that
    plan puts a product before it, rules.place re-places them all; products
    that fit no slot are left out, with their slots.
    """
    return _assign(chosen, counts_by_hour, usable, plan_date, hours_weight, earliest)[0]


def _assign(
    chosen: pd.DataFrame,
    counts_by_hour: Mapping[int, int],
    usable: Mapping[int, Sequence[tuple[int, int]]],
    plan_date: dt.date,
    hours_weight: Mapping[int, float],
    earliest: np.ndarray | None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """assign_slots' frame, and whether each chosen product got a slot."""
    hours = [h for h in sorted(counts_by_hour) if counts_by_hour[h] > 0]
    counts = [int(counts_by_hour[h]) for h in hours]
    minute = np.concatenate(
        [_slot_minutes(usable[h], k) for h, k in zip(hours, counts, strict=True)]
        or [np.zeros(0, dtype=np.int64)]
    )
    hour = np.repeat(np.array(hours, dtype=np.int64), counts)
    weight = np.repeat(np.array([hours_weight.get(h, 0.0) for h in hours]), counts)
    n = len(chosen)
    if len(minute) != n:
        raise ValueError(f"{len(minute)} slots for {n} products")
    # slot indices are in time order already (hours ascending, minutes within)
    by_weight = np.lexsort((minute, hour, -weight))  # product j takes by_weight[j]
    day = np.datetime64(pd.Timestamp(plan_date).normalize().to_datetime64(), "ns")
    times = day + minute.astype("timedelta64[m]")
    ns = times.view(np.int64)
    product_at = _spread_groups(chosen, by_weight, ns, None)
    if earliest is not None and not rules.respects(product_at, ns, earliest):
        slot_of = rules.place(ns, earliest, by_weight)
        product_at = _spread_groups(chosen, slot_of, ns, earliest)
    taken = product_at >= 0
    picked = chosen.iloc[product_at[taken]].reset_index(drop=True)
    placed = np.zeros(n, dtype=bool)
    placed[product_at[taken]] = True
    frame = pd.DataFrame(
        {
            "time": pd.Series(times[taken], dtype="datetime64[ns]"),
            "hour": hour[taken],
            **{c: _column(picked, c) for c in SLOT_COLUMNS[2:-1]},
            "done": pd.Series([None] * len(picked), dtype=object),
        }
    )
    return frame, placed


def _within_interval(
    chosen: pd.DataFrame,
    counts: Mapping[int, int],
    capacity: Mapping[int, int],
    usable: Mapping[int, Sequence[tuple[int, int]]],
    plan_date: dt.date,
    hours_weight: Mapping[int, float],
    earliest: np.ndarray,
    rounds: int = 4,
) -> tuple[pd.DataFrame, np.ndarray]:
    """_assign, then (while products are left out and later hours have room) move the
    unused slots there and assign again; the round that places the most wins."""
    best = _assign(chosen, counts, usable, plan_date, hours_weight, earliest)
    for _ in range(rounds):
        if best[1].all():
            break
        taken = best[0]["hour"].value_counts().to_dict()
        room = rules.make_room(
            counts, capacity, taken, earliest[~best[1]], plan_date, usable
        )
        if room is None:
            break
        counts = room
        tried = _assign(chosen, counts, usable, plan_date, hours_weight, earliest)
        if tried[1].sum() <= best[1].sum():
            break
        best = tried
    return best


# -- the whole plan ------------------------------------------------------------
def build_plan(
    products: pd.DataFrame, traffic: pd.DataFrame | None, settings: PlanSettings
) -> Plan:
    """Selection -> daily cap -> weights -> capacities -> apportionment -> slots
    (within the repost interval) -> hourly batches, as one Plan.

    Raises CapacityError (nothing planned) when the windows cannot hold the
    chosen products the cap leaves.
    """
    chosen = select_products(products, settings.daily_count)
    chosen, over_cap = rules.within_cap(chosen, settings.shop_daily_cap)
    usable = usable_minutes(settings.windows)
    hours, source, days = hourly_weights(
        traffic,
        settings.windows,
        settings.plan_date,
        settings.lookback_days,
        settings.profile,
    )
    profile = hours.attrs.get("profile", PROFILES["mean"])
    fits = hour_capacity(usable, settings.min_gap_minutes, settings.hourly_cap)
    capacity = np.array([fits[h] for h in hours["hour"]], dtype=np.int64)
    counts = apportion(len(chosen), hours["weight"].to_numpy(), capacity)
    hour_list = hours["hour"].tolist()
    slots, placed = _within_interval(
        chosen,
        dict(zip(hour_list, counts.tolist(), strict=True)),
        dict(zip(hour_list, capacity.tolist(), strict=True)),
        usable,
        settings.plan_date,
        dict(zip(hour_list, hours["weight"].tolist(), strict=True)),
        rules.earliest_allowed(chosen, settings.repost_interval_hours),
    )
    taken = slots["hour"].value_counts().reindex(hour_list, fill_value=0)
    hours = hours.assign(
        capacity=capacity,
        slots=taken.to_numpy(dtype=np.int64),
        batches=rules.hour_batches(slots, hour_list, settings.batch_size),
    )
    return Plan(
        slots=slots,
        hours=hours[HOUR_COLUMNS],
        weights_source=source,
        traffic_days=days,
        profile=profile,
        left_out=rules.left_out(
            chosen,
            placed,
            over_cap,
            settings.plan_date,
            settings.repost_interval_hours,
            usable,
        ),
    )
