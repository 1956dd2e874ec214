"""Importing 生意参谋 exports: every format and encoding, idempotent, refusals that write nothing."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from opsbook.book.traffic_exports import read_count, read_hour
from opsbook.cli import run

DAY = dt.date(2026, 11, 25)  # the demo book's traffic ends the day before
TITLE = [
    ["【生意参谋平台】流量分析-实时"],
    ["统计日期：2026-11-25"],
    [],
    ["店铺：童装工厂店"],
]


def visitors(hour):
    return 1000 + hour * 7  # big enough to need a thousands separator


def hourly(hour_cell=lambda h: f"{h:02d}:00-{h + 1:02d}:00", number=lambda n: f"{n:,}"):
    return [
        [hour_cell(h), number(visitors(h)), "-" if h < 2 else number(visitors(h) * 3)]
        for h in range(24)
    ]


def write_csv(path, encoding, header=("时间", "访客数", "浏览量")):
    buf = io.StringIO()
    csv.writer(buf).writerows([*TITLE, list(header), *hourly()])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [*TITLE, ["统计日期", "时段", "访客数(UV)", "浏览量(PV)"]]:
        ws.append(row)
    for h in range(24):
        ws.append(
            [
                dt.datetime(2026, 11, 25),
                f"{h}时",
                visitors(h),
                "-" if h < 2 else visitors(h) * 3,
            ]
        )
    wb.save(path)
    return path


def xls_of(path, rows, sheet="sheet1"):
    """A legacy .xls holding ``rows`` (xlwt: the only pure-Python .xls writer)."""
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_xls(path):
    return xls_of(path, [*TITLE, ["小时", "UV", "PV"], *hourly(hour_cell=lambda h: h)])


EXPORTS = [
    ("csv utf-8 with BOM", lambda p: write_csv(p / "e.csv", "utf-8-sig")),
    ("csv utf-8", lambda p: write_csv(p / "e.csv", "utf-8")),
    ("csv gbk, chinese headers", lambda p: write_csv(p / "e.csv", "gbk")),
    (
        "csv gb18030, english headers",
        lambda p: write_csv(p / "e.csv", "gb18030", ("hour", "UV", "PV")),
    ),
    ("xlsx with title rows", lambda p: write_xlsx(p / "e.xlsx")),
    (
        "old xls",
        lambda p: write_xls(p / "【生意参谋平台】流量_2026-11-25_2026-11-25.xls"),
    ),
]


def traffic_of(path, day=DAY):
    ws = openpyxl.load_workbook(path)["流量"]
    return {
        r[1]: (r[2], r[3])
        for r in ws.iter_rows(min_row=2, values_only=True)
        if r[0] == dt.datetime(day.year, day.month, day.day)
    }


@pytest.mark.parametrize(("case", "make"), EXPORTS, ids=[c[0] for c in EXPORTS])
def test_each_format_imports_the_day(demo_book, tmp_path, case, make):
    export = make(tmp_path)
    assert run(["import-traffic", str(demo_book), str(export), "--quiet"]) == 0
    got = traffic_of(demo_book)
    assert got == {h: (visitors(h), 0 if h < 2 else visitors(h) * 3) for h in range(24)}


def test_reimporting_the_same_export_adds_nothing(demo_book, tmp_path, capsys):
    export = write_csv(tmp_path / "e.csv", "gbk")
    run(["import-traffic", str(demo_book), str(export), "--quiet"])
    rows = openpyxl.load_workbook(demo_book)["流量"].max_row
    assert run(["import-traffic", str(demo_book), str(export), "--quiet"]) == 0
    assert "新增 0 行，更新 0 行，未变 24 行" in capsys.readouterr().out
    assert openpyxl.load_workbook(demo_book)["流量"].max_row == rows


def test_a_changed_figure_updates_its_row_and_is_reported(demo_book, tmp_path, capsys):
    run(
        [
            "import-traffic",
            str(demo_book),
            str(write_xlsx(tmp_path / "e.xlsx")),
            "--quiet",
        ]
    )
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    wb.active["C16"] = 5  # hour 10: four title rows, the header, hours 0-9
    wb.save(tmp_path / "e.xlsx")
    capsys.readouterr()
    assert (
        run(["import-traffic", str(demo_book), str(tmp_path / "e.xlsx"), "--quiet"])
        == 0
    )
    out = capsys.readouterr().out
    assert "2026-11-25 10点：访客数 1070 → 5" in out and "更新 1 行" in out
    assert traffic_of(demo_book)[10][0] == 5


def test_the_table_grows_over_the_new_rows(demo_book, tmp_path):
    run(
        [
            "import-traffic",
            str(demo_book),
            str(write_csv(tmp_path / "e.csv", "utf-8")),
            "--quiet",
        ]
    )
    ws = openpyxl.load_workbook(demo_book)["流量"]
    assert ws.tables["Traffic"].ref == f"A1:D{ws.max_row}"


def not_traffic(path):
    path.write_text("日期,客户,渠道\n2026-11-25,王姐,旺旺\n", encoding="utf-8")
    return path


def formula_in_visitors(path):
    write_csv(path, "utf-8")
    text = path.read_text(encoding="utf-8").replace("1,070", "=1+1")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (not_traffic, "表头是 日期、客户、渠道"),
        (formula_in_visitors, "e.csv」 B16"),
        (
            lambda p: p.with_suffix(".txt").write_text("x") and p.with_suffix(".txt"),
            "不支持 .txt",
        ),
    ],
)
def test_refused_exports_write_nothing(demo_book, tmp_path, capsys, make, says):
    good = write_csv(tmp_path / "good.csv", "utf-8")
    bad = make(tmp_path / "e.csv")
    before = demo_book.read_bytes()
    assert run(["import-traffic", str(demo_book), str(good), str(bad), "--quiet"]) == 2
    assert says in capsys.readouterr().err
    assert demo_book.read_bytes() == before


@pytest.mark.parametrize(
    ("cell", "hour"),
    [
        (10, 10),
        ("10", 10),
        ("10:00", 10),
        ("10:00-11:00", 10),
        ("10时", 10),
        ("10点", 10),
        (dt.time(10, 0), 10),
        (10 / 24, 10),
        ("0", 0),
        ("23:00-24:00", 23),
    ],
)
def test_hour_cells_in_every_form(cell, hour):
    assert read_hour(cell) == hour


@pytest.mark.parametrize("cell", [24, "25点", "上午", 10.5, "-"])
def test_hours_that_are_not_hours(cell):
    with pytest.raises(ValueError):
        read_hour(cell)


@pytest.mark.parametrize(
    ("cell", "value"), [("1,234", 1234), ("-", 0), (None, 0), (" 56 ", 56), (7.0, 7)]
)
def test_counts_with_separators_and_dashes(cell, value):
    assert read_count(cell) == value
