"""The file engine: real xlwings objects over a workbook file."""

import datetime as dt
import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwings as xw
from openpyxl.worksheet.table import Table

from opsbook.book.ooxml.package import Package
from opsbook.errors import BookFileError
from opsbook.excel.engine import open_book, stats


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T"
    ws.append(["名称", "数量"])
    ws.append(["a", 1])
    ws.add_table(Table(displayName="Things", ref="A1:B2"))
    other = wb.create_sheet("Other")
    other["C3"] = "keep me"
    other["C3"].font = openpyxl.styles.Font(bold=True, color="FF0000")
    path = tmp_path / "small.xlsx"
    wb.save(path)
    return path


def test_open_book_gives_real_xlwings_objects(small_book):
    book = open_book(small_book)
    assert isinstance(book, xw.Book) and isinstance(book.sheets["T"]["A1"], xw.Range)
    assert book.sheets["T"].used_range.address == "$A$1:$B$2"


def test_dataframe_options_read_a_range(small_book):
    df = (
        open_book(small_book)
        .sheets["T"]["A1:B2"]
        .options(pd.DataFrame, index=False)
        .value
    )
    assert df.to_dict("list") == {"名称": ["a"], "数量": [1]}


def test_write_reopen_compare_round_trip(small_book):
    book = open_book(small_book)
    when = dt.datetime(2026, 11, 25, 10, 3)
    book.sheets["T"]["D1"].value = [["x", 1.5, when, None, True]]
    book.save()
    again = open_book(small_book).sheets["T"]["D1:H1"].value
    assert again == ["x", 1.5, when, None, True]


def test_text_that_looks_like_a_formula_is_written_as_text(small_book):
    book = open_book(small_book)
    book.sheets["T"]["A5"].value = '=HYPERLINK("http://x")'
    book.save()
    cell = openpyxl.load_workbook(small_book)["T"]["A5"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://x")')


@pytest.mark.parametrize("rows", [5, 1])
def test_table_update_grows_and_shrinks_the_excel_table(small_book, rows):
    book = open_book(small_book)
    df = pd.DataFrame({"名称": [f"n{i}" for i in range(rows)], "数量": range(rows)})
    book.sheets["T"].tables["Things"].update(df, index=False)
    book.save()
    ws = openpyxl.load_workbook(small_book)["T"]
    assert ws.tables["Things"].ref == f"A1:B{1 + max(rows, 1)}"
    assert [c.name for c in ws.tables["Things"].tableColumns] == ["名称", "数量"]


def test_saving_keeps_other_sheets_and_their_styles(small_book):
    book = open_book(small_book)
    book.sheets["T"]["A2"].value = "b"
    book.save()
    cell = openpyxl.load_workbook(small_book)["Other"]["C3"]
    assert (cell.value, cell.font.bold, cell.font.color.rgb) == (
        "keep me",
        True,
        "00FF0000",
    )


def test_a_failed_save_leaves_the_original_and_no_temp_file(small_book, monkeypatch):
    before = small_book.read_bytes()
    book = open_book(small_book)
    book.sheets["T"]["A2"].value = "changed"
    monkeypatch.setattr(
        Package,
        "save_to",
        lambda self, fh: (_ for _ in ()).throw(OSError("disk full")),
    )
    with pytest.raises(OSError):
        book.save()
    assert small_book.read_bytes() == before
    assert os.listdir(small_book.parent) == [small_book.name]


def test_macro_enabled_books_keep_their_vba_project_byte_for_byte(tmp_path):
    source = Path(xw.__file__).parent / "quickstart_standalone.xlsm"
    path = tmp_path / "book.xlsm"
    shutil.copy(source, path)
    book = open_book(path)
    book.sheets[0]["A1"].value = "hi"
    book.save()
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(path) as b:
        assert b.read("xl/vbaProject.bin") == a.read("xl/vbaProject.bin")


def test_reads_and_writes_are_counted_as_round_trips(small_book):
    book = open_book(small_book)
    book.sheets["T"]["A1:B2"].value  # noqa: B018 - the read is the point
    book.sheets["T"]["A3"].value = [["c", 3]]
    assert stats(book) == {"reads": 1, "writes": 1}


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.xlsx", None, "不存在"),
        ("notes.txt", b"hello", "不支持"),
        ("broken.xlsx", b"not a zip at all", "不是有效"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "不支持"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_clearly(
    tmp_path, name, content, says
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BookFileError, match=says):
        open_book(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(BookFileError, match="读取失败"):
        open_book(path)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("'S'!$B$2:$B$3", "'S'!$B$2:$B$9"),  # a whole data column follows the table
        ("'S'!$B$2", "'S'!$B$2"),  # not the table's data rows (the table had two)
        ("'S'!$B$1", "'S'!$B$1"),  # the series name: the header stays
        ("'S'!$E$2:$E$3", "'S'!$E$2:$E$3"),  # outside the table's columns
        ("'T'!$B$2:$B$3", "'T'!$B$2:$B$3"),  # another sheet
        ("'S'!$B$2:$C$3", "'S'!$B$2:$C$3"),  # not one column
    ],
)
def test_chart_series_on_a_tables_column_follow_its_resize(ref, expected):
    from opsbook.book.ooxml.tables import moved_ref

    assert moved_ref(ref, "S", 1, 3, 2, 3, 9) == expected


def test_book_sheets_lists_worksheets_as_excel_does_not_chart_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "数据"
    wb.create_chartsheet("图表")
    wb.save(tmp_path / "c.xlsx")
    book = open_book(tmp_path / "c.xlsx")
    assert [s.name for s in book.sheets] == ["数据"]
    assert "图表" not in book.sheets and len(book.sheets) == 1


def test_a_book_saved_twice_with_edits_between_keeps_both(tmp_path, demo_book):
    book = open_book(demo_book)
    table = book.sheets["任务"].tables[0]
    table.resize(
        book.sheets["任务"]
        .range(table.range.address)
        .resize(table.range.rows.count + 1)
    )
    book.save()
    book.sheets["设置"]["C2"].value = "第二次 / second"
    book.save()
    again = open_book(demo_book)
    assert again.sheets["设置"]["C2"].value == "第二次 / second"
    assert again.sheets["任务"].tables[0].range.rows.count == table.range.rows.count
