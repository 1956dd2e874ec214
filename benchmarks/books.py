"""Generated inputs for the benchmarks: products, a year of hourly traffic, whole books.

Everything is seeded, so every run measures the same data. Books are the demo
book (``sample_frames(..., day_done=True)``) enlarged: more products, more
inquiry rows, 365 days of hourly traffic, with cells typed the way staff type
them in a hurry (so 汇总今日 has real tidying to do), planned once and ticked
by the clerk, as they would be at the end of a day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from opsbook.book.sample import HOURLY_BASE, sample_frames
from opsbook.book.template import build_workbook

DAY = dt.date(2026, 11, 25)
WINDOWS_8H = ((600, 840), (900, 1140))  # 10:00-14:00, 15:00-19:00: 8 window hours
BOOK_SETTINGS = {  # the 设置 sheet of every generated book
    "windows": "10:00-14:00,15:00-19:00",
    "min_gap_minutes": 1,
    "daily_count": 480,
}
CATEGORIES = ("连衣裙", "T恤", "卫衣", "裤子", "套装", "外套")


def products(n: int, seed: int = 1, *, excluded: float = 0.08) -> pd.DataFrame:
    """``n`` products as the planner gets them: a quarter never reposted, some excluded."""
    rng = np.random.default_rng(seed)
    last = pd.Series(
        pd.Timestamp(DAY)
        - pd.to_timedelta(rng.integers(1, 10 * 1440, n), unit="min").floor("min")
    )
    last[rng.random(n) < 0.25] = pd.NaT
    return pd.DataFrame(
        {
            "product_id": [f"{600_000_000_000 + 7919 * i}" for i in range(n)],
            "title": "童装",
            "category": rng.choice(CATEGORIES, n),
            "priority": rng.choice([1, 2, 3, 4, 5], n, p=[0.04, 0.08, 0.58, 0.2, 0.1]),
            "last_repost": last,
            "include": rng.random(n) >= excluded,
        }
    )


def traffic(days: int, seed: int = 2, *, end: dt.date = DAY) -> pd.DataFrame:
    """Hourly visitors and page views for the ``days`` days up to ``end`` (inclusive)."""
    rng = np.random.default_rng(seed)
    dates = [d.date() for d in pd.date_range(end=end, periods=days)]
    level = np.repeat(rng.lognormal(0.0, 0.08, days) * np.linspace(0.7, 1.1, days), 24)
    visitors = rng.poisson(np.tile(HOURLY_BASE, days) * level)
    return pd.DataFrame(
        {
            "date": np.repeat(np.array(dates, dtype=object), 24),
            "hour": np.tile(np.arange(24), days),
            "visitors": visitors,
            "page_views": visitors * 2 + rng.integers(0, 3, days * 24),
        }
    )


def _enlarge(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    return pd.concat([frame] * (n // len(frame) + 1), ignore_index=True).head(n).copy()


TODAY_ROWS = 200  # the newest inquiry rows, the ones not consolidated yet


def _hurried(inquiries: pd.DataFrame, rows: range) -> pd.DataFrame:
    """One row in five of ``rows`` typed in a hurry: a trailing full-width space,
    an amount as text, another spelling of the outcome, a date as text."""
    spelled = {"成交": "已成交", "未成交": "没成交", "跟进中": "待跟进"}
    out = inquiries.astype(object)
    for i in rows:
        kind = i % 20
        if kind == 1:
            out.at[i, "customer"] = f"{out.at[i, 'customer']}\u3000"
        elif kind == 2:
            out.at[i, "amount"] = "1,200"
        elif kind == 3:
            out.at[i, "outcome"] = spelled.get(out.at[i, "outcome"], "待跟进")
        elif kind == 4:
            out.at[i, "date"] = f"{out.at[i, 'date']:%Y/%m/%d}"
    return out


def book_frames(
    n_inquiries: int, n_products: int, days: int = 365, *, hurried: str = "today"
) -> dict:
    """``hurried="today"``: only the newest TODAY_ROWS inquiry rows need tidying
    (earlier days were consolidated already), the same work in every book;
    ``"all"``: one row in five throughout, as in a book never consolidated."""
    frames = sample_frames(DAY, day_done=True)
    sample = len(frames["products"])
    prods = _enlarge(frames["products"], n_products)
    # the sample's own products keep their IDs (the sample's 重发记录 names them);
    # the copies get IDs no sample ID can take (those are below 8e11)
    prods["product_id"] = [
        pid if i < sample else f"9{i:011d}" for i, pid in enumerate(prods["product_id"])
    ]
    frames["products"] = prods
    inquiries = _enlarge(frames["inquiries"], n_inquiries)
    rows = (
        range(len(inquiries))
        if hurried == "all"
        else range(max(0, len(inquiries) - TODAY_ROWS), len(inquiries))
    )
    frames["inquiries"] = _hurried(inquiries, rows)
    frames["traffic"] = traffic(days)
    return frames


def write_book(
    path: Path, n_inquiries: int, n_products: int, *, hurried: str = "today"
) -> Path:
    """A book as it stands at the end of ``DAY``: data in, today's plan built and ticked.

    The new book is saved once by openpyxl, then planned and ticked headless
    as a shop would.
    """

    from opsbook.book.files import atomic_save
    from opsbook.book.layout import PLAN_AT
    from opsbook.excel.engine import open_book
    from opsbook.excel.macros import build_repost_plan

    wb = build_workbook(
        book_frames(n_inquiries, n_products, hurried=hurried), BOOK_SETTINGS
    )
    atomic_save(wb, path.resolve())
    book = open_book(path)
    plan = build_repost_plan(book, plan_date=DAY).plan
    marks = [["√" if i % 7 else None] for i in range(1, len(plan.slots) + 1)]
    book.sheets["重发计划"].range((PLAN_AT[0] + 1, PLAN_AT[1] + 6)).value = marks
    book.save()
    return path
