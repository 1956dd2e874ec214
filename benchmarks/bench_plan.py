"""Rough timings for the planner and the headless plan command: python benchmarks/bench_plan.py

Each figure is printed beside a baseline measured in the same run (openpyxl's
load + save of the same file: the floor any in-place edit pays), so the ratio
holds on a noisy machine. Issue #7 grows this into the full benchmark table.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from opsbook.excel.engine import open_book
from opsbook.excel.macros import build_repost_plan
from opsbook.files import atomic_save
from opsbook.planner import PlanSettings, build_plan
from opsbook.sample import sample_frames
from opsbook.template import build_workbook

DAY = dt.date(2026, 11, 25)


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def products(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": [f"P{i:07d}" for i in range(n)],
            "title": "童装",
            "category": rng.choice(
                ["连衣裙", "T恤", "卫衣", "裤子", "套装", "外套"], n
            ),
            "priority": rng.integers(1, 6, n),
            "last_repost": pd.to_datetime("2026-11-20")
            + pd.to_timedelta(rng.integers(0, 5 * 1440, n), unit="min"),
            "include": True,
        }
    )


def main() -> None:
    rng = np.random.default_rng(1)
    traffic = sample_frames(DAY)["traffic"].assign(
        date=lambda d: pd.to_datetime(d["date"])
    )
    windows = ((600, 840), (900, 1140))  # 8 window hours
    print("planner, 8 window hours, gap 1 min (capacity 480), daily_count 480:")
    sizes, seconds = [], []
    for n in (1_000, 10_000, 100_000):
        settings_n = PlanSettings(
            windows=windows, plan_date=DAY, min_gap_minutes=1, daily_count=480
        )
        frame = products(n, rng)
        t = best_of(lambda frame=frame, s=settings_n: build_plan(frame, traffic, s))
        sizes.append(n)
        seconds.append(t)
        print(f"  {n:>7} products: {t * 1000:8.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        frames = sample_frames(DAY)
        path = Path(tmp) / "demo.xlsx"
        atomic_save(build_workbook(frames), path)
        floor = best_of(
            lambda: openpyxl.load_workbook(path).save(Path(tmp) / "copy.xlsx")
        )

        def plan_once() -> None:
            book = open_book(path)
            build_repost_plan(book, plan_date=DAY)
            book.save()

        ours = best_of(plan_once)
        print(
            f"headless plan on the demo book: {ours * 1000:.0f} ms vs openpyxl load+save floor {floor * 1000:.0f} ms "
            f"(ratio {ours / floor:.2f}×)"
        )
    exponent = np.polyfit(np.log(sizes), np.log(seconds), 1)[0]
    print(
        f"median planner time {statistics.median(seconds) * 1000:.1f} ms; fitted growth exponent {exponent:.2f}"
    )


if __name__ == "__main__":
    main()
