"""效果: the "does reposting work?" table and chart, from 流量 and 重发记录.

``effect_report(book)`` is what ``opsbook effect`` runs (and the demo): it
reads the two sheets once each, estimates the lift per hour with the pure
``opsbook.core.repost_effect``, and writes the 效果 table in one block; the chart in the
template reads that table.
"""

from __future__ import annotations

import pandas as pd
import xlwings as xw

from ..core.repost_effect import hourly_effect
from ..core.schema import EFFECT, HISTORY, TRAFFIC
from ..errors import InputError
from .blocks import table_named, update_table
from .macros import read_sheet


def effect_report(book: xw.Book) -> pd.DataFrame:
    """Write the 效果 table; returns the per-hour frame (canonical columns)."""
    traffic = read_sheet(book, TRAFFIC)
    if traffic.problems:
        raise InputError(traffic.problems)
    history = (
        read_sheet(book, HISTORY)
        if HISTORY.name in [s.name for s in book.sheets]
        else None
    )
    frame = hourly_effect(
        traffic.frame, history.frame if history is not None else pd.DataFrame()
    )
    out = frame.assign(
        err_plus=frame["lift_high"].astype(float) - frame["lift"].astype(float),
        err_minus=frame["lift"].astype(float) - frame["lift_low"].astype(float),
    )
    table = table_named(book, EFFECT.name, EFFECT.table, EFFECT.headers, (1, 1))
    formats = EFFECT.formats
    update_table(
        table,
        out[[c.key for c in EFFECT.columns]].set_axis(EFFECT.headers, axis=1),
        formats,
    )
    return frame
