"""The 设置 (Settings) sheet: a key/value table read into PlanSettings.

Keys are matched by their Chinese name or English alias; an empty value means
the default. Every bad value is reported with its row before anything runs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from .cells import header_key, is_blank, norm_text, to_datetime, to_number
from .repost_windows import Window, check_window
from .schema import SETTINGS


@dataclass(frozen=True)
class Setting:
    key: str
    zh: str
    en: str
    default: Any
    note: str


DEFAULT_WINDOWS = "10:00-14:00,15:00-18:00"

SETTINGS_ROWS = (
    Setting(
        "windows",
        "重发时段",
        "windows",
        DEFAULT_WINDOWS,
        "重发的时间段，逗号分隔，如 10:00-14:00,15:00-18:00（含开始，不含结束）/ repost windows",
    ),
    Setting(
        "daily_count",
        "每日重发数量",
        "daily_count",
        None,
        "每天重发多少件；留空 = 所有参与重发的商品 / products per day; empty = all included",
    ),
    Setting(
        "min_gap_minutes",
        "最小间隔分钟",
        "min_gap_minutes",
        3,
        "两次重发至少间隔几分钟（1–60）/ minutes between two reposts",
    ),
    Setting(
        "hourly_cap",
        "每小时上限",
        "hourly_cap",
        None,
        "每小时最多重发几件；留空 = 不限 / max reposts per hour; empty = none",
    ),
    Setting(
        "lookback_days",
        "流量回看天数",
        "lookback_days",
        14,
        "按计划日期前多少天的流量算权重 / days of traffic behind the weights",
    ),
    Setting(
        "plan_date",
        "计划日期",
        "plan_date",
        None,
        "给哪一天做计划；留空 = 今天 / the day to plan; empty = today",
    ),
    Setting(
        "profile",
        "流量权重",
        "weights",
        "平均",
        "平均 = 回看天数内每天一样重；近期加权 = 越近的天越重（昨天最重），工作日和周末分开算 / mean, or recent (later days count more, weekdays and weekends apart)",
    ),
    # 1688's repost rules (see opsbook.core.repost_rules); new keys go last: rows are found by position
    Setting(
        "repost_interval_hours",
        "同品重发间隔小时",
        "repost_interval_hours",
        24,
        "同一商品两次重发至少隔几小时（0–8760 的整数；1688 规则 24，0 = 不限）；不够间隔的商品列在 未排入 / hours between two reposts of one product (1688: 24; 0 = off)",
    ),
    Setting(
        "shop_daily_cap",
        "店铺每日上限",
        "shop_daily_cap",
        400,
        "整个店铺每天最多重发几件（≥ 1 的整数；1688 规则 400）；超出的列在 未排入，明天轮换时排在前面 / the shop's reposts per day (1688: 400)",
    ),
    Setting(
        "batch_size",
        "每批上限",
        "batch_size",
        20,
        "1688 批量重发一次最多几件（≥ 1 的整数；1688 规则 20）；每小时的商品ID按此分批 / offers per batch repost (1688: 20)",
    ),
    Setting(
        "suggest_share",
        "建议覆盖率",
        "suggest_share",
        0.6,
        "「流量分析」的建议时段要覆盖多少访客（如 60%）；opsbook 只写建议，不改 重发时段 / share of visitors the suggested windows hold",
    ),
)

BY_KEY = {s.key: s for s in SETTINGS_ROWS}


def named(key: str) -> str:
    """The 设置 row's Chinese name, as staff see it (``named("daily_count")`` -> 每日重发数量)."""
    return BY_KEY[key].zh


def default(key: str) -> Any:
    """The row's default, used when its value is left empty."""
    return BY_KEY[key].default


def position(key: str) -> int:
    """The row's place among the 设置 rows of a new book (0 = first)."""
    return list(BY_KEY).index(key)


_LOWEST = dict(min_gap_minutes=1, lookback_days=1, shop_daily_cap=1, batch_size=1)
_LOWEST["repost_interval_hours"] = 0  # each count's smallest value in PlanSettings


