"""Reading 生意参谋 traffic exports: .csv (UTF-8 or GBK), .xlsx and old .xls.

Exports have title rows above the header (the header row is found by its
names within the first rows), headers spelled several ways (时间/小时/时段,
访客数/UV, 浏览量/PV, 日期/统计日期), hours written as ``10``, ``10:00``,
``10:00-11:00``, ``10时`` or ``10点``, ``,`` thousands separators and ``-`` for
zero; a totals line (合计/总计) is skipped, and columns opsbook does not read
(跳失率 and other rates written ``12.5%``) are ignored. A file that is not a
traffic export is refused with the headers it has and the ones expected; a
cell that cannot be read is refused with its place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.cells import header_key, is_blank, norm_text, to_datetime, to_number
from ..errors import InputError, Problem

HEADER_SCAN_ROWS = 15
ALIASES = {
    "date": ("日期", "统计日期", "date", "day", "统计时间"),
    "hour": ("小时", "时段", "时间", "hour", "time", "时刻"),
    "visitors": ("访客数", "uv", "visitors", "访客"),
    "page_views": ("浏览量", "pv", "pageviews", "page views", "浏览次数"),
}
_LOOKUP = {header_key(name): key for key, names in ALIASES.items() for name in names}
_DATE_IN_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_HOUR = re.compile(
    r"^(\d{1,2})(?:\s*[:：]\s*00)?(?:\s*[时点])?(?:\s*[-~～至到]\s*\d{1,2}(?:[:：]\d{2})?[时点]?)?$"
)
ENCODINGS = ("utf-8-sig", "gb18030")


def read_rows(path: Path) -> list[list[Any]]:
    """The first sheet (or the CSV) as rows of raw cell values."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        for encoding in ENCODINGS:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise _refuse(
                path,
                "文件编码看不懂 / unknown text encoding",
                "用 Excel 另存为 CSV UTF-8 / save as CSV UTF-8",
            )
        return [row for row in csv.reader(io.StringIO(text))]
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(
            io.BytesIO(path.read_bytes()), read_only=True, data_only=True
        )
        try:
            return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    if suffix == ".xls":
        import xlrd

        book = xlrd.open_workbook(file_contents=path.read_bytes())
        sheet = book.sheet_by_index(0)
        rows = []
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(
                        xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
                    )
                else:
                    row.append(cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None)
            rows.append(row)
        return rows
    raise _refuse(
        path,
        f"不支持 {suffix or '无扩展名'} 文件 / unsupported file type",
        "请用生意参谋导出的 .xls、.xlsx 或 .csv / use a .xls, .xlsx or .csv export",
    )


def _refuse(path: Path, reason: str, hint: str, **where: Any) -> InputError:
    return InputError([Problem(path.name, "export", reason, hint, **where)])


def read_hour(value: Any) -> int:
    """``10``, ``10:00``, ``10:00-11:00``, ``10时``, ``10点``, a time or a day fraction -> 10."""
    if isinstance(value, (dt.datetime, dt.time)):
        return value.hour
    if isinstance(value, float) and 0 < value < 1:
        return round(value * 24 * 60) // 60
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
    ):
        hour = int(value)
    else:
        m = _HOUR.match(norm_text(value))
        if not m:
            raise ValueError(value)
        hour = int(m.group(1))
    if not 0 <= hour <= 23:
        raise ValueError(value)
    return hour


def read_count(value: Any) -> float:
    """Visitors or page views: ``1,234`` and ``-`` (no value: 0) are read."""
    if is_blank(value) or norm_text(value) in ("-", "--", "—"):
        return 0.0
    number = to_number(value)
    if number < 0:
        raise ValueError(value)
    return number


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for j, value in enumerate(row):
            key = (
                None
                if is_blank(value)
                else _LOOKUP.get(header_key(value))
                or _LOOKUP.get(header_key(re.sub(r"[（(].*?[)）]", "", str(value))))
            )
            if key and key not in found:
                found[key] = j
        if {"hour", "visitors"} <= found.keys():
            return i, found
    return None


def _day_outside_table(
    path: Path, rows: list[list[Any]], header: int
) -> dt.date | None:
    """The export's day when there is no date column: from a title row, or a one-day file name."""
    for row in rows[:header]:
        for value in row:
            if isinstance(value, dt.datetime):
                return value.date()
            if not is_blank(value) and (m := _DATE_IN_TEXT.search(str(value))):
                return dt.date(*map(int, m.groups()))
    days = _DATE_IN_TEXT.findall(path.stem)
    if days and len(set(days)) == 1:
        return dt.date(*map(int, days[0]))
    return None


