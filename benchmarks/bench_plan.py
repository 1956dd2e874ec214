"""The planner and the UDF-to-be cores, against the per-product loop in baseline_planner.py.

Run alone (``python benchmarks/bench_plan.py``) it prints its rows; ``run.py``
puts them in the README table. Every timing is the minimum of several runs in
this process, next to the baseline's minimum measured the same way, and no
figure is printed before both implementations were checked to give the same
plan on every timed input and on the edge cases of ``CHECK_CASES``.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass, replace

import baseline_planner as base
import numpy as np
import pandas as pd
from books import DAY, WINDOWS_8H, products, traffic

from opsbook.core.planner import apportion, build_plan, hour_capacity
from opsbook.core.repost_windows import usable_minutes
from opsbook.core.settings import PlanSettings
from opsbook.core.traffic_weights import hourly_weights
from opsbook.errors import CapacityError

FULL_DAY = ((0, 1440),)


class Mismatch(AssertionError):
    """build_plan and the baseline disagree: no timing of either means anything."""


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_call(fn: Callable[[], object], repeat: int = 5) -> float:
    """Seconds per call: timeit's autorange (>= 0.2 s a batch), minimum over batches."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


# -- the check ------------------------------------------------------------------
def _outcome(fn: Callable[[], object]) -> tuple[str, object]:
    try:
        return "plan", fn()
    except (CapacityError, base.BaselineCapacityError) as exc:
        return "refused", exc


def without_rules(s: PlanSettings) -> PlanSettings:
    """The baseline loop predates 1688's repost rules (interval, shop cap): compare with them off."""
    if "repost_interval_hours" not in PlanSettings.__dataclass_fields__:
        return s
    return replace(s, repost_interval_hours=0, shop_daily_cap=10**9)


