"""Writes a fresh opsbook workbook: the sheets of the data contract, as Excel tables.

This is the one place that lays out a new book (``opsbook new`` and ``opsbook
demo``): every data sheet is an Excel table (ListObject) with Chinese headers,
frozen header row, column widths, number formats and drop-down lists, so staff
add rows as usual. The desktop template (VBA, buttons, UDFs) extends this
module; the layout of the plan sheet (where the plan and its hourly summary sit)
is defined here and read by the macros.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import NumDataSource, NumRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .analysis_sheets import (
    ANALYSIS_SHEET,
    TRAFFIC_SHEET,
    lay_out_analysis_sheet,
    lay_out_traffic_sheet,
)
from .consolidate import breakdown_headers
from .files import atomic_save
from .schema import (
    CAMPAIGNS,
    DAILY,
    DATA_SHEETS,
    EFFECT,
    HISTORY,
    HOURS,
    LEFT_OUT,
    PLAN,
    SETTINGS,
    YES,
    Column,
    SheetSpec,
)
from .settings import SETTINGS_ROWS

# Where the plan sheet's blocks start (row, column), 1-based.
PLAN_AT = (1, 1)
HOURS_AT = (1, len(PLAN.columns) + 2)
INFO_AT = (1, HOURS_AT[1] + len(HOURS.columns) + 1)
INFO_KEYS = (
    "计划日期 plan date",
    "生成时间 built at",
    "重发总数 reposts",
    "流量权重来源 weights from",
    "流量天数 traffic days",
    "未排入 left out",
)
#: The left-out table sits below the hourly summary (header + at most 24 hours),
#: in its columns, so it never meets the plan (A–G) or the blocks right of it.
LEFT_OUT_AT = (HOURS_AT[0] + 1 + 24 + 2, HOURS_AT[1])

# 日报: the today block at the top, the 14-day trend block beside it (read by the
# chart), and the one-row-per-date table below.
TODAY_AT = (1, 1)
TODAY_KEYS = (
    "今日概览 日期 date",
    "咨询数 inquiries",
    "成交数 deals",
    "转化率 conversion",
    "成交金额 amount",
    "访客数 visitors",
    "高峰小时 peak hour",
    "新关键词 new keywords",
    "任务完成 tasks done",
    "重发完成 reposts done",
    "未成交主要原因 top lost reasons",
    "临近截止的活动 campaigns due",
)
TREND_AT = (1, 4)
TREND_DAYS = 14
TREND_HEADERS = ("日期", "咨询数", "成交数", "访客数")
DAILY_AT = (max(TODAY_AT[0] + len(TODAY_KEYS), TREND_AT[0] + TREND_DAYS) + 2, 1)
CHART_ANCHOR = "I1"
# Below the info block: the button (macro-enabled books) and then the chart.
BUTTON_ROW = INFO_AT[0] + len(INFO_KEYS) + 2
PLAN_CHART_AT = f"{get_column_letter(INFO_AT[1])}{BUTTON_ROW + 3}"

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
VALIDATION_ROWS = 5000  # drop-downs cover this many rows below the header


def _dv_list(
    ws: Worksheet, col: int, choices: tuple[str, ...], prompt: str = ""
) -> None:
    letter = get_column_letter(col)
    dv = DataValidation(
        type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
    )
    dv.error = "请从下拉列表中选择 / pick a value from the list: " + "、".join(choices)
    dv.errorTitle = "opsbook"
    if prompt:
        dv.prompt, dv.promptTitle, dv.showInputMessage = prompt, "opsbook", True
    dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
    ws.add_data_validation(dv)


def _validations(ws: Worksheet, spec: SheetSpec) -> None:
    for j, col in enumerate(spec.columns, start=1):
        if col.kind == "choice":
            _dv_list(ws, j, col.choices, col.note)
        elif col.kind == "bool":
            _dv_list(ws, j, ("是", "否"), col.note)
        elif col.kind == "int" and col.lo is not None and col.hi is not None:
            letter = get_column_letter(j)
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1=str(int(col.lo)),
                formula2=str(int(col.hi)),
                allow_blank=True,
            )
            dv.error = f"请填 {int(col.lo)}–{int(col.hi)} 的整数 / whole number {int(col.lo)}–{int(col.hi)}"
            if col.note:
                dv.prompt, dv.promptTitle, dv.showInputMessage = (
                    col.note,
                    "opsbook",
                    True,
                )
            dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(dv)


def _cell(value: Any, col: Column) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if col.kind == "bool" and isinstance(value, bool):
        return YES if value else "否"
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def write_table(
    ws: Worksheet,
    spec: SheetSpec,
    rows: list[list[Any]],
    at: tuple[int, int] = (1, 1),
    *,
    style: str = "TableStyleMedium2",
    notes: str = "comment",
) -> None:
    """Header + rows as an Excel table at ``at``, with widths, formats and header notes.

    ``notes="prompt"`` shows a header's note as the cell's input message instead
    of a comment: sheets that carry a button keep their VML drawing to the button
    alone, since openpyxl re-serialises a drawing it has to merge comments into.
    """
    r0, c0 = at
    for j, col in enumerate(spec.columns):
        cell = ws.cell(row=r0, column=c0 + j, value=col.zh)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        if col.note and notes == "comment":
            cell.comment = Comment(col.note, "opsbook")
        elif col.note:
            dv = DataValidation(showInputMessage=True, allow_blank=True)
            dv.prompt, dv.promptTitle = col.note, col.zh
            dv.add(cell.coordinate)
            ws.add_data_validation(dv)
        ws.column_dimensions[get_column_letter(c0 + j)].width = col.width
    for i, row in enumerate(rows, start=1):
        for j, (value, col) in enumerate(zip(row, spec.columns, strict=True)):
            cell = ws.cell(row=r0 + i, column=c0 + j, value=_cell(value, col))
            if col.number_format:
                cell.number_format = col.number_format
    last_row = r0 + max(1, len(rows))
    ref = f"{get_column_letter(c0)}{r0}:{get_column_letter(c0 + len(spec.columns) - 1)}{last_row}"
    table = Table(displayName=spec.table, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
    ws.add_table(table)


def _frame_rows(frame: pd.DataFrame | None, spec: SheetSpec) -> list[list[Any]]:
    if frame is None or frame.empty:
        return []
    cols = [c.key for c in spec.columns]
    return (
        frame.reindex(columns=cols)
        .astype(object)
        .where(frame.reindex(columns=cols).notna(), None)
        .values.tolist()
    )


def _settings_sheet(ws: Worksheet, overrides: dict[str, Any]) -> None:
    rows = [[s.zh, overrides.get(s.key, s.default), s.note] for s in SETTINGS_ROWS]
    write_table(ws, SETTINGS, rows, style="TableStyleLight9")
    for i, s in enumerate(SETTINGS_ROWS, start=2):
        if s.key == "plan_date":
            ws.cell(row=i, column=2).number_format = "yyyy-mm-dd"
        ws.cell(row=i, column=3).alignment = Alignment(wrap_text=False)


def _plan_sheet(ws: Worksheet) -> None:
    write_table(ws, PLAN, [], PLAN_AT, notes="prompt")
    # LeftOut shares the summary's columns: lay it out first so the summary's widths win
    write_table(
        ws, LEFT_OUT, [], LEFT_OUT_AT, style="TableStyleLight15", notes="prompt"
    )
    write_table(ws, HOURS, [], HOURS_AT, style="TableStyleLight9", notes="prompt")
    for key in ("last_repost", "earliest"):
        col = LEFT_OUT_AT[1] + [c.key for c in LEFT_OUT.columns].index(key)
        ws.column_dimensions[get_column_letter(col)].width = 17
    r, c = INFO_AT
    ws.column_dimensions[get_column_letter(c)].width = 28
    ws.column_dimensions[get_column_letter(c + 1)].width = 18
    for i, key in enumerate(INFO_KEYS):
        ws.cell(row=r + i, column=c, value=key).font = Font(bold=True)
        ws.cell(row=r + i, column=c).fill = HEADER_FILL
    ws.freeze_panes = "A2"
    # The clerk prints the plan: landscape, all columns on one page width.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_area = (
        f"A1:{get_column_letter(PLAN_AT[1] + len(PLAN.columns) - 1)}{VALIDATION_ROWS}"
    )
    ws.add_chart(plan_chart(ws), PLAN_CHART_AT)


def plan_chart(ws: Worksheet) -> BarChart:
    """Planned slots per hour (columns) against the hour's traffic weight (line, second axis).

    It reads the hourly summary's rows (header + 24), so it follows every rebuilt plan.
    """
    r, c = HOURS_AT
    col = {x.key: c + i for i, x in enumerate(HOURS.columns)}
    bars = BarChart()
    bars.title = "重发数 vs 流量权重 / slots vs weight"
    bars.add_data(
        Reference(ws, min_col=col["slots"], min_row=r, max_row=r + 24),
        titles_from_data=True,
    )
    bars.set_categories(
        Reference(ws, min_col=col["label"], min_row=r + 1, max_row=r + 24)
    )
    bars.y_axis.title = "重发数 slots"
    line = LineChart()
    line.add_data(
        Reference(ws, min_col=col["weight"], min_row=r, max_row=r + 24),
        titles_from_data=True,
    )
    line.y_axis.axId = 200
    line.y_axis.title = "流量权重 weight"
    line.y_axis.number_format = "0%"
    line.y_axis.crosses = "max"
    bars += line
    bars.legend.position = "b"
    bars.width, bars.height = 11, 7.5
    return bars


def _daily_sheet(ws: Worksheet) -> None:
    r, c = TODAY_AT
    for i, key in enumerate(TODAY_KEYS):
        cell = ws.cell(row=r + i, column=c, value=key)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    ws.cell(row=r, column=c + 1).number_format = "yyyy-mm-dd"
    ws.column_dimensions[get_column_letter(c)].width = 28
    ws.column_dimensions[get_column_letter(c + 1)].width = 22
    tr, tc = TREND_AT
    for j, name in enumerate(TREND_HEADERS):
        ws.cell(row=tr, column=tc + j, value=name).font = Font(bold=True)
    for i in range(1, TREND_DAYS + 1):
        ws.cell(row=tr + i, column=tc).number_format = "mm-dd"
    extra = tuple(Column(h, h, h, "int", width=10) for h in breakdown_headers())
    write_table(
        ws,
        SheetSpec(DAILY.name, DAILY.en, DAILY.table, (*DAILY.columns, *extra)),
        [],
        DAILY_AT,
    )
    ws.column_dimensions[get_column_letter(c)].width = 28
    ws.column_dimensions[get_column_letter(c + 1)].width = 22
    ws.add_chart(trend_chart(ws), CHART_ANCHOR)


def trend_chart(ws: Worksheet) -> BarChart:
    """Inquiries and deals as columns, visitors as a line on a second axis, last 14 days."""
    tr, tc = TREND_AT
    cats = Reference(ws, min_col=tc, min_row=tr + 1, max_row=tr + TREND_DAYS)
    bars = BarChart()
    bars.title = "近 14 天 咨询 / 成交 / 访客"
    bars.add_data(
        Reference(
            ws, min_col=tc + 1, max_col=tc + 2, min_row=tr, max_row=tr + TREND_DAYS
        ),
        titles_from_data=True,
    )
    bars.set_categories(cats)
    bars.y_axis.title = "咨询 / 成交"
    line = LineChart()
    line.add_data(
        Reference(ws, min_col=tc + 3, min_row=tr, max_row=tr + TREND_DAYS),
        titles_from_data=True,
    )
    line.y_axis.axId = 200
    line.y_axis.title = "访客"
    line.y_axis.crosses = "max"
    bars += line
    bars.width, bars.height = 20, 8
    return bars


def effect_chart(ws: Worksheet) -> BarChart:
    """Lift per hour with its 95% interval as error bars (reads the Effect table's rows)."""
    n = 25  # header + up to 24 hours
    col = {c.key: i + 1 for i, c in enumerate(EFFECT.columns)}
    chart = BarChart()
    chart.title = "重发后访客提升（95% 区间）/ lift after reposts"
    chart.add_data(
        Reference(ws, min_col=col["lift"], min_row=1, max_row=n), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=col["hour"], min_row=2, max_row=n))
    ref = "'{}'!${}$2:${}${}"

    def source(key: str) -> NumDataSource:
        letter = get_column_letter(col[key])
        return NumDataSource(numRef=NumRef(f=ref.format(ws.title, letter, letter, n)))

    chart.series[0].errBars = ErrorBars(
        errDir="y",
        errBarType="both",
        errValType="cust",
        plus=source("err_plus"),
        minus=source("err_minus"),
    )
    chart.y_axis.number_format = "0%"
    chart.y_axis.title = "提升 lift"
    chart.x_axis.title = "小时 hour"
    chart.width, chart.height = 18, 8
    return chart