_TOTAL = re.compile(r"合计|总计|汇总|^total", re.IGNORECASE)


def _is_total(cells: dict[str, Any]) -> bool:
    """A totals line: 合计/总计 in the date or the hour cell (neither is then a real value)."""
    return any(
        not is_blank(cells.get(key)) and _TOTAL.search(norm_text(cells.get(key)))
        for key in ("date", "hour")
    )


def parse_export(path: Path, rows: list[list[Any]]) -> pd.DataFrame:
    """Rows of an export -> date, hour, visitors, page_views (page_views NaN if absent)."""
    found = _find_header(rows)
    if found is None:
        seen = next(
            (r for r in rows[:HEADER_SCAN_ROWS] if any(not is_blank(v) for v in r)), []
        )
        shown = "、".join(str(v) for v in seen if not is_blank(v))[:120] or "（空）"
        raise _refuse(
            path,
            f"不像生意参谋的流量导出：表头是 {shown} / not a traffic export, headers seen: {shown}",
            "需要有 小时（或 时间/时段）和 访客数（或 UV）两列，可选 日期/统计日期、浏览量/PV / expected hour and visitors columns",
        )
    header, cols = found
    day = None if "date" in cols else _day_outside_table(path, rows, header)
    if "date" not in cols and day is None:
        raise _refuse(
            path,
            "找不到日期：没有 日期 列，标题和文件名里也没有 / no date column, title or file-name date",
            "导出时带上 统计日期，或把文件名改成 …_2026-11-24_2026-11-24.csv / export with the date",
        )
    out, problems = [], []
    for i, row in enumerate(rows[header + 1 :], start=header + 2):
        cells = {key: (row[j] if j < len(row) else None) for key, j in cols.items()}
        if all(is_blank(v) for v in cells.values()):
            continue
        if _is_total(cells):
            continue  # a totals line
        record: dict[str, Any] = {}
        for key, reader in (
            ("date", lambda v: to_datetime(v, date_only=True)),
            ("hour", read_hour),
            ("visitors", read_count),
            ("page_views", read_count),
        ):
            if key not in cols:
                continue
            try:
                record[key] = reader(cells[key])
            except (ValueError, TypeError, OverflowError):
                problems.append(
                    Problem(
                        path.name,
                        "export_cell",
                        "看不懂这个值 / cannot read this value",
                        "改正导出文件里的这一格，或重新导出 / fix this cell or export again",
                        row=i,
                        col=cols[key] + 1,
                        column=str(rows[header][cols[key]]),
                        value=cells[key],
                    )
                )
        if not problems:
            when = record.get("date") or day
            out.append(
                (
                    pd.Timestamp(when).normalize(),
                    record["hour"],
                    record["visitors"],
                    record.get("page_views"),
                )
            )
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(out, columns=["date", "hour", "visitors", "page_views"])
    return frame.drop_duplicates(["date", "hour"], keep="last").reset_index(drop=True)


def read_export(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise _refuse(path, "文件不存在 / file not found", "检查路径 / check the path")
    try:
        rows = read_rows(path)
    except InputError:
        raise
    except Exception as exc:  # a damaged or mislabelled file is refused, never a crash
        raise _refuse(
            path,
            f"读不了这个文件：{exc} / cannot read the file",
            "重新从生意参谋导出 / export it again",
        ) from exc
    return parse_export(path, rows)


def merge_traffic(
    existing: pd.DataFrame, incoming: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows to append, rows to update) keyed by date and hour; unchanged rows are neither.

    ``existing`` has date, hour, visitors, page_views and _row (its Excel row);
    the updates carry ``_row`` and the old figures as ``old_visitors``/``old_page_views``.
    """
    incoming = incoming.drop_duplicates(["date", "hour"], keep="last")
    if existing.empty:
        return incoming.sort_values(["date", "hour"]).reset_index(
            drop=True
        ), pd.DataFrame()
    old = existing[["date", "hour", "visitors", "page_views", "_row"]].rename(
        columns={"visitors": "old_visitors", "page_views": "old_page_views"}
    )
    old = old.assign(
        date=pd.to_datetime(old["date"]).dt.normalize(), hour=old["hour"].astype(int)
    )
    merged = incoming.merge(old, on=["date", "hour"], how="left")
    new = merged[merged["_row"].isna()][incoming.columns]
    known = merged[merged["_row"].notna()]
    changed_pv = known["page_views"].notna() & (
        known["page_views"] != known["old_page_views"]
    )
    changed = known[(known["visitors"] != known["old_visitors"]) | changed_pv]
    return new.sort_values(["date", "hour"]).reset_index(
        drop=True
    ), changed.reset_index(drop=True)
