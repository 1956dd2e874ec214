"""Excel's date serials and the number formats that make a number a date.

Pure and small, so that reading and editing a book never loads openpyxl. The
rules are openpyxl's (``openpyxl.utils.datetime``, ``openpyxl.styles.numbers``),
Lotus' 1900 leap-year bug included, and a test pins them equal.
"""

from __future__ import annotations

import datetime as dt
import re

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)  # books saved with "1904 date system"
_DAY = 86_400
_LITERAL = r'".*?"'  # text in quotes
_LOCALE = r"\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]"  # [$-804], [Red]: not [h], [mm], [ss]
_STRIP = re.compile(f"{_LITERAL}|{_LOCALE}")
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(
    r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I
)
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def is_date_format(fmt: str | None) -> bool:
    """Whether the format shows a number as a date or time (its first section)."""
    if fmt is None:
        return False
    return _DATE_PART.search(_STRIP.sub("", fmt.split(";")[0])) is not None


def is_duration_format(fmt: str | None) -> bool:
    """Whether the format shows elapsed time (``[h]:mm``), not a clock time."""
    return fmt is not None and _DURATION.search(fmt.split(";")[0]) is not None


def _time_days(value: dt.time | dt.datetime) -> float:
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return (seconds + value.microsecond / 10**6) / _DAY


def to_serial(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> float:
    """A date, time or duration as Excel's serial number (1900 date system)."""
    if isinstance(value, dt.time):
        return _time_days(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / _DAY
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    days = (value - WINDOWS_EPOCH).days
    if 0 < days <= 60:  # Excel's 29 Feb 1900, which never was
        days -= 1
    return days + _time_days(value)


def from_serial(
    value: float, epoch: dt.datetime = WINDOWS_EPOCH
) -> dt.datetime | dt.time:
    """Excel's serial as a datetime (a time for a fraction of a day), to the millisecond."""
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * _DAY * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(days=day) + diff


def unescape(text: str) -> str:
    """OOXML's ``_x000D_`` escapes back to the characters they stand for."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)
