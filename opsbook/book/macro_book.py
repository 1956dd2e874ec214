"""The macro-enabled workbook (.xlsm): opsbook's layout with buttons, UDFs and xlwings' VBA.

XlsxWriter writes a shell: the VBA project (built from ``workbook/vba`` by
``workbook/build.py`` and shipped as ``opsbook/book/data/vbaProject.bin``), the
sheets with the codeNames its document modules expect, Form buttons bound to
the ``opsbook_buttons`` macros and the hidden ``xlwings.conf`` sheet. openpyxl
then fills the shell with the same layout as every other book
(``template.build_workbook``) and keeps the VBA part and the buttons' drawing
byte for byte. When the shipped VBA cannot be used (missing, or built for
another xlwings), ``new_book`` writes a plain .xlsx and says why.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from ..core.schema import DAILY, EFFECT, HOURS, PLAN, SETTINGS, TRAFFIC
from ..core.settings import position
from .analysis_sheets import TRAFFIC_INFO_KEYS, TRAFFIC_SHEET
from .files import atomic_save
from .layout import (
    BUTTON_ROW,
    INFO_AT,
    INFO_KEYS,
    SETTINGS_AT,
    TODAY_AT,
    TODAY_KEYS,
    TRAFFIC_INFO_AT,
    header_fill,
)
from .template import SHEET_ORDER, build_workbook

DATA = Path(__file__).parent / "data"
VBA_BIN = DATA / "vbaProject.bin"
VBA_META = DATA / "vbaProject.json"

CONF_SHEET = "xlwings.conf"
# Read by xlwings' VBA (GetConfigFromSheet): column A upper-cased, up to the first
# blank row; some keys are spelled with spaces. No interpreter rows, so the
# per-user file that ``opsbook setup`` writes applies.
CONF_ROWS: tuple[tuple[str, Any], ...] = (
    ("UDF MODULES", "opsbook.excel.udfs"),
    ("USE UDF SERVER", False),
    ("SHOW CONSOLE", False),
    ("DEBUG UDFS", False),
    ("ADD_WORKBOOK_TO_PYTHONPATH", False),
)
MACRO_SHEETS = (*SHEET_ORDER, CONF_SHEET)
BUTTON_MODULE = "opsbook_buttons"


@dataclass(frozen=True)
class Button:
    sheet: str
    row: int  # 0-based, as XlsxWriter counts
    col: int
    macro: str
    caption: str


BUTTONS = (
    Button(
        PLAN.name,
        BUTTON_ROW - 1,
        INFO_AT[1] - 1,
        "BuildRepostPlan",
        "生成重发计划 Build repost plan",
    ),
    Button(
        DAILY.name,
        TODAY_AT[0] + len(TODAY_KEYS),
        TODAY_AT[1] - 1,
        "ConsolidateDay",
        "汇总今日 Consolidate day",
    ),
    Button(
        TRAFFIC.name,
        1,
        len(TRAFFIC.columns) + 1,
        "ImportTraffic",
        "导入流量 Import traffic",
    ),
    Button(
        EFFECT.name,
        1,
        len(EFFECT.columns) + 1,
        "EffectReport",
        "重发效果 Repost effect",
    ),
)

# The live block: UDF cells beside the static figures the plan macro writes.
LIVE_AT = (INFO_AT[0], INFO_AT[1] + 3)
LIVE_HEADERS = ("小时 hour", "权重（实时）live weight", "重发数（实时）live slots")
LIVE_NOTE = (
    "实时列由 REPOST_WEIGHTS / REPOST_SLOTS 公式计算，仅 Windows Excel；改 设置 里的数字即可看到变化。"
    f"Mac、WPS、LibreOffice 请看左边按钮写入的 {HOURS.column('weight').zh} / 重发数。"
    " / Live columns are worksheet functions (Windows Excel only); elsewhere read the static figures."
)


class VbaUnavailable(Exception):
    """The shipped VBA project cannot go into a new book; ``str()`` says why."""


def codenames() -> list[str]:
    """Sheet codeNames, in sheet order: the document modules the VBA project carries."""
    return [f"Sheet{i}" for i in range(1, len(MACRO_SHEETS) + 1)]


def vba_project(
    bin_path: Path = VBA_BIN, meta_path: Path = VBA_META
) -> tuple[bytes, dict[str, Any]]:
    """The shipped vbaProject.bin and its build record, checked against this install."""
    if not bin_path.is_file() or not meta_path.is_file():
        raise VbaUnavailable(
            f"未找到宏工程 {bin_path.name} / the VBA project is not in this install"
        )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    installed = metadata.version("xlwings")
    if meta.get("xlwings") != installed:
        raise VbaUnavailable(
            f"宏工程按 xlwings {meta.get('xlwings')} 生成，本机装的是 {installed} / "
            f"the VBA was built for xlwings {meta.get('xlwings')}, this Python has {installed}"
        )
    if meta.get("codenames") != codenames():
        raise VbaUnavailable(
            "宏工程的工作表模块与模板不一致 / the VBA project's sheet modules do not match the template"
        )
    return bin_path.read_bytes(), meta


def shell(vba: bytes) -> bytes:
    """An .xlsm with the VBA project, every sheet with its codeName, buttons and config."""
    try:
        import xlsxwriter
    except (
        ImportError
    ) as exc:  # pragma: no cover - a dependency; guarded for odd installs
        raise VbaUnavailable("缺少 XlsxWriter / XlsxWriter is not installed") from exc
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.set_properties({"created": pd.Timestamp("2026-01-01").to_pydatetime()})
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.set_vba_name("ThisWorkbook")
    for name, code in zip(MACRO_SHEETS, codenames(), strict=True):
        ws = wb.add_worksheet(name)
        ws.set_vba_name(code)
        for b in (b for b in BUTTONS if b.sheet == name):
            ws.insert_button(
                b.row,
                b.col,
                {
                    "macro": f"{BUTTON_MODULE}.{b.macro}",
                    "caption": b.caption,
                    "width": 210,
                    "height": 34,
                    "x_offset": 4,
                    "y_offset": 2,
                },
            )
        if name == CONF_SHEET:
            for i, (key, value) in enumerate(CONF_ROWS):
                ws.write_string(i, 0, key)
                if isinstance(value, bool):
                    ws.write_boolean(i, 1, value)
                else:
                    ws.write_string(i, 1, value)
            ws.hide()
    wb.close()
    return out.getvalue()


def _setting_cell(key: str) -> str:
    row = SETTINGS_AT[0] + 1 + position(key)
    return f"'{SETTINGS.name}'!${get_column_letter(SETTINGS_AT[1] + 1)}${row}"


def live_block(ws: Worksheet) -> None:
    """UDF cells (array formulas over the 24 hours) beside the plan's static figures.

    Array formulas over a fixed range work in every Excel with xlwings UDFs and
    survive openpyxl's round trip; in Excel 365 the same functions also spill
    when typed into one cell.
    """
    r, c = LIVE_AT
    for j, text in enumerate(LIVE_HEADERS):
        cell = ws.cell(row=r, column=c + j, value=text)
        cell.font, cell.fill = Font(bold=True), header_fill()
        ws.column_dimensions[get_column_letter(c + j)].width = 12 if j == 0 else 20
    for h in range(24):
        ws.cell(row=r + 1 + h, column=c, value=h)
    weights = f"{get_column_letter(c + 1)}{r + 1}:{get_column_letter(c + 1)}{r + 24}"
    slots = f"{get_column_letter(c + 2)}{r + 1}:{get_column_letter(c + 2)}{r + 24}"
    total_info = f"${get_column_letter(INFO_AT[1] + 1)}${INFO_AT[0] + INFO_KEYS.index('重发总数 reposts')}"
    daily = _setting_cell("daily_count")
    ws[weights.split(":")[0]] = ArrayFormula(
        weights,
        f"=REPOST_WEIGHTS({TRAFFIC.table}[#All],{_setting_cell('windows')},"
        f"{_setting_cell('lookback_days')},{_setting_cell('plan_date')},{_setting_cell('profile')})",
    )
    ws[slots.split(":")[0]] = ArrayFormula(
        slots,
        f'=REPOST_SLOTS(IF({daily}="",{total_info},{daily}),{weights},{_setting_cell("hourly_cap")})',
    )
    for h in range(24):
        ws.cell(row=r + 1 + h, column=c + 1).number_format = "0.0%"
    note = ws.cell(row=r + 26, column=c, value=LIVE_NOTE)
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=r + 26, start_column=c, end_row=r + 30, end_column=c + 2)


def live_suggestion(ws: Worksheet) -> None:
    """Under 流量分析's info block: the suggested windows as a live worksheet function."""
    r = TRAFFIC_INFO_AT[0] + len(TRAFFIC_INFO_KEYS) + 1
    c = TRAFFIC_INFO_AT[1]
    key = ws.cell(row=r, column=c, value="建议时段（实时公式）live suggestion")
    key.font, key.fill = Font(bold=True), header_fill()
    ws.cell(
        row=r,
        column=c + 1,
        value=f"=REPOST_SUGGEST_WINDOWS({TRAFFIC.table}[#All],{_setting_cell('suggest_share')},"
        f"{_setting_cell('lookback_days')},{_setting_cell('plan_date')})",
    )


