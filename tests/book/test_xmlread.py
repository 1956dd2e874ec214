"""The XML reader: what calamine cannot type is still read, and both readers agree."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from python_calamine import CalamineWorkbook

from opsbook.book.files import atomic_save
from opsbook.book.ooxml import reader, styles, xmlread
from opsbook.book.store import WorkbookStore
from opsbook.book.template import build_workbook, demo_frames

from ..conftest import PLAN_DAY


def one_cell_book(path, value, fmt, *, date1904=False):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = value
    ws["A1"].number_format = fmt
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.save(path)
    return path


@pytest.mark.parametrize(
    "value, fmt, expected",
    [
        (-(10**12), "h:mm", -(10**12)),  # calamine panics on these three
        (10**12, "[h]:mm", 10**12),
        (3e38, "[h]:mm:ss", 3e38),
        (-(10**12), "yyyy-mm-dd", -(10**12)),
    ],
)
def test_numbers_no_date_can_hold_read_as_numbers(tmp_path, value, fmt, expected):
    store = WorkbookStore.open(one_cell_book(tmp_path / "b.xlsx", value, fmt))
    assert store.read("S", 1, 1, 1, 1) == [[expected]]


def part(path, name):
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def test_a_1904_book_reads_its_dates_from_1904(tmp_path):
    day = dt.datetime(2026, 12, 7)
    path = one_cell_book(tmp_path / "b.xlsx", day, "yyyy-mm-dd", date1904=True)
    store = WorkbookStore.open(path)
    assert store.workbook.date1904
    sheet, formats = part(path, "xl/worksheets/sheet1.xml"), part(path, "xl/styles.xml")
    grid = xmlread.read_grid_xml(
        sheet, [], styles.number_formats(formats), date1904=True
    )
    assert reader.trimmed(grid) == store.read("S", 1, 1, 1, 1) == [[day]]


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    atomic_save(build_workbook(demo_frames(PLAN_DAY)), path)
    return path


def test_both_readers_give_the_same_values_on_every_demo_sheet(demo_book):
    data = demo_book.read_bytes()
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    with zipfile.ZipFile(demo_book) as z:
        strings = []  # the template writes its text inline
        formats = styles.number_formats(z.read("xl/styles.xml"))
        store = WorkbookStore.open(demo_book)
        for name in store.sheet_names():
            xml = z.read(store._part_name(name))
            fast = reader.read_grid(calamine, name)
            slow = reader.trimmed(xmlread.read_grid_xml(xml, strings, formats))
            assert slow == fast, name


def test_both_readers_agree_on_a_book_with_shared_and_rich_strings(tmp_path):
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    bold, day = (
        wb.add_format({"bold": True}),
        wb.add_format({"num_format": "yyyy-mm-dd"}),
    )
    ws.write_row(0, 0, ["货号", 12, 1.5, True, "", "  "])
    ws.write_rich_string(1, 0, "连衣裙", bold, "加绒", "款")
    ws.write_datetime(2, 1, dt.datetime(2026, 12, 7, 9, 30), day)
    ws.write_string(3, 4, "_x000D_ 回车")
    wb.close()
    calamine = CalamineWorkbook.from_path(str(path))
    strings = xmlread.shared_strings(part(path, "xl/sharedStrings.xml"))
    formats = styles.number_formats(part(path, "xl/styles.xml"))
    slow = xmlread.read_grid_xml(
        part(path, "xl/worksheets/sheet1.xml"), strings, formats
    )
    assert reader.trimmed(slow) == reader.read_grid(calamine, "S")


@pytest.mark.parametrize("first", ["A1", "C1", "A7", "D12"])
def test_a_sheet_starting_away_from_a1_reads_from_a1_in_both_readers(tmp_path, first):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws[first] = "店铺"
    ws.cell(ws[first].row + 2, ws[first].column + 1, 3.5)
    wb.save(path := tmp_path / "x.xlsx")
    fast = reader.read_grid(CalamineWorkbook.from_path(str(path)), "S")
    slow = reader.trimmed(
        xmlread.read_grid_xml(part(path, "xl/worksheets/sheet1.xml"), [], [])
    )
    assert fast == slow
    assert fast[ws[first].row - 1][ws[first].column - 1] == "店铺"