@dataclass(frozen=True)
class PlanSettings:
    """What the 设置 sheet decides for one day's plan (validated on creation)."""

    windows: tuple[Window, ...]
    plan_date: dt.date
    daily_count: int | None = None  # None = every included product
    min_gap_minutes: int = default("min_gap_minutes")
    hourly_cap: int | None = None  # None = no cap; 0 = nothing fits
    lookback_days: int = default("lookback_days")
    profile: str = "mean"  # "mean" or "recent", see day_weights
    repost_interval_hours: int = default(
        "repost_interval_hours"
    )  # between two reposts of one product; 0 = off
    shop_daily_cap: int = default("shop_daily_cap")  # reposts a day for the whole shop
    batch_size: int = default("batch_size")  # product IDs per batch repost

    def __post_init__(self) -> None:
        for window in self.windows:
            check_window(window)
        for name, lo in _LOWEST.items():
            if getattr(self, name) < lo:
                raise ValueError(f"{name} must be >= {lo}, not {getattr(self, name)}")
        if self.repost_interval_hours > 8760:  # a year; later would overflow
            raise ValueError("repost_interval_hours must be at most 8760")
        for name in ("daily_count", "hourly_cap"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0 or None, not {value}")


_SEP = r"[,，、;；\n]"
_DASH = r"\s*(?:-|~|～|—|–|至|到)\s*"
_CLOCK = r"(\d{1,2})(?:[:：点时](\d{2})?)?分?"


def parse_windows(text: str) -> tuple[Window, ...]:
    """``10:00-14:00,15:00-18:00`` -> ((600, 840), (900, 1080)); ValueError says what is wrong."""
    windows = []
    for part in re.split(_SEP, norm_text(text)):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(_CLOCK + _DASH + _CLOCK, part)
        if not m:
            raise ValueError(
                f"看不懂时段「{part}」，应写成 10:00-14:00 / cannot read window '{part}'"
            )
        h1, m1, h2, m2 = (int(g) if g else 0 for g in m.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or end > 1440:
            raise ValueError(
                f"时段「{part}」不是一天里的时间（00:00–24:00）/ '{part}' is not within a day"
            )
        if start >= end:
            raise ValueError(
                f"时段「{part}」开始不早于结束 / '{part}' starts after it ends; 跨午夜请拆成两段 / split windows across midnight"
            )
        windows.append((start, end))
    if not windows:
        raise ValueError("重发时段是空的 / no window given")
    return tuple(windows)


def _positive_int(lo: int, hi: int | None = None) -> Callable[[Any], int]:
    def read(value: Any) -> int:
        number = to_number(value)
        if (
            not float(number).is_integer()
            or number < lo
            or (hi is not None and number > hi)
        ):
            span = f"{lo}–{hi}" if hi is not None else f"≥ {lo}"
            raise ValueError(f"应为 {span} 的整数 / must be a whole number {span}")
        return int(number)

    return read


def _date(value: Any) -> dt.date:
    try:
        return to_datetime(value).date()
    except ValueError:
        raise ValueError("看不懂这个日期，应写成 2026-11-25 / not a date") from None


_READERS: dict[str, Callable[[Any], Any]] = {
    "windows": parse_windows,
    "daily_count": _positive_int(0),
    "min_gap_minutes": _positive_int(1, 60),
    "hourly_cap": _positive_int(0),
    "lookback_days": _positive_int(1, 3660),
    "plan_date": _date,
    "profile": lambda v: read_profile(v),  # defined below, with the other readers
    "repost_interval_hours": _positive_int(0, 8760),
    "shop_daily_cap": _positive_int(1),
    "batch_size": _positive_int(1),
    "suggest_share": lambda v: read_share_value(v),
}


def read_share_value(value: Any) -> float:
    """0.6, ``60%`` or 60 -> 0.6; ValueError unless the share is in (0, 1]."""
    text = norm_text(value) if isinstance(value, str) else value
    percent = isinstance(text, str) and text.endswith("%")
    number = to_number(text.rstrip("%").strip() if percent else text)
    share = number / 100 if percent or number > 1 else number
    if not 0 < share <= 1:
        raise ValueError("应在 0 到 100% 之间 / must be between 0 and 100%")
    return share


def read_profile(value: Any) -> str:
    """平均/mean -> "mean", 近期加权/recent -> "recent"; ValueError otherwise."""
    text = norm_text(value).lower()
    for key, names in {
        "mean": ("平均", "mean", "均值"),
        "recent": ("近期加权", "recent", "近期", "加权"),
    }.items():
        if text in names:
            return key
    raise ValueError("应为 平均 或 近期加权 / must be 平均 (mean) or 近期加权 (recent)")


def read_settings(
    frame: pd.DataFrame,
    key_col: int = 1,
    value_col: int = 2,
    *,
    plan_date: dt.date | None = None,
    today: dt.date | None = None,
) -> PlanSettings:
    """Parsed 设置 rows (columns key, value, _row) -> PlanSettings, or InputError listing every bad row.

    ``plan_date`` (from ``--date``) overrides the sheet; an empty 计划日期 means ``today``.
    """
    by_name = {header_key(name): s for s in SETTINGS_ROWS for name in (s.zh, s.en)}
    values: dict[str, Any] = {s.key: s.default for s in SETTINGS_ROWS}
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    value_header = SETTINGS.column("value").zh
    for key, value, row in zip(
        frame["key"], frame["value"], frame["_row"], strict=True
    ):
        if is_blank(key):
            continue
        setting = by_name.get(header_key(key))
        if setting is None:
            continue  # keys of later features or the user's own notes are left alone
        if setting.key in seen:
            problems.append(
                Problem(
                    SETTINGS.name,
                    "duplicate",
                    f"「{setting.zh}」写了两次（第 {seen[setting.key]} 行）/ set twice",
                    "只保留一行 / keep one row",
                    row=int(row),
                    column=SETTINGS.column("key").zh,
                    col=key_col,
                    value=key,
                )
            )
            continue
        seen[setting.key] = int(row)
        if is_blank(value):
            continue
        try:
            values[setting.key] = _READERS[setting.key](value)
        except (ValueError, TypeError) as exc:
            reason = (
                str(exc)
                if str(exc) != str(value)
                else "看不懂这个值 / cannot read this value"
            )
            problems.append(
                Problem(
                    SETTINGS.name,
                    "setting",
                    f"「{setting.zh}」{reason}",
                    setting.note,
                    row=int(row),
                    column=value_header,
                    col=value_col,
                    value=value,
                )
            )
    if problems:
        raise InputError(problems)
    if isinstance(values["windows"], str):
        values["windows"] = parse_windows(values["windows"])
    day = plan_date or values["plan_date"] or today or dt.date.today()
    return PlanSettings(
        windows=values["windows"],
        plan_date=day,
        daily_count=values["daily_count"],
        min_gap_minutes=values["min_gap_minutes"],
        hourly_cap=values["hourly_cap"],
        lookback_days=values["lookback_days"],
        profile=read_profile(values["profile"]),
        repost_interval_hours=values["repost_interval_hours"],
        shop_daily_cap=values["shop_daily_cap"],
        batch_size=values["batch_size"],
    )


# -- one row at a time: the analysis sheets read 设置 leniently --------------------
DEFAULT_SHARE = default("suggest_share")


@dataclass(frozen=True)
class TrafficSettings:
    lookback_days: int
    typed: str  # 重发时段 as typed (the default when blank)
    windows: tuple[tuple[int, int], ...]  # typed windows in minutes; () if unreadable
    share: float


def rows_for(settings: pd.DataFrame, key: str) -> pd.DataFrame:
    """The 设置 rows named as ``key``'s row is (Chinese or English key)."""
    setting = BY_KEY[key]
    names = {header_key(setting.zh), header_key(setting.en)}
    rows = pd.DataFrame(
        {c: settings.get(c, pd.Series(dtype=object)) for c in ("key", "value", "_row")}
    )
    mine = rows["key"].map(lambda k: not is_blank(k) and header_key(k) in names)
    return rows[mine.astype(bool).to_numpy()]


def typed_value(settings: pd.DataFrame, key: str) -> Any:
    """The value typed in ``key``'s row, None when blank or missing."""
    values = [v for v in rows_for(settings, key)["value"] if not is_blank(v)]
    return values[0] if values else None


def read_one(settings: pd.DataFrame, key: str) -> tuple[Any, bool]:
    """One 设置 value as 生成重发计划 reads it, and whether it could be read: the
    default when missing or unreadable (生成重发计划 is what reports that)."""
    rows = rows_for(settings, key)
    try:
        return getattr(read_settings(rows), key), True
    except InputError:
        return getattr(read_settings(rows.iloc[0:0]), key), False


def read_share(settings: pd.DataFrame) -> float:
    """The 建议覆盖率 row's value as a fraction in (0, 1] (60% and 60 read as 0.6);
    ``DEFAULT_SHARE`` when there is no such row or it cannot be read."""
    typed = typed_value(settings, "suggest_share")
    try:
        return DEFAULT_SHARE if typed is None else read_share_value(typed)
    except (ValueError, TypeError):
        return DEFAULT_SHARE


def traffic_settings(settings: pd.DataFrame) -> TrafficSettings:
    """Lookback, typed windows and share from the parsed 设置 rows, each on its own: an
    unreadable value takes its default here (生成重发计划 is what reports it)."""
    typed = typed_value(settings, "windows")
    windows, readable = read_one(settings, "windows")
    return TrafficSettings(
        read_one(settings, "lookback_days")[0],
        DEFAULT_WINDOWS if typed is None else norm_text(typed),
        tuple(windows) if readable else (),
        read_share(settings),
    )
