"""The parts of a worksheet around its cells that macros set: panes, tabs, column widths.

Each edits the sheet's head (``SheetPart.tree``) in place and leaves every
other attribute and child, e.g. a staff member's zoom or selection, as it was.
"""

from __future__ import annotations

from lxml import etree

from .refs import cell_position
from .sheet import MAIN_NS, SheetPart


def q(tag: str) -> str:
    return f"{{{MAIN_NS}}}{tag}"


def _view(sheet: SheetPart) -> etree._Element:
    views = sheet.child("sheetViews")
    assert views is not None
    view = views.find(q("sheetView"))
    if view is None:
        view = etree.SubElement(views, q("sheetView"))
        view.set("workbookViewId", "0")
    return view


def freeze(sheet: SheetPart, cell: str | None) -> None:
    """Freeze the rows above and the columns left of ``cell`` (None or A1: unfreeze)."""
    view = _view(sheet)
    for old in view.findall(q("pane")) + view.findall(q("selection")):
        view.remove(old)
    if not cell or cell == "A1":
        return
    row, col = cell_position(cell)
    active = {
        (True, True): "bottomRight",
        (True, False): "bottomLeft",
        (False, True): "topRight",
    }[(row > 1, col > 1)]
    pane = etree.Element(q("pane"))
    if col > 1:
        pane.set("xSplit", str(col - 1))
    if row > 1:
        pane.set("ySplit", str(row - 1))
    pane.set("topLeftCell", cell)
    pane.set("activePane", active)
    pane.set("state", "frozen")
    view.insert(0, pane)
    selection = etree.SubElement(view, q("selection"))
    selection.set("pane", active)
    selection.set("activeCell", cell)
    selection.set("sqref", cell)


def select_tab(sheet: SheetPart, selected: bool) -> None:
    """Mark the sheet's tab as the selected one, or not (two selected tabs = grouped)."""
    view = _view(sheet)
    if selected:
        view.set("tabSelected", "1")
    elif view.get("tabSelected") is not None:
        del view.attrib["tabSelected"]


def column_width(sheet: SheetPart, col: int) -> float | None:
    cols = sheet.child("cols", create=False)
    for c in cols if cols is not None else []:
        if int(c.get("min", "0")) <= col <= int(c.get("max", "0")) and c.get("width"):
            return float(c.get("width", "0"))
    return None


def set_column_width(sheet: SheetPart, c1: int, c2: int, width: float) -> None:
    """Set columns c1..c2 to ``width``, splitting ``<col>`` ranges that reach outside."""
    cols = sheet.child("cols")
    assert cols is not None
    pieces: list[etree._Element] = []
    for c in list(cols):
        lo, hi = int(c.get("min", "0")), int(c.get("max", "0"))
        cols.remove(c)
        if hi < c1 or lo > c2:
            pieces.append(c)
            continue
        for a, b in ((lo, c1 - 1), (max(lo, c1), min(hi, c2)), (c2 + 1, hi)):
            if a <= b:
                piece = etree.fromstring(etree.tostring(c))
                piece.set("min", str(a))
                piece.set("max", str(b))
                pieces.append(piece)
    covered = {
        n
        for p in pieces
        for n in range(int(p.get("min", "0")), int(p.get("max", "0")) + 1)
        if c1 <= n <= c2
    }
    for n in range(c1, c2 + 1):
        if n not in covered:
            piece = etree.Element(q("col"))
            piece.set("min", str(n))
            piece.set("max", str(n))
            pieces.append(piece)
    for piece in sorted(pieces, key=lambda p: int(p.get("min", "0"))):
        if c1 <= int(piece.get("min", "0")) <= c2:
            piece.set("width", f"{width:g}")
            piece.set("customWidth", "1")
        cols.append(piece)
