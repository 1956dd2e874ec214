"""The workbook's data contract: sheets, headers, types, and how cells are read.

Every sheet has Chinese headers; each header also accepts its English alias
(and a few common spellings), columns may come in any order, and columns
opsbook does not know are kept untouched. ``parse_sheet`` turns a block of raw
cell values into a typed DataFrame with canonical English column names plus
``_row`` (the Excel row number), and gathers every Problem on the way
(pandera-style) instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem

# Excel's serial day 0 in the 1900 date system (with its fictitious 1900-02-29).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
HEADER_SCAN_ROWS = 15


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its canonical key, Chinese header and how to read it."""

    key: str
    zh: str
    en: str
    kind: str = (
        "text"  # text | id | int | number | date | datetime | time | bool | choice
    )
    required: bool = False  # the header must exist
    nonempty: bool = False  # every data row must have a value
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    width: float = 12
    number_format: str | None = None
    note: str = ""  # shown as the header cell's input message

    @property
    def names(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    """A data sheet: its name, Excel table name and columns."""

    name: str
    en: str
    table: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def headers(self) -> list[str]:
        return [c.zh for c in self.columns]


YES, NO = "是", "否"
_TRUE = {"是", "y", "yes", "true", "1", "对", "√", "✓", "t"}
_FALSE = {"否", "n", "no", "false", "0", "不", "×", "x", "f"}

PRODUCTS = SheetSpec(
    "商品",
    "Products",
    "Products",
    (
        Column(
            "product_id",
            "商品ID",
            "product_id",
            "id",
            required=True,
            nonempty=True,
            width=16,
            aliases=("商品id", "ID", "offer_id", "offerId"),
        ),
        Column("title", "商品名称", "title", width=44, aliases=("标题", "name")),
        Column("category", "类目", "category", width=10),
        Column(
            "priority",
            "优先级",
            "priority",
            "int",
            default=3,
            lo=1,
            hi=5,
            width=8,
            note="1–5，5 最优先（默认 3）/ 5 = highest",
        ),
        Column(
            "last_repost",
            "上次重发",
            "last_repost",
            "datetime",
            width=17,
            number_format="yyyy-mm-dd hh:mm",
        ),
        Column(
            "include",
            "参与重发",
            "include",
            "bool",
            default=True,
            width=9,
            note="是 / 否（默认 是）",
        ),
    ),
    unique=("product_id",),
)

TRAFFIC = SheetSpec(
    "流量",
    "Traffic",
    "Traffic",
    (
        Column(
            "date",
            "日期",
            "date",
            "date",
            required=True,
            nonempty=True,
            width=12,
            number_format="yyyy-mm-dd",
            aliases=("统计日期",),
        ),
        Column(
            "hour",
            "小时",
            "hour",
            "int",
            required=True,
            nonempty=True,
            lo=0,
            hi=23,
            width=7,
            aliases=("时段",),
        ),
        Column(
            "visitors",
            "访客数",
            "visitors",
            "number",
            required=True,
            nonempty=True,
            lo=0,
            width=9,
            aliases=("UV", "uv"),
        ),
        Column(
            "page_views",
            "浏览量",
            "page_views",
            "number",
            lo=0,
            width=9,
            aliases=("PV", "pv"),
        ),
    ),
    unique=("date", "hour"),
)

INQUIRIES = SheetSpec(
    "咨询",
    "Inquiries",
    "Inquiries",
    (
        Column("date", "日期", "date", "date", width=12, number_format="yyyy-mm-dd"),
        Column("time", "时间", "time", "time", width=8, number_format="hh:mm"),
        Column("customer", "客户", "customer", width=16),
        Column(
            "channel",
            "渠道",
            "channel",
            "choice",
            choices=("旺旺", "电话", "微信", "询价单"),
            width=8,
        ),
        Column("product_id", "商品ID", "product_id", "id", width=16),
        Column("question", "咨询内容", "question", width=28),
        Column("wording", "话术", "wording", width=16),
        Column(
            "outcome",
            "结果",
            "outcome",
            "choice",
            choices=("成交", "未成交", "跟进中"),
            width=8,
        ),
        Column("reason", "原因", "reason", width=14),
        Column(
            "amount", "金额", "amount", "number", width=10, number_format="#,##0.00"
        ),
        Column("clerk", "客服", "clerk", width=8),
    ),
)

KEYWORDS = SheetSpec(
    "关键词",
    "Keywords",
    "Keywords",
    (
        Column("keyword", "关键词", "keyword", width=20),
        Column(
            "source",
            "来源",
            "source",
            "choice",
            choices=("热搜榜", "长尾词", "类目频道", "同行", "热点"),
            width=10,
        ),
        Column("popularity", "搜索人气", "popularity", "number", width=10),
        Column("ctr", "点击率", "ctr", "number", width=8, number_format="0.00%"),
        Column("competition", "竞争度", "competition", "number", width=8),
        Column(
            "collected_on",
            "采集日期",
            "collected_on",
            "date",
            width=12,
            number_format="yyyy-mm-dd",
        ),
        Column("status", "状态", "status", width=12),
        Column("note", "备注", "note", width=20),
    ),
)

TASKS = SheetSpec(
    "任务",
    "Tasks",
    "Tasks",
    (
        Column("date", "日期", "date", "date", width=12, number_format="yyyy-mm-dd"),
        Column("time", "时间", "time", "time", width=8, number_format="hh:mm"),
        Column("task", "任务", "task", width=24),
        Column(
            "owner",
            "负责人",
            "owner",
            "choice",
            choices=("客服", "美工", "运营"),
            width=8,
        ),
        Column(
            "status",
            "状态",
            "status",
            "choice",
            choices=("待办", "进行中", "完成"),
            width=8,
        ),
        Column("effect", "效果分析", "effect", width=30),
    ),
)

SETTINGS = SheetSpec(
    "设置",
    "Settings",
    "Settings",
    (
        Column(
            "key",
            "设置项",
            "setting",
            required=True,
            width=16,
            aliases=("设置", "key", "名称"),
        ),
        Column(
            "value", "值", "value", required=True, width=26, aliases=("数值", "value")
        ),
        Column("note", "说明", "note", width=60, aliases=("备注",)),
    ),
)

PLAN = SheetSpec(
    "重发计划",
    "RepostPlan",
    "RepostPlan",
    (
        Column(
            "time",
            "时间",
            "time",
            "datetime",
            width=17,
            number_format="yyyy-mm-dd hh:mm",
        ),
        Column("hour", "小时", "hour", "int", width=6),
        Column("product_id", "商品ID", "product_id", "id", width=16),
        Column("title", "商品名称", "title", width=40),
        Column("category", "类目", "category", width=10),
        Column("priority", "优先级", "priority", "int", width=8),
        Column("done", "完成", "done", width=7, note="重发后打 √ / tick when reposted"),
    ),
)

HOURS = SheetSpec(
    "重发计划",
    "HourlySummary",
    "HourlySummary",
    (
        Column("hour", "小时", "hour", "int", width=6),
        Column("label", "时段", "window", width=13),
        Column(
            "mean_visitors",
            "平均访客",
            "mean_visitors",
            "number",
            width=9,
            number_format="0.0",
        ),
        Column("weight", "流量权重", "weight", "number", width=9, number_format="0.0%"),
        Column("capacity", "容量", "capacity", "int", width=6),
        Column("slots", "重发数", "slots", "int", width=7),
    ),
)

DATA_SHEETS = (PRODUCTS, TRAFFIC, INQUIRIES, KEYWORDS, TASKS)


# -- cell normalisation --------------------------------------------------------
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
    return isinstance(value, str) and norm_text(value) == ""


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
@dataclass
class Parsed:
    """A sheet read into canonical columns, with where each row and column came from."""

    frame: pd.DataFrame
    columns: dict[str, int]  # key -> Excel column number
    header_row: int
    problems: list[Problem]


def find_header(
    rows: list[list[Any]], spec: SheetSpec
) -> tuple[int, dict[str, int], list[Problem]]:
    """The header row (0-based in ``rows``) and key -> 0-based column, by best match in the first rows."""
    lookup = {header_key(name): col.key for col in spec.columns for name in col.names}
    best, best_hits = 0, -1
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = sum(1 for v in row if not is_blank(v) and header_key(v) in lookup)
        if hits > best_hits:
            best, best_hits = i, hits
    mapping: dict[str, int] = {}
    problems: list[Problem] = []
    for j, value in enumerate(rows[best] if rows else []):
        if is_blank(value):
            continue
        key = lookup.get(header_key(value))
        if key is None:
            continue
        if key in mapping:
            col = spec.column(key)
            problems.append(
                Problem(
                    spec.name,
                    "duplicate_header",
                    f"表头「{col.zh}」出现了两次 / header appears twice",
                    "删掉或改名其中一列 / delete or rename one of them",
                    column=col.zh,
                    value=value,
                )
            )
            continue
        mapping[key] = j
    return best, mapping, problems


def parse_sheet(
    rows: list[list[Any]], spec: SheetSpec, first_row: int = 1, first_col: int = 1
) -> Parsed:
    """Read a block of raw cells (the sheet's used range starting at Excel row/col
    ``first_row``/``first_col``) into typed canonical columns, collecting every problem."""
    hdr, mapping, problems = find_header(rows, spec)
    for col in spec.columns:
        if col.required and col.key not in mapping:
            problems.append(
                Problem(
                    spec.name,
                    "missing_header",
                    f"找不到表头「{col.zh}」/ header '{col.en}' not found",
                    f"在第 {first_row + hdr} 行加上一列「{col.zh}」（或英文 {col.en}）/ add a '{col.zh}' column to the header row",
                    row=first_row + hdr,
                    column=col.zh,
                )
            )
    body = [r for r in rows[hdr + 1 :]]
    excel_rows = [first_row + hdr + 1 + i for i in range(len(body))]
    keep = [i for i, r in enumerate(body) if not all(is_blank(v) for v in r)]
    out: dict[str, Any] = {"_row": np.array([excel_rows[i] for i in keep], dtype=int)}
    for col in spec.columns:
        j = mapping.get(col.key)
        if j is None:  # an absent optional column reads as its default everywhere
            out[col.key] = _as_series([col.default] * len(keep), col)
            continue
        raw = [body[i][j] if j < len(body[i]) else None for i in keep]
        out[col.key] = _parse_column(
            raw, col, spec, out["_row"], first_col + j, problems
        )
    frame = pd.DataFrame(out)
    if spec.unique and not frame.empty:
        _check_unique(frame, spec, first_col + mapping.get(spec.unique[0], 0), problems)
    columns = {k: first_col + j for k, j in mapping.items()}
    return Parsed(frame, columns, first_row + hdr, problems)


_READERS = {
    "number": to_number,
    "int": to_number,
    "date": lambda v: to_datetime(v, date_only=True),
    "datetime": to_datetime,
    "time": to_time,
    "bool": to_bool,
    "id": to_id,
}

_HINTS = {
    "number": "请填数字，如 12 或 1200（不要写“十”、“N/A”）/ enter a number",
    "int": "请填整数 / enter a whole number",
    "date": "请填日期，如 2026-11-24 / enter a date",
    "datetime": "请填日期时间，如 2026-11-24 10:30，或留空 / enter a date-time or leave empty",
    "time": "请填时间，如 10:30 / enter a time",
    "bool": "请填 是 或 否 / enter 是 or 否",
}


def _parse_column(
    raw: list[Any],
    col: Column,
    spec: SheetSpec,
    rows: np.ndarray,
    excel_col: int,
    problems: list[Problem],
) -> Any:
    def problem(i: int, code: str, reason: str, hint: str) -> None:
        problems.append(
            Problem(
                spec.name,
                code,
                reason,
                hint,
                row=int(rows[i]),
                column=col.zh,
                col=excel_col,
                value=raw[i],
            )
        )

    reader = _READERS.get(col.kind)
    values: list[Any] = []
    for i, v in enumerate(raw):
        if is_blank(v):
            if col.nonempty:
                problem(
                    i,
                    "empty",
                    "不能为空 / must not be empty",
                    f"请填写「{col.zh}」/ fill in {col.en}",
                )
            values.append(col.default)
            continue
        if is_error(v):
            problem(
                i,
                "error_value",
                f"单元格是错误值 {v} / the cell holds an error",
                "修好公式或改成数值 / fix the formula or type the value",
            )
            values.append(None)
            continue
        if reader is None:
            text = norm_text(v) if not isinstance(v, str) else v.strip()
            if col.kind == "choice" and col.choices and norm_text(v) in col.choices:
                text = norm_text(v)
            values.append(text)
            continue
        try:
            parsed = reader(v)
        except (ValueError, TypeError, OverflowError):
            problem(
                i,
                "type",
                f"看不懂这个{'日期' if 'date' in col.kind else '值'} / not a valid {col.kind}",
                _HINTS.get(col.kind, "请改正 / please fix"),
            )
            values.append(None)
            continue
        if col.kind == "int" and not float(parsed).is_integer():
            problem(
                i, "not_integer", "必须是整数 / must be a whole number", _HINTS["int"]
            )
            values.append(None)
            continue
        if (col.lo is not None and parsed < col.lo) or (
            col.hi is not None and parsed > col.hi
        ):
            lo, hi = _fmt(col.lo), _fmt(col.hi)
            rng = f"{lo}–{hi}" if col.hi is not None else f"≥ {lo}"
            problem(
                i,
                "range",
                f"超出范围 {rng} / out of range {rng}",
                f"请填 {rng} 之间的数 / enter a value in {rng}",
            )
            values.append(None)
            continue
        if col.kind == "date":
            parsed = dt.datetime(parsed.year, parsed.month, parsed.day)
        values.append(parsed)
    return _as_series(values, col)


def _fmt(x: float | None) -> str:
    return "" if x is None else (str(int(x)) if float(x).is_integer() else str(x))


def _as_series(values: list[Any], col: Column) -> pd.Series:
    if col.kind == "int":
        return pd.Series(
            [np.nan if v is None else v for v in values], dtype="float64"
        ).astype("Int64")
    if col.kind == "number":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if col.kind in ("date", "datetime"):
        return pd.Series(
            pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]"
        )
    if col.kind == "bool":
        return pd.Series(values, dtype="boolean")
    return pd.Series(values, dtype=object)


def _check_unique(
    frame: pd.DataFrame, spec: SheetSpec, excel_col: int, problems: list[Problem]
) -> None:
    """Report every row whose key repeats an earlier row's (the first one stays valid)."""
    cols = list(spec.unique)
    sub = frame[cols]
    dup = sub.duplicated(keep="first") & sub.notna().all(axis=1)
    if not dup.any():
        return
    first = frame.groupby(cols, dropna=True)["_row"].transform("min")
    col = spec.column(cols[0])
    label = "、".join(spec.column(c).zh for c in cols)
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(
            Problem(
                spec.name,
                "duplicate",
                f"「{label}」与第 {int(first.iloc[i])} 行重复 / duplicate of row {int(first.iloc[i])}",
                "删掉重复的一行，或改正它 / remove or correct the duplicate row",
                row=int(frame["_row"].iloc[i]),
                column=col.zh,
                col=excel_col,
                value=frame[cols[0]].iloc[i],
            )
        )
