"""The macros behind the workbook's buttons, as thin xlwings code over the core.

``build_repost_plan(book)`` is the one function that both hosts run: desktop
Excel calls it through RunPython (``buttons.plan`` -> ``xw.Book.caller()``), the
``opsbook`` command line calls it on a book opened with the file engine. It
reads each sheet once, plans with the pure core, and writes each output block
once; when the book has problems it raises before writing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import xlwings as xw

from ..book.layout import HOURS_AT, INFO_AT, INFO_KEYS, LEFT_OUT_AT, PLAN_AT
from ..core.cells import is_blank
from ..core.parser import Parsed, parse_sheet
from ..core.planner import Plan, build_plan
from ..core.schema import HOURS, LEFT_OUT, PLAN, PRODUCTS, SETTINGS, TRAFFIC, SheetSpec
from ..core.settings import read_settings, rows_for
from ..errors import CapacityError, InputError, OpsbookError, Problem
from .blocks import table_named, update_table

Progress = Callable[[str], None]

LEFT_OUT_KEY = "未排入 left out"  # the info block's line for it (in INFO_KEYS)


def _quiet(_: str) -> None:
    pass


def read_sheet(book: xw.Book, spec: SheetSpec) -> Parsed:
    """One read of the sheet's used range, parsed against ``spec`` (problems collected, not raised)."""
    if spec.name not in [s.name for s in book.sheets]:
        problem = Problem(
            spec.name,
            "missing_sheet",
            f"工作簿里没有「{spec.name}」工作表 / sheet '{spec.en}' is missing",
            f"新建一个名为「{spec.name}」的工作表，或用 opsbook new 生成模板后把数据粘过去 / add the sheet, or start from `opsbook new`",
        )
        return Parsed(pd.DataFrame(), {}, 1, [problem])
    rng = book.sheets[spec.name].used_range
    raw = rng.options(pd.DataFrame, header=False, index=False, empty=None).value
    rows = raw.astype(object).where(raw.notna(), None).to_numpy().tolist()
    return parse_sheet(rows, spec, rng.row, rng.column)


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    kept_marks: int


def _carry_marks(book: xw.Book, plan: Plan) -> tuple[pd.DataFrame, int]:
    """Keep staff's 完成 ticks: a tick for a product still planned that day moves with it.

    A tick that would be lost (another day's plan, or a product no longer in the
    plan) stops the rebuild, so nothing staff entered disappears.
    """
    old = read_sheet(book, PLAN) if PLAN.name in [s.name for s in book.sheets] else None
    slots = plan.slots.copy()
    if old is None or old.frame.empty or "done" not in old.columns:
        return slots, 0
    ticked = old.frame[[not is_blank(v) for v in old.frame["done"]]]
    if ticked.empty:
        return slots, 0
    day = (
        pd.Timestamp(plan.slots["time"].iloc[0]).normalize()
        if len(plan.slots)
        else None
    )
    marks = {
        pid: mark
        for pid, mark, t in zip(
            ticked["product_id"], ticked["done"], ticked["time"], strict=True
        )
        if day is not None and pd.notna(t) and pd.Timestamp(t).normalize() == day
    }
    lost = ticked[~ticked["product_id"].isin(set(slots["product_id"]) & set(marks))]
    if not lost.empty:
        problems = [
            Problem(
                PLAN.name,
                "would_lose_marks",
                "这一行已打了完成标记，重新生成会丢掉它 / this row is ticked done and would be lost",
                "先把已完成的记录抄到别处（或清空 完成 列），再生成新计划 / copy the ticked rows elsewhere (or clear 完成) first",
                row=int(r),
                column="完成",
                col=old.columns["done"],
                value=v,
            )
            for r, v in zip(lost["_row"], lost["done"], strict=True)
        ]
        raise InputError(problems)
    slots["done"] = slots["product_id"].map(marks)
    return slots, len(marks)


