"""Grafting sheets part by part: what comes along, what stays byte-identical, what is refused."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from copy import copy
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from lxml import etree
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from opsbook.book.ooxml.graft import GraftError, graft_sheets
from opsbook.book.ooxml.styles import (
    merge_styles,
    number_format_of,
    number_formats,
    with_number_format,
)
from workbook.libreoffice import convert, soffice

from ..conftest import require

SHEET = "流量分析"
PERCENT_UP = '0.0%"↑"'
LISTING = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


def png() -> bytes:
    """A 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0"))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def rewrite(path: Path, member: str, edit) -> None:
    """Edit one member of a zip in place (the way another writer would have written it)."""
    members = parts(path)
    members[member] = edit(members[member])
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def write(path: Path, target: Path, changed: dict[str, bytes]) -> Path:
    """The target with ``changed`` applied: untouched members copied as they are."""
    with (
        zipfile.ZipFile(target) as old,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for name in old.namelist():
            new.writestr(name, changed.get(name, old.read(name)))
        for name in changed.keys() - set(old.namelist()):
            new.writestr(name, changed[name])
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A sheet with styles, a table, a comment, a validation, a CF rule and a chart."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["日期", "商品", "访客", "转化率"])
    for i in range(5):
        ws.append([dt.date(2026, 11, 20 + i), f"货号{i}", 100 + 10 * i, 0.05 + i / 100])
        ws.cell(2 + i, 1).number_format = "yyyy-mm-dd"
        ws.cell(2 + i, 4).number_format = PERCENT_UP
    ws["A1"].font = Font(bold=True, color="FFFF0000")
    ws.add_table(Table(displayName="流量表", ref="A1:D6"))
    ws["B2"].comment = Comment("首单", "运营")
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="1000")
    dv.add("C2:C6")
    ws.add_data_validation(dv)
    red = CellIsRule(operator="greaterThan", formula=["120"], font=Font(color="FF9C0006"),
                     fill=PatternFill(bgColor="FFFFC7CE"))  # fmt: skip
    ws.conditional_formatting.add("C2:C6", red)
    chart = BarChart()
    chart.add_data(
        Reference(ws, min_col=3, min_row=1, max_row=6), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=6))
    ws.add_chart(chart, "F2")
    ws.print_area = "A1:D6"
    wb.create_sheet("备注")["A1"] = "另一张"
    wb.save(tmp_path / "source.xlsx")
    return tmp_path / "source.xlsx"


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """An openpyxl book: two sheets, a table, a global name and a local print area."""
    wb = openpyxl.Workbook()
    goods = wb.active
    goods.title = "商品"
    goods.append(["货号", "单价"])
    goods.append(["A1", 9.5])
    goods["A1"].font = Font(italic=True)
    goods.add_table(Table(displayName="商品表", ref="A1:B2"))
    wb.defined_names["单价"] = DefinedName("单价", attr_text="商品!$B$2")
    wb.create_sheet("设置").print_area = "A1:B4"
    wb.save(tmp_path / "target.xlsx")
    return tmp_path / "target.xlsx"


@pytest.fixture
def xw_target(tmp_path: Path) -> Path:
    """A book XlsxWriter wrote: its own styles, shared strings, table and names."""
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("汇总")
    money = wb.add_format({"num_format": "#,##0.00", "font_color": "#0000FF"})
    data = [["甲", 12.5], ["乙", 3]]
    ws.add_table("A1:B3", {"name": "汇总表", "data": data,
                           "columns": [{"header": "店铺"}, {"header": "金额", "format": money}]})  # fmt: skip
    notes = wb.add_worksheet("说明")
    notes.print_area("A1:C3")
    notes.write_rich_string("A1", wb.add_format({"color": "red"}), "红字", "黑字")
    notes.insert_image("D1", "dot.png", {"image_data": io.BytesIO(png())})
    wb.define_name("税率", "=汇总!$B$2")
    wb.close()
    return path


