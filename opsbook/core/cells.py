"""Reading one cell the way staff type it: numbers, dates, times, 是/否, IDs.

Each reader returns the value or raises ValueError; ``opsbook.core.parser`` turns
that into a located Problem. Tolerant where the meaning is clear (``1,200``,
full-width ``１２``, ``2026/11/24``), strict where it is not (``十``, ``N/A``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

# Excel's serial day 0 in the 1900 date system (with its fictitious 1900-02-29).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_TRUE = {"是", "y", "yes", "true", "1", "对", "√", "✓", "t"}
_FALSE = {"否", "n", "no", "false", "0", "不", "×", "x", "f"}


def norm_text(value: Any) -> str:
    """Trim (full-width spaces too) and fold full-width letters/digits to half-width."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def header_key(value: Any) -> str:
    return re.sub(r"[\s_\-（）()]", "", norm_text(value)).lower()


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NaT:
        return True
    # str.strip() removes every character NFKC turns into whitespace (full-width
    # spaces too), so this equals ``norm_text(value) == ""`` without normalising.
    return isinstance(value, str) and not value.strip()


def is_error(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
    }


_NUM_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def to_number(value: Any) -> float:
    """A number from a cell; text like ``1,200`` or ``１２`` is read, ``十``/``N/A`` is not."""
    if isinstance(value, bool):
        raise ValueError("是/否不是数字")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = norm_text(value)
    if _NUM_RE.match(text):
        return float(text.replace(",", ""))
    raise ValueError(value)


def to_datetime(value: Any, *, date_only: bool = False) -> dt.datetime:
    """A date-time from a cell: real dates, Excel serial numbers, or text like 2026/11/24 10:05."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 1 <= value < 2958466
    ):
        return EXCEL_EPOCH + dt.timedelta(days=float(value))
    text = norm_text(value)
    m = re.match(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2})(?::(\d{2}))?)?$",
        text,
    )
    if not m:
        raise ValueError(value)
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return dt.datetime(y, mo, d, h, mi, s)


def to_time(value: Any) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, float) and 0 <= value < 1:
        seconds = round(value * 86400)
        return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    m = re.match(r"^(\d{1,2})[:：点时](\d{2})?", norm_text(value))
    if not m or int(m.group(1)) > 23:
        raise ValueError(value)
    return dt.time(int(m.group(1)), int(m.group(2) or 0))


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = norm_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def to_id(value: Any) -> str:
    """A product ID as text: 612034578901.0 -> '612034578901', full-width folded, trimmed."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return norm_text(value)


# -- reading a sheet -----------------------------------------------------------
