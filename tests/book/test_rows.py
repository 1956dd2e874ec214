"""A large sheet's rows are kept deflated in blocks (ooxml.sheet.Rows) and written as
pieces (ooxml.package.Pieces): the saved book must be the same bytes as when the rows
are held plain, and every row must read back as it was."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from opsbook.book.layout import INFO_AT, INFO_KEYS
from opsbook.book.ooxml import sheet as sheet_xml
from opsbook.book.ooxml.package import Lazy, Package, Pieces
from opsbook.book.ooxml.refs import column_letter
from opsbook.book.ooxml.sheet import SheetPart
from opsbook.excel.daily import consolidate_day
from opsbook.excel.engine import open_book
from opsbook.excel.macros import build_repost_plan
from tests.conftest import PLAN_DAY


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


# The plan's 生成时间 is the clock's time of the run, so two runs differ in that cell.
BUILT_AT = f"{column_letter(INFO_AT[1] + 1)}{INFO_AT[0] + INFO_KEYS.index('生成时间 built at')}"


def built_at_blanked(data: bytes) -> bytes:
    return re.sub(
        rb'(<c r="' + BUILT_AT.encode() + rb'" s="\d+"><v>)[^<]*', rb"\1", data
    )


def run_day(path: Path) -> dict[str, bytes]:
    book = open_book(path)
    build_repost_plan(book, plan_date=PLAN_DAY)
    consolidate_day(book, day=PLAN_DAY)
    book.save()
    return {name: built_at_blanked(data) for name, data in members(path).items()}


def test_packed_rows_save_the_same_book_as_plain_rows(demo_book, tmp_path, monkeypatch):
    plain = run_day(shutil.copy(demo_book, tmp_path / "plain.xlsx"))
    monkeypatch.setattr(sheet_xml, "PACK_OVER", 0)  # every part packed
    monkeypatch.setattr(sheet_xml, "BLOCK", 512)  # into many small blocks
    packed = run_day(shutil.copy(demo_book, tmp_path / "packed.xlsx"))
    assert packed == plain


@pytest.mark.parametrize(
    ("streamed", "block"), [(False, 1 << 18), (True, 60), (True, 1)]
)
def test_every_row_reads_back_from_its_block(monkeypatch, streamed, block):
    monkeypatch.setattr(sheet_xml, "BLOCK", block)
    rows = {
        r: f'<row r="{r}"><c r="A{r}"><v>{r * 7}</v></c></row>' for r in range(1, 40)
    }
    xml = (
        "<worksheet><sheetData>" + "\n".join(rows.values()) + "</sheetData></worksheet>"
    )
    data = xml.encode()
    part = SheetPart.parse_stream([data]) if streamed else SheetPart.parse(data)
    assert {r: part.rows[r].decode() for r in part.rows} == rows
    assert Pieces(part.pieces()).join() == xml.replace("\n", "").encode()


def test_a_lazy_piece_that_comes_out_the_wrong_size_is_refused():
    with pytest.raises(ValueError, match="came out"):
        Pieces([b"<a>", Lazy(3, lambda: b"toolong")]).join()


@pytest.mark.parametrize("same", [True, False])
def test_holds_compares_pieces_with_the_stored_member(tmp_path, same):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.xml", b"<a>" + b"b" * 3_000_000 + b"</a>")
    tail = b"</a>" if same else b"</c>"
    data = Pieces([b"<a>", Lazy(3_000_000, lambda: b"b" * 3_000_000), tail])
    assert Package.open(path).holds("x.xml", data) is same


SHEETS = [
    '<worksheet><dimension ref="A1:B3"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    '\n <row r="2" spans="1:2"/><row r="3"><c r="B3" t="inlineStr"><is><t>货号</t></is></c>'
    "</row></sheetData><mergeCells/></worksheet>",
    '<x:worksheet xmlns:x="m"><x:sheetData><x:row r="7"><x:c r="A7"><x:v>2</x:v></x:c>'
    "</x:row><x:row><x:c><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>",
    "<worksheet><sheetData/><drawing/></worksheet>",
    "<worksheet><sheetData></sheetData></worksheet>",
]


@pytest.mark.parametrize("xml", SHEETS)
@pytest.mark.parametrize("size", [1, 2, 7, 64, 10**6])
def test_a_part_read_as_a_stream_is_the_part_read_whole(xml, size):
    data = xml.encode()
    whole = SheetPart.parse(data)
    streamed = SheetPart.parse_stream(
        data[i : i + size] for i in range(0, len(data), size)
    )
    assert (streamed.head, streamed.prefix, streamed.tail) == (
        whole.head,
        whole.prefix,
        whole.tail,
    )
    assert dict(streamed.rows) == dict(whole.rows)
    assert Pieces(streamed.pieces()).join() == Pieces(whole.pieces()).join()


@pytest.mark.parametrize("xml", ["<worksheet/>", "<worksheet><sheetData><row r='1'>"])
def test_a_stream_without_its_sheet_data_is_refused(xml):
    with pytest.raises(ValueError, match="sheetData"):
        SheetPart.parse_stream([xml.encode()])


@pytest.mark.parametrize(
    ("pending", "data", "same"),
    [
        (b"abcdef", Pieces([b"abc", b"def"]), True),  # pieces end elsewhere
        (Pieces([b"a", b"bcde", b"f"]), b"abcdef", True),
        (Pieces([b"ab", Lazy(4, lambda: b"cdef")]), Pieces([b"abcd", b"ef"]), True),
        (b"abcdef", Pieces([b"abc", b"deg"]), False),
        (b"abcdef", b"abcde", False),
    ],
)
def test_holds_compares_a_pending_member_whatever_its_pieces(
    tmp_path, pending, data, same
):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.xml", b"old")
    package = Package.open(path)
    package.write("x.xml", pending)
    assert package.holds("x.xml", data) is same
