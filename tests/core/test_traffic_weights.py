"""The 流量权重 profile: plain mean, or recent days counting more, weekdays and weekends apart."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from opsbook.core.settings import read_settings
from opsbook.core.traffic_weights import hourly_weights

WINDOWS = ((600, 720),)  # hours 10 and 11


def traffic(days: int, end: dt.date, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = [end - dt.timedelta(days=k) for k in range(days, 0, -1)]
    rows = [
        (pd.Timestamp(d), h, float(rng.integers(0, 100)))
        for d in dates
        for h in range(24)
    ]
    return pd.DataFrame(rows, columns=["date", "hour", "visitors"])


def by_hand(
    frame: pd.DataFrame, plan: dt.date, lookback: int, weekend: bool | None
) -> list[float]:
    """Independent weighted mean: weight = lookback - age + 1, optionally one kind of day only."""
    out = []
    for hour in (10, 11):
        num = den = 0.0
        for date, h, v in frame.itertuples(index=False):
            age = (pd.Timestamp(plan) - date).days
            if h != hour or not 1 <= age <= lookback:
                continue
            if weekend is not None and (date.weekday() >= 5) != weekend:
                continue
            num, den = num + (lookback - age + 1) * v, den + (lookback - age + 1)
        out.append(num / den)
    return out


def test_the_mean_profile_is_the_plain_mean():
    plan = dt.date(2026, 11, 25)
    frame = traffic(30, plan)
    got, _, _ = hourly_weights(frame, WINDOWS, plan, 14, "mean")
    recent = frame[frame["date"] >= pd.Timestamp(plan) - pd.Timedelta(days=14)]
    expected = recent[recent["hour"].isin([10, 11])].groupby("hour")["visitors"].mean()
    assert got["mean_visitors"].tolist() == pytest.approx(expected.tolist())


@pytest.mark.parametrize(
    ("plan", "weekend", "label"),
    [(dt.date(2026, 11, 25), False, "工作日"), (dt.date(2026, 11, 28), True, "周末")],
)
def test_recent_weights_later_days_and_matches_the_kind_of_day(plan, weekend, label):
    frame = traffic(30, plan)
    got, _, _ = hourly_weights(frame, WINDOWS, plan, 14, "recent")
    assert got["mean_visitors"].tolist() == pytest.approx(
        by_hand(frame, plan, 14, weekend)
    )
    assert label in got.attrs["profile"]


def test_recent_without_two_of_each_kind_uses_every_day():
    plan = dt.date(2026, 11, 25)  # a Wednesday: the 3 days before are all weekdays
    frame = traffic(3, plan)
    got, _, _ = hourly_weights(frame, WINDOWS, plan, 3, "recent")
    assert got["mean_visitors"].tolist() == pytest.approx(by_hand(frame, plan, 3, None))
    assert got.attrs["profile"] == "近期加权 recent"


@pytest.mark.parametrize(
    ("typed", "profile"),
    [(None, "mean"), ("平均", "mean"), ("近期加权", "recent"), ("recent", "recent")],
)
def test_the_setting_reads_both_names(typed, profile):
    frame = pd.DataFrame([("流量权重", typed, 8)], columns=["key", "value", "_row"])
    assert read_settings(frame, today=dt.date(2026, 11, 25)).profile == profile


def test_an_unknown_profile_is_refused_at_its_cell():
    from opsbook.errors import InputError

    frame = pd.DataFrame([("流量权重", "最近", 8)], columns=["key", "value", "_row"])
    with pytest.raises(InputError, match="B8"):
        read_settings(frame)


def test_the_plan_says_which_profile_it_used(demo_book, edit_book):
    import openpyxl

    from opsbook.cli import run

    edit_book(demo_book, "设置", lambda ws: ws.cell(row=8, column=2, value="近期加权"))
    assert run(["plan", str(demo_book), "--date", "2026-11-28", "--quiet"]) == 0
    assert (
        openpyxl.load_workbook(demo_book)["重发计划"]["R4"].value  # right of 批次
        == "访客数·近期加权 recent·周末 weekends"
    )