def check_same(
    name: str, prods: pd.DataFrame, traf: pd.DataFrame | None, s: PlanSettings
) -> int:
    """Raise Mismatch unless both planners give the same plan (or both refuse); slots placed."""
    s = without_rules(s)
    kind_a, ours = _outcome(lambda: build_plan(prods, traf, s))
    kind_b, theirs = _outcome(lambda: base.build_plan(prods, traf, s))
    if kind_a != kind_b:
        raise Mismatch(f"{name}: build_plan {kind_a}, baseline {kind_b}")
    if kind_a == "refused":
        if f"{theirs.cap_total} 件" not in str(ours):
            raise Mismatch(f"{name}: refused with other capacities: {ours} / {theirs}")
        return 0
    slots = ours.slots
    got = list(
        zip(
            pd.to_datetime(slots["time"]).tolist(),
            slots["hour"].tolist(),
            slots["product_id"].tolist(),
            strict=True,
        )
    )
    want = [(pd.Timestamp(t), h, pid) for t, h, pid, _, _ in theirs.slots]
    if got != want:
        first = next(
            (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
            min(len(got), len(want)),
        )
        raise Mismatch(
            f"{name}: slot {first} differs: build_plan {got[first : first + 1]} vs "
            f"baseline {want[first : first + 1]} ({len(got)} vs {len(want)} slots)"
        )
    hours = ours.hours
    for i, (h, label, mean, weight, cap, k) in enumerate(theirs.hours):
        row = hours.iloc[i]
        same_float = all(
            (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)
            for a, b in ((row["mean_visitors"], mean), (row["weight"], weight))
        )
        if (
            int(row["hour"]),
            row["label"],
            int(row["capacity"]),
            int(row["slots"]),
        ) != (
            h,
            label,
            cap,
            k,
        ) or not same_float:
            raise Mismatch(
                f"{name}: hour row {i} differs: {row.to_dict()} vs {theirs.hours[i]}"
            )
    if (ours.weights_source, ours.traffic_days) != (
        theirs.weights_source,
        theirs.traffic_days,
    ):
        raise Mismatch(f"{name}: weights source/days differ")
    return len(slots)


def check_cases() -> list[str]:
    """Edge cases beyond the timed inputs; returns their names once all agree."""
    year = traffic(365)
    holes = year[year["hour"] != 13]  # one window hour without any data: weight 0
    messy = products(300, seed=5)
    messy.loc[::11, "priority"] = np.nan  # empty 优先级 -> 3
    messy.loc[::13, "category"] = None  # its own category ""
    messy["priority"] = messy["priority"].astype(object)
    cases = [
        (
            "1k, 8 h, gap 1, 480 a day",
            products(1000, seed=3),
            traffic(28),
            PlanSettings(WINDOWS_8H, DAY, daily_count=480, min_gap_minutes=1),
        ),
        (
            "1k, whole day, gap 1, cap 50 an hour (caps bind, shares move)",
            products(1000, seed=4),
            year,
            PlanSettings(FULL_DAY, DAY, min_gap_minutes=1, hourly_cap=50),
        ),
        (
            "300 messy, odd windows, gap 3, no traffic (even weights)",
            messy,
            None,
            PlanSettings(((570, 700), (705, 1000)), DAY, min_gap_minutes=3),
        ),
        (
            "10k, 8 h, an hour without data, lookback 365",
            products(10_000, seed=6),
            holes,
            PlanSettings(
                WINDOWS_8H, DAY, daily_count=480, min_gap_minutes=1, lookback_days=365
            ),
        ),
        (
            "1k, 8 h, gap 1, every product (refused: capacity 480)",
            products(1000, seed=7),
            year,
            PlanSettings(WINDOWS_8H, DAY, min_gap_minutes=1),
        ),
    ]
    if "profile" in PlanSettings.__dataclass_fields__:  # the 流量权重方式 setting
        saturday = DAY + dt.timedelta(days=(5 - DAY.weekday()) % 7)
        cases += [
            (
                "1k, 8 h, profile recent, weekday plan (weekdays only, recent days count more)",
                products(1000, seed=8),
                year,
                PlanSettings(
                    WINDOWS_8H,
                    DAY,
                    daily_count=480,
                    min_gap_minutes=1,
                    profile="recent",
                ),
            ),
            (
                "1k, whole day, profile recent, Saturday plan, lookback 30",
                products(1000, seed=9),
                traffic(365, end=saturday),
                PlanSettings(
                    FULL_DAY,
                    saturday,
                    min_gap_minutes=1,
                    lookback_days=30,
                    profile="recent",
                ),
            ),
            (
                "1k, 8 h, profile recent, lookback 3 (too few weekend days to split)",
                products(1000, seed=10),
                year,
                PlanSettings(
                    WINDOWS_8H,
                    DAY,
                    daily_count=300,
                    min_gap_minutes=1,
                    lookback_days=3,
                    profile="recent",
                ),
            ),
        ]
    for name, prods, traf, s in cases:
        check_same(name, prods, traf, s)
    return [c[0] for c in cases]


# -- the timings ----------------------------------------------------------------
@dataclass(frozen=True)
class PlanRow:
    scenario: str
    products: int
    placed: int
    ours_s: float
    base_s: float
    runs: int


SCENARIOS = {
    "A": "8 window hours, gap 1, daily_count 480 (480 placed)",
    "B": "whole day (0:00-24:00), gap 1, every product placed: 1,440 is the most any setting places",
    "C": "8 window hours, gap 1, daily_count empty: refused (CapacityError), time to refuse",
}


def planner_rows(sizes=(1_000, 10_000, 100_000), placed_sizes=(144, 480, 1_440)):
    year = traffic(365)
    rows = []
    s_a = without_rules(
        PlanSettings(WINDOWS_8H, DAY, daily_count=480, min_gap_minutes=1)
    )
    s_b = without_rules(PlanSettings(FULL_DAY, DAY, min_gap_minutes=1))
    s_c = replace(s_a, daily_count=None)
    plan = [("A", n, s_a, products(n)) for n in sizes]
    plan += [("B", n, s_b, products(n, excluded=0.0)) for n in placed_sizes]
    plan += [("C", n, s_c, products(n)) for n in sizes]
    for scenario, n, s, prods in plan:
        placed = check_same(f"{scenario} {n}", prods, year, s)
        repeat = 3 if n >= 100_000 else 7

        def ours(prods=prods, s=s):
            return _outcome(lambda: build_plan(prods, year, s))

        def theirs(prods=prods, s=s):
            return _outcome(lambda: base.build_plan(prods, year, s))

        ours_s, base_s = best_of(ours, repeat), best_of(theirs, repeat)
        rows.append(PlanRow(scenario, n, placed, ours_s, base_s, repeat))
        print(
            f"  planner {scenario} {n:>7}: {ours_s * 1e3:8.1f} ms vs baseline {base_s * 1e3:8.1f} ms",
            file=sys.stderr,
        )
    return rows


def exponent(rows: list[PlanRow], scenario: str, attr: str = "ours_s") -> float:
    pts = [(r.products, getattr(r, attr)) for r in rows if r.scenario == scenario]
    return float(
        np.polyfit(np.log([n for n, _ in pts]), np.log([t for _, t in pts]), 1)[0]
    )


@dataclass(frozen=True)
class UdfRow:
    function: str
    input: str
    ours_s: float
    base_s: float


def udf_rows() -> list[UdfRow]:
    """Per-call time of the cores REPOST_WEIGHTS / REPOST_SLOTS will wrap (not written yet)."""
    rows = []
    one_day = traffic(1, end=DAY - dt.timedelta(days=1))
    year = traffic(365, end=DAY - dt.timedelta(days=1))
    for label, traf, lookback in (
        ("24 rows (1 day), 24 window hours, lookback 14", one_day, 14),
        ("8,760 rows (365 days), 24 window hours, lookback 14", year, 14),
        ("8,760 rows (365 days), 24 window hours, lookback 365", year, 365),
    ):
        frame = hourly_weights(traf, FULL_DAY, DAY, lookback)[0]
        _, _, w, _, _ = base.weights(traf, FULL_DAY, DAY, lookback)
        if not np.allclose(frame["weight"].to_numpy(), w, rtol=1e-12, atol=0):
            raise Mismatch(f"hourly_weights {label}: weights differ")
        rows.append(
            UdfRow(
                "hourly_weights",
                label,
                per_call(
                    lambda t=traf, lb=lookback: hourly_weights(t, FULL_DAY, DAY, lb)
                ),
                per_call(
                    lambda t=traf, lb=lookback: base.weights(t, FULL_DAY, DAY, lb)
                ),
            )
        )
    weights = hourly_weights(year, FULL_DAY, DAY, 14)[0]["weight"].tolist()
    usable = usable_minutes(FULL_DAY)
    for label, total, cap in (
        ("480 over 24 hours, no cap", 480, None),
        ("480 over 24 hours, cap 25 an hour (binds)", 480, 25),
    ):
        caps = list(hour_capacity(usable, 1, cap).values())
        if apportion(total, weights, caps).tolist() != base.apportion(
            total, weights, caps
        ):
            raise Mismatch(f"apportion {label}: counts differ")
        rows.append(
            UdfRow(
                "apportion",
                label,
                per_call(lambda t=total, c=caps: apportion(t, weights, c)),
                per_call(lambda t=total, c=caps: base.apportion(t, weights, c)),
            )
        )
    return rows + written_udf_rows(one_day, year, weights)


def written_udf_rows(one_day, year, weights) -> list[UdfRow]:
    """The UDFs themselves, once ``opsbook.excel.udfs`` has them: called directly with
    what xlwings' converters hand them (a DataFrame with the sheet's headers, a 1-D
    array), against the loop's version of the core they wrap. Empty until then."""
    try:
        from opsbook.core.parser import parse_sheet
        from opsbook.core.schema import TRAFFIC
        from opsbook.excel.udfs import REPOST_SLOTS, REPOST_WEIGHTS
    except ImportError:
        return []
    headers = {c.key: c.zh for c in TRAFFIC.columns}
    rows = []
    windows = "0:00-24:00"
    for label, traf in (("24 rows (1 day)", one_day), ("8,760 rows (365 days)", year)):
        table = traf.rename(columns=headers)
        got = REPOST_WEIGHTS(table, windows, 14, DAY)
        want = base.weights(traf, FULL_DAY, DAY, 14)[2]
        if isinstance(got, str) or not np.allclose(
            [r[0] for r in got], want, rtol=1e-12, atol=0
        ):
            raise Mismatch(f"REPOST_WEIGHTS {label}: {str(got)[:200]}")
        rows.append(
            UdfRow(
                "REPOST_WEIGHTS (udfs.py)",
                f"{label}, whole day, lookback 14",
                per_call(lambda t=table: REPOST_WEIGHTS(t, windows, 14, DAY)),
                per_call(lambda t=traf: base.weights(t, FULL_DAY, DAY, 14)),
            )
        )
    # the same 365 days, but as if staff had just changed the table: every call
    # parses it again (the UDFs keep the last parses and reuse an equal table)
    from opsbook.excel import udfs
    from opsbook.excel.udfs import REPOST_SUGGEST_WINDOWS

    year_table = year.rename(columns=headers)

    def cold(call):
        def run():
            udfs._PARSED.clear()
            return call()

        return run

    weights_call = lambda: REPOST_WEIGHTS(year_table, windows, 14, DAY)  # noqa: E731
    suggest_call = lambda: REPOST_SUGGEST_WINDOWS(year_table, 0.6, 14, DAY)  # noqa: E731
    for name, call in (
        ("REPOST_WEIGHTS", weights_call),
        ("REPOST_SUGGEST_WINDOWS", suggest_call),
    ):
        if name == "REPOST_SUGGEST_WINDOWS":
            rows.append(
                UdfRow(
                    f"{name} (udfs.py)",
                    "8,760 rows (365 days), share 0.6, lookback 14",
                    per_call(call),
                    math.nan,
                )
            )
        rows.append(
            UdfRow(
                f"{name} (udfs.py)",
                "8,760 rows, the table changed since the last call",
                per_call(cold(call)),
                math.nan,
            )
        )
    # what REPOST_WEIGHTS does before hourly_weights: read the table as the
    # 流量 sheet is read (every cell checked), here on the 8,760-row table
    cells = [list(year_table.columns), *year_table.astype(object).to_numpy().tolist()]
    rows.append(
        UdfRow(
            "parse_sheet (REPOST_WEIGHTS's first step)",
            "8,760 rows (365 days) + header",
            per_call(lambda: parse_sheet(cells, TRAFFIC)),
            math.nan,
        )
    )
    array = np.asarray(weights)
    got = REPOST_SLOTS(480, array)
    if isinstance(got, str) or [r[0] for r in got] != base.apportion(
        480, weights, [480] * len(weights)
    ):
        raise Mismatch(f"REPOST_SLOTS: {str(got)[:200]}")
    rows.append(
        UdfRow(
            "REPOST_SLOTS (udfs.py)",
            "480 over 24 hours, no cap",
            per_call(lambda: REPOST_SLOTS(480, array)),
            per_call(lambda: base.apportion(480, weights, [480] * len(weights))),
        )
    )
    return rows


def main() -> None:
    names = check_cases()
    print(f"build_plan == baseline on {len(names)} edge cases:", *names, sep="\n  ")
    rows = planner_rows()
    for r in rows:
        print(
            f"{r.scenario} {r.products:>7} products, {r.placed:>5} placed: "
            f"{r.ours_s * 1e3:8.1f} ms, baseline {r.base_s * 1e3:8.1f} ms ({r.base_s / r.ours_s:5.1f}x faster)"
        )
    for scenario in ("A", "B", "C"):
        print(f"fitted exponent {scenario}: {exponent(rows, scenario):.2f}")
    for u in udf_rows():
        print(
            f"{u.function} {u.input}: {u.ours_s * 1e6:.0f} us/call, baseline {u.base_s * 1e6:.0f} us"
        )


if __name__ == "__main__":
    main()
