"""生意参谋 exports as they come: title rows, `1,234`, `-`, `12.5%` columns, totals lines."""

import csv
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from opsbook.book.traffic_exports import read_export
from opsbook.errors import InputError

from ..excel.test_import_traffic import xls_of

DAY = dt.date(2026, 11, 24)
TITLES = {
    2: [["【生意参谋平台】店铺-流量-时段分析"], ["统计时间：2026-11-24 ~ 2026-11-24"]],
    3: [
        ["【生意参谋平台】店铺-流量-时段分析"],
        ["统计时间：2026-11-24 ~ 2026-11-24", "", "终端：所有终端"],
        [],
    ],
}


def uv(hour):
    return 900 + hour * 37  # 1,000 and up from hour 3 on: separators appear


def pv(hour):
    return None if hour < 2 else uv(hour) * 3  # "-" before 2:00


def cells(hour, *, thousands=True):
    """One body row's visitors, page views and two rate columns, written as exports do."""
    views = "-" if pv(hour) is None else (f"{pv(hour):,}" if thousands else pv(hour))
    return [f"{uv(hour):,}" if thousands else uv(hour), views, "12.5%", "-"]


def expected(day=DAY):
    return [(day, h, float(uv(h)), float(pv(h) or 0)) for h in range(24)]


def rows_of(frame):
    return [
        (d.date(), int(h), float(v), None if pd.isna(p) else float(p))
        for d, h, v, p in frame[["date", "hour", "visitors", "page_views"]].itertuples(
            index=False
        )
    ]


def gbk_csv(path, titles):
    buf = io.StringIO()
    body = [["2026-11-24", f"{h:02d}:00-{h + 1:02d}:00", *cells(h)] for h in range(24)]
    csv.writer(buf).writerows(
        [
            *TITLES[titles],
            ["统计日期", "时段", "访客数", "浏览量", "跳失率", "支付转化率"],
            *body,
            ["合计", "", "30,000", "90,000", "40.00%", "1.20%"],
        ]
    )
    path.write_bytes(buf.getvalue().encode("gbk"))
    return path


def xlsx(path, titles):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in TITLES[titles]:
        ws.append(row)
    ws.merge_cells("A1:F1")
    ws.append(["统计日期", "小时", "访客数(UV)", "浏览量(PV)", "跳失率", "人均浏览量"])
    for h in range(24):
        rate_cell = 0.125 if h % 2 else "12.5%"  # a real percent cell or text
        row = [dt.datetime(2026, 11, 24), f"{h}时", *cells(h, thousands=h % 2 == 0)]
        row[4] = rate_cell
        ws.append(row)
    ws.cell(row=ws.max_row, column=5).number_format = "0.00%"
    wb.save(path)
    return path


def xls(path, titles):
    rows = [
        *TITLES[titles],
        ["时间", "UV", "PV", "跳失率", "支付转化率"],
        *[[f"{h}点", *cells(h, thousands=h % 3 != 0)] for h in range(24)],
        ["总计", "30,000", "90,000", "40.00%", "-"],
    ]
    return xls_of(path, rows, "时段分析")


FORMS = [
    ("csv gbk", lambda p, t: gbk_csv(p / "流量.csv", t)),
    ("xlsx", lambda p, t: xlsx(p / "流量.xlsx", t)),
    # No date column: the day comes from the title row.
    ("xls", lambda p, t: xls(p / "【生意参谋平台】时段分析.xls", t)),
]


@pytest.mark.parametrize("titles", [2, 3])
@pytest.mark.parametrize(("form", "make"), FORMS, ids=[f[0] for f in FORMS])
def test_each_form_reads_every_hour(tmp_path, form, make, titles):
    frame = read_export(make(tmp_path, titles))
    assert rows_of(frame) == expected()


def test_percent_columns_are_not_read(tmp_path):
    frame = read_export(gbk_csv(tmp_path / "e.csv", 3))
    assert list(frame.columns) == ["date", "hour", "visitors", "page_views"]


def test_the_header_is_found_within_15_rows(tmp_path):
    def with_titles(n):
        path = tmp_path / f"t{n}.csv"
        buf = io.StringIO()
        csv.writer(buf).writerows(
            [
                *([f"说明 {i}"] for i in range(n)),
                ["统计日期", "时段", "访客数"],
                ["2026-11-24", "10", "1,234"],
            ]
        )
        path.write_bytes(buf.getvalue().encode("gbk"))
        return path

    assert rows_of(read_export(with_titles(14))) == [(DAY, 10, 1234.0, None)]
    with pytest.raises(InputError, match="不像生意参谋的流量导出"):
        read_export(with_titles(15))


def test_a_percent_in_visitors_is_refused_with_its_cell(tmp_path):
    path = tmp_path / "e.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows(
        [
            *TITLES[2],
            ["统计日期", "时段", "访客数"],
            ["2026-11-24", "10", "1,234"],
            ["2026-11-24", "11", "12.5%"],
        ]
    )
    path.write_bytes(buf.getvalue().encode("gbk"))
    with pytest.raises(InputError) as err:
        read_export(path)
    (problem,) = err.value.problems
    assert (problem.row, problem.col, problem.value) == (5, 3, "12.5%")


@pytest.mark.parametrize("total", ["合计", "总计"])
def test_a_totals_line_in_the_hour_column_is_skipped(tmp_path, total):
    path = tmp_path / "e_2026-11-24_2026-11-24.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows(
        [
            *TITLES[3],
            ["时段", "访客数", "浏览量"],
            ["10:00-11:00", "1,234", "-"],
            [total, "1,234", "-"],
        ]
    )
    path.write_bytes(buf.getvalue().encode("gbk"))
    assert rows_of(read_export(path)) == [(DAY, 10, 1234.0, 0.0)]
