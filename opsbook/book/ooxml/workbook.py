"""``xl/workbook.xml`` and what hangs off it: the sheet list, calculation, new sheets.

The part is edited with lxml and written back only when something in it
changed; every other child (defined names, book views, WPS' or Excel's own
extensions) stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .package import Package, parse_xml, resolve, to_xml
from .sheet import MAIN_NS, R_NS

WORKSHEET_TYPE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
)
WORKSHEET_CT = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
)
CALC_CHAIN = "calcChain"
EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    b'<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
    b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    b"</worksheet>"
)


def q(tag: str) -> str:
    return f"{{{MAIN_NS}}}{tag}"


@dataclass
class SheetEntry:
    name: str
    part: str | None  # None: a chart sheet or a dialog sheet, no cells
    element: etree._Element


class WorkbookPart:
    """The workbook part of a package, parsed once, saved back if changed."""

    def __init__(self, package: Package):
        self.package = package
        self.name = package.main_part()
        self.root = parse_xml(package.read(self.name), self.name)
        self.dirty = False
        targets = {
            r.get("Id"): (r.get("Type", ""), resolve(self.name, r.get("Target", "")))
            for r in package.rels(self.name)
        }
        self.sheets: list[SheetEntry] = []
        for el in self._sheets_el():
            kind, part = targets.get(el.get(f"{{{R_NS}}}id"), ("", None))
            self.sheets.append(
                SheetEntry(
                    el.get("name", ""),
                    part if kind.endswith("/worksheet") else None,
                    el,
                )
            )

    def _sheets_el(self) -> etree._Element:
        found = self.root.find(q("sheets"))
        if found is None:
            raise ValueError("workbook without <sheets>")
        return found

    def names(self) -> list[str]:
        return [s.name for s in self.sheets]

    @property
    def date1904(self) -> bool:
        """Whether serial dates count from 1904 (old Mac books), not 1900."""
        pr = self.root.find(q("workbookPr"))
        return pr is not None and pr.get("date1904", "0") in ("1", "true")

    def entry(self, name: str) -> SheetEntry:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    # -- changes -------------------------------------------------------------
    def add_sheet(self, name: str, index: int | None, xml: bytes = EMPTY_SHEET) -> str:
        """A new worksheet part, related and listed at ``index``; returns its part name."""
        part = self.package.free_name("xl/worksheets/sheet{}.xml")
        self.package.write(part, xml)
        self.package.set_content_type(part, WORKSHEET_CT)
        rid = self.package.add_relationship(self.name, WORKSHEET_TYPE, part)
        ids = [int(s.element.get("sheetId", "0")) for s in self.sheets]
        el = etree.Element(q("sheet"), nsmap={"r": R_NS})
        el.set("name", name)
        el.set("sheetId", str(max(ids, default=0) + 1))
        el.set(f"{{{R_NS}}}id", rid)
        index = len(self.sheets) if index is None else index
        sheets_el = self._sheets_el()
        if index < len(self.sheets):
            self.sheets[index].element.addprevious(el)
        else:
            sheets_el.append(el)
        self.sheets.insert(index, SheetEntry(name, part, el))
        self._shift_local_names(index, +1)
        self.dirty = True
        return part

    def remove_sheet(self, name: str) -> None:
        entry = self.entry(name)
        index = self.sheets.index(entry)
        self._sheets_el().remove(entry.element)
        self.sheets.remove(entry)
        self.package.remove_relationship(
            self.name, entry.element.get(f"{{{R_NS}}}id", "")
        )
        if entry.part:
            self.package.remove(entry.part)
            self.package.set_content_type(entry.part, None)
        names = self.root.find(q("definedNames"))
        for dn in list(names if names is not None else []):
            if dn.get("localSheetId") == str(index):
                names.remove(dn)
        self._shift_local_names(index + 1, -1)
        view = self._view()
        if view is not None and int(view.get("activeTab", "0")) >= len(self.sheets):
            view.set("activeTab", str(max(len(self.sheets) - 1, 0)))
        self.dirty = True

    def _shift_local_names(self, start: int, by: int) -> None:
        names = self.root.find(q("definedNames"))
        for dn in names if names is not None else []:
            local = dn.get("localSheetId")
            if local is not None and int(local) >= start:
                dn.set("localSheetId", str(int(local) + by))
        view = self._view()
        if view is not None and by > 0 and int(view.get("activeTab", "0")) >= start:
            view.set("activeTab", str(int(view.get("activeTab", "0")) + by))

    def _view(self) -> etree._Element | None:
        return self.root.find(f"{q('bookViews')}/{q('workbookView')}")

    def active_index(self) -> int:
        view = self._view()
        return int(view.get("activeTab", "0")) if view is not None else 0

    def set_active(self, index: int) -> None:
        view = self._view()
        if view is None:
            views = etree.Element(q("bookViews"))
            self._sheets_el().addprevious(views)
            view = etree.SubElement(views, q("workbookView"))
        view.set("activeTab", str(index))
        if int(view.get("firstSheet", "0")) > index:
            view.set("firstSheet", str(index))
        self.dirty = True

    def recalculate_on_open(self) -> None:
        """Values formulas read have changed: Excel and WPS recalculate when opening."""
        calc = self.root.find(q("calcPr"))
        if calc is None:
            calc = etree.Element(q("calcPr"))
            after = self._sheets_el()
            for tag in ("functionGroups", "externalReferences", "definedNames"):
                found = self.root.find(q(tag))
                after = found if found is not None else after
            after.addnext(calc)
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self.dirty = True

    def drop_calc_chain(self) -> None:
        """Formula cells came or went: Excel rebuilds the chain, a stale one it calls corrupt."""
        for r in self.package.rels(self.name):
            if r.get("Type", "").endswith("/" + CALC_CHAIN):
                part = resolve(self.name, r.get("Target", ""))
                self.package.remove_relationship(self.name, r.get("Id", ""))
                self.package.remove(part)
                self.package.set_content_type(part, None)

    def save(self) -> None:
        if self.dirty:
            self.package.write(self.name, to_xml(self.root))