def grafted(tmp_path: Path, target: Path, source: Path, **kw) -> Path:
    return write(
        tmp_path / "out.xlsx", target, graft_sheets(parts(target), parts(source), **kw)
    )


def test_only_the_listing_parts_and_styles_change(xw_target, source):
    before = parts(xw_target)
    changed = graft_sheets(before, parts(source), [SHEET])
    assert changed.keys() & before.keys() == {*LISTING, "xl/styles.xml"}
    assert "xl/worksheets/sheet3.xml" in changed


def test_untouched_members_are_byte_identical(tmp_path, xw_target, source):
    before, after = parts(xw_target), parts(grafted(tmp_path, xw_target, source))
    untouched = before.keys() - LISTING - {"xl/styles.xml"}
    assert {"xl/sharedStrings.xml", "docProps/app.xml"} <= untouched
    assert all(after[name] == before[name] for name in untouched)


def test_values_number_formats_and_fonts_come_along(tmp_path, xw_target, source):
    ws = openpyxl.load_workbook(grafted(tmp_path, xw_target, source))[SHEET]
    assert [c.value for c in ws[2]] == [dt.datetime(2026, 11, 20), "货号0", 100, 0.05]
    assert (ws["A2"].number_format, ws["D3"].number_format) == (
        "yyyy-mm-dd",
        PERCENT_UP,
    )
    assert ws["A1"].font.b and ws["A1"].font.color.rgb == "FFFF0000"


def test_shared_strings_become_inline_strings_and_table_dxfs_follow(
    tmp_path, target, xw_target
):
    out = parts(grafted(tmp_path, target, xw_target, sheets=["汇总"]))
    sheet = out["xl/worksheets/sheet3.xml"].decode()
    assert 't="s"' not in sheet
    assert (
        '<c r="A2" t="inlineStr"><is><t xml:space="preserve">甲</t></is></c>' in sheet
    )
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert wb["汇总"]["A3"].value == "乙"
    dxf = wb["汇总"].tables["汇总表"].tableColumns[1].dataDxfId
    assert wb._differential_styles[dxf].font.color.rgb == "FF0000FF"


def test_table_comment_validation_and_conditional_format_come_along(
    tmp_path, xw_target, source
):
    ws = openpyxl.load_workbook(grafted(tmp_path, xw_target, source))[SHEET]
    assert ws.tables["流量表"].ref == "A1:D6"
    assert ws["B2"].comment.text == "首单"
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["C2:C6"]
    ((area, (rule,)),) = [(str(cf.sqref), cf.rules) for cf in ws.conditional_formatting]
    assert area == "C2:C6"
    assert (
        rule.dxf.font.color.rgb == "FF9C0006"
        and rule.dxf.fill.bgColor.rgb == "FFFFC7CE"
    )


def test_chart_comes_along_reading_the_grafted_sheet(tmp_path, xw_target, source):
    out = parts(grafted(tmp_path, xw_target, source))
    chart = next(name for name in out if re.fullmatch(r"xl/charts/chart\d+\.xml", name))
    assert f"<f>'{SHEET}'!$C$2:$C$6</f>" in out[chart].decode()
    assert len(openpyxl.load_workbook(tmp_path / "out.xlsx")[SHEET]._charts) == 1


def test_target_cells_and_styles_stay(tmp_path, xw_target, source):
    before = openpyxl.load_workbook(xw_target)["汇总"]
    after = openpyxl.load_workbook(grafted(tmp_path, xw_target, source))["汇总"]

    def look(c):  # copies: style proxies of two books never compare equal
        return c.value, c.number_format, copy(c.font), copy(c.fill), copy(c.border)

    for old, new in zip(before.iter_rows(), after.iter_rows(), strict=True):
        assert [look(c) for c in old] == [look(c) for c in new]
    assert after.tables["汇总表"].ref == "A1:B3"


