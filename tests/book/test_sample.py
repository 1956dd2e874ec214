"""The demo data: deterministic, well-formed and shaped like a real shop's day."""

import datetime as dt
import unicodedata

import pandas as pd
import pytest

from opsbook.book.sample import sample_frames
from opsbook.core.standard_day import CLERK_CHORES, DESIGNER_TASKS, STANDARD_DAY

DAY = dt.date(2026, 11, 25)
KEYS = {"products", "traffic", "inquiries", "keywords", "tasks", "history", "campaigns"}


@pytest.fixture(scope="module")
def frames():
    return sample_frames(DAY)


def test_same_seed_same_data_other_seed_other_data(frames):
    again = sample_frames(DAY)
    assert set(frames) == KEYS
    for key in KEYS:
        pd.testing.assert_frame_equal(frames[key], again[key])
    # campaigns are fixed around the day (one closes tomorrow); the rest is drawn
    assert (frames["campaigns"]["deadline"] == DAY + dt.timedelta(days=1)).sum() == 1
    other = sample_frames(DAY, seed=8)
    assert not frames["traffic"].equals(other["traffic"])


def test_product_ids_are_unique_12_digit_offer_ids(frames):
    ids = frames["products"]["product_id"]
    assert ids.is_unique and len(ids) >= 100
    assert ids.str.fullmatch(r"\d{12}").all()


def test_products_have_sane_priority_include_and_last_repost(frames):
    p = frames["products"]
    assert p["priority"].between(1, 5).all() and p["priority"].mode()[0] == 3
    assert set(p["include"]) == {"是", "否"}
    stamps = [t for t in p["last_repost"] if t is not None]
    assert 0 < len(stamps) < len(p)
    for t in stamps:
        assert isinstance(t, dt.datetime) and 1 <= (DAY - t.date()).days <= 10
        assert dt.time(10) <= t.time() < dt.time(18)


def test_traffic_is_28_full_days_before_the_plan_date(frames):
    t = frames["traffic"]
    assert len(t) == 28 * 24
    assert t["date"].max() == DAY - dt.timedelta(days=1)
    assert all(d < DAY for d in t["date"])
    assert (
        t.groupby("date")["hour"].apply(list).map(lambda h: h == list(range(24))).all()
    )
    assert (t["page_views"] >= t["visitors"]).all()


def test_traffic_peaks_at_10_11_15_16_and_is_lowest_at_night(frames):
    mean = frames["traffic"].groupby("hour")["visitors"].mean()
    assert set(mean.nlargest(4).index) == {10, 11, 15, 16}
    assert mean.loc[0:5].max() < mean.loc[8:22].min()
    assert 30 <= mean.max() <= 60


def test_every_inquiry_is_about_a_known_product(frames):
    inq = frames["inquiries"]
    assert 30 <= len(inq) <= 50
    assert set(inq["product_id"]) <= set(frames["products"]["product_id"])
    assert list(zip(inq["date"], inq["time"], strict=True)) == sorted(
        zip(inq["date"], inq["time"], strict=True)
    )
    deals = inq["outcome"] == "成交"
    assert all(a > 0 for a in inq.loc[deals, "amount"])
    assert all(a is None for a in inq.loc[~deals, "amount"])


def test_keywords_hold_a_near_duplicate_pair(frames):
    def norm(word):
        return "".join(unicodedata.normalize("NFKC", word).casefold().split())

    words = frames["keywords"]["keyword"]
    assert words.is_unique
    assert {"T恤 男童", "ｔ恤男童"} <= set(words)
    assert words.map(norm).duplicated().sum() == 1


def test_tasks_cover_the_seven_chores_and_the_designers_four(frames):
    tasks = frames["tasks"]
    assert len(CLERK_CHORES) == 7
    assert set(CLERK_CHORES) <= set(tasks.loc[tasks["owner"] == "客服", "task"])
    assert set(tasks.loc[tasks["owner"] == "美工", "task"]) == set(DESIGNER_TASKS)
    assert (tasks["date"] == DAY).all()
    assert [(r.time, r.task, r.owner) for r in tasks.itertuples()] == STANDARD_DAY
    assert min(t for t, _, _ in STANDARD_DAY) == dt.time(9)


def test_frames_carry_exactly_the_schema_columns(frames):
    from opsbook.core.schema import DATA_SHEETS

    for spec in DATA_SHEETS:
        assert list(frames[spec.en.lower()].columns) == [c.key for c in spec.columns]
