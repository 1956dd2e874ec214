"""1688's repost rules in the plan: interval, daily cap, batches (opsbook.core.repost_rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsbook.core import repost_rules as rules
from opsbook.core.planner import (
    apportion,
    assign_slots,
    build_plan,
    hour_capacity,
    select_products,
)
from opsbook.core.repost_windows import usable_minutes
from opsbook.core.settings import PlanSettings, read_settings
from opsbook.core.traffic_weights import hourly_weights
from opsbook.errors import CapacityError, InputError
from opsbook.excel import macros
from opsbook.excel.engine import open_book

from .test_planner import DAY, NONE, PROPERTY, SEED, products, scenarios
from .test_settings import frame as settings_rows

T = pd.Timestamp


def at(text: str) -> pd.Timestamp:
    return T(f"2026-11-{text}")


INTERVALS = st.sampled_from([0, 1, 6, 24, 48])


@st.composite
def ruled(draw, intervals=INTERVALS):
    """test_planner's scenarios with reposts around the plan day and the rules drawn."""
    frame, traffic, s = draw(scenarios())
    minutes = st.integers(-48 * 60, 12 * 60).map(
        lambda m: T(DAY) + pd.Timedelta(minutes=m)
    )
    stamps = draw(
        st.lists(st.none() | minutes, min_size=len(frame), max_size=len(frame))
    )
    frame = frame.assign(last_repost=pd.Series(stamps, dtype="datetime64[ns]"))
    cap = draw(st.integers(1, 30) | st.just(400))
    rule = {"repost_interval_hours": draw(intervals), "shop_daily_cap": cap}
    return frame, traffic, replace(s, batch_size=draw(st.integers(1, 6)), **rule)


def replace_cap(scenario):
    """The scenario without a binding daily cap (at most 30 products are drawn)."""
    frame, traffic, s = scenario
    return frame, traffic, replace(s, shop_daily_cap=400)


def plan_or_none(scenario):
    frame, traffic, s = scenario
    try:
        return build_plan(frame, traffic, s)
    except CapacityError:
        return None


def earliest(plan_products: pd.DataFrame, hours: int) -> pd.Series:
    """上次重发 + interval by product ID (NaT = any time), computed here, not by rules."""
    last = pd.to_datetime(plan_products.set_index("product_id")["last_repost"])
    return last + (pd.Timedelta(hours=hours) if hours else pd.NaT)


def keeps_interval(slots: pd.DataFrame, frame: pd.DataFrame, s: PlanSettings) -> bool:
    allowed = earliest(frame, s.repost_interval_hours)
    pairs = zip(slots["product_id"], slots["time"], strict=True)
    return all(pd.isna(allowed[p]) or t >= allowed[p] for p, t in pairs)


def most_placeable(times: list, allowed: list) -> int:
    """Maximum matching by augmenting paths (Kuhn): products x slots with t >= allowed."""
    owner: dict[int, int] = {}

    def grab(p: int, seen: set[int]) -> bool:
        for s, t in enumerate(times):
            if s not in seen and (pd.isna(allowed[p]) or t >= allowed[p]):
                seen.add(s)
                if s not in owner or grab(owner[s], seen):
                    owner[s] = p
                    return True
        return False

    return sum(grab(p, set()) for p in range(len(allowed)))