def test_existing_style_entries_keep_their_place(tmp_path, xw_target, source):
    old, new = (
        p["xl/styles.xml"]
        for p in (parts(xw_target), parts(grafted(tmp_path, xw_target, source)))
    )
    for section in ("fonts", "fills", "borders", "cellXfs"):
        body = re.search(
            rf"<{section} count=\"\d+\">(.*?)</{section}>".encode(), old, re.S
        )[1]
        assert body in new
    assert (
        b'<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>' in new
    )  # after XlsxWriter's 164


def test_table_ids_stay_unique(tmp_path, target, source):
    out = parts(grafted(tmp_path, target, source))
    ids = [
        re.search(rb'<table[^>]* id="(\d+)"', out[n])[1]
        for n in out
        if n.startswith("xl/tables/")
    ]
    assert sorted(ids) == [b"1", b"2"]


def test_a_sheet_name_clash_is_refused(target):
    with pytest.raises(GraftError, match="设置"):
        graft_sheets(parts(target), parts(target), ["设置"])


@pytest.mark.parametrize("name", ["商品表", "单价"])
def test_a_table_name_clash_is_refused(tmp_path, target, source, name):
    wb = openpyxl.load_workbook(source)
    wb[SHEET].tables["流量表"].displayName = wb[SHEET].tables["流量表"].name = name
    wb.save(source)
    with pytest.raises(GraftError, match=name):
        graft_sheets(parts(target), parts(source), [SHEET])


def test_index_zero_keeps_defined_names_on_their_sheets(tmp_path, target, source):
    wb = openpyxl.load_workbook(
        grafted(tmp_path, target, source, sheets=[SHEET], index=0)
    )
    assert wb.sheetnames == [SHEET, "商品", "设置"]
    assert wb["设置"].print_area == "'设置'!$A$1:$B$4"
    assert wb[SHEET].print_area == f"'{SHEET}'!$A$1:$D$6"
    assert wb.defined_names["单价"].attr_text == "商品!$B$2"
    assert wb.active.title == "商品"


def test_all_sheets_are_grafted_by_default(tmp_path, xw_target, source):
    wb = openpyxl.load_workbook(grafted(tmp_path, xw_target, source))
    assert wb.sheetnames == ["汇总", "说明", SHEET, "备注"]
    assert wb["备注"]["A1"].value == "另一张"


def test_libreoffice_opens_the_result(tmp_path, xw_target, source):
    require("LibreOffice", soffice())
    book = grafted(tmp_path, xw_target, source, index=0)
    csv = convert(book, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "csv")
    assert (
        csv.read_text(encoding="utf-8").splitlines()[1] == "2026-11-20,货号0,100,5.0%↑"
    )


def test_rich_text_keeps_its_runs(tmp_path, target, xw_target):
    out = parts(grafted(tmp_path, target, xw_target, sheets=["说明"]))
    assert re.search(
        r'<c r="A1"[^>]*t="inlineStr"><is><r>', out["xl/worksheets/sheet3.xml"].decode()
    )
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx", rich_text=True)
    assert str(wb["说明"]["A1"].value) == "红字黑字"


def test_images_come_along_with_their_content_type(tmp_path, target, xw_target):
    out = parts(grafted(tmp_path, target, xw_target, sheets=["说明"]))
    assert out["xl/media/image1.png"] == png()
    assert (
        b'<Default Extension="png" ContentType="image/png"/>'
        in out["[Content_Types].xml"]
    )
    assert b'Target="../media/image1.png"' in out["xl/drawings/_rels/drawing1.xml.rels"]


def test_shared_parts_keep_declarations_ignorable_and_unknown_elements(
    tmp_path, xw_target, source
):
    mc = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15"'
          ' xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"')  # fmt: skip
    ext = '<extLst><ext uri="{X}"><x15:future flag="1"/></ext></extLst>'
    for member, root in (
        ("xl/workbook.xml", "workbook"),
        ("xl/styles.xml", "styleSheet"),
    ):
        rewrite(xw_target, member, lambda data, root=root: data.replace(
            f"<{root} ".encode(), f"<{root} {mc} ".encode()).replace(
            f"</{root}>".encode(), f"{ext}</{root}>".encode()))  # fmt: skip
    out = parts(grafted(tmp_path, xw_target, source))
    for member in ("xl/workbook.xml", "xl/styles.xml"):
        assert out[member].startswith(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        )
        assert all(piece.encode() in out[member] for piece in (*mc.split(" "), ext))


