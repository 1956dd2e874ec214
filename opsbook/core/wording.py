"""Which 话术 (wording) and which 渠道 (channel) turn inquiries into deals.

The clerk logs every inquiry with the wording used and its outcome (咨询
sheet). Over the last ``days`` days this counts, per wording and separately
per channel, the inquiries, the deals (结果 成交) and the conversion
deals ÷ inquiries (跟进中 counts as an inquiry not yet won, as in 日报's
转化率), with a Wilson 95% interval: with a dozen inquiries per wording a
plain percentage overstates what is known, and Wilson behaves at 0 and 100%.
Groups with fewer than ``min_n`` inquiries are listed but not rated. The
lost reasons (结果 未成交) say why the rest did not buy.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from .cells import is_blank, norm_text

DEAL, LOST = "成交", "未成交"
UNFILLED = "（未填）"
DIMENSIONS = {"wording": "话术", "channel": "渠道"}
Z95 = 1.959963984540054  # the standard normal's 97.5% quantile

COLUMNS = [
    "dimension",
    "name",
    "inquiries",
    "deals",
    "conversion",
    "conversion_low",
    "conversion_high",
    "lost_reasons",
    "note",
]
#: Sheet headers for COLUMNS, Chinese first.
HEADERS = {
    "dimension": "维度 dimension",
    "name": "名称 name",
    "inquiries": "咨询数 inquiries",
    "deals": "成交数 deals",
    "conversion": "转化率 conversion",
    "conversion_low": "区间下限 95% low",
    "conversion_high": "区间上限 95% high",
    "lost_reasons": "未成交原因 lost reasons",
    "note": "备注 note",
}


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (default 95%); (nan, nan) when n == 0."""
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return math.nan, math.nan
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At k = 0 and k = n the bound is exactly 0 or 1; rounding would miss it.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def too_few_note(min_n: int) -> str:
    return f"数据不足（少于{min_n}条）/ too few"


def _label(value: Any) -> str:
    return UNFILLED if is_blank(value) else norm_text(value)


def reasons_text(reasons: pd.Series) -> str:
    """Lost reasons as "价格高×3；运费×1": most common first, ties in order of first appearance."""
    counts = Counter(norm_text(r) for r in reasons if not is_blank(r))
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])  # sorted() is stable
    return "；".join(f"{reason}×{n}" for reason, n in ranked)


def recent_inquiries(
    inquiries: pd.DataFrame, today: dt.date, days: int
) -> pd.DataFrame:
    """Inquiries dated within the ``days`` days ending with ``today`` (today - days + 1 .. today)."""
    when = pd.to_datetime(inquiries["date"], errors="coerce").dt.normalize()
    end = pd.Timestamp(today)
    keep = (when > end - pd.Timedelta(days=days)) & (when <= end)
    return inquiries[keep.to_numpy()]


def wording_table(
    inquiries: pd.DataFrame, today: dt.date, days: int = 30, min_n: int = 5
) -> pd.DataFrame:
    """Per wording, then per channel: inquiries, deals, conversion, Wilson 95%, lost reasons.

    Columns are ``COLUMNS`` (``HEADERS`` has the sheet headers); ``dimension`` is
    话术 or 渠道, ``name`` the wording or channel (blank: （未填）). Within each
    dimension rows go by conversion, highest first (then more inquiries first);
    groups below ``min_n`` inquiries come last with conversion and interval
    left empty and a note saying there are too few.
    """
    frame = recent_inquiries(inquiries, today, days)
    rows = []
    for key, dimension in DIMENSIONS.items():
        names = frame[key].map(_label) if len(frame) else pd.Series(dtype=object)
        block = []
        for name, group in frame.groupby(names, sort=True):
            outcome = group["outcome"].map(
                lambda v: None if is_blank(v) else norm_text(v)
            )
            n, k = len(group), int((outcome == DEAL).sum())
            enough = n >= min_n
            low, high = wilson_interval(k, n) if enough else (np.nan, np.nan)
            block.append(
                {
                    "dimension": dimension,
                    "name": name,
                    "inquiries": n,
                    "deals": k,
                    "conversion": k / n if enough else np.nan,
                    "conversion_low": low,
                    "conversion_high": high,
                    "lost_reasons": reasons_text(
                        group.loc[(outcome == LOST).to_numpy(), "reason"]
                    ),
                    "note": None if enough else too_few_note(min_n),
                }
            )
        block.sort(
            key=lambda r: (
                np.isnan(r["conversion"]),
                -np.nan_to_num(r["conversion"]),
                -r["inquiries"],
            )
        )
        rows += block
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype(
        {
            "inquiries": "int64",
            "deals": "int64",
            "conversion": "float64",
            "conversion_low": "float64",
            "conversion_high": "float64",
        }
    )
