"""Which wording and which channel convert: counts, Wilson intervals, lost reasons."""

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from opsbook.book.sample import sample_frames
from opsbook.core.wording import (
    COLUMNS,
    HEADERS,
    too_few_note,
    wilson_interval,
    wording_table,
)

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("k", "n"),
    [(0, 1), (1, 1), (0, 5), (5, 5), (1, 5), (3, 7), (12, 40), (50, 100), (1, 1000)],
)
def test_wilson_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(ci.low, abs=1e-12)
    assert high == pytest.approx(ci.high, abs=1e-12)
    assert 0 <= low <= k / n <= high <= 1


def test_wilson_edges():
    assert all(np.isnan(wilson_interval(0, 0)))
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    narrow = wilson_interval(3, 7, z=1.0)
    wide = wilson_interval(3, 7)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def day(back):
    return pd.Timestamp(TODAY - dt.timedelta(days=back))


ROWS = [
    # date, channel, wording, outcome, reason
    (day(0), "旺旺", "限时优惠", "成交", "回头客"),
    (day(1), "旺旺", "限时优惠", "成交", ""),
    (day(2), "微信", "限时优惠", "未成交", "价格高"),
    (day(3), "旺旺", "限时优惠", "跟进中", ""),
    (day(4), "旺旺", "限时优惠", "成交", ""),
    (day(5), "电话", "发实拍视频", "未成交", "运费"),
    (day(6), "旺旺", "发实拍视频", "未成交", "价格高"),
    (day(7), "旺旺", "发实拍视频", "成交", ""),
    (day(8), "微信", "发实拍视频", "未成交", "价格高"),
    (day(9), "旺旺", "发实拍视频", "未成交", "价格高"),
    (day(10), "旺旺", "发实拍视频", "成交", ""),
    (day(11), "旺旺", None, "未成交", "没现货"),
    (day(12), "微信", "  ", "成交", ""),
    (day(13), None, "强调一件代发", "未成交", None),
    (day(29), "旺旺", "强调一件代发", "成交", ""),  # the window's first day
    (day(30), "旺旺", "强调一件代发", "成交", ""),  # a day too old
    (day(-1), "旺旺", "强调一件代发", "成交", ""),  # tomorrow: not yet
]


def frame(rows=ROWS):
    return pd.DataFrame(
        rows, columns=["date", "channel", "wording", "outcome", "reason"]
    )


def by_hand(rows, column, today=TODAY, days=30, min_n=5):
    """The table's rows for one dimension, counted with plain Python."""
    start = pd.Timestamp(today - dt.timedelta(days=days - 1))
    groups = {}
    for r in rows:
        if not start <= r[0] <= pd.Timestamp(today):
            continue
        value = r[{"channel": 1, "wording": 2}[column]]
        name = value.strip() if value and value.strip() else "（未填）"
        groups.setdefault(name, []).append(r)
    out = {}
    for name, group in groups.items():
        n = len(group)
        k = sum(r[3] == "成交" for r in group)
        lost = Counter(r[4] for r in group if r[3] == "未成交" and r[4])
        out[name] = {
            "inquiries": n,
            "deals": k,
            "conversion": k / n if n >= min_n else None,
            "lost": lost,
        }
    return out


@pytest.mark.parametrize(
    ("column", "dimension"), [("wording", "话术"), ("channel", "渠道")]
)
def test_table_matches_a_hand_count(column, dimension):
    table = wording_table(frame(), TODAY)
    assert list(table.columns) == COLUMNS and set(HEADERS) == set(COLUMNS)
    got = table[table["dimension"] == dimension].set_index("name")
    expected = by_hand(ROWS, column)
    assert set(got.index) == set(expected)
    for name, e in expected.items():
        row = got.loc[name]
        assert (row["inquiries"], row["deals"]) == (e["inquiries"], e["deals"])
        if e["conversion"] is None:
            assert np.isnan(row["conversion"]) and np.isnan(row["conversion_low"])
        else:
            assert row["conversion"] == pytest.approx(e["conversion"])
            ci = binomtest(e["deals"], e["inquiries"]).proportion_ci(method="wilson")
            assert row["conversion_low"] == pytest.approx(ci.low)
            assert row["conversion_high"] == pytest.approx(ci.high)
        parts = [p for p in str(row["lost_reasons"]).split("；") if p]
        assert {p.split("×")[0]: int(p.split("×")[1]) for p in parts} == dict(e["lost"])
        counts = [int(p.split("×")[1]) for p in parts]
        assert counts == sorted(counts, reverse=True)