GUIDE_SHEET = "说明"
GUIDE_TITLE = "opsbook 使用说明 / how to use this book"
GUIDE_LINES = {
    "desktop": (
        "1. 员工照常在 商品、咨询、任务、关键词 表里录入，新行接在表格下面（表格自动扩展）。优先级 5 最高、1 最低。"
        " / Staff enter rows as usual below each table; priority 5 is the highest.",
        "2. 运营点 重发计划 页的「生成重发计划」按钮：按 设置 的时段和数量排好今天的重发；客服按时间重发后在 完成 列打 √。"
        " / Build repost plan on 重发计划; the clerk ticks 完成 after each repost.",
        "3. 下班前点 日报 页的「汇总今日」：整理各表、写日报和明天的任务。生意参谋的流量导出用 流量 页的「导入流量」。"
        " / Consolidate day on 日报 before leaving; Import traffic on 流量.",
        "4. 出错时弹窗会写明 表、行、列 和改法，改好再点一次；opsbook 不会删除或改写员工录入的行。"
        " / An error names the sheet, row and column and how to fix it; staff rows are never deleted or rewritten.",
        "5. 按钮需要启用宏并装好 Python（运行一次 opsbook setup）；Mac 上按钮可用，但 REPOST_SLOTS 等公式只在 Windows Excel 计算，旁边有按钮写入的静态数字；WPS、LibreOffice 请用命令行 opsbook plan / consolidate。"
        " / Buttons need macros enabled and opsbook setup; formulas are Windows-only, static figures sit beside them; elsewhere use the command line.",
    ),
    "file": (
        "1. 员工照常在 商品、咨询、任务、关键词 表里录入，新行接在表格下面（表格自动扩展）。优先级 5 最高、1 最低。"
        " / Staff enter rows as usual below each table; priority 5 is the highest.",
        "2. 运营运行 opsbook plan 本文件：按 设置 的时段和数量在 重发计划 页排好今天的重发；客服重发后在 完成 列打 √。"
        " / opsbook plan FILE writes today's plan; the clerk ticks 完成 after each repost.",
        "3. 下班前运行 opsbook consolidate 本文件：整理各表、写日报和明天的任务；opsbook import-traffic 导入生意参谋流量。"
        " / opsbook consolidate FILE before leaving; opsbook import-traffic for traffic exports.",
        "4. 出错时命令会写明 表、行、列 和改法，改好再运行；opsbook 不会删除或改写员工录入的行。"
        " / An error names the sheet, row and column and how to fix it; staff rows are never deleted or rewritten.",
        "5. 想要按钮和公式：用 opsbook new 文件名.xlsm 生成带宏的工作簿（Windows / Mac Excel）。"
        " / For buttons and worksheet functions, create a macro-enabled book: opsbook new NAME.xlsm.",
    ),
}


