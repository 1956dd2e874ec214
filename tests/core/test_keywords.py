"""Keyword scores (duplicates once, fallbacks stated) and how many titles carry them."""

import datetime as dt
import statistics

import numpy as np
import pandas as pd
import pytest

from opsbook.book.sample import sample_frames
from opsbook.core.keywords import (
    COLUMNS,
    HEADERS,
    PRODUCT_COLUMNS,
    SCORE_RULE,
    TOP_COLUMNS,
    keyword_scores,
    read_ctr,
    title_coverage,
)


def keywords(rows):
    return pd.DataFrame(
        rows, columns=["keyword", "popularity", "ctr", "competition", "duplicate_of"]
    )


HAND = [
    ("女童连衣裙", 10000, 0.05, 0.5, None),
    ("童装批发", 8000, 0.04, 0.8, None),
    ("儿童卫衣", 3000, 0.06, 0.2, ""),
    ("T恤 男童", 4000, 0.03, 0.4, None),
    ("宝宝套装", 2000, 0.02, 0.1, None),
]


def test_scores_match_a_hand_computation():
    scores = keyword_scores(keywords(HAND))
    assert list(scores.columns) == COLUMNS
    assert set(COLUMNS) <= set(HEADERS)
    expected = {k: p * c / m for k, p, c, m, _ in HAND}
    assert dict(zip(scores["keyword"], scores["score"], strict=True)) == pytest.approx(
        expected
    )
    assert list(scores["keyword"]) == sorted(expected, key=lambda k: -expected[k])
    assert scores["basis"].isna().all()


def test_duplicates_count_once():
    rows = [
        *HAND,
        ("女童连衣裙", 99999, 0.9, 0.01, "重复：见第 2 行"),  # marked by 汇总今日
        ("  t恤男童 ", 50000, 0.5, 0.01, None),  # same as "T恤 男童" once folded
        ("ＴＳＨＩＲＴ", 10, 0.01, 1, None),
        ("tshirt", 99999, 0.9, 0.01, None),  # same as the full-width one
        ("", 5, 0.01, 1, None),  # no keyword at all
        (None, 5, 0.01, 1, None),
    ]
    scores = keyword_scores(keywords(rows))
    assert len(scores) == len(HAND) + 1
    assert scores["keyword"].tolist().count("女童连衣裙") == 1
    got = dict(zip(scores["keyword"], scores["score"], strict=True))
    assert got["T恤 男童"] == pytest.approx(4000 * 0.03 / 0.4)  # the first row counts
    assert got["TSHIRT"] == pytest.approx(10 * 0.01 / 1)
    assert got["女童连衣裙"] == pytest.approx(10000 * 0.05 / 0.5)


@pytest.mark.parametrize(
    ("cell", "fraction"),
    [(0.05, 0.05), (5, 0.05), (12.5, 0.125), ("5%", 0.05), ("0.05", 0.05), (1, 1.0)],
)
def test_ctr_as_fraction_or_percent(cell, fraction):
    assert read_ctr(cell) == pytest.approx(fraction)


@pytest.mark.parametrize("cell", [None, "", "高", -0.1, float("nan"), True])
def test_unreadable_ctr_is_missing(cell):
    assert np.isnan(read_ctr(cell))


def test_percent_and_fraction_ctr_score_alike():
    mixed = keywords([("a", 100, 5, 1, None), ("b", 100, 0.05, 1, None)])
    scores = keyword_scores(mixed)
    assert scores["score"].tolist() == pytest.approx([5.0, 5.0])


def test_the_fallback_rule():
    rows = [
        ("full", 1000, 0.04, 0.5, None),
        ("no ctr", 1000, None, 0.5, None),
        ("no competition", 1000, 0.02, None, None),
        ("zero competition", 1000, 0.06, 0, None),
        ("no popularity", None, 0.05, 0.5, None),
        ("also full", 2000, 0.03, 0.9, None),
    ]
    scores = keyword_scores(keywords(rows)).set_index("keyword")
    ctr_median = statistics.median([0.04, 0.02, 0.06, 0.05, 0.03])
    comp_median = statistics.median([0.5, 0.5, 0.5, 0.9])
    assert scores.loc["no ctr", "score"] == pytest.approx(1000 * ctr_median / 0.5)
    assert scores.loc["no competition", "score"] == pytest.approx(
        1000 * 0.02 / comp_median
    )
    assert scores.loc["zero competition", "score"] == pytest.approx(
        1000 * 0.06 / comp_median
    )
    assert np.isnan(scores.loc["no popularity", "score"])
    assert keyword_scores(keywords(rows))["keyword"].iloc[-1] == "no popularity"
    assert "点击率缺" in scores.loc["no ctr", "basis"]
    assert "竞争度缺" in scores.loc["zero competition", "basis"]
    assert "不计分" in scores.loc["no popularity", "basis"]
    assert pd.isna(scores.loc["full", "basis"])
    assert "中位数" in SCORE_RULE and "median" in SCORE_RULE


