"""The weekday × hour grid and the suggested repost windows."""

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsbook.book.sample import sample_frames
from opsbook.core.settings import parse_windows
from opsbook.core.traffic_view import (
    WEEKDAYS,
    merge_hours,
    suggest_windows,
    weekday_hour_grid,
    windows_text,
)
from opsbook.errors import InputError

PLAN = dt.date(2026, 11, 25)  # a Wednesday


def one_day_profile(profile, days=1, plan=PLAN):
    """Traffic with the same 24-hour ``profile`` on each of the ``days`` days before ``plan``."""
    rows = [
        (plan - dt.timedelta(days=back), hour, float(v))
        for back in range(1, days + 1)
        for hour, v in enumerate(profile)
    ]
    return pd.DataFrame(rows, columns=["date", "hour", "visitors"])


def loop_grid(traffic, plan, lookback):
    """The grid by hand: a plain loop over rows, no pandas grouping."""
    sums, counts = {}, {}
    start = plan - dt.timedelta(days=lookback)
    for date, hour, visitors in traffic[["date", "hour", "visitors"]].itertuples(
        index=False
    ):
        day = pd.Timestamp(date).date()
        if start <= day < plan and not pd.isna(visitors):
            key = (day.weekday(), int(hour))
            sums[key] = sums.get(key, 0.0) + float(visitors)
            counts[key] = counts.get(key, 0) + 1
    return {key: sums[key] / counts[key] for key in sums}


@pytest.mark.parametrize("lookback", [1, 7, 10, 14, 28])
def test_grid_matches_a_plain_loop_over_rows(lookback):
    traffic = sample_frames(PLAN)["traffic"]
    traffic = traffic.drop(traffic.sample(frac=0.2, random_state=1).index)  # holes
    grid = weekday_hour_grid(traffic, PLAN, lookback)
    expected = loop_grid(traffic, PLAN, lookback)
    assert grid.shape == (7, 24)
    assert list(grid.index) == list(WEEKDAYS)
    assert list(grid.columns) == list(range(24))
    for w in range(7):
        for h in range(24):
            if (w, h) in expected:
                assert grid.iloc[w, h] == pytest.approx(expected[(w, h)])
            else:
                assert np.isnan(grid.iloc[w, h])


def test_grid_matches_pivot_table_with_date_objects():
    traffic = sample_frames(PLAN)["traffic"]  # dates as datetime.date
    grid = weekday_hour_grid(traffic, PLAN, 14)
    recent = traffic[
        (traffic["date"] >= PLAN - dt.timedelta(days=14)) & (traffic["date"] < PLAN)
    ]
    pivot = recent.assign(weekday=[d.weekday() for d in recent["date"]]).pivot_table(
        index="weekday", columns="hour", values="visitors", aggfunc="mean"
    )
    np.testing.assert_allclose(grid.to_numpy(), pivot.to_numpy())


def test_grid_mean_is_over_the_days_that_have_the_hour():
    monday1, monday2 = dt.date(2026, 11, 16), dt.date(2026, 11, 23)
    traffic = pd.DataFrame(
        {
            "date": pd.to_datetime([monday1, monday2, monday1]),
            "hour": [10, 10, 11],
            "visitors": [10.0, 30.0, 8.0],
        }
    )
    grid = weekday_hour_grid(traffic, PLAN, 14)
    assert grid.loc["周一 Mon", 10] == 20
    assert grid.loc["周一 Mon", 11] == 8  # one day had hour 11: not (8 + 0) / 2
    assert grid.drop(index="周一 Mon").isna().all().all()
    recent = weekday_hour_grid(traffic, PLAN, 2)  # 11-23 and 11-24 only
    assert recent.loc["周一 Mon", 10] == 30 and np.isnan(recent.loc["周一 Mon", 11])
    assert weekday_hour_grid(traffic, PLAN, 1).isna().all().all()
    assert weekday_hour_grid(traffic.iloc[0:0], PLAN, 14).isna().all().all()


def profile_of(peaks, base=0.0):
    out = [base] * 24
    for hour, value in peaks.items():
        out[hour] = value
    return out