def _guide_sheet(ws: Worksheet, kind: str) -> None:
    """Five lines that tell staff what to do; the first sheet a new book opens on."""
    ws["A1"] = GUIDE_TITLE
    ws["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(GUIDE_LINES[kind], start=3):
        ws.cell(row=i, column=1, value=line).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        ws.row_dimensions[i].height = 48
    ws.column_dimensions["A"].width = 110
    ws.sheet_view.showGridLines = False


SHEET_ORDER = (
    GUIDE_SHEET,
    *(spec.name for spec in DATA_SHEETS),
    CAMPAIGNS.name,
    SETTINGS.name,
    PLAN.name,
    DAILY.name,
    TRAFFIC_SHEET,
    ANALYSIS_SHEET,
    HISTORY.name,
    EFFECT.name,
)


def build_workbook(
    frames: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
    wb: Workbook | None = None,
    *,
    guide: str = "file",
) -> Workbook:
    """A new workbook with every sheet of the contract; ``frames`` fill the data sheets.

    ``wb`` is a workbook to fill instead of a blank one (the macro-enabled shell,
    whose sheets already exist, named as in ``SHEET_ORDER``); ``guide`` chooses
    the 说明 text: ``"file"`` (command line) or ``"desktop"`` (buttons).
    """
    frames = frames or {}
    if wb is None:
        wb = Workbook()
        wb.remove(wb.active)

    def sheet(name: str) -> Worksheet:
        return wb[name] if name in wb.sheetnames else wb.create_sheet(name)

    _guide_sheet(sheet(GUIDE_SHEET), guide)
    keys = {
        "商品": "products",
        "流量": "traffic",
        "咨询": "inquiries",
        "关键词": "keywords",
        "任务": "tasks",
    }
    for spec in DATA_SHEETS:
        ws = sheet(spec.name)
        write_table(ws, spec, _frame_rows(frames.get(keys[spec.name]), spec))
        ws.freeze_panes = "A2"
        _validations(ws, spec)
    ws = sheet(CAMPAIGNS.name)
    write_table(ws, CAMPAIGNS, _frame_rows(frames.get("campaigns"), CAMPAIGNS))
    ws.freeze_panes = "A2"
    _validations(ws, CAMPAIGNS)
    _settings_sheet(sheet(SETTINGS.name), settings or {})
    wb[SETTINGS.name].freeze_panes = "A2"
    _plan_sheet(sheet(PLAN.name))
    _daily_sheet(sheet(DAILY.name))
    lay_out_traffic_sheet(sheet(TRAFFIC_SHEET))
    lay_out_analysis_sheet(sheet(ANALYSIS_SHEET))
    history = sheet(HISTORY.name)
    write_table(history, HISTORY, _frame_rows(frames.get("history"), HISTORY))
    history.freeze_panes = "A2"
    effect = sheet(EFFECT.name)
    write_table(effect, EFFECT, [])
    effect.freeze_panes = "A2"
    effect.add_chart(effect_chart(effect), "A28")
    wb.active = 0
    return wb


def write_new_book(
    path: str | os.PathLike[str],
    frames: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a new workbook at ``path`` (atomically); refuse to overwrite unless asked."""
    from .errors import BookFileError, Problem

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise BookFileError(
            [
                Problem(
                    path.name,
                    "file",
                    "新工作簿需要 .xlsx 扩展名 / a new book needs the .xlsx extension",
                    "换成 .xlsx 文件名 / use a name ending in .xlsx",
                )
            ]
        )
    if path.exists() and not overwrite:
        raise BookFileError(
            [
                Problem(
                    path.name,
                    "file",
                    "文件已存在，不会覆盖 / file exists, not overwritten",
                    "换个文件名，或加 --force 覆盖 / choose another name or pass --force",
                )
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # every write keeps the previous version
        from .backups import make_backup

        make_backup(path.resolve())
    atomic_save(build_workbook(frames, settings), path.resolve())
    return path


def demo_frames(plan_date: dt.date) -> dict[str, pd.DataFrame]:
    from .sample import sample_frames

    return sample_frames(plan_date, day_done=True)
