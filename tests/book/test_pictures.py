"""Staff's product pictures on opsbook's own 商品 sheet survive plan + consolidate.

The pictures come from books saved by WPS (``=DISPIMG`` cells over
``xl/cellimages.xml``) and Excel for Mac (in-cell pictures: ``vm=`` cells over
``xl/metadata.xml`` and ``xl/richData``), both with floating pictures too. opsbook's
sheets are grafted in, then the picture cells and a floating picture are put on
商品, in a column of staff's own beside opsbook's, as a shop does.
"""

import re
from pathlib import Path

import pytest

from opsbook.book.layout import PLAN_AT
from opsbook.book.ooxml.graft import graft_sheets
from opsbook.book.ooxml.package import Package, rels_name, resolve
from opsbook.book.ooxml.workbook import WorkbookPart
from opsbook.cli import run
from opsbook.core.schema import PLAN
from opsbook.excel.session import edit_book

from ..conftest import PLAN_DAY

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"
PICTURE_COLUMN = "Z"  # right of every opsbook column on 商品
# (corpus book, a picture cell of its as written by the app, with {ref} for its place)
BOOKS = {
    "wps-dispimg.xlsx": '<c r="{ref}" t="str"><f>_xlfn.DISPIMG(&quot;'
    "ID_343DFC770DE840EFB3B0EC4FD4D2FCC0&quot;,1)</f><v>=DISPIMG(&quot;"
    "ID_343DFC770DE840EFB3B0EC4FD4D2FCC0&quot;,1)</v></c>",
    "excel-mac-incell-pictures.xlsx": '<c r="{ref}" t="e" vm="1"><v>#VALUE!</v></c>',
}


def sheet_part(package: Package, name: str) -> str:
    return WorkbookPart(package).entry(name).part


def with_pictures_on_products(source: Path, demo: Path, out: Path) -> None:
    """``source`` with opsbook's sheets, and on 商品: picture cells in rows 2–4 of
    column Z (headed 图片) and the source sheet's floating pictures (a copy of its drawing)."""
    book = Package(source.read_bytes())
    for name, data in graft_sheets(book, Package(demo.read_bytes())).items():
        book.write(name, data)
    products = sheet_part(book, "商品")
    xml = book.read(products).decode("utf-8")
    header = f'<c r="{PICTURE_COLUMN}1" t="inlineStr"><is><t>图片</t></is></c>'
    for r in (1, 2, 3, 4):  # staff name their column, then put a picture in each row
        cell = (
            header if r == 1 else BOOKS[source.name].format(ref=f"{PICTURE_COLUMN}{r}")
        )
        xml = re.sub(
            rf'(<row r="{r}"[^>]*>.*?)(</row>)',
            rf"\1{cell}\2",
            xml,
            count=1,
            flags=re.S,
        )
    their_sheet = WorkbookPart(book).sheets[0].part
    drawing = book.related(their_sheet, "/drawing")[0]
    copy = book.free_name("xl/drawings/drawing{}.xml")
    book.write(copy, book.read(drawing))
    book.write(rels_name(copy), book.read(rels_name(drawing)))  # same folder
    book.set_content_type(copy, DRAWING_CT)
    rid = book.add_relationship(products, DRAWING, copy)
    element = f'<drawing r:id="{rid}"/>'
    if "xmlns:r=" not in xml[: xml.index(">", xml.index("<worksheet"))]:
        element = element.replace(
            "r:id",
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id',
        )
    before = re.compile(r"<legacyDrawing|<tableParts|<extLst|</worksheet>")
    xml = before.sub(lambda m: element + m.group(0), xml, count=1)
    book.write(products, xml.encode("utf-8"))
    with open(out, "wb") as fh:
        book.save_to(fh)


def tick_every_slot(book) -> None:
    """Staff tick 完成 on every planned repost (one block write)."""
    sheet = book.sheets[PLAN.name]
    first = sheet.range(PLAN_AT).expand("down")
    col = PLAN_AT[1] + [c.key for c in PLAN.columns].index("done")
    sheet.range((PLAN_AT[0] + 1, col)).value = [["√"]] * (first.rows.count - 1)


def products_rows(path: Path, first: int, last: int) -> list[bytes]:
    book = Package(path.read_bytes())
    xml = book.read(sheet_part(book, "商品"))
    return [
        re.search(rb'<row r="%d"[^>]*>.*?</row>' % r, xml, re.S).group(0)
        for r in range(first, last + 1)
    ]


def pictures(path: Path) -> dict[str, bytes]:
    """What the pictures are made of: 商品's picture cells and drawing element, and every
    part they reach (drawings, media, cellimages, metadata, richData)."""
    book = Package(path.read_bytes())
    products = sheet_part(book, "商品")
    xml = book.read(products)
    found = {
        "cells": b"".join(
            re.findall(rb'<c r="%s\d+".*?</c>' % PICTURE_COLUMN.encode(), xml)
        ),
        "drawing element": b"".join(re.findall(rb"<drawing [^>]*/>", xml)),
    }
    drawing = book.related(products, "/drawing")[0]
    for part in [drawing, rels_name(drawing), *book.related(drawing, "/image")]:
        found[part] = book.read(part)
    for name in book.names():
        if name.startswith(
            (
                "xl/cellimages",
                "xl/_rels/cellimages",
                "xl/richData/",
                "xl/metadata",
                "xl/media/",
            )
        ):
            found[name] = book.read(name)
    return found


@pytest.mark.parametrize("source", sorted(BOOKS), ids=str)
def test_picture_cells_and_floating_pictures_on_products_survive_both_commands(
    tmp_path, demo_book, source
):
    path = tmp_path / source
    with_pictures_on_products(CORPUS / source, demo_book, path)
    before, rows_before = pictures(path), products_rows(path, 2, 4)
    assert run(["plan", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
    edit_book(
        path, tick_every_slot
    )  # so 汇总今日 writes 上次重发 into the picture rows
    assert run(["consolidate", str(path), "--date", str(PLAN_DAY), "--quiet"]) == 0
    assert pictures(path) == before
    assert products_rows(path, 2, 4) != rows_before
    assert before["cells"].count(b"<c ") == 4 and any(
        k.startswith("xl/media/") for k in before
    )


def test_the_picture_parts_resolve_from_where_the_copy_points(tmp_path, demo_book):
    path = tmp_path / "wps.xlsx"
    with_pictures_on_products(CORPUS / "wps-dispimg.xlsx", demo_book, path)
    book = Package(path.read_bytes())
    drawing = book.related(sheet_part(book, "商品"), "/drawing")[0]
    images = [resolve(drawing, r.get("Target", "")) for r in book.rels(drawing)]
    assert images and all(image in book for image in images)