@pytest.mark.parametrize(
    ("profile", "share", "windows"),
    [
        # The shop's day: two humps around noon and afternoon.
        (
            profile_of(
                {10: 50, 11: 52, 12: 48, 13: 46, 15: 50, 16: 48, 17: 46, 9: 20, 18: 20},
                base=8,
            ),
            0.6,
            ((10, 14), (15, 18)),
        ),
        (profile_of({12: 100}), 0.6, ((12, 13),)),
        (profile_of({12: 100}), 1.0, ((12, 13),)),
        # Flat day: ties go to the earlier hours.
        ([1.0] * 24, 0.25, ((0, 6),)),
        ([1.0] * 24, 1.0, ((0, 24),)),
        # 23 and 0 are not merged across midnight.
        (profile_of({23: 10, 0: 10, 12: 1}), 0.9, ((0, 1), (23, 24))),
        # Exactly reaching the share is enough: 60 of 100 in two hours.
        (profile_of({8: 30, 20: 30, 14: 20, 3: 20}), 0.6, ((8, 9), (20, 21))),
        (profile_of({8: 30, 20: 30, 14: 20, 3: 20}), 0.61, ((3, 4), (8, 9), (20, 21))),
        # Ties at the margin: the earlier hour is taken.
        (profile_of({9: 40, 10: 30, 16: 30}), 0.7, ((9, 11),)),
    ],
)
def test_suggested_windows(profile, share, windows):
    traffic = one_day_profile(profile, days=3)
    got = suggest_windows(traffic, PLAN, 14, share)
    assert got == windows
    assert parse_windows(windows_text(got)) == tuple((s * 60, e * 60) for s, e in got)


def test_the_sample_shop_gets_its_own_windows():
    traffic = sample_frames(PLAN)["traffic"]
    windows = suggest_windows(traffic, PLAN, 14)
    assert windows_text(windows) == "10:00-14:00,15:00-18:00"


def test_windows_text():
    assert windows_text(((10, 14), (15, 18))) == "10:00-14:00,15:00-18:00"
    assert windows_text(((0, 1), (23, 24))) == "00:00-01:00,23:00-24:00"
    assert merge_hours([13, 10, 11, 11]) == ((10, 12), (13, 14))


@pytest.mark.parametrize(
    "traffic",
    [
        pd.DataFrame(columns=["date", "hour", "visitors"]),
        one_day_profile([5.0] * 24, plan=PLAN - dt.timedelta(days=30)),  # too old
        one_day_profile([0.0] * 24),
        None,
    ],
    ids=["empty", "outside lookback", "all zero", "none"],
)
def test_no_traffic_says_import_first(traffic):
    with pytest.raises(InputError) as err:
        suggest_windows(traffic, PLAN, 14)
    problem = err.value.problems[0]
    assert problem.sheet == "流量"
    assert "导入" in problem.hint and "import traffic first" in problem.hint


@pytest.mark.parametrize("share", [0, -0.1, 1.01, float("nan"), 60])
def test_share_outside_0_1_is_refused(share):
    with pytest.raises(InputError):
        suggest_windows(one_day_profile([1.0] * 24), PLAN, 14, share)


@settings(max_examples=150, deadline=None)
@given(
    profile=st.lists(st.integers(0, 500), min_size=24, max_size=24).filter(any),
    days=st.integers(1, 3),
    share=st.sampled_from([0.05, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0])
    | st.floats(0.01, 1.0),
)
def test_suggested_hours_are_the_fewest_that_hold_the_share(profile, days, share):
    traffic = one_day_profile(profile, days=days)
    windows = suggest_windows(traffic, PLAN, 14, share)
    hours = [h for start, end in windows for h in range(start, end)]
    total = float(sum(profile))
    held = sum(profile[h] for h in hours)
    assert held >= share * total * (1 - 1e-12)
    assert held - min(profile[h] for h in hours) < share * total * (1 + 1e-12)
    # No unchosen hour beats a chosen one.
    assert max((profile[h] for h in range(24) if h not in hours), default=0) <= min(
        profile[h] for h in hours
    )
    # Windows are sorted, disjoint, not touching, and read back as written.
    assert all(a[1] < b[0] for a, b in itertools.pairwise(windows))
    assert parse_windows(windows_text(windows)) == tuple(
        (s * 60, e * 60) for s, e in windows
    )