def build_repost_plan(
    book: xw.Book, *, plan_date: dt.date | None = None, progress: Progress = _quiet
) -> PlanResult:
    """Read 设置/商品/流量, plan the day, write 重发计划 (plan, hourly summary, info) in blocks."""
    progress("读取 设置、商品、流量 / reading settings, products, traffic")
    parsed = {
        spec.name: read_sheet(book, spec) for spec in (SETTINGS, PRODUCTS, TRAFFIC)
    }
    problems = [p for part in parsed.values() for p in part.problems]
    settings = None
    if not parsed[SETTINGS.name].problems:
        try:
            s = parsed[SETTINGS.name]
            settings = read_settings(
                s.frame,
                s.columns.get("key", 1),
                s.columns.get("value", 2),
                plan_date=plan_date,
            )
        except InputError as exc:
            problems = exc.problems + problems
    if problems:
        raise InputError(problems)
    assert settings is not None
    products, traffic = parsed[PRODUCTS.name].frame, parsed[TRAFFIC.name].frame
    progress(
        f"计划 {settings.plan_date}：{len(products)} 件商品，{len(traffic)} 行流量 / planning"
    )
    try:
        plan = build_plan(products, traffic, settings)
    except CapacityError as exc:
        raise _locate_in_settings(exc, parsed[SETTINGS.name]) from None
    slots, kept = _carry_marks(book, plan)
    progress(f"写入 重发计划：{len(slots)} 行 / writing the plan")
    write_plan(book, plan, slots)
    return PlanResult(plan, kept)


def _locate_in_settings(exc: CapacityError, settings: Parsed) -> CapacityError:
    """Point a capacity problem at the 每日重发数量 cell, where it is usually fixed."""
    rows = rows_for(settings.frame, "daily_count")
    if rows.empty:
        return exc
    row, col = int(rows["_row"].iloc[0]), settings.columns.get("value", 2)
    return CapacityError(
        [
            replace(p, row=row, col=col, column=SETTINGS.column("value").zh)
            for p in exc.problems
        ]
    )


def write_plan(book: xw.Book, plan: Plan, slots: pd.DataFrame) -> None:
    """Plan table, hourly summary, left-out table and the info block: one write each
    (plus formats). A book made before the left-out table gets it on first use."""

    def rows(spec: SheetSpec, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[[c.key for c in spec.columns]].set_axis(spec.headers, axis=1)

    for spec, frame, at in ((PLAN, slots, PLAN_AT), (HOURS, plan.hours, HOURS_AT)):
        table = table_named(book, spec.name, spec.table, spec.headers, at)
        update_table(table, rows(spec, frame), spec.formats)
    sheet = book.sheets[LEFT_OUT.name]
    made = LEFT_OUT.table.lower() not in [t.name.lower() for t in sheet.tables]
    table = table_named(
        book, LEFT_OUT.name, LEFT_OUT.table, LEFT_OUT.headers, LEFT_OUT_AT
    )
    update_table(table, rows(LEFT_OUT, plan.left_out), LEFT_OUT.formats)
    if made:  # its two date-time columns sit in narrow hourly-summary columns
        r, c = LEFT_OUT_AT[0], LEFT_OUT_AT[1] + LEFT_OUT.headers.index("上次重发")
        sheet.range((r, c), (r, c + 1)).column_width = 17
    values = [
        str(plan.slots["time"].iloc[0].date()) if len(plan.slots) else "",
        dt.datetime.now().replace(microsecond=0),
        len(slots),
        f"访客数·{plan.profile}"
        if plan.weights_source == "traffic"
        else "平均分配 even",
        plan.traffic_days,
    ]
    info = dict(zip(INFO_KEYS, values, strict=False))
    info[LEFT_OUT_KEY] = len(plan.left_out)
    block = [[k, info.get(k)] for k in dict.fromkeys([*INFO_KEYS, LEFT_OUT_KEY])]
    row, col = INFO_AT
    gap = HOURS_AT[1] + len(HOURS.columns)  # the empty column left of the info block
    if gap < col:  # blank it: books made before the 批次 column had their info there
        block, col = [[None, *kv] for kv in block], gap
    book.sheets[PLAN.name].range((row, col)).value = block


# -- entry points for RunPython (desktop buttons) ------------------------------
def run_in_excel(book: xw.Book, macro: Callable[[xw.Book], object]) -> None:
    """Run a macro for a button: our errors become an alert, never a Python traceback popup."""
    try:
        macro(book)
    except OpsbookError as exc:
        book.app.alert(str(exc), title="opsbook")
    except Exception as exc:  # a bug: say so plainly, still in an alert
        book.app.alert(
            f"opsbook 出错了 / internal error: {exc!r}\n请把这条信息发给维护者 / please report this.",
            title="opsbook",
        )
