"""Tidying what staff type in a hurry, cell by cell, without ever guessing.

Each rule maps a raw cell value to its canonical form: trimmed text (full-width
spaces too), half-width digits and letters in number and ID columns, numbers
typed as text to numbers, dates and times typed as text (or Excel serials) to
real ones, and outcome spellings to 成交/未成交/跟进中. A value no rule can read
is left exactly as typed and reported; formulas and error values are never
touched. Rules are idempotent: tidying a tidy value changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from .cells import is_blank, is_error, norm_text, to_datetime, to_number, to_time
from .schema import Column, SheetSpec

OUTCOMES = {
    "成交": (
        "成交",
        "已成交",
        "成交了",
        "成功",
        "已下单",
        "下单",
        "拍了",
        "deal",
        "won",
        "win",
        "closed",
    ),
    "未成交": (
        "未成交",
        "没成交",
        "不成交",
        "未成",
        "失败",
        "流失",
        "放弃",
        "不要了",
        "lost",
        "lose",
        "no deal",
    ),
    "跟进中": (
        "跟进中",
        "跟进",
        "待跟进",
        "考虑中",
        "待定",
        "再看看",
        "pending",
        "follow up",
        "followup",
        "follow-up",
    ),
}
_SYNONYMS = {
    "outcome": {norm_text(s).lower(): k for k, spell in OUTCOMES.items() for s in spell}
}
_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})日?$")


@dataclass(frozen=True)
class Change:
    """One cell tidied: where, from what, to what, by which rule."""

    row: int
    col: int
    before: Any
    after: Any
    rule: str


#: Choice columns that may hold several choices joined by 、: a keyword's sources,
#: which 汇总今日 merges onto the first row of a duplicate group.
MULTI_CHOICE = frozenset({"source"})
SOURCE_SEP = "、"


def _trim(value: Any) -> Any:
    return value.strip().strip("\u3000").strip() if isinstance(value, str) else value


def _date(value: Any, year: int) -> dt.datetime:
    if isinstance(value, str):
        m = _MONTH_DAY.match(norm_text(value))
        if m:  # 11月24日: the year of the day being consolidated
            return dt.datetime(year, int(m.group(1)), int(m.group(2)))
    when = to_datetime(value)
    return dt.datetime(when.year, when.month, when.day)


def tidy(value: Any, col: Column, *, year: int) -> tuple[Any, str | None, str | None]:
    """(new value, rule applied or None, reason it can't be read or None)."""
    if is_blank(value) or isinstance(value, bool):
        return value, None, None
    if isinstance(value, str) and value.startswith("="):
        return value, None, None
    if is_error(value):
        return value, None, f"单元格是错误值 {value} / the cell holds an error"
    kind = col.kind
    try:
        if kind == "number":
            if isinstance(value, (int, float)):
                return value, None, None
            number = to_number(value)
            number = int(number) if number.is_integer() else number
            return number, "number", None
        if kind in ("date", "datetime"):
            if isinstance(value, dt.datetime):
                return value, None, None
            parsed = _date(value, year) if kind == "date" else to_datetime(value)
            return parsed, "date", None
        if kind == "time":
            if isinstance(value, (dt.time, dt.datetime)):
                return value, None, None
            return to_time(value), "time", None
    except (ValueError, TypeError, OverflowError):
        return (
            value,
            None,
            f"看不懂这个{'日期' if 'date' in kind else '时间' if kind == 'time' else '数字'} / cannot read this value",
        )
    if not isinstance(value, str):
        return value, None, None
    if kind == "id":
        folded = norm_text(value)
        return (folded, "width", None) if folded != value else (value, None, None)
    if kind == "choice":
        text = norm_text(value)
        canon = _SYNONYMS.get(col.key, {}).get(text.lower(), text)
        if col.key in MULTI_CHOICE and all(
            part.strip() in col.choices for part in canon.split(SOURCE_SEP)
        ):
            canon = SOURCE_SEP.join(part.strip() for part in canon.split(SOURCE_SEP))
        elif canon not in col.choices:
            return (
                value,
                None,
                f"不是 {'/'.join(col.choices)} 之一 / not one of the choices",
            )
        return (canon, "choice", None) if canon != value else (value, None, None)
    trimmed = _trim(value)
    return (trimmed, "trim", None) if trimmed != value else (value, None, None)


def tidy_rows(
    rows: list[list[Any]],
    spec: SheetSpec,
    columns: dict[str, int],
    data_rows: list[int],
    first_col: int,
    *,
    year: int,
) -> tuple[list[Change], list[Problem]]:
    """Tidy the known columns of a sheet's data rows (raw values, Excel rows ``data_rows``).

    ``columns`` maps a column key to its Excel column; ``rows`` is the raw block
    whose first column is Excel column ``first_col``. Returns the changes to
    write and the problems to report; unknown columns are never looked at.
    """
    changes: list[Change] = []
    problems: list[Problem] = []
    for key, excel_col in columns.items():
        col = spec.column(key)
        j = excel_col - first_col
        for row, excel_row in zip(rows, data_rows, strict=True):
            value = row[j] if j < len(row) else None
            new, rule, reason = tidy(value, col, year=year)
            if reason:
                problems.append(
                    Problem(
                        spec.name,
                        "unreadable",
                        reason + "（已原样保留 / left as typed）",
                        "请手动改正 / please correct it by hand",
                        row=excel_row,
                        column=col.zh,
                        col=excel_col,
                        value=value,
                    )
                )
            elif rule:
                changes.append(Change(excel_row, excel_col, value, new, rule))
    return changes, problems