def todays_plan(frame, traffic, s) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan as built before the rules: the same steps, no earliest times, no cap."""
    chosen = select_products(frame, s.daily_count)
    usable = usable_minutes(s.windows)
    hours, _, _ = hourly_weights(traffic, s.windows, DAY, s.lookback_days, s.profile)
    fits = hour_capacity(usable, s.min_gap_minutes, s.hourly_cap)
    hours["capacity"] = [fits[h] for h in hours["hour"]]
    hours["slots"] = apportion(len(chosen), hours["weight"], hours["capacity"])
    counts, weights = (
        dict(zip(hours["hour"], hours[c], strict=True)) for c in ("slots", "weight")
    )
    return assign_slots(chosen, counts, usable, DAY, weights), hours


# -- the four properties of the issue ------------------------------------------
@PROPERTY
@given(ruled())
def test_no_slot_comes_sooner_than_the_interval_after_the_last_repost(scenario):
    if (plan := plan_or_none(scenario)) is not None:
        assert keeps_interval(plan.slots, scenario[0], scenario[2])


@PROPERTY
@given(ruled())
def test_the_daily_cap_holds_and_drops_the_lowest_ranked(scenario):
    frame, _, s = scenario
    if (plan := plan_or_none(scenario)) is not None:
        chosen = select_products(frame, s.daily_count)["product_id"].tolist()
        capped = plan.left_out.loc[plan.left_out["reason"] == rules.CAP, "product_id"]
        assert len(plan.slots) <= s.shop_daily_cap
        assert capped.tolist() == chosen[s.shop_daily_cap :]


@PROPERTY
@given(ruled(intervals=st.just(0)))
def test_with_the_interval_at_0_the_plan_is_todays_plan(scenario):
    frame, traffic, s = scenario = replace_cap(scenario)
    if (plan := plan_or_none(scenario)) is not None:
        slots, hours = todays_plan(frame, traffic, s)
        assert plan.slots.equals(slots) and plan.left_out.empty
        assert plan.hours.drop(columns="batches").equals(hours)


@PROPERTY
@given(ruled())
def test_left_out_is_exactly_the_chosen_products_without_a_slot(scenario):
    frame, _, s = scenario
    if (plan := plan_or_none(scenario)) is not None:
        chosen = select_products(frame, s.daily_count)["product_id"].tolist()
        placed = set(plan.slots["product_id"])
        assert plan.left_out["product_id"].tolist() == [
            p for p in chosen if p not in placed
        ]
        assert len(plan.slots) == len(placed)
        assert plan.left_out.columns.tolist() == rules.LEFT_OUT_COLUMNS


# -- how the matching chooses ----------------------------------------------------
@PROPERTY
@given(ruled())
def test_at_least_as_many_get_a_slot_as_todays_times_could_hold(scenario):
    frame, traffic, s = scenario = replace_cap(scenario)
    if (plan := plan_or_none(scenario)) is None:
        return
    # the day's slots before matching: today's plan has the same times; moving
    # unused slots to later hours (make_room) may only add to what they hold
    times = todays_plan(frame, traffic, s)[0]["time"].tolist()
    chosen = select_products(frame, s.daily_count)["product_id"].tolist()
    allowed = earliest(frame, s.repost_interval_hours)
    assert len(plan.slots) >= most_placeable(times, [allowed[p] for p in chosen])
    assert len(plan.slots) + len(plan.left_out) == len(chosen)


@PROPERTY
@given(ruled())
def test_when_todays_plan_keeps_the_interval_it_is_the_plan(scenario):
    frame, traffic, s = replace_cap(scenario)
    if (plan := plan_or_none((frame, traffic, s))) is not None:
        slots, _ = todays_plan(frame, traffic, s)
        if keeps_interval(slots, frame, s):
            assert plan.slots.equals(slots)


def test_reposted_late_yesterday_take_todays_later_slots():
    late = [at("24 17:30")] * 5 + [pd.NaT] * 65
    frame = products(
        70, priority=[5] * 5 + [4] * 10 + [3] * 55, last_repost=pd.Series(late)
    )
    # even weights: 10 slots an hour, at :00 :06 … :54
    plan = build_plan(frame, NONE, PlanSettings(SEED, DAY))
    clock = plan.slots.set_index("product_id")["time"].dt.strftime("%H:%M")
    late_ones = clock[[f"P0{i}" for i in range(5)]].tolist()
    assert late_ones == ["17:30", "17:36", "17:42", "17:48", "17:54"]
    assert plan.slots.loc[plan.slots["priority"] == 4, "hour"].eq(10).all()  # as usual
    assert plan.left_out.empty
    unruled = build_plan(frame, NONE, PlanSettings(SEED, DAY, repost_interval_hours=0))
    assert unruled.slots["product_id"].head(5).tolist() == [f"P0{i}" for i in range(5)]


@pytest.mark.parametrize(
    "priority, left",
    [([5, 1, 3], ["P01"]), ([1, 5, 3], ["P00"]), ([3, 3, 5], ["P01"])],
)
def test_of_two_that_fit_only_the_last_slot_the_lower_ranked_is_left_out(
    priority, left
):
    last = pd.Series([at("24 17:30"), at("24 17:35"), None], dtype="datetime64[ns]")
    frame = products(3, priority=priority, last_repost=last)
    plan = build_plan(frame, NONE, PlanSettings(((1020, 1080),), DAY))  # :00 :20 :40
    assert plan.left_out["product_id"].tolist() == left
    assert plan.slots["time"].max() == at("25 17:40")


@pytest.mark.parametrize(
    "priority, last, cap, left",
    [
        ([3, 3, 3, 3], [None] * 4, 2, ["P02", "P03"]),
        ([1, 5, 3, 2], [None] * 4, 2, ["P03", "P00"]),
        ([1, 5, 3, 2], [None] * 4, 4, []),
        ([5, 5, 1, 5], [None] * 4, 3, ["P02"]),
        ([3] * 4, ["20", None, "10", "22"], 2, ["P00", "P03"]),  # recent reposts out
    ],
)
def test_the_cap_leaves_out_the_lowest_ranked(priority, last, cap, left):
    stamps = pd.Series([at(d) if d else None for d in last], dtype="datetime64[ns]")
    frame = products(4, priority=priority, last_repost=stamps)
    plan = build_plan(frame, NONE, PlanSettings(SEED, DAY, shop_daily_cap=cap))
    assert plan.left_out["product_id"].tolist() == left
    assert set(plan.left_out["reason"]) <= {rules.CAP}


def test_what_the_cap_leaves_out_goes_first_the_next_day():
    frame = products(
        5, last_repost=pd.Series([at(f"{d} 12:00") for d in range(18, 23)])
    )
    s = PlanSettings(SEED, DAY, shop_daily_cap=3)
    today = build_plan(frame, NONE, s)
    assert today.left_out["product_id"].tolist() == ["P03", "P04"]
    done = dict(zip(today.slots["product_id"], today.slots["time"], strict=True))
    reposted = frame["product_id"].map(done)  # what 汇总今日 writes back
    after = frame.assign(last_repost=reposted.fillna(frame["last_repost"]))
    tomorrow = build_plan(after, NONE, replace(s, plan_date=DAY + dt.timedelta(days=1)))
    assert select_products(after)["product_id"].tolist()[:2] == ["P03", "P04"]
    assert {"P03", "P04"} <= set(tomorrow.slots["product_id"])


@pytest.mark.parametrize(
    "last, cap, reason, soonest",
    [
        ("24 17:58", 400, rules.INTERVAL, "25 17:58"),  # slots at 17:00, :20, :40
        ("24 18:30", 400, rules.INTERVAL, "26 17:00"),  # after today's window
        (None, 2, rules.CAP, "26 17:00"),  # tomorrow's first window
        ("25 17:50", 2, rules.CAP, "26 17:50"),  # the interval still runs then
    ],
)
def test_left_out_says_why_and_the_earliest_time_it_could_go(
    last, cap, reason, soonest
):
    stamps = pd.Series([None, None, at(last) if last else None], dtype="datetime64[ns]")
    frame = products(3, priority=[5, 5, 1], last_repost=stamps)
    plan = build_plan(
        frame, NONE, PlanSettings(((1020, 1080),), DAY, shop_daily_cap=cap)
    )
    (row,) = plan.left_out.itertuples()
    assert (row.product_id, row.reason, row.earliest) == ("P02", reason, at(soonest))
    assert row.reason_text.startswith(
        {"interval": "距上次重发不足 24 小时", "cap": "超出店铺每日上限"}[reason]
    )


@pytest.mark.parametrize(
    "when, soonest",
    [
        ("25 09:00", "25 10:00"),
        ("25 12:30", "25 12:30"),
        ("25 14:20", "25 15:00"),
        ("25 17:59", "25 17:59"),
        ("25 18:00", "26 10:00"),
    ],
)
def test_next_in_window_snaps_forward_into_a_window(when, soonest):
    segments = [s for segs in usable_minutes(SEED).values() for s in segs]
    assert rules.next_in_window(at(when), segments) == at(soonest)


# -- batches -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "ids, size, text",
    [
        ([], 20, ""),
        (["a"], 20, "a"),
        (["a", "b", "c"], 2, "a;b\nc"),
        (["a", "b"], 1, "a\nb"),
        ([1, 2], 5, "1;2"),
    ],
)
def test_batches_are_semicolon_joined_one_per_line(ids, size, text):
    assert rules.batches(ids, size) == text


@PROPERTY
@given(ruled())
def test_each_hours_batches_cover_its_ids_in_slot_order(scenario):
    if (plan := plan_or_none(scenario)) is not None:
        for hour, text in zip(plan.hours["hour"], plan.hours["batches"], strict=True):
            lines = text.split("\n") if text else []
            assert all(
                1 <= len(line.split(";")) <= scenario[2].batch_size for line in lines
            )
            ids = plan.slots.loc[plan.slots["hour"] == hour, "product_id"].tolist()
            assert (";".join(lines).split(";") if lines else []) == ids


# -- settings ------------------------------------------------------------------------
def test_the_rules_default_to_1688s_figures():
    s = read_settings(settings_rows([("同品重发间隔小时", None)]), today=DAY)
    assert (s.repost_interval_hours, s.shop_daily_cap, s.batch_size) == (24, 400, 20)
    s = read_settings(
        settings_rows(
            [("每批上限", 10), ("shop_daily_cap", "300"), ("同品重发间隔小时", 0)]
        ),
        today=DAY,
    )
    assert (s.repost_interval_hours, s.shop_daily_cap, s.batch_size) == (0, 300, 10)


@pytest.mark.parametrize(
    "key, value, says",
    [
        ("同品重发间隔小时", -1, "0–8760"),
        ("同品重发间隔小时", 1.5, "0–8760"),
        ("同品重发间隔小时", 9000, "0–8760"),
        ("店铺每日上限", 0, "≥ 1"),
        ("每批上限", "二十", "看不懂"),
        ("batch_size", 0, "≥ 1"),
    ],
)
def test_bad_rule_settings_name_their_cell_and_the_fix(key, value, says):
    with pytest.raises(InputError) as err:
        read_settings(settings_rows([("重发时段", None), (key, value)]))
    (problem,) = err.value.problems
    assert problem.cell == "B3" and str(problem).startswith("「设置」 B3")
    assert says in problem.reason and "1688" in problem.hint


@pytest.mark.parametrize(
    "kw",
    [
        {"repost_interval_hours": -1},
        {"repost_interval_hours": 9000},
        {"shop_daily_cap": 0},
        {"batch_size": 0},
    ],
)
def test_plan_settings_refuse_impossible_rules(kw):
    with pytest.raises(ValueError):
        PlanSettings(SEED, DAY, **kw)


# -- the 重发计划 sheet --------------------------------------------------------------
def test_a_book_made_before_the_rules_gets_batches_left_out_and_info(
    demo_book, edit_book
):
    def old_layout(ws):  # no 批次 column; the info block one column left
        ws.tables["HourlySummary"].ref, ws["O1"] = "I1:N2", None
        for r in range(1, 6):
            ws.cell(r, 16).value, ws.cell(r, 17).value = ws.cell(r, 17).value, None

    def old_settings(ws):  # no rule rows; a cap, so that some are left out
        ws.delete_rows(9, 3)
        ws.append(["店铺每日上限", 100])

    edit_book(edit_book(demo_book, "设置", old_settings), "重发计划", old_layout)
    book = open_book(demo_book)
    plan = macros.build_repost_plan(book, plan_date=DAY).plan
    book.save()
    ws = openpyxl.load_workbook(demo_book)["重发计划"]
    assert dict(ws.tables.items()) == {  # 110 chosen: 10 over the cap, 1 interval
        "RepostPlan": "A1:G100",
        "HourlySummary": "I1:O8",
        "LeftOut": "I28:N39",
    }
    assert ws["O2"].value == plan.hours["batches"][0] and ws["P1"].value is None
    assert [c.value for c in ws["P6:R6"][0]] == [None, "未排入 left out", 11]
    assert ws["K29"].number_format == "yyyy-mm-dd hh:mm"


def test_later_hours_with_room_take_the_products_the_interval_holds_back():
    # ten favourites reposted at 16:30 yesterday, ten others never: the traffic
    # would spread the ten slots over the day, but 17:00-18:00 has room for them all
    products = pd.DataFrame(
        {
            "product_id": [f"a{i}" for i in range(10)] + [f"b{i}" for i in range(10)],
            "priority": [5] * 10 + [3] * 10,
            "last_repost": [pd.Timestamp("2026-11-24 16:30")] * 10 + [None] * 10,
        }
    )
    s = PlanSettings(((600, 840), (900, 1080)), dt.date(2026, 11, 25), daily_count=10)
    plan = build_plan(products, None, s)
    assert plan.left_out.empty and set(plan.slots["product_id"]) == {
        f"a{i}" for i in range(10)
    }
    assert (plan.slots["time"] >= pd.Timestamp("2026-11-25 16:30")).all()
