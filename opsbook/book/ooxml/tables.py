"""Excel tables (ListObjects) as parts, and the charts that follow them.

A table part is small: it is parsed with lxml, its ``ref``, ``autoFilter`` and
column names set, and written back; columns that keep their name keep their
element (and so their formulas, formats and ids). When a table grows, chart
series that read a whole data column of it are moved to its new last row, as
Excel does when a ListObject is resized.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from .package import Package, parse_xml, to_xml
from .refs import column_index, range_bounds
from .sheet import MAIN_NS, R_NS, SheetPart

TABLE_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
TABLE_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"


def q(tag: str) -> str:
    return f"{{{MAIN_NS}}}{tag}"


class TablePart:
    def __init__(self, package: Package, part: str):
        self.package = package
        self.part = part
        self.root = parse_xml(package.read(part), part)

    @property
    def name(self) -> str:
        return self.root.get("displayName") or self.root.get("name", "")

    @property
    def ref(self) -> str:
        return self.root.get("ref", "")

    @property
    def header_rows(self) -> int:
        return int(self.root.get("headerRowCount", "1"))

    @property
    def totals_rows(self) -> int:
        return int(self.root.get("totalsRowCount", "0"))

    @property
    def id(self) -> int:
        return int(self.root.get("id", "0"))

    def resize(self, ref: str, headers: Sequence[str]) -> None:
        """Point the table at ``ref``; its columns are named by ``headers``."""
        self.root.set("ref", ref)
        auto = self.root.find(q("autoFilter"))
        if auto is not None:
            auto.set("ref", ref)
        columns = self.root.find(q("tableColumns"))
        if columns is None:
            columns = etree.SubElement(self.root, q("tableColumns"))
        old = list(columns)
        by_name = {c.get("name"): c for c in old}
        ids = [int(c.get("id", "0")) for c in old]
        next_id = max(ids, default=0) + 1
        for c in old:
            columns.remove(c)
        for name in headers:
            element = by_name.pop(name, None)
            if element is None:
                element = etree.Element(q("tableColumn"))
                element.set("id", str(next_id))
                element.set("name", name)
                next_id += 1
            columns.append(element)
        columns.set("count", str(len(headers)))
        self.package.write(self.part, to_xml(self.root))


def header_names(cells: Sequence[object]) -> list[str]:
    """Column names as Excel makes them from a header row: text, unique, never empty."""
    names: list[str] = []
    for i, value in enumerate(cells, start=1):
        name = "" if value is None else str(value)
        name = name or f"Column{i}"
        base, n = name, 2
        while name.lower() in (x.lower() for x in names):
            name, n = f"{base}{n}", n + 1
        names.append(name)
    return names


def new_table(
    package: Package,
    sheet_part: str,
    sheet: SheetPart,
    name: str,
    ref: str,
    style: str,
    headers: Sequence[str],
) -> TablePart:
    """A new table part on a sheet: related, typed and listed in ``<tableParts>``."""
    ids = [t.id for t in all_tables(package)]
    part = package.free_name("xl/tables/table{}.xml")
    root = etree.Element(q("table"), nsmap={None: MAIN_NS})
    for key, value in (
        ("id", str(max(ids, default=0) + 1)),
        ("name", name),
        ("displayName", name),
        ("ref", ref),
    ):
        root.set(key, value)
    etree.SubElement(root, q("autoFilter")).set("ref", ref)
    etree.SubElement(root, q("tableColumns"))
    info = etree.SubElement(root, q("tableStyleInfo"))
    for key, value in (
        ("name", style),
        ("showFirstColumn", "0"),
        ("showLastColumn", "0"),
        ("showRowStripes", "1"),
        ("showColumnStripes", "0"),
    ):
        info.set(key, value)
    package.write(part, to_xml(root))
    package.set_content_type(part, TABLE_CT)
    rid = package.add_relationship(sheet_part, TABLE_TYPE, part)
    parts = sheet.child("tableParts")
    assert parts is not None
    etree.SubElement(parts, q("tablePart")).set(f"{{{R_NS}}}id", rid)
    parts.set("count", str(len(parts)))
    table = TablePart(package, part)
    table.resize(ref, headers)
    return table


def all_tables(package: Package) -> list[TablePart]:
    return [
        TablePart(package, n)
        for n in package.names()
        if n.startswith("xl/tables/") and n.endswith(".xml")
    ]


# -- charts that follow a table ------------------------------------------------
_REF = re.compile(
    r"^(?P<sheet>'(?:[^']|'')+'|[^!]+)!\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]+)\$?(?P<r2>\d+))?$"
)
_F = re.compile(rb"<((?:\w+:)?)f>([^<]*)</\1f>")


def follow_table(
    package: Package, sheet_part: str, sheet: str, old: str, new: str
) -> None:
    """Move the chart series on ``sheet``'s drawing that read a whole column of ``old``."""
    c1, r1, c2, r2 = range_bounds(old)
    last = range_bounds(new)[3]
    for drawing in package.related(sheet_part, "/drawing"):
        for chart in package.related(drawing, "/chart"):
            data = package.read(chart)

            def move(m: re.Match[bytes]) -> bytes:
                text = m.group(2).decode("utf-8")
                moved = moved_ref(text, sheet, c1, c2, r1 + 1, r2, last)
                p = m.group(1)
                return b"<" + p + b"f>" + moved.encode("utf-8") + b"</" + p + b"f>"

            changed = _F.sub(move, data)
            if changed != data:
                package.write(chart, changed)


def moved_ref(
    f: str, sheet: str, c1: int, c2: int, top: int, bottom: int, last: int
) -> str:
    """``f`` with its end row set to ``last`` if it spans [top, bottom] of a column in c1..c2."""
    m = _REF.match(f or "")
    if not m or (m["c2"] or m["c1"]) != m["c1"]:
        return f
    name = m["sheet"].strip("'").replace("''", "'")
    col = column_index(m["c1"])
    if (
        name != sheet
        or not c1 <= col <= c2
        or int(m["r1"]) != top
        or int(m["r2"] or m["r1"]) != bottom
    ):
        return f
    return f"{m['sheet']}!${m['c1']}${top}:${m['c1']}${max(last, top)}"
