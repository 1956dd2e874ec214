"""Where things sit on the plan and daily-report sheets of a new book.

The template writes these blocks, the charts read them and the macros fill
them, so the coordinates live here, apart from all three, to be imported by
each without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.schema import HOURS, PLAN
from ..core.settings import named
from .ooxml.refs import column_letter

if TYPE_CHECKING:
    from openpyxl.styles import PatternFill

# 设置: the key/value table from A1 (header row), one row per setting below it, in
# core.settings' order; the macro book's live formulas point at these cells.
SETTINGS_AT = (1, 1)

# Where the plan sheet's blocks start (row, column), 1-based.
PLAN_AT = (1, 1)
HOURS_AT = (1, len(PLAN.columns) + 2)
INFO_AT = (1, HOURS_AT[1] + len(HOURS.columns) + 1)
INFO_KEYS = (
    f"{named('plan_date')} plan date",
    "生成时间 built at",
    "重发总数 reposts",
    f"{HOURS.column('weight').zh}来源 weights from",
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
PLAN_CHART_AT = f"{column_letter(INFO_AT[1])}{BUTTON_ROW + 3}"

HEADER_COLOUR = "DDEBF7"  # the pale blue behind every header a new sheet gets


def header_fill() -> PatternFill:
    """The header fill, for the sheets openpyxl lays out (loaded only then)."""
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=HEADER_COLOUR)


# 流量分析: the 7 × 24 grid from its corner cell (hours run right of it, weekdays
# below it), then the mean day and the typed / suggested marks; the info block
# below the grid (whose rows stay even), key column with the value beside it.
TRAFFIC_GRID_AT = (3, 4)
#: First cell of the values (weekday rows, then mean day, typed and suggested marks).
TRAFFIC_GRID_VALUES_AT = (TRAFFIC_GRID_AT[0] + 1, TRAFFIC_GRID_AT[1] + 1)
TRAFFIC_INFO_AT = (16, 1)

# 分析: header + rows blocks side by side, each block's header on one row, a note row
# above it; the blocks' columns follow from their widths (analysis_sheets.BLOCKS).
ANALYSIS_HEADER_ROW = 3
ANALYSIS_NOTE_ROW = 2
