"""Does reposting work? The per-hour lift and its Welch interval."""

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

from opsbook.cli import run
from opsbook.core.repost_effect import hourly_effect, repost_hours, welch_interval

from ..conftest import PLAN_DAY

DAY0 = dt.date(2026, 11, 1)


def book_data(with_, without, hour=10, done="√"):
    """Traffic for ``hour`` on consecutive days: reposted days first, then the rest."""
    values = list(with_) + list(without)
    days = [pd.Timestamp(DAY0 + dt.timedelta(days=i)) for i in range(len(values))]
    traffic = pd.DataFrame({"date": days, "hour": hour, "visitors": values})
    history = pd.DataFrame(
        {
            "time": [
                d + pd.Timedelta(hours=hour, minutes=5) for d in days[: len(with_)]
            ],
            "done": done,
        }
    )
    return traffic, history


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_interval_is_welchs_as_scipy_computes_it(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(50, 8, 9), rng.normal(42, 5, 14)
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert welch_interval(a, b) == pytest.approx((expected.low, expected.high))


def test_lift_and_interval_are_relative_to_the_days_without():
    traffic, history = book_data([12, 14, 13, 15], [10, 10, 11, 9])
    row = hourly_effect(traffic, history).iloc[0]
    ci = stats.ttest_ind(
        [12, 14, 13, 15], [10, 10, 11, 9], equal_var=False
    ).confidence_interval()
    assert (
        row["days_with"],
        row["days_without"],
        row["mean_with"],
        row["mean_without"],
    ) == (4, 4, 13.5, 10.0)
    assert (row["lift"], row["lift_low"], row["lift_high"]) == pytest.approx(
        (0.35, ci.low / 10, ci.high / 10)
    )
    assert row["verdict"].startswith("10点重发后访客平均 +35%（95%区间")


@pytest.mark.parametrize(
    ("with_", "without"), [([12, 14], [10, 10, 11]), ([12, 14, 13], [10, 11])]
)
def test_too_little_data_says_so_instead_of_guessing(with_, without):
    traffic, history = book_data(with_, without)
    row = hourly_effect(traffic, history).iloc[0]
    assert row["lift"] is None and "数据不足" in row["verdict"]


def test_reposts_not_ticked_done_do_not_count():
    _, history = book_data([12, 14, 13], [10, 10, 11], done=None)
    assert repost_hours(history).empty


def test_days_before_the_first_repost_are_not_the_comparison():
    traffic, history = book_data([12, 14, 13, 15], [10, 10, 11, 9])
    earlier = traffic.assign(date=traffic["date"] - pd.Timedelta(days=30), visitors=1)
    row = hourly_effect(pd.concat([earlier, traffic]), history).iloc[0]
    assert row["days_without"] == 4


def test_the_demo_shows_the_effect_block_and_recovers_its_lift(tmp_path, capsys):
    path = tmp_path / "demo.xlsx"
    assert run(["demo", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
    assert "点重发后访客平均" in capsys.readouterr().out
    ws = openpyxl.load_workbook(path)["效果"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None]
    assert [r[0] for r in rows] == [10, 11, 12, 13, 15, 16, 17]
    assert 0.05 < np.mean([r[6] for r in rows]) < 0.4  # the sample's truth is +20%
    (chart,) = ws._charts
    bars, last = chart.series[0].errBars, 1 + len(rows)  # the bars follow the table
    assert chart.series[0].val.numRef.f == f"'效果'!$G$2:$G${last}"
    assert (
        bars.plus.numRef.f == f"'效果'!$K$2:$K${last}"
        and bars.minus.numRef.f == f"'效果'!$L$2:$L${last}"
    )


def test_effect_without_history_says_what_to_do(demo_book, capsys):
    wb = openpyxl.load_workbook(demo_book)
    ws = wb["重发记录"]
    ws.delete_rows(2, ws.max_row)
    wb.save(demo_book)
    assert run(["effect", str(demo_book), "--quiet"]) == 0
    assert "先用几天「汇总今日」" in capsys.readouterr().out