def test_a_sheet_with_a_pivot_table_is_refused(target, source):
    package = parts(source)
    rels = "xl/worksheets/_rels/sheet1.xml.rels"
    pivot = ('<Relationship Id="rId9" Target="/xl/pivotTables/pivotTable1.xml" Type="http://'
             'schemas.openxmlformats.org/officeDocument/2006/relationships/pivotTable"/>')  # fmt: skip
    package[rels] = package[rels].replace(
        b"</Relationships>", pivot.encode() + b"</Relationships>"
    )
    with pytest.raises(GraftError, match=f"{SHEET}.*pivotTable"):
        graft_sheets(parts(target), package, [SHEET])


THEME = b"""<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:themeElements>
<a:clrScheme name="x"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>
<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="44546A"/></a:dk2>
<a:lt2><a:srgbClr val="E7E6E6"/></a:lt2><a:accent1><a:srgbClr val="4472c4"/></a:accent1>
</a:clrScheme></a:themeElements></a:theme>"""
FONT = '<font><sz val="11"/><color theme="4" tint="0.4"/><name val="Calibri"/><scheme val="minor"/></font>'


def stylesheet(font: str) -> bytes:
    return (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<fonts count="1">{font}</fonts><fills count="1"><fill/></fills><borders count="1">'
        '<border/></borders><cellXfs count="1"><xf fontId="0"/></cellXfs></styleSheet>'
    ).encode()


def test_theme_colours_become_rgb_when_the_themes_differ():
    target = stylesheet('<font><sz val="10"/></font>')
    merged, xf_map, _ = merge_styles(target, stylesheet(FONT), [0], source_theme=THEME)
    assert (
        b'<color tint="0.4" rgb="FF4472C4"/><name val="Calibri"/></font></fonts>'
        in merged
    )
    assert b'<fonts count="2">' in merged and xf_map == {0: 1}
    assert b'<color theme="4" tint="0.4"/>' in merge_styles(target, stylesheet(FONT))[0]


def test_merge_reuses_identical_formats_and_appends_new_ones(source, xw_target):
    src, dst = parts(source)["xl/styles.xml"], parts(xw_target)["xl/styles.xml"]
    merged, xf_map, _ = merge_styles(dst, src)
    assert set(xf_map.values()) - set(range(len(re.findall(rb"<xf ", dst))))
    assert {"yyyy-mm-dd", PERCENT_UP} <= {
        number_formats(merged)[i] for i in xf_map.values()
    }
    assert merge_styles(merged, src)[0] == merged  # everything is there now


def test_merge_into_an_indented_copy_adds_nothing(source):
    styles = parts(source)["xl/styles.xml"]
    indented = etree.tostring(etree.fromstring(styles), pretty_print=True)
    assert merge_styles(indented, styles)[0] == indented


def test_with_number_format_clones_once(xw_target):
    styles = parts(xw_target)["xl/styles.xml"]
    once, xf = with_number_format(styles, 0, "yyyy/m/d")
    assert (
        number_format_of(once, xf) == "yyyy/m/d"
        and number_format_of(once, 0) == "General"
    )
    assert with_number_format(once, 0, "yyyy/m/d") == (once, xf)
    assert with_number_format(styles, 0, "General") == (styles, 0)
    two_places, xf = with_number_format(styles, 0, "0.00")  # built-in 2: no new numFmt
    assert number_format_of(two_places, xf) == "0.00"
    assert two_places.count(b"<numFmt ") == styles.count(b"<numFmt ")