def build_macro_workbook(
    frames: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
) -> Workbook:
    """The filled macro-enabled workbook (openpyxl, VBA part kept), ready to save."""
    vba, _ = vba_project()
    wb = load_workbook(io.BytesIO(shell(vba)), keep_vba=True)
    build_workbook(frames, settings, wb, guide="desktop")
    live_block(wb[PLAN.name])
    live_suggestion(wb[TRAFFIC_SHEET])
    return wb


def new_book(
    path: str | os.PathLike[str],
    frames: dict[str, pd.DataFrame] | None = None,
    settings: dict[str, Any] | None = None,
    *,
    overwrite: bool = False,
) -> tuple[Path, str | None]:
    """Write a new book (.xlsx, or .xlsm with buttons); returns (path written, notice).

    A .xlsm that cannot get its VBA project is written as a working .xlsx beside
    it instead, and the notice says why and what to do.
    """
    from .template import prepare_target, write_new_book

    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        return write_new_book(path, frames, settings, overwrite=overwrite), None
    try:
        wb = build_macro_workbook(frames, settings)
    except VbaUnavailable as exc:
        target = path.with_suffix(".xlsx")
        notice = (
            f"注意：{exc}。已改写普通工作簿 {target.name}（没有按钮和公式，用命令行 opsbook plan / consolidate）；"
            "重新安装 opsbook 后再运行 opsbook new 可得到带按钮的 .xlsm。"
            f" / Notice: {target.name} written without buttons; reinstall opsbook for the .xlsm."
        )
        return write_new_book(target, frames, settings, overwrite=overwrite), notice
    prepare_target(path, overwrite)
    atomic_save(wb, path.resolve())
    return path, None
