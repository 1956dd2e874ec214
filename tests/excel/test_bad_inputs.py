"""The bad-input catalogue: each case and its exact outcome.

A refusal exits 2 with a message naming the place and the fix, and leaves the
file byte-for-byte unchanged (and makes no backup). A tolerant reading exits 0
and reads the value the way the README says.
"""

import datetime as dt
import zipfile

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from opsbook.book.backups import list_backups
from opsbook.cli import run

from ..conftest import PLAN_DAY


def cell(sheet, ref, value):
    def edit(wb):
        wb[sheet][ref] = value

    return edit


def cells(*edits):
    def edit(wb):
        for e in edits:
            e(wb)

    return edit


def drop_sheet(name):
    def edit(wb):
        del wb[name]

    return edit


def clear_sheet(name):
    def edit(wb):
        ws = wb[name]
        for row in ws.iter_rows():
            for c in row:
                c.value = None

    return edit


def merge(sheet, ref):
    return lambda wb: wb[sheet].merge_cells(ref)


def same_id(variant):
    def edit(wb):
        wb["商品"]["A3"] = variant(str(wb["商品"]["A2"].value))

    return edit


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) for c in text) + "\u3000"


def setting(key, value):
    rows = {
        "重发时段": 2,
        "每日重发数量": 3,
        "最小间隔分钟": 4,
        "每小时上限": 5,
        "流量回看天数": 6,
        "计划日期": 7,
    }
    return cell("设置", f"B{rows[key]}", value)


REFUSED = [
    ("missing sheet 流量", drop_sheet("流量"), "「流量」"),
    ("missing sheet 商品", drop_sheet("商品"), "「商品」"),
    ("missing sheet 设置", drop_sheet("设置"), "「设置」"),
    ("renamed header 商品ID", cell("商品", "A1", "编号"), "找不到表头「商品ID」"),
    ("missing header 小时", cell("流量", "B1", None), "「流量」 B1"),
    ("duplicated header", cell("流量", "E1", "访客数"), "出现了两次"),
    ("merged header cells", merge("商品", "C1:D1"), "「商品」 D1"),
    ("empty products sheet", clear_sheet("商品"), "找不到表头「商品ID」"),
    ("empty traffic sheet", clear_sheet("流量"), "找不到表头「访客数」"),
    ("text 十 in visitors", cell("流量", "C2", "十"), "「流量」 C2"),
    ("N/A in visitors", cell("流量", "C3", "N/A"), "「流量」 C3"),
    ("negative visitors", cell("流量", "C4", -5), "「流量」 C4（访客数）"),
    ("hour 24", cell("流量", "B3", 24), "「流量」 B3（小时）"),
    ("hour 10.5", cell("流量", "B3", 10.5), "必须是整数"),
    ("hour as words", cell("流量", "B3", "十点"), "「流量」 B3"),
    ("unreadable traffic date", cell("流量", "A2", "昨天"), "「流量」 A2"),
    ("duplicate date and hour", cell("流量", "B3", 0), "与第 2 行重复"),
    ("duplicate product id", same_id(str), "「商品」 A3"),
    ("duplicate id, full-width and spaced", same_id(full_width), "「商品」 A3"),
    ("duplicate id, number and text", same_id(lambda t: f" {t} "), "「商品」 A3"),
    ("empty product id", cell("商品", "A4", None), "「商品」 A4"),
    ("priority 0", cell("商品", "D2", 0), "「商品」 D2（优先级）"),
    ("priority 9", cell("商品", "D2", 9), "1–5"),
    ("priority as words", cell("商品", "D2", "高"), "「商品」 D2"),
    ("include neither yes nor no", cell("商品", "F2", "也许"), "是 或 否"),
    ("unreadable last repost", cell("商品", "E2", "昨天"), "「商品」 E2"),
    ("error value #N/A", cell("商品", "D2", "#N/A"), "错误值"),
    ("error value #REF!", cell("流量", "C2", "#REF!"), "错误值"),
    ("formula in a data cell", cell("流量", "C2", "=1+1"), "公式"),
    ("windows reversed", setting("重发时段", "14:00-10:00"), "「设置」 B2"),
    ("windows empty", setting("重发时段", ","), "重发时段是空的"),
    ("window outside the day", setting("重发时段", "25:00-26:00"), "「设置」 B2"),
    ("hourly cap 0", setting("每小时上限", 0), "最多放 0 件"),
    ("min gap 0", setting("最小间隔分钟", 0), "「设置」 B4"),
    ("min gap in words", setting("最小间隔分钟", "三"), "「设置」 B4"),
    ("lookback 0", setting("流量回看天数", 0), "「设置」 B6"),
    ("plan date in words", setting("计划日期", "明天"), "「设置」 B7"),
    ("negative daily count", setting("每日重发数量", -1), "「设置」 B3"),
    ("setting written twice", cell("设置", "A8", "hourly_cap"), "写了两次"),
    (
        "more products than the windows hold",
        setting("重发时段", "10:00-11:00"),
        "「设置」 B3（值）",
    ),
    (
        "several problems at once",
        cells(cell("流量", "B3", 24), cell("商品", "D2", 9)),
        "共 2 处",
    ),
]


