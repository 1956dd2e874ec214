"""The layout of the two analysis sheets, 流量分析 and 分析, and how a new book gets them.

Both sheets are outputs: 汇总今日 (``opsbook.excel.analysis_macro``) rewrites their
blocks every close, and staff only read them. This module says where each block
sits (the macro reads the same constants) and prepares a blank openpyxl sheet:
titles, headers (Chinese first, English beside), number formats, widths and,
on 流量分析, a 3-colour scale over the fixed 7 × 24 grid.

流量分析 Traffic view::

    A1  title
    A3:B9  key / value block: 设置的时段, 建议时段, 建议覆盖率, ...   D3  weekday \\ hour
                                                                  E3:AB3  hours 0..23
                                                                  D4:D10  周一 .. 周日
                                                                  E4:AB10 the grid (colour scale)
                                                                  row 11  mean day
                                                                  rows 12–13  ● typed / suggested hours

分析 Analysis: four plain header + rows blocks side by side, headers on row 3,
so a block that grows only grows downwards into its own columns::

    A..I  话术 / 渠道 conversion (wording.HEADERS)
    K..N  top 20 keywords (keywords.TOP_COLUMNS)
    P..S  titles vs the top 20 (keywords.PRODUCT_COLUMNS)
    U..Z  every keyword's score (keywords.COLUMNS); the score rule is written in K2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core import keywords, wording
from ..core.settings import named
from ..core.traffic_view import HOURS, WEEKDAYS
from .layout import (
    ANALYSIS_HEADER_ROW,
    ANALYSIS_NOTE_ROW,
    TRAFFIC_GRID_AT,
    TRAFFIC_GRID_VALUES_AT,
    TRAFFIC_INFO_AT,
    header_fill,
)
from .ooxml.refs import column_letter

if TYPE_CHECKING:  # openpyxl lays out a new sheet; loaded only then
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.worksheet.worksheet import Worksheet

TITLE_FONT = {"bold": True, "size": 13}  # openpyxl's Font(**TITLE_FONT)

# -- 流量分析 ------------------------------------------------------------------
TRAFFIC_SHEET = "流量分析"
TRAFFIC_TITLE = "流量分析：星期 × 小时 平均访客 / mean visitors by weekday and hour"
TYPED_KEY = "设置的时段 typed windows"
SUGGESTED_KEY = "建议时段 suggested windows"
SHARE_KEY = f"{named('suggest_share')} share"
HELD_KEY = "建议时段访客占比 share held"
LOOKBACK_KEY = "回看天数 lookback days"
SPAN_KEY = "统计日期 days used"
NOTE_KEY = "说明 note"
TRAFFIC_INFO_KEYS = (
    TYPED_KEY,
    SUGGESTED_KEY,
    SHARE_KEY,
    HELD_KEY,
    LOOKBACK_KEY,
    SPAN_KEY,
    NOTE_KEY,
)
INFO_NOTE = (
    f"建议 = 访客最多的整点小时，凑够{named('suggest_share')}后合并成时段；opsbook 不会改 设置，"
    f"合适就手动抄到 设置 的 {named('windows')} / the fewest busiest hours holding the share, "
    "merged; opsbook never changes 设置: copy it there by hand"
)
NO_TRAFFIC = "先导入流量 / import traffic first"
INFO_FORMATS = {SHARE_KEY: "0%", HELD_KEY: "0.0%", LOOKBACK_KEY: "0"}

GRID_CORNER = "星期＼小时 weekday＼hour"
MEAN_DAY_LABEL = "每天平均 mean day"
TYPED_LABEL = "设置的时段 typed"
SUGGESTED_LABEL = "建议时段 suggested"
MARK = "●"
ROW_LABELS = (*WEEKDAYS, MEAN_DAY_LABEL, TYPED_LABEL, SUGGESTED_LABEL)
GRID_FORMAT = "0"


def grid_range() -> str:
    """The 7 × 24 weekday × hour cells (the colour scale's range), e.g. ``E4:AB10``."""
    r, c = TRAFFIC_GRID_VALUES_AT
    return (
        f"{column_letter(c)}{r}:"
        f"{column_letter(c + len(HOURS) - 1)}{r + len(WEEKDAYS) - 1}"
    )


def grid_labels() -> list[list[object]]:
    """The grid's corner, hour header and row labels, as one block at ``TRAFFIC_GRID_AT``
    (value cells left None): what a sheet created by the macro is written with."""
    return [[GRID_CORNER, *HOURS]] + [
        [label] + [None] * len(HOURS) for label in ROW_LABELS
    ]


def color_scale() -> ColorScaleRule:
    """Low visitors pale, middling yellow, busy hours green: Excel's familiar 3-colour scale."""
    from openpyxl.formatting.rule import ColorScaleRule

    return ColorScaleRule(
        start_type="min",
        start_color="F8F8F8",
        mid_type="percentile",
        mid_value=50,
        mid_color="FFEB84",
        end_type="max",
        end_color="63BE7B",
    )


def _header(cell) -> None:
    from openpyxl.styles import Alignment, Font

    cell.font, cell.fill = Font(bold=True), header_fill()
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def lay_out_traffic_sheet(ws: Worksheet) -> None:
    """Prepare a blank 流量分析 sheet: title, the info block's keys, the grid's labels,
    formats, widths and the colour scale. 汇总今日 fills the values."""
    from openpyxl.styles import Alignment, Font

    ws["A1"] = TRAFFIC_TITLE
    ws["A1"].font = Font(**TITLE_FONT)
    r, c = TRAFFIC_INFO_AT
    for i, key in enumerate(TRAFFIC_INFO_KEYS):
        cell = ws.cell(row=r + i, column=c, value=key)
        cell.font, cell.fill = Font(bold=True), header_fill()
        value = ws.cell(row=r + i, column=c + 1)
        value.alignment = Alignment(wrap_text=key == NOTE_KEY, vertical="top")
        if key in INFO_FORMATS:
            value.number_format = INFO_FORMATS[key]
    ws.cell(row=r + TRAFFIC_INFO_KEYS.index(NOTE_KEY), column=c + 1, value=INFO_NOTE)
    ws.row_dimensions[r + TRAFFIC_INFO_KEYS.index(NOTE_KEY)].height = 120
    ws.column_dimensions[column_letter(c)].width = 26
    ws.column_dimensions[column_letter(c + 1)].width = 26
    ws.column_dimensions[column_letter(c + 2)].width = 2
    gr, gc = TRAFFIC_GRID_AT
    for i, row in enumerate(grid_labels()):
        for j, value in enumerate(row):
            if value is None:
                continue
            cell = ws.cell(row=gr + i, column=gc + j, value=value)
            _header(cell)
    ws.column_dimensions[column_letter(gc)].width = 18
    vr, vc = TRAFFIC_GRID_VALUES_AT
    for j in range(len(HOURS)):
        ws.column_dimensions[column_letter(vc + j)].width = 5
        for i in range(len(ROW_LABELS)):
            cell = ws.cell(row=vr + i, column=vc + j)
            cell.number_format = GRID_FORMAT
            cell.alignment = Alignment(horizontal="center")
    ws.conditional_formatting.add(grid_range(), color_scale())
    ws.freeze_panes = "A2"
    ws.sheet_view.showGridLines = False


# -- 分析 ----------------------------------------------------------------------
ANALYSIS_SHEET = "分析"


@dataclass(frozen=True)
class Block:
    """A plain header + rows block: where it starts, its columns (frame keys), title, widths, formats."""

    col: int
    keys: tuple[str, ...]
    header_names: dict[str, str]
    title: str
    widths: dict[str, float]
    formats: dict[str, str]

    @property
    def headers(self) -> list[str]:
        return [self.header_names[k] for k in self.keys]

    @property
    def at(self) -> tuple[int, int]:
        return ANALYSIS_HEADER_ROW, self.col

    @property
    def width(self) -> int:
        return len(self.keys)


WORDING = Block(
    1,
    tuple(wording.COLUMNS),
    wording.HEADERS,
    "话术与渠道：咨询、成交、转化率 / wording and channels",
    {
        "dimension": 9,
        "name": 16,
        "inquiries": 9,
        "deals": 9,
        "conversion": 10,
        "conversion_low": 10,
        "conversion_high": 10,
        "lost_reasons": 30,
        "note": 22,
    },
    {"conversion": "0.0%", "conversion_low": "0.0%", "conversion_high": "0.0%"},
)
TOP = Block(
    WORDING.col + WORDING.width + 1,
    tuple(keywords.TOP_COLUMNS),
    keywords.HEADERS,
    "热门关键词前 20 / top 20 keywords",
    {"rank": 7, "keyword": 18, "score": 11, "titles": 12},
    {"score": "#,##0.0"},
)
COVERAGE = Block(
    TOP.col + TOP.width + 1,
    tuple(keywords.PRODUCT_COLUMNS),
    keywords.HEADERS,
    "商品标题含多少热门词 / titles vs the top 20",
    {"product_id": 16, "title": 36, "covered": 12, "missing": 30},
    {},
)
SCORES = Block(
    COVERAGE.col + COVERAGE.width + 1,
    tuple(keywords.COLUMNS),
    keywords.HEADERS,
    "关键词得分 / keyword scores",
    {
        "keyword": 18,
        "popularity": 11,
        "ctr": 9,
        "competition": 10,
        "score": 11,
        "basis": 40,
    },
    {"popularity": "#,##0", "ctr": "0.00%", "score": "#,##0.0"},
)
BLOCKS = (WORDING, TOP, COVERAGE, SCORES)
#: Row 2: the wording note at the wording block, the score rule above the keyword blocks.
WORDING_NOTE_AT = (ANALYSIS_NOTE_ROW, WORDING.col)
RULE_AT = (ANALYSIS_NOTE_ROW, TOP.col)
WORDING_DAYS, WORDING_MIN_N, TOP_N = 30, 5, 20


def wording_note(day: object = None) -> str:
    since = f"截至 {day:%Y-%m-%d} " if day is not None else ""
    return (
        f"{since}近 {WORDING_DAYS} 天的咨询；少于 {WORDING_MIN_N} 条的不算转化率；区间为 95% Wilson 区间"
        f" / last {WORDING_DAYS} days; fewer than {WORDING_MIN_N} inquiries: not rated; 95% Wilson interval"
    )


def analysis_title_rows(day: object = None) -> list[list[object]]:
    """Rows 1–2 of 分析 across every block, as one block from A1 (titles, notes, the rule)."""
    last = BLOCKS[-1].col + BLOCKS[-1].width - 1
    rows: list[list[object]] = [[None] * last, [None] * last]
    for block in BLOCKS:
        rows[0][block.col - 1] = block.title
    rows[1][WORDING_NOTE_AT[1] - 1] = wording_note(day)
    rows[1][RULE_AT[1] - 1] = keywords.SCORE_RULE
    return rows


def lay_out_analysis_sheet(ws: Worksheet) -> None:
    """Prepare a blank 分析 sheet: block titles, notes, the score rule, headers, widths, formats."""
    from openpyxl.styles import Font

    for i, row in enumerate(analysis_title_rows(), start=1):
        for j, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=i, column=j, value=value)
    for block in BLOCKS:
        ws.cell(row=1, column=block.col).font = Font(**TITLE_FONT)
        for j, (key, header) in enumerate(zip(block.keys, block.headers, strict=True)):
            col = block.col + j
            _header(ws.cell(row=ANALYSIS_HEADER_ROW, column=col, value=header))
            ws.column_dimensions[column_letter(col)].width = block.widths.get(key, 12)
        ws.column_dimensions[column_letter(block.col + block.width)].width = 2
    ws.cell(row=ANALYSIS_NOTE_ROW, column=WORDING.col).font = Font(
        italic=True, color="595959"
    )
    ws.cell(row=ANALYSIS_NOTE_ROW, column=TOP.col).font = Font(
        italic=True, color="595959"
    )
    ws.row_dimensions[ANALYSIS_HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=ANALYSIS_HEADER_ROW + 1, column=1).coordinate
    ws.sheet_view.showGridLines = False


__all__ = [
    "ANALYSIS_SHEET",
    "BLOCKS",
    "COVERAGE",
    "SCORES",
    "TOP",
    "TRAFFIC_INFO_KEYS",
    "TRAFFIC_SHEET",
    "WORDING",
    "lay_out_analysis_sheet",
    "lay_out_traffic_sheet",
]