def test_nothing_to_fall_back_on_means_one():
    rows = [("a", 100, None, None, None), ("b", 300, None, 0, None)]
    scores = keyword_scores(keywords(rows))
    assert scores["score"].tolist() == [300.0, 100.0]


PRODUCTS = pd.DataFrame(
    {
        "product_id": ["p1", "p2", "p3", "p4"],
        "title": [
            "2026秋季女童连衣裙 童装批发",
            "儿童卫衣加绒 t恤男童",
            "宝宝套装 童装 批发",  # spaces inside the keyword still match
            None,
        ],
    }
)


def hand_coverage(words, titles):
    fold = [("".join(str(t).split())).casefold() if t else "" for t in titles]
    keys = ["".join(w.split()).casefold() for w in words]
    counts = [sum(k in t for t in fold) for k in keys]
    per = [
        (
            sum(k in t for k in keys),
            "、".join([w for w, k in zip(words, keys, strict=True) if k not in t][:3]),
        )
        for t in fold
    ]
    return counts, per


@pytest.mark.parametrize("top", [1, 3, 5, 20])
def test_title_coverage_counts(top):
    scores = keyword_scores(keywords(HAND))
    best, per_product = title_coverage(scores, PRODUCTS, top=top)
    assert list(best.columns) == TOP_COLUMNS
    assert list(per_product.columns) == PRODUCT_COLUMNS
    words = list(scores["keyword"][:top])
    assert list(best["keyword"]) == words
    assert list(best["rank"]) == list(range(1, len(words) + 1))
    counts, per = hand_coverage(words, PRODUCTS["title"])
    assert list(best["titles"]) == counts
    assert list(per_product["product_id"]) == ["p1", "p2", "p3", "p4"]
    assert list(zip(per_product["covered"], per_product["missing"], strict=True)) == per


def test_title_coverage_exact():
    scores = keyword_scores(keywords(HAND))
    # By score: 女童连衣裙 1000, 儿童卫衣 900, 童装批发 400, 宝宝套装 400, T恤 男童 300
    best, per_product = title_coverage(scores, PRODUCTS, top=5)
    titles = dict(zip(best["keyword"], best["titles"], strict=True))
    assert titles == {
        "女童连衣裙": 1,
        "儿童卫衣": 1,
        "宝宝套装": 1,
        "童装批发": 2,
        "T恤 男童": 1,
    }
    p1 = per_product.set_index("product_id").loc["p1"]
    assert p1["covered"] == 2 and p1["missing"] == "儿童卫衣、宝宝套装、T恤 男童"
    p4 = per_product.set_index("product_id").loc["p4"]
    assert p4["covered"] == 0 and p4["missing"].count("、") == 2


def test_unscored_keywords_are_not_top_and_empty_inputs():
    rows = [*HAND, ("无人气", None, 0.9, 0.01, None)]
    best, _ = title_coverage(keyword_scores(keywords(rows)), PRODUCTS, top=20)
    assert "无人气" not in set(best["keyword"]) and len(best) == len(HAND)
    best, per_product = title_coverage(
        keyword_scores(keywords(HAND)), PRODUCTS.iloc[0:0], top=3
    )
    assert list(best["titles"]) == [0, 0, 0] and per_product.empty
    empty = keyword_scores(keywords([]))
    assert empty.empty and list(empty.columns) == COLUMNS
    best, per_product = title_coverage(empty, PRODUCTS)
    assert best.empty and (per_product["covered"] == 0).all()
    assert (per_product["missing"] == "").all()


def test_the_sample_book():
    frames = sample_frames(dt.date(2026, 11, 25))
    scores = keyword_scores(frames["keywords"])
    assert len(scores) == len(frames["keywords"]) - 1  # the near-duplicate pair
    assert scores["score"].is_monotonic_decreasing
    best, per_product = title_coverage(scores, frames["products"], top=10)
    assert len(best) == 10 and len(per_product) == len(frames["products"])
    assert per_product["covered"].sum() == best["titles"].sum()
