"""The repost planner (pure pandas/numpy): hand-computed tables, then properties."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.core import planner
from opsbook.core.planner import (
    apportion,
    assign_slots,
    build_plan,
    hour_capacity,
    select_products,
)
from opsbook.core.repost_windows import usable_minutes
from opsbook.core.settings import PlanSettings
from opsbook.core.traffic_weights import hourly_weights
from opsbook.errors import CapacityError

DAY = dt.date(2026, 11, 25)
SEED = ((600, 840), (900, 1080))  # 10:00-14:00,15:00-18:00
NONE = pd.DataFrame(columns=["date", "hour", "visitors"])


def products(n: int, **columns) -> pd.DataFrame:
    """n included products P00.., priority 3, never reposted, category "裙"; override columns."""
    base = {
        "product_id": [f"P{i:02d}" for i in range(n)],
        "title": [f"商品{i}" for i in range(n)],
        "category": ["裙"] * n,
        "priority": [3] * n,
        "last_repost": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "include": [True] * n,
    }
    return pd.DataFrame(base | columns)


def traffic(rows: dict[tuple[int, int], float]) -> pd.DataFrame:
    """{(days before DAY, hour): visitors} -> a 流量 frame."""
    day = pd.Timestamp(DAY)
    return pd.DataFrame(
        {
            "date": pd.to_datetime([day - pd.Timedelta(days=d) for d, _ in rows]),
            "hour": [h for _, h in rows],
            "visitors": [float(v) for v in rows.values()],
        }
    )


def plan_of(n: int = 70, **kw) -> planner.Plan:
    """Plan n plain products without traffic; kw are PlanSettings fields."""
    s = PlanSettings(windows=kw.pop("windows", SEED), plan_date=DAY, **kw)
    return build_plan(products(n), NONE, s)


@pytest.mark.parametrize(
    "kw",
    [
        {"windows": ((600, 600),)},
        {"windows": ((0, 1441),)},
        {"min_gap_minutes": 0},
        {"lookback_days": 0},
        {"hourly_cap": -1},
    ],
)
def test_settings_refuse_impossible_values(kw):
    with pytest.raises(ValueError):
        PlanSettings(**({"windows": SEED, "plan_date": DAY} | kw))


# -- windows, capacity --------------------------------------------------------
@pytest.mark.parametrize(
    "windows, expected",
    [
        (((600, 720),), {10: [(600, 660)], 11: [(660, 720)]}),
        (((570, 600),), {9: [(570, 600)]}),
        (((600, 660), (630, 720)), {10: [(600, 660)], 11: [(660, 720)]}),
        (((660, 720), (600, 660)), {10: [(600, 660)], 11: [(660, 720)]}),
        (((600, 620), (640, 660)), {10: [(600, 620), (640, 660)]}),
        (((570, 630),), {9: [(570, 600)], 10: [(600, 630)]}),
        (((1380, 1440),), {23: [(1380, 1440)]}),
    ],
)
def test_usable_minutes_merges_windows_and_splits_them_by_hour(windows, expected):
    assert usable_minutes(windows) == expected


@pytest.mark.parametrize(
    "windows, gap, cap, expected",
    [
        (((600, 660),), 3, None, {10: 20}),
        (((600, 660),), 7, None, {10: 8}),
        (((600, 660),), 3, 5, {10: 5}),
        (((600, 660),), 1, 0, {10: 0}),
        (((570, 600),), 3, None, {9: 10}),
        (((600, 620), (640, 660)), 15, None, {10: 2}),
    ],
)
def test_hour_capacity_is_usable_minutes_over_gap_capped(windows, gap, cap, expected):
    assert hour_capacity(usable_minutes(windows), gap, cap) == expected


# -- apportion -------------------------------------------------------------------
BIG = 10**6


@pytest.mark.parametrize(
    "total, weights, caps, expected",
    [
        (70, [1] * 7, [BIG] * 7, [10] * 7),
        (10, [1, 1, 1], [BIG] * 3, [4, 3, 3]),  # tie -> earlier hour
        (5, [1, 2, 2, 1], [BIG] * 4, [1, 2, 1, 1]),
        (2, [1, 3], [BIG] * 2, [0, 2]),  # equal remainders -> larger weight
        (2, [3, 1], [BIG] * 2, [2, 0]),
        (3, [0, 1, 1], [BIG] * 3, [0, 2, 1]),  # zero weight gets nothing
        (4, [0, 0, 0], [BIG] * 3, [2, 1, 1]),  # all zero -> equal
        (0, [5, 1], [BIG] * 2, [0, 0]),
        (10, [8, 1, 1], [4, 10, 10], [4, 3, 3]),  # overflow re-split
        (12, [6, 3, 1], [3, 3, 10], [3, 3, 6]),  # two caps bind at once
        (12, [6, 3, 1], [3, 5, 10], [3, 5, 4]),  # caps bind in two rounds
        (5, [1, 0, 0], [2, 10, 10], [2, 2, 1]),  # zero-weight hours share overflow
        (4, [1, 1], [0, 4], [0, 4]),
    ],
)
def test_apportion_hand_computed(total, weights, caps, expected):
    assert apportion(total, weights, caps).tolist() == expected


def test_apportion_over_capacity_says_how_many_fit():
    with pytest.raises(CapacityError, match="最多放 40 件") as err:
        apportion(50, [1, 1], [20, 20])
    (problem,) = err.value.problems
    assert (problem.sheet, problem.code) == ("设置", "capacity")
    assert "50" in problem.reason and "不超过 40" in problem.hint


def test_build_plan_over_capacity_raises_with_the_number_that_fits():
    with pytest.raises(CapacityError, match="at most 140"):
        plan_of(141)  # 7 hours x 60 / 3 = 140


def test_hourly_cap_zero_fits_nothing():
    assert plan_of(0, hourly_cap=0).slots.empty
    with pytest.raises(CapacityError, match="最多放 0 件"):
        plan_of(1, hourly_cap=0)


# -- weights ---------------------------------------------------------------------
def test_seed_even_split_without_traffic():
    plan = plan_of(70)
    assert plan.hours["hour"].tolist() == [10, 11, 12, 13, 15, 16, 17]
    assert plan.hours["slots"].tolist() == [10] * 7
    assert (plan.weights_source, plan.traffic_days) == ("even", 0)
    assert plan.hours["weight"].tolist() == pytest.approx([1 / 7] * 7)


def test_hour_without_data_weighs_zero_while_others_have_data():
    rows = {(1, 10): 30, (2, 10): 10, (1, 11): 20}
    frame, source, days = hourly_weights(traffic(rows), ((600, 780),), DAY, 14)
    assert frame["mean_visitors"].tolist()[:2] == [20.0, 20.0]
    assert math.isnan(frame["mean_visitors"].iloc[2])
    assert frame["weight"].tolist() == [0.5, 0.5, 0.0]
    assert (source, days) == ("traffic", 2)


def test_lookback_excludes_the_plan_date_and_older_days():
    rows = {(0, 10): 1000, (15, 11): 1000, (14, 12): 30, (1, 13): 10, (1, 20): 5}
    frame, source, days = hourly_weights(traffic(rows), ((600, 840),), DAY, 14)
    assert frame["weight"].tolist() == [0.0, 0.0, 0.75, 0.25]
    assert (source, days) == ("traffic", 2)


@pytest.mark.parametrize(
    "rows",
    [{}, {(0, 10): 50}, {(20, 10): 50}, {(1, 10): 0, (1, 11): 0}, {(1, 9): 80}],
)
def test_no_usable_traffic_means_even_weights(rows):
    frame, source, _ = hourly_weights(traffic(rows), ((600, 720),), DAY, 14)
    assert source == "even" and frame["weight"].tolist() == [0.5, 0.5]


def test_page_views_are_ignored_and_labels_show_partial_hours():
    t = traffic({(1, 9): 10, (1, 10): 30}).assign(page_views=[1e6, 0])
    frame, _, _ = hourly_weights(t, ((570, 660), (1380, 1440)), DAY, 14)
    assert frame["label"].tolist() == ["09:30-10:00", "10:00-11:00", "23:00-24:00"]
    assert frame["weight"].tolist() == [0.25, 0.75, 0.0]


# -- selection -------------------------------------------------------------------
def test_priority_5_is_highest():
    chosen = select_products(products(3, priority=[1, 5, 3]), None)
    assert chosen["priority"].tolist() == [5, 3, 1]


def test_never_reposted_before_old_before_recent():
    stamps = pd.to_datetime(["2026-11-24", None, "2026-11-01", "2026-11-24"])
    chosen = select_products(products(4, last_repost=stamps), None)
    assert chosen["product_id"].tolist() == ["P01", "P02", "P00", "P03"]


@pytest.mark.parametrize(
    "ids, expected",
    [(["P9", "P10", "P1"], ["P1", "P10", "P9"]), (["b", "a"], ["a", "b"])],
)
def test_ties_go_by_product_id_as_text(ids, expected):
    chosen = select_products(products(len(ids), product_id=ids), None)
    assert chosen["product_id"].tolist() == expected


@pytest.mark.parametrize("count, expected", [(None, 3), (2, 2), (0, 0), (10, 3)])
def test_daily_count_keeps_the_first_n_included(count, expected):
    frame = products(4, include=[True, False, True, True], priority=[1, 5, 2, 3])
    chosen = select_products(frame.assign(note="x"), count)
    assert len(chosen) == expected
    assert chosen["product_id"].tolist() == ["P03", "P02", "P00"][:expected]
    assert chosen.columns.tolist() == [*frame.columns, "note"]


# -- slots -----------------------------------------------------------------------
def test_partial_hour_window_spreads_slots_over_its_own_minutes():
    plan = plan_of(3, windows=((570, 600),))
    assert plan.slots["time"].dt.strftime("%H:%M").tolist() == [
        "09:30",
        "09:40",
        "09:50",
    ]
    assert plan.hours["label"].tolist() == ["09:30-10:00"]


def test_slots_spread_evenly_within_an_hour():
    plan = plan_of(7, windows=((600, 660),))
    assert plan.slots["time"].dt.minute.tolist() == [0, 8, 17, 25, 34, 42, 51]


def test_plan_columns_and_types():
    plan = plan_of(5)
    assert plan.slots.columns.tolist() == planner.SLOT_COLUMNS
    assert plan.hours.columns.tolist() == planner.HOUR_COLUMNS
    assert plan.slots["time"].dtype == "datetime64[ns]"
    assert plan.slots["done"].isna().all()
    assert plan.slots["time"].dt.date.eq(DAY).all()


def test_higher_priority_takes_the_busiest_hour():
    frame = products(4, priority=[1, 5, 3, 2])
    rows = {(1, 10): 10, (1, 11): 90}
    s = PlanSettings(windows=((600, 720),), plan_date=DAY, hourly_cap=2)
    slots = build_plan(frame, traffic(rows), s).slots
    assert slots.loc[slots["hour"] == 11, "priority"].tolist() == [5, 3]


def test_categories_alternate_within_a_priority():
    frame = products(6, category=["A", "A", "A", "B", "B", None])
    slots = assign_slots(
        select_products(frame), {10: 6}, usable_minutes(((600, 660),)), DAY, {10: 1.0}
    )
    assert slots["category"].fillna("-").tolist() == ["A", "B", "A", "B", "A", "-"]


# -- properties ------------------------------------------------------------------
CATEGORIES = ["裙", "T恤", "裤", None]


@st.composite
def scenarios(draw):
    """(products, traffic, settings): 1–5 priorities, NaT, a few categories incl. None."""
    half = st.integers(0, 47)
    spans = draw(st.lists(st.tuples(half, st.integers(1, 8)), min_size=1, max_size=3))
    windows = tuple((30 * a, 30 * min(48, a + b)) for a, b in spans)
    n = draw(st.integers(0, 30))
    ids = draw(
        st.lists(
            st.text("ab12", min_size=1, max_size=4), min_size=n, max_size=n, unique=True
        )
    )

    def column(values):
        return draw(st.lists(values, min_size=n, max_size=n))

    ago = st.integers(0, 20 * 1440).map(
        lambda m: pd.Timestamp(DAY) - pd.Timedelta(minutes=m)
    )
    frame = pd.DataFrame(
        {
            "product_id": ids,
            "title": [f"t{i}" for i in range(n)],
            "category": column(st.sampled_from(CATEGORIES)),
            "priority": column(st.integers(1, 5)),
            "last_repost": pd.Series(column(st.none() | ago), dtype="datetime64[ns]"),
            "include": column(st.sampled_from([True, True, True, False])),
        }
    )
    near = st.integers(max(0, spans[0][0] // 2 - 1), min(23, (sum(spans[0]) + 1) // 2))
    cells = draw(
        st.dictionaries(
            st.tuples(st.integers(0, 16), near), st.integers(0, 500), max_size=40
        )
    )
    s = PlanSettings(
        windows=windows,
        plan_date=DAY,
        daily_count=draw(st.none() | st.integers(0, 25)),
        min_gap_minutes=draw(st.integers(1, 15)),
        hourly_cap=draw(st.none() | st.integers(0, 12)),
        lookback_days=draw(st.integers(1, 20)),
        repost_interval_hours=0,  # the plan without 1688's interval: test_planner_rules.py
    )
    return frame, traffic(cells) if cells else NONE, s


PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def planned(scenario):
    """The plan, or None after checking that a CapacityError was deserved."""
    frame, t, s = scenario
    try:
        return build_plan(frame, t, s)
    except CapacityError:
        fits = sum(
            hour_capacity(
                usable_minutes(s.windows), s.min_gap_minutes, s.hourly_cap
            ).values()
        )
        assert len(select_products(frame, s.daily_count)) > fits
        return None


def minutes(plan) -> np.ndarray:
    return (
        (plan.slots["time"] - pd.Timestamp(DAY)) // pd.Timedelta(minutes=1)
    ).to_numpy()


@PROPERTY
@given(scenarios())
def test_every_chosen_product_appears_exactly_once(scenario):
    if (plan := planned(scenario)) is not None:
        chosen = select_products(scenario[0], scenario[2].daily_count)
        assert sorted(plan.slots["product_id"]) == sorted(chosen["product_id"])


@PROPERTY
@given(scenarios())
def test_every_slot_lies_inside_a_window_and_its_hour(scenario):
    if (plan := planned(scenario)) is not None:
        m = minutes(plan)
        inside = [any(a <= x < b for a, b in scenario[2].windows) for x in m]
        assert all(inside) and (plan.slots["hour"].to_numpy() == m // 60).all()


@PROPERTY
@given(scenarios())
def test_counts_per_hour_equal_apportion_within_capacity(scenario):
    if (plan := planned(scenario)) is not None:
        h = plan.hours
        s = scenario[2]
        fits = hour_capacity(usable_minutes(s.windows), s.min_gap_minutes, s.hourly_cap)
        assert h["capacity"].tolist() == [fits[x] for x in h["hour"]]
        assert (h["slots"] <= h["capacity"]).all()
        assert (
            h["slots"].tolist()
            == apportion(len(plan.slots), h["weight"], h["capacity"]).tolist()
        )
        per_hour = plan.slots["hour"].value_counts().reindex(h["hour"], fill_value=0)
        assert per_hour.tolist() == h["slots"].tolist()


@PROPERTY
@given(scenarios())
def test_consecutive_slots_are_at_least_the_min_gap_apart(scenario):
    if (plan := planned(scenario)) is not None:
        assert (np.diff(minutes(plan)) >= scenario[2].min_gap_minutes).all()


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_same_input_same_plan_whatever_the_row_order(scenario, rnd):
    frame, t, s = scenario
    if (plan := planned(scenario)) is not None:
        again = build_plan(frame, t, s)
        shuffled = build_plan(
            frame.sample(frac=1, random_state=rnd.randrange(2**32)), t, s
        )
        assert plan.slots.equals(again.slots) and plan.hours.equals(again.hours)
        assert plan.slots.equals(shuffled.slots)


@PROPERTY
@given(scenarios())
def test_higher_priority_never_sits_in_a_lighter_hour(scenario):
    if (plan := planned(scenario)) is not None:
        weight = plan.slots["hour"].map(
            dict(zip(plan.hours["hour"], plan.hours["weight"], strict=True))
        )
        by = weight.groupby(plan.slots["priority"]).agg(["min", "max"]).sort_index()
        assert (by["min"].to_numpy()[1:] >= by["max"].to_numpy()[:-1]).all()


@PROPERTY
@given(scenarios())
def test_categories_repeat_within_a_priority_only_when_forced(scenario):
    if (plan := planned(scenario)) is not None:
        for _, group in plan.slots.groupby("priority"):
            cats = group["category"].fillna("").tolist()  # already in time order
            n, m = len(cats), max((cats.count(c) for c in cats), default=0)
            pairs = sum(a == b for a, b in itertools.pairwise(cats))
            assert pairs == max(0, 2 * m - n - 1)


@PROPERTY
@given(st.integers(0, 300), st.lists(st.floats(0, 100), min_size=1, max_size=24))
def test_apportion_sums_to_total_within_floor_and_ceil_of_the_quota(total, weights):
    shares = apportion(total, weights, [total] * len(weights))
    w = np.array(weights) if sum(weights) > 0 else np.ones(len(weights))
    quota = total * w / w.sum()
    assert shares.sum() == total
    assert (shares >= np.floor(quota - 1e-9)).all() and (
        shares <= np.ceil(quota + 1e-9)
    ).all()


@PROPERTY
@given(
    st.data(),
    st.lists(st.tuples(st.floats(0, 100), st.integers(0, 20)), min_size=1, max_size=12),
)
def test_apportion_respects_caps_or_refuses(data, hours):
    weights, caps = zip(*hours, strict=True)
    total = data.draw(st.integers(0, sum(caps) + 5))
    if total > sum(caps):
        with pytest.raises(CapacityError, match=f"最多放 {sum(caps)} 件"):
            apportion(total, weights, caps)
    else:
        shares = apportion(total, weights, caps)
        assert shares.sum() == total and (shares <= np.array(caps)).all()
