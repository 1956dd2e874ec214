"""1688's repost (重发) rules, and what they do to a day's plan.

1688's open-platform documentation has stated three limits: one offer at most
once in any rolling 24 hours, at most 400 reposts a day per account, at most
20 offers in one batch repost. They may change, so they are the 设置 keys
同品重发间隔小时, 店铺每日上限 and 每批上限, with those defaults.

**Matching products to slots.** The planner fixes the day's slot times first
(apportionment and the even spread within each hour, as without the rules)
and keeps its plan as it is when that plan already respects every interval
(so interval 0, or an interval binding nobody, gives exactly the old plan).
Otherwise: product p may take slot s iff ``time(s) >= earliest(p) = 上次重发
+ interval``; with the S slots sorted by time, p's feasible slots are a
suffix ``first(p) .. S-1``. Suffixes are nested, which makes greedy exact:

0. *Why greedy is enough.* List any products by ``first`` descending, so their
   feasible sets grow: F1 ⊆ F2 ⊆ ... Giving each in turn *any* free feasible
   slot places p_j iff ``|F_j|`` exceeds the number placed before it (they all
   sit inside F_j), whichever slots they took; and no matching can place more
   of p_1..p_j than min(that number + 1, |F_j|). By induction the greedy count
   is the maximum. The same nesting turns Hall's condition into one
   inequality per threshold i: at most ``S - i`` products with ``first >= i``.
1. *Who gets a slot* (:func:`placeable`). Sets of products passing those
   inequalities are the matchable sets, the independent sets of a
   (transversal) matroid. Going through the products in rank order (the
   planner's select order) and keeping each one the inequalities still allow
   is the matroid greedy: it keeps a maximum number, and leaves a product out
   only when it cannot have a slot together with the higher-ranked ones kept.
2. *Which slot each one takes* (:func:`place`). The kept products, in rank
   order, take the most desirable free slot (the planner's order: heaviest
   hour, then earliest time) that is feasible and leaves the others placeable.
   Taking slot s removes one free slot from every threshold ``i <= s``, so s
   is safe iff it lies before the first threshold where the free slots just
   cover the others' need. A safe slot always exists (a matching of p and the
   others gives p one), so nobody kept is dropped. The planner then spreads
   categories within each priority again, where that keeps the intervals.

Products reposted late yesterday thus take today's later slots; what fits no
slot, or falls beyond the shop's daily cap, is listed in ``Plan.left_out``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .settings import named

__all__ = [
    "CAP",
    "INTERVAL",
    "LEFT_OUT_COLUMNS",
    "batches",
    "earliest_allowed",
    "hour_batches",
    "left_out",
    "make_room",
    "next_in_window",
    "place",
    "placeable",
    "reason_text",
    "respects",
    "within_cap",
]

INTERVAL, CAP = "interval", "cap"  # the left-out reason codes
LEFT_OUT_COLUMNS = [
    "product_id",
    "title",
    "priority",
    "last_repost",
    "reason",
    "reason_text",
    "earliest",
]
ANY_TIME = np.iinfo(np.int64).min  # NaT's int64: no interval constraint
BATCH_SEP, ID_SEP = "\n", ";"


def reason_text(reason: str, interval_hours: int) -> str:
    """The Chinese / English text the clerk reads for a left-out reason code."""
    if reason == INTERVAL:
        return (
            f"距上次重发不足 {interval_hours} 小时，之后的时段已满或已过"
            f" / reposted within {interval_hours} h; no free slot after that today"
        )
    return f"超出{named('shop_daily_cap')} / over the shop's daily cap"


# -- the daily cap ---------------------------------------------------------------
def within_cap(
    chosen: pd.DataFrame, cap: int | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the first ``cap`` chosen products, the rest), both in select order."""
    if cap is None or len(chosen) <= cap:
        return chosen, chosen.iloc[:0]
    return chosen.iloc[:cap], chosen.iloc[cap:].reset_index(drop=True)


# -- the interval ----------------------------------------------------------------
def _last_repost(frame: pd.DataFrame) -> pd.Series:
    if "last_repost" not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame["last_repost"]).astype("datetime64[ns]")


