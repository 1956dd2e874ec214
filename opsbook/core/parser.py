"""Reading a sheet: find its header row, map headers to columns, read every cell.

``parse_sheet`` turns a block of raw cell values into a typed DataFrame with
canonical English column names plus ``_row`` (the Excel row number), and
gathers every Problem on the way (pandera-style) instead of stopping at the
first, so staff fix them all in one pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from .cells import (
    header_key,
    is_blank,
    is_error,
    norm_text,
    to_bool,
    to_datetime,
    to_id,
    to_number,
    to_time,
)
from .schema import Column, SheetSpec

HEADER_SCAN_ROWS = 15


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
    problems += _headless_columns(rows, hdr, spec, first_row, first_col)
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


def _headless_columns(
    rows: list[list[Any]], hdr: int, spec: SheetSpec, first_row: int, first_col: int
) -> list[Problem]:
    """A column with data but a blank header (a merged or deleted header cell) is reported."""
    if not rows:
        return []
    header = rows[hdr]
    width = max(len(r) for r in rows)
    out = []
    for j in range(width):
        if j < len(header) and not is_blank(header[j]):
            continue
        if any(j < len(r) and not is_blank(r[j]) for r in rows[hdr + 1 :]):
            out.append(
                Problem(
                    spec.name,
                    "no_header",
                    "这一列有数据但没有表头（表头单元格被合并或删掉了？）/ this column has data but no header (merged header cells?)",
                    "取消合并表头单元格，给这一列写上表头 / unmerge the header cells and name the column",
                    row=first_row + hdr,
                    col=first_col + j,
                )
            )
    return out


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

    fast = _fast_column(raw, col)
    if fast is not None:
        return fast
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
        if reader is not None and isinstance(v, str) and v.startswith("="):
            problem(
                i,
                "formula",
                "单元格是公式，opsbook 不计算公式 / the cell holds a formula, which opsbook does not evaluate",
                "复制后“选择性粘贴 → 数值”，或直接输入数值 / paste it as a value, or type the value",
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
            parsed: Any = reader(v)
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
        if col.kind in ("date", "datetime") and not _DATE_MIN <= parsed <= _DATE_MAX:
            problem(
                i,
                "range",
                "日期不合理（年份应在 1900–2200 之间）/ date out of range",
                "检查年份是否打错 / check the year for a typo",
            )
            values.append(None)
            continue
        values.append(parsed)
    return _as_series(values, col)


def _fast_column(raw: list[Any], col: Column) -> pd.Series | None:
    """The column in one vectorised step when every cell is a plain value of its kind
    that passes every check (what the cell-by-cell path would give, without a problem);
    None, so the column is read cell by cell, as soon as one is not."""
    if not raw:
        return None
    kinds = {type(v) for v in raw}
    if col.kind in ("int", "number") and kinds <= {int, float}:
        numbers = np.asarray(raw, dtype=float)
        ok = bool(np.isfinite(numbers).all())  # NaN is a blank; the slow path decides
        ok = ok and not (col.kind == "int" and (numbers != np.floor(numbers)).any())
        ok = ok and not (col.lo is not None and (numbers < col.lo).any())
        ok = ok and not (col.hi is not None and (numbers > col.hi).any())
        if not ok:
            return None
        series = pd.Series(numbers, dtype="float64")
        return series.astype("Int64") if col.kind == "int" else series
    if (
        col.kind in ("date", "datetime")
        and len(kinds) == 1
        and kinds <= {dt.datetime, dt.date}
    ):
        low, high = min(raw), max(raw)
        if isinstance(low, dt.datetime):
            if any(v.tzinfo is not None for v in (low, high)) or any(
                v.tzinfo for v in raw
            ):
                return None
            inside = low >= _DATE_MIN and high <= _DATE_MAX
        else:
            inside = _DATE_MIN.date() <= low and high <= _DATE_MAX.date()
        if not inside:
            return None
        stamps = pd.to_datetime(pd.Series(raw, dtype=object))
        if col.kind == "date":
            stamps = stamps.dt.normalize()
        return pd.Series(stamps, dtype="datetime64[ns]")
    return None


# pandas holds datetimes as nanoseconds (years 1677–2262); a typo such as 3024
# must come back as a problem, not as an overflow deep in a macro
_DATE_MIN, _DATE_MAX = dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31, 23, 59, 59)


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
