"""The three charts of a new book: plan slots vs weight, the daily trend, repost lift.

Each builder reads cell ranges of the sheet it is given (laid out by
``opsbook.book.template`` at the places in ``opsbook.book.layout``), so the charts follow
every rebuilt plan, report and effect table without being redrawn.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import NumDataSource, NumRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.schema import EFFECT, HOURS
from .layout import HOURS_AT, TREND_AT, TREND_DAYS


def plan_chart(ws: Worksheet) -> BarChart:
    """Planned slots per hour (columns) against the hour's traffic weight (line, second axis).

    Its series read the hourly summary table's whole columns, so when the table is
    resized (by Excel, or by our engine doing what Excel does) the chart follows.
    """
    r, c = HOURS_AT
    col = {x.key: c + i for i, x in enumerate(HOURS.columns)}
    bars = BarChart()
    bars.title = f"重发数 vs {HOURS.column('weight').zh} / slots vs weight"
    bars.add_data(
        Reference(ws, min_col=col["slots"], min_row=r, max_row=r + 1),
        titles_from_data=True,
    )
    bars.set_categories(
        Reference(ws, min_col=col["label"], min_row=r + 1, max_row=r + 1)
    )
    bars.y_axis.title = "重发数 slots"
    line = LineChart()
    line.add_data(
        Reference(ws, min_col=col["weight"], min_row=r, max_row=r + 1),
        titles_from_data=True,
    )
    line.y_axis.axId = 200
    line.y_axis.title = f"{HOURS.column('weight').zh} weight"
    line.y_axis.number_format = "0%"
    line.y_axis.crosses = "max"
    bars += line
    bars.legend.position = "b"
    bars.width, bars.height = 11, 7.5
    return bars


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
    n = 2  # the empty table's one data row; the series follow the table as it grows
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