def test_rows_in_order_and_exact_values():
    table = wording_table(frame(), TODAY)
    assert list(table["dimension"]) == ["话术"] * 4 + ["渠道"] * 4
    words = table[table["dimension"] == "话术"]
    # 限时优惠 3/5 = 60% beats 发实拍视频 2/6; the small groups follow, unrated.
    assert list(words["name"][:2]) == ["限时优惠", "发实拍视频"]
    assert set(words["name"][2:]) == {"（未填）", "强调一件代发"}
    shoot = words.set_index("name").loc["发实拍视频"]
    assert shoot["lost_reasons"] == "价格高×3；运费×1"
    assert shoot["conversion"] == pytest.approx(2 / 6)
    channels = table[table["dimension"] == "渠道"]
    # 旺旺 6/10; 微信 1/3, 电话 0/1 and （未填） 0/1 are too few
    assert channels["name"].iloc[0] == "旺旺"
    assert channels.set_index("name").loc["旺旺", "conversion"] == pytest.approx(6 / 10)
    assert set(channels["name"][1:]) == {"微信", "电话", "（未填）"}


def test_groups_below_min_n_are_listed_but_not_rated():
    table = wording_table(frame(), TODAY, min_n=5).set_index(["dimension", "name"])
    few = table.loc[("话术", "强调一件代发")]
    assert (few["inquiries"], few["deals"]) == (2, 1)
    assert np.isnan(few["conversion"]) and np.isnan(few["conversion_high"])
    assert few["note"] == "数据不足（少于5条）/ too few" == too_few_note(5)
    assert pd.isna(table.loc[("话术", "限时优惠"), "note"])
    # Lowering the bar rates it; raising it unrates everyone.
    assert wording_table(frame(), TODAY, min_n=2).set_index(["dimension", "name"]).loc[
        ("话术", "强调一件代发"), "conversion"
    ] == pytest.approx(0.5)
    high = wording_table(frame(), TODAY, min_n=100)
    assert high["conversion"].isna().all()
    assert (high["note"] == "数据不足（少于100条）/ too few").all()


@pytest.mark.parametrize(
    ("back", "counted"), [(-1, False), (0, True), (29, True), (30, False)]
)
def test_the_window_is_the_30_days_ending_today(back, counted):
    one = frame([(day(back), "旺旺", "限时优惠", "成交", "")])
    table = wording_table(one, TODAY, days=30)
    assert len(table) == (2 if counted else 0)
    short = wording_table(one, TODAY, days=back + 1) if back >= 0 else None
    if short is not None:
        assert len(short) == 2  # a window of back+1 days still reaches that day
        assert len(wording_table(one, TODAY, days=back)) == 0


def test_the_sample_inquiries():
    inquiries = sample_frames(dt.date(2026, 11, 25))[
        "inquiries"
    ]  # dates as date objects
    table = wording_table(inquiries, dt.date(2026, 11, 24))
    words = table[table["dimension"] == "话术"]
    assert words["inquiries"].sum() == len(inquiries)
    assert (
        table[table["dimension"] == "渠道"]["deals"].sum()
        == (inquiries["outcome"] == "成交").sum()
    )
    rated = words["conversion"].dropna()
    assert list(rated) == sorted(rated, reverse=True)
    assert (words["conversion_low"].dropna() <= rated).all()
