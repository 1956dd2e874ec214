"""Writes a fresh opsbook workbook: the sheets of the data contract, as Excel tables.

This is the one place that lays out a new book (``opsbook new`` and ``opsbook
demo``): every data sheet is an Excel table (ListObject) with Chinese headers,
frozen header row, column widths, number formats and drop-down lists, so staff
add rows as usual. The desktop template (VBA, buttons, UDFs) extends this
module; the layout of the plan sheet (where the plan and its hourly summary sit)
is defined in :mod:`opsbook.book.layout`, re-exported here and read by the macros.
The charts (:mod:`opsbook.book.charts`) and the 说明 guide (:mod:`opsbook.book.guide`)
live in their own modules and are re-exported too.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..core.consolidate import breakdown_headers
from ..core.schema import (
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
from ..core.settings import SETTINGS_ROWS
from .analysis_sheets import (
    ANALYSIS_SHEET,
    TRAFFIC_SHEET,
    lay_out_analysis_sheet,
    lay_out_traffic_sheet,
)
from .charts import effect_chart, plan_chart, trend_chart
from .files import atomic_save
from .guide import GUIDE_SHEET, write_guide_sheet
from .layout import (
    CHART_ANCHOR,
    DAILY_AT,
    HOURS_AT,
    INFO_AT,
    INFO_KEYS,
    LEFT_OUT_AT,
    PLAN_AT,
    PLAN_CHART_AT,
    SETTINGS_AT,
    TODAY_AT,
    TODAY_KEYS,
    TREND_AT,
    TREND_DAYS,
    TREND_HEADERS,
    header_fill,
)

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
    write_table(ws, SETTINGS, rows, SETTINGS_AT, style="TableStyleLight9")
    r, c = SETTINGS_AT
    for i, s in enumerate(SETTINGS_ROWS, start=r + 1):
        if s.key == "plan_date":
            ws.cell(row=i, column=c + 1).number_format = "yyyy-mm-dd"
        elif s.key == "suggest_share":
            ws.cell(row=i, column=c + 1).number_format = "0%"
        ws.cell(row=i, column=c + 2).alignment = Alignment(wrap_text=False)


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
        ws.cell(row=r + i, column=c).fill = header_fill()
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


def _daily_sheet(ws: Worksheet) -> None:
    r, c = TODAY_AT
    for i, key in enumerate(TODAY_KEYS):
        cell = ws.cell(row=r + i, column=c, value=key)
        cell.font, cell.fill = Font(bold=True), header_fill()
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

    write_guide_sheet(sheet(GUIDE_SHEET), guide)
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


def prepare_target(path: Path, overwrite: bool) -> None:
    """Refuse an existing file unless asked; else make its folder and back up what is there."""
    from ..errors import BookFileError, Problem

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


def write_new_book(
    path: str | os.PathLike[str],
    frames: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a new workbook at ``path`` (atomically); refuse to overwrite unless asked."""
    from ..errors import BookFileError, Problem

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
    prepare_target(path, overwrite)
    atomic_save(build_workbook(frames, settings), path.resolve())
    return path


def demo_frames(plan_date: dt.date) -> dict[str, pd.DataFrame]:
    from .sample import sample_frames

    return sample_frames(plan_date, day_done=True)