def earliest_allowed(frame: pd.DataFrame, interval_hours: int) -> np.ndarray:
    """Per product, the earliest time (int64 ns) it may be reposted: 上次重发 + interval.

    ``ANY_TIME`` (NaT) when it was never reposted or the interval is 0, which
    turns the rule off altogether.
    """
    if interval_hours <= 0:
        return np.full(len(frame), ANY_TIME, dtype=np.int64)
    stamps = _last_repost(frame) + pd.Timedelta(hours=interval_hours)
    return stamps.to_numpy().view(np.int64).copy()


def respects(product_at: np.ndarray, times: np.ndarray, earliest: np.ndarray) -> bool:
    """Whether every taken slot (product index >= 0) is at or after its product's earliest time."""
    taken = product_at >= 0
    return bool((times[taken] >= earliest[product_at[taken]]).all())


def _first_slot(times: np.ndarray, earliest: np.ndarray) -> np.ndarray:
    """Each product's first feasible slot in the time-sorted ``times`` (len(times): none)."""
    return np.searchsorted(times, earliest, side="left").astype(np.int64)


def placeable(times: np.ndarray, earliest: np.ndarray) -> np.ndarray:
    """Which products (in rank order) keep a slot: the matroid greedy of the module docstring.

    ``slack[i]`` = slots at index >= i minus the kept products needing them;
    keeping p (first slot f) needs ``slack[0..f] >= 1`` and lowers them by one.
    """
    first = _first_slot(times, earliest)
    n_slots = len(times)
    slack = n_slots - np.arange(n_slots + 1)
    keep = np.zeros(len(first), dtype=bool)
    for p, f in enumerate(first):
        if f < n_slots and slack[: f + 1].min() >= 1:
            slack[: f + 1] -= 1
            keep[p] = True
    return keep


def place(
    times: np.ndarray, earliest: np.ndarray, desirability: np.ndarray
) -> np.ndarray:
    """Product -> slot index (-1 = left out), step 2 of the module docstring.

    ``times`` are the slot times ascending (int64 ns), ``earliest`` each
    product's earliest time in rank order, ``desirability`` the slot indices
    best first (the order products take slots in when nothing binds).
    """
    n_slots = len(times)
    first = _first_slot(times, earliest)
    keep = placeable(times, earliest)
    rank = np.empty(n_slots, dtype=np.int64)
    rank[desirability] = np.arange(n_slots)
    # need[i]: kept products not yet placed whose first slot is >= i
    need = np.cumsum(np.bincount(first[keep], minlength=n_slots + 1)[::-1])[::-1]
    free = np.ones(n_slots, dtype=bool)
    slot_of = np.full(len(earliest), -1, dtype=np.int64)
    for p in np.flatnonzero(keep):
        f = first[p]
        need[: f + 1] -= 1
        have = np.cumsum(free[::-1])[::-1]
        tight = np.flatnonzero(have <= need[:n_slots])
        bound = int(tight[0]) if tight.size else n_slots
        candidates = np.flatnonzero(free[f:bound]) + f
        if not candidates.size:  # cannot happen (see the docstring): fail loudly
            raise AssertionError(f"no safe slot for product {p}")
        slot = candidates[np.argmin(rank[candidates])]
        slot_of[p] = slot
        free[slot] = False
    return slot_of


# -- the left-out list -----------------------------------------------------------
def _segments(usable: Mapping[int, Sequence[tuple[int, int]]]) -> list[tuple[int, int]]:
    return sorted(seg for segs in usable.values() for seg in segs)


def next_in_window(
    when: pd.Timestamp, segments: Sequence[tuple[int, int]]
) -> pd.Timestamp:
    """The first moment at or after ``when`` inside a window, that day or a later one."""
    if not segments:
        return when
    day = when.normalize()
    minute = (when - day) / pd.Timedelta(minutes=1)
    for start, end in segments:
        if minute < end:
            return when if minute >= start else day + pd.Timedelta(minutes=start)
    return day + pd.Timedelta(days=1, minutes=segments[0][0])