@pytest.mark.parametrize(("case", "edit", "says"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_the_place_and_the_fix_and_nothing_written(
    demo_book, capsys, case, edit, says
):
    wb = openpyxl.load_workbook(demo_book)
    edit(wb)
    wb.save(demo_book)
    before = demo_book.read_bytes()
    assert run(["plan", str(demo_book), "--date", str(PLAN_DAY), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert says in err and "→" in err  # the place, then the fix
    assert demo_book.read_bytes() == before
    assert list_backups(demo_book) == []


def write_bytes(content):
    return lambda path: path.write_bytes(content)


def fake_zip(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")


FILES = [
    ("not a zip", "book.xlsx", write_bytes(b"just some text"), "不是有效"),
    ("a zip that is not a workbook", "book.xlsx", fake_zip, "读取失败"),
    (
        "password-protected",
        "book.xlsx",
        write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512),
        "密码",
    ),
    (
        "an .xls where .xlsx is expected",
        "old.xls",
        write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512),
        "不支持 .xls",
    ),
    ("an empty file", "empty.xlsx", write_bytes(b""), "不是有效"),
]


@pytest.mark.parametrize("command", ["plan", "consolidate"])
@pytest.mark.parametrize(
    ("case", "name", "make", "says"), FILES, ids=[c[0] for c in FILES]
)
def test_files_that_are_not_workbooks_are_refused(
    tmp_path, capsys, command, case, name, make, says
):
    path = tmp_path / name
    make(path)
    before = path.read_bytes()
    assert run([command, str(path), "--quiet"]) == 2
    assert says in capsys.readouterr().err
    assert path.read_bytes() == before


def test_a_missing_file_is_refused(tmp_path, capsys):
    assert run(["plan", str(tmp_path / "nope.xlsx")]) == 2
    assert "不存在" in capsys.readouterr().err


# -- tolerant readings -----------------------------------------------------------
def plan_ids(path):
    ws = openpyxl.load_workbook(path)["重发计划"]
    return [r[2] for r in ws.iter_rows(min_row=2, max_col=7, values_only=True) if r[2]]


def planned(path, *extra):
    assert run(["plan", str(path), "--date", str(PLAN_DAY), "--quiet", *extra]) == 0
    return plan_ids(path)


@pytest.fixture
def reference(demo_book, tmp_path):
    """The plan of the untouched demo book, to compare tolerant readings with."""
    copy = tmp_path / "reference.xlsx"
    copy.write_bytes(demo_book.read_bytes())
    return planned(copy)


ENGLISH = {
    "商品ID": "product_id",
    "商品名称": "title",
    "类目": "category",
    "优先级": "priority",
    "上次重发": "last_repost",
    "参与重发": "include",
}


def headers(mapping):
    def edit(wb):
        for c in wb["商品"][1]:
            c.value = mapping.get(c.value, c.value)

    return edit


def swap_columns(wb):
    ws = wb["商品"]
    for row in ws.iter_rows():
        row[0].value, row[3].value = row[3].value, row[0].value


def blank_rows_in_the_middle(wb):
    ws = wb["商品"]
    ws.insert_rows(10, 3)


SAME_PLAN = [
    ("headers in English", headers(ENGLISH)),
    ("headers mixed", headers({"商品ID": "product_id", "优先级": "priority"})),
    ("columns in another order", swap_columns),
    ("blank rows in the middle", blank_rows_in_the_middle),
]


@pytest.mark.parametrize(("case", "edit"), SAME_PLAN, ids=[c[0] for c in SAME_PLAN])
def test_tolerant_readings_give_the_same_plan(demo_book, reference, case, edit):
    wb = openpyxl.load_workbook(demo_book)
    edit(wb)
    wb.save(demo_book)
    assert planned(demo_book) == reference


def traffic_value(path, ref, value):
    wb = openpyxl.load_workbook(path)
    original = wb["流量"][ref].value
    wb["流量"][ref] = value
    wb.save(path)
    return original


@pytest.mark.parametrize("typed", ["1,200", "１２００", " 1200 "])
def test_numbers_typed_as_text_are_read_as_numbers(demo_book, tmp_path, typed):
    as_number = tmp_path / "number.xlsx"
    as_number.write_bytes(demo_book.read_bytes())
    traffic_value(as_number, "C300", 1200)
    traffic_value(demo_book, "C300", typed)
    assert planned(demo_book) == planned(as_number)


@pytest.mark.parametrize("typed", ["2026/11/20", "2026-11-20", "2026年11月20日", 46346])
def test_traffic_dates_typed_as_text_or_serials_are_read(demo_book, typed):
    wb = openpyxl.load_workbook(demo_book)
    ws = wb["流量"]
    row = next(
        r for r in ws.iter_rows(min_row=2) if r[0].value == dt.datetime(2026, 11, 20)
    )
    row[0].value = typed
    wb.save(demo_book)
    assert run(["plan", str(demo_book), "--date", str(PLAN_DAY), "--quiet"]) == 0


def test_a_1904_date_system_book_plans_like_a_1900_one(demo_book, reference):
    wb = openpyxl.load_workbook(demo_book)
    wb.epoch = CALENDAR_MAC_1904
    wb.save(demo_book)
    assert openpyxl.load_workbook(demo_book).epoch == CALENDAR_MAC_1904
    assert planned(demo_book) == reference


def test_overlapping_windows_are_merged(demo_book):
    wb = openpyxl.load_workbook(demo_book)
    wb["设置"]["B2"] = "10:00-14:00,13:00-16:00"
    wb.save(demo_book)
    planned(demo_book)
    ws = openpyxl.load_workbook(demo_book)["重发计划"]
    assert [ws.cell(row=r, column=10).value for r in range(2, 7)] == [
        "10:00-11:00",
        "11:00-12:00",
        "12:00-13:00",
        "13:00-14:00",
        "14:00-15:00",
    ]


def test_a_plan_date_without_traffic_spreads_evenly(demo_book):
    assert run(["plan", str(demo_book), "--date", "2027-06-01", "--quiet"]) == 0
    ws = openpyxl.load_workbook(demo_book)["重发计划"]
    assert ws["R4"].value == "平均分配 even"  # info block right of the 7-column summary


@pytest.mark.parametrize("title", ["长" * 10_000, "👗公主裙𠀀𪚥", "=cmd|' /C calc'!A0"])
def test_long_emoji_rare_cjk_and_formula_like_titles_pass_through_as_text(
    demo_book, title
):
    wb = openpyxl.load_workbook(demo_book)
    wb["商品"]["B2"] = title
    wb["商品"]["D2"] = 5
    wb.save(demo_book)
    planned(demo_book)
    ws = openpyxl.load_workbook(demo_book)["重发计划"]
    hits = [c for c in ws["D"] if c.value == title]
    assert len(hits) == 1 and hits[0].data_type == "s"


def test_an_empty_inquiries_sheet_consolidates_to_zero(demo_book):
    wb = openpyxl.load_workbook(demo_book)
    ws = wb["咨询"]
    ws.delete_rows(2, ws.max_row)
    wb.save(demo_book)
    assert run(["consolidate", str(demo_book), "--date", str(PLAN_DAY), "--quiet"]) == 0
    ws = openpyxl.load_workbook(demo_book)["日报"]
    assert ws["B2"].value == "0"


def test_100k_products_plan_the_daily_count(tmp_path):
    from opsbook.book.files import atomic_save
    from opsbook.book.template import build_workbook, demo_frames

    frames = demo_frames(PLAN_DAY)
    products = frames["products"]
    big = products.loc[products.index.repeat(834)].head(100_000).reset_index(drop=True)
    big["product_id"] = [f"P{i:06d}" for i in range(len(big))]
    frames["products"] = big
    path = tmp_path / "big.xlsx"
    atomic_save(build_workbook(frames, {"daily_count": 100}), path)
    assert len(planned(path)) == 100


def test_a_merged_cell_where_the_close_writes_is_named_and_nothing_is_written(
    demo_book, edit_book, capsys
):
    edit_book(demo_book, "分析", lambda ws: ws.merge_cells("A1:I1"))
    before = demo_book.read_bytes()
    assert run(["consolidate", str(demo_book), "--date", str(PLAN_DAY), "-q"]) == 2
    err = capsys.readouterr().err
    assert "「分析」" in err and "A1:I1" in err and "取消合并" in err
    assert demo_book.read_bytes() == before


@pytest.mark.parametrize("year", [3024, 1066])
def test_a_date_with_a_mistyped_year_is_named_not_overflowed(
    demo_book, edit_book, capsys, year
):
    edit_book(
        demo_book,
        "商品",
        lambda ws: ws.cell(row=3, column=5, value=dt.datetime(year, 5, 3)),
    )
    assert run(["plan", str(demo_book), "--date", str(PLAN_DAY), "-q"]) == 2
    assert "E3" in capsys.readouterr().err
