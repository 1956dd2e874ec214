"""Keywords into titles: which collected keywords are worth most, and which titles lack them.

The clerk fills the 关键词 sheet from 生意参谋 (搜索人气, 点击率, 竞争度); the
operator then tunes product titles from it. This ranks the keywords and shows,
for the best ones, how many titles already carry each and what each title
lacks.

Score rule (``SCORE_RULE`` says it in the sheet's words)::

    score = popularity × ctr ÷ competition

- 点击率 (ctr) is a fraction: the 关键词 sheet's 点击率 column is formatted
  0.00%, so a typed ``5%`` is stored (and parsed) as 0.05. A number above 1
  cannot be a click-through fraction, so it is read as a percent (5 -> 0.05);
  text such as ``"5%"`` is read too.
- A missing ctr is taken as the median ctr of the other keywords, and a
  missing, zero or negative competition as the median competition of the
  others (1 when no keyword has one): 1 for a missing ctr would mean 100%
  and push every keyword without a ctr to the top.
- Without 搜索人气 (popularity) a keyword is not scored (score empty, last).
- A row whose 重复 (duplicate_of) is filled counts once: it is dropped, and so
  is any later row with the same keyword after folding width, case and spaces
  (as 汇总今日 marks duplicates); the first row is kept.

Titles contain a keyword when the keyword is a substring of the title, both
folded the same way (full-width to half-width, case, spaces removed).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from .cells import is_blank, norm_text
from .consolidate import keyword_key

SCORE_RULE = (
    "得分 = 搜索人气 × 点击率 ÷ 竞争度；点击率大于 1 按百分数读（5 = 5%）；"
    "缺点击率按其他关键词点击率的中位数，缺竞争度或为 0 按其他关键词竞争度的中位数（都没有按 1）；"
    "没有搜索人气不计分；重复的关键词只算一次 / "
    "score = popularity × CTR ÷ competition; a CTR above 1 is a percent; "
    "missing CTR or competition (or 0 competition) takes the others' median (1 if none); "
    "no popularity, no score; duplicates count once"
)
COLUMNS = ["keyword", "popularity", "ctr", "competition", "score", "basis"]
TOP_COLUMNS = ["rank", "keyword", "score", "titles"]
PRODUCT_COLUMNS = ["product_id", "title", "covered", "missing"]
#: Sheet headers, Chinese first.
HEADERS = {
    "keyword": "关键词 keyword",
    "popularity": "搜索人气 popularity",
    "ctr": "点击率 CTR",
    "competition": "竞争度 competition",
    "score": "得分 score",
    "basis": "计分说明 how scored",
    "rank": "排名 rank",
    "titles": "含此词的标题数 titles with it",
    "product_id": "商品ID product_id",
    "title": "商品名称 title",
    "covered": "含热门词数 top keywords in title",
    "missing": "建议加入 best missing keywords",
}
MISSING_SHOWN = 3


def read_ctr(value: Any) -> float:
    """A click-through rate as a fraction: 0.05, 5 and "5%" are all 5%; NaN if unreadable."""
    if is_blank(value) or isinstance(value, bool):
        return np.nan
    if isinstance(value, str):
        text = norm_text(value).replace(",", "")
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%").strip())
        except ValueError:
            return np.nan
        return number / 100 if percent else _fraction(number)
    try:
        return _fraction(float(value))
    except (TypeError, ValueError):
        return np.nan


def _fraction(number: float) -> float:
    if not np.isfinite(number) or number < 0:
        return np.nan
    return number / 100 if number > 1 else number


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def keyword_scores(keywords: pd.DataFrame) -> pd.DataFrame:
    """Each distinct keyword with its popularity, ctr (fraction), competition, score and basis.

    Columns are ``COLUMNS``; sorted by score, highest first (ties keep sheet
    order; unscored rows last). ``basis`` says which fallback of the module's
    score rule a row needed (None when none).
    """
    frame = keywords
    if "duplicate_of" in frame:
        frame = frame[frame["duplicate_of"].map(is_blank).to_numpy(bool)]
    keys = frame["keyword"].map(keyword_key)
    frame = frame[(keys != "").to_numpy() & ~keys.duplicated().to_numpy()]
    popularity = _numbers(frame["popularity"]).where(lambda s: s >= 0)
    ctr = frame["ctr"].map(read_ctr).astype(float)
    competition = _numbers(frame["competition"]).where(lambda s: s > 0)
    ctr_fill = float(ctr.median()) if ctr.notna().any() else 1.0
    comp_fill = float(competition.median()) if competition.notna().any() else 1.0
    basis = [
        "；".join(
            note
            for note, applies in (
                (
                    "无搜索人气，不计分 / no popularity, not scored",
                    np.isnan(p),
                ),
                (
                    f"点击率缺，按中位数 {_fmt(ctr_fill)} / CTR missing: median",
                    np.isnan(c),
                ),
                (
                    f"竞争度缺或为0，按中位数 {_fmt(comp_fill)} / competition missing: median",
                    np.isnan(m),
                ),
            )
            if applies
        )
        or None
        for p, c, m in zip(popularity, ctr, competition, strict=True)
    ]
    out = pd.DataFrame(
        {
            "keyword": [norm_text(k) for k in frame["keyword"]],
            "popularity": popularity.to_numpy(),
            "ctr": ctr.to_numpy(),
            "competition": competition.to_numpy(),
            "score": (
                popularity * ctr.fillna(ctr_fill) / competition.fillna(comp_fill)
            ).to_numpy(),
            "basis": pd.Series(basis, dtype=object),
        },
        columns=COLUMNS,
    )
    out = out.sort_values("score", ascending=False, kind="stable", na_position="last")
    return out.reset_index(drop=True)


def fold_title(text: Any) -> str:
    """A title folded for matching: full-width to half-width, case folded, spaces removed."""
    if is_blank(text):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


def title_coverage(
    scores: pd.DataFrame, products: pd.DataFrame, top: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``top`` scored keywords with how many titles contain each, and per product
    how many of them its title has and the best ``MISSING_SHOWN`` it lacks (joined by 、).

    Returns (``TOP_COLUMNS`` frame, ``PRODUCT_COLUMNS`` frame); products keep
    their order.
    """
    ranked = scores[scores["score"].notna()].sort_values(
        "score", ascending=False, kind="stable"
    )
    best = ranked.head(max(int(top), 0))
    words = list(best["keyword"])
    folded_words = [keyword_key(w) for w in words]
    titles = [fold_title(t) for t in products["title"]] if len(products) else []
    has = np.array(
        [[w in t for w in folded_words] for t in titles], dtype=bool
    ).reshape(len(titles), len(words))
    top_frame = pd.DataFrame(
        {
            "rank": np.arange(1, len(words) + 1),
            "keyword": pd.Series(words, dtype=object),
            "score": best["score"].to_numpy(dtype=float),
            "titles": has.sum(axis=0).astype(np.int64),
        },
        columns=TOP_COLUMNS,
    )
    per_product = pd.DataFrame(
        {
            "product_id": pd.Series(list(products["product_id"]), dtype=object),
            "title": pd.Series(list(products["title"]), dtype=object),
            "covered": has.sum(axis=1).astype(np.int64),
            "missing": pd.Series(
                [
                    "、".join(
                        [w for w, hit in zip(words, row, strict=True) if not hit][
                            :MISSING_SHOWN
                        ]
                    )
                    for row in has
                ],
                dtype=object,
            ),
        },
        columns=PRODUCT_COLUMNS,
    )
    return top_frame, per_product