def left_out(
    chosen: pd.DataFrame,
    placed: np.ndarray,
    over_cap: pd.DataFrame,
    plan_date: dt.date,
    interval_hours: int,
    usable: Mapping[int, Sequence[tuple[int, int]]],
) -> pd.DataFrame:
    """The chosen products without a slot, in select order: LEFT_OUT_COLUMNS.

    ``earliest`` is when the product could go next, snapped forward into a
    window: 上次重发 + interval for the interval; for the cap, the first window
    of the next day (or later, if the interval still runs then).
    """
    parts = [
        f for f in (chosen[~placed], over_cap) if len(f)
    ]  # concat warns on empties
    rows = pd.concat(parts, ignore_index=True) if parts else chosen.iloc[:0]
    reasons = [INTERVAL] * int((~placed).sum()) + [CAP] * len(over_cap)
    day = pd.Timestamp(plan_date)
    # 上次重发 + interval; NaT (no constraint) when never reposted or the rule is off
    step = pd.Timedelta(hours=interval_hours) if interval_hours > 0 else pd.NaT
    after = _last_repost(rows).reset_index(drop=True) + step
    segments = _segments(usable)
    soonest = []
    for t, reason in zip(after, reasons, strict=True):
        floor = day + pd.Timedelta(days=1) if reason == CAP else day
        soonest.append(next_in_window(floor if pd.isna(t) else max(t, floor), segments))
    return pd.DataFrame(
        {
            "product_id": _column(rows, "product_id"),
            "title": _column(rows, "title"),
            "priority": _column(rows, "priority"),
            "last_repost": _last_repost(rows).reset_index(drop=True),
            "reason": pd.Series(reasons, dtype=object),
            "reason_text": pd.Series(
                [reason_text(r, interval_hours) for r in reasons], dtype=object
            ),
            "earliest": pd.Series(soonest, dtype="datetime64[ns]"),
        }
    )


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].reset_index(drop=True)
    return pd.Series([None] * len(frame), dtype=object)


# -- batches ---------------------------------------------------------------------
def batches(ids: Iterable[object], size: int) -> str:
    """IDs joined by ``;``, at most ``size`` per batch, one batch per line."""
    texts = [str(i) for i in ids]
    return BATCH_SEP.join(
        ID_SEP.join(texts[k : k + size]) for k in range(0, len(texts), size)
    )


def hour_batches(slots: pd.DataFrame, hours: Iterable[int], size: int) -> list[str]:
    """Per hour, that hour's product IDs in slot order, in batches (see :func:`batches`)."""
    by_hour = slots.groupby("hour", sort=False)["product_id"].agg(list).to_dict()
    return [batches(by_hour.get(h, []), size) for h in hours]


def make_room(
    counts: Mapping[int, int],
    capacity: Mapping[int, int],
    taken: Mapping[int, int],
    needs: np.ndarray,
    plan_date: dt.date,
    usable: Mapping[int, Sequence[tuple[int, int]]],
) -> dict[int, int] | None:
    """Move unused slots to hours that can serve the products left out by the interval.

    Slot times are spread by traffic first; a product whose 上次重发 + interval
    falls late in the day may then find every later slot taken while later hours
    still have room. Each such product (earliest need first) moves one unused
    slot (from the hour with the most unused, earliest on ties) into the first
    hour with room that starts at or after its earliest time (else the first that
    still has usable minutes after it). None
    when nothing can move; the total number of slots never changes.
    """
    counts = dict(counts)
    unused = {h: counts[h] - taken.get(h, 0) for h in counts}
    day0 = pd.Timestamp(plan_date).normalize().value
    moved = False
    for need in np.sort(needs[needs != ANY_TIME]):
        minute = max(0, int((need - day0) // 60_000_000_000))
        open_ = [h for h in sorted(counts) if counts[h] < capacity[h]]
        # an hour that starts after the need serves it with every slot; one that
        # only ends after it, with its later slots
        target = next(
            (h for h in open_ if min(start for start, _ in usable[h]) >= minute),
            next(
                (h for h in open_ if any(end - 1 >= minute for _, end in usable[h])),
                None,
            ),
        )
        donors = [h for h in sorted(counts) if unused[h] > 0 and h != target]
        if target is None or not donors:
            continue
        donor = max(donors, key=lambda h: (unused[h], -h))
        counts[donor] -= 1
        unused[donor] -= 1
        counts[target] += 1
        moved = True
    return counts if moved else None
