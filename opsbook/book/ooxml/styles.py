"""Edit ``xl/styles.xml`` in place: merge another book's styles, read and set number formats.

Cells point into ``cellXfs`` by index, conditional formats and tables into ``dxfs``; so
a part-preserving editor may only *append* (fonts, fills, borders, xfs, dxfs, custom
number formats from id 164 up) and must never reorder or renumber what is there. These
are pure functions on the part's bytes, parsed and written back with lxml (namespace
declarations, ``mc:Ignorable``, unknown elements and the XML declaration survive).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from lxml import etree

from .package import parse_xml

_DECLARATION = re.compile(rb"<\?xml[^>]*\?>\s*")
_STANDARD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
# Children of <styleSheet>, in schema order (new sections are inserted where they belong).
_ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
          "dxfs", "tableStyles", "colors", "extLst"]  # fmt: skip
# SpreadsheetML theme="i" counts lt1, dk1, lt2, dk2 (swapped against <a:clrScheme>).
_THEME_SLOTS = ["lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4",
                "accent5", "accent6", "hlink", "folHlink"]  # fmt: skip
_ZH_YM, _ZH_MD = 'yyyy"年"m"月"', 'm"月"d"日"'
_ZH_HM, _ZH_HMS = 'h"时"mm"分"', 'h"时"mm"分"ss"秒"'
# ECMA-376 Part 1, 18.8.30: the implied built-in formats (27-36 and 50-58 as zh-CN has them).
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    27: _ZH_YM, 28: _ZH_MD, 29: _ZH_MD, 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    32: _ZH_HM, 33: _ZH_HMS, 34: "上午/下午" + _ZH_HM, 35: "上午/下午" + _ZH_HMS, 36: _ZH_YM,
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_);_("$"* \\(#,##0.00\\);_("$"* "-"??_);_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
    50: _ZH_YM, 51: _ZH_MD, 52: _ZH_YM, 53: _ZH_MD, 54: _ZH_MD,
    55: "上午/下午" + _ZH_HM, 56: "上午/下午" + _ZH_HMS, 57: _ZH_YM, 58: _ZH_MD,
}  # fmt: skip
# Built-ins whose rendering does not depend on the reader's locale: safe to reuse on write.
_STABLE_BUILTINS = {
    code: i
    for i, code in BUILTIN_FORMATS.items()
    if i <= 4 or 9 <= i <= 13 or 45 <= i <= 49
}


def xml_bytes(root: etree._Element, like: bytes = b"") -> bytes:
    """Serialise a part as UTF-8 under the XML declaration of ``like``, the bytes it was
    parsed from (Excel's ``standalone="yes"`` one when ``like`` has none or another encoding).
    """
    found = _DECLARATION.match(like)
    encoding = re.search(rb"encoding=[\"']([\w-]+)", found[0]) if found else None
    same = found and (encoding is None or encoding[1].lower() in (b"utf-8", b"utf8"))
    return (found[0] if found and same else _STANDARD) + etree.tostring(
        root, encoding="UTF-8"
    )


def _key(el: etree._Element) -> bytes:
    """A canonical form of an element: equal for the same content in any attribute order."""
    if any(_blank(n.text) or _blank(n.tail) for n in el.iterdescendants()) or _blank(
        el.text
    ):
        el = copy.deepcopy(
            el
        )  # indented by its writer: compare without the indentation
        for node in el.iter():
            node.text = None if _blank(node.text) else node.text
            node.tail = None
    return etree.tostring(el, method="c14n", exclusive=True, with_tail=False)


def _blank(text: str | None) -> bool:
    return text is not None and not text.strip()


class _Pool:
    """One section of the stylesheet (fonts, cellXfs, ...): look up or append entries."""

    def __init__(self, sheet: _Styles, section: str, child: str) -> None:
        self.sheet, self.section, self.child = sheet, section, child
        self.el = sheet.find(section)
        self.items = [] if self.el is None else self.el.findall(sheet.q(child))
        self._keys: dict[bytes, int] | None = None
        self.changed = False

    def add(self, el: etree._Element) -> int:
        """The index of an identical entry, else of ``el`` appended."""
        if self._keys is None:
            self._keys = {}
            for i, item in enumerate(self.items):
                self._keys.setdefault(_key(item), i)
        key = _key(el)
        if key in self._keys:
            return self._keys[key]
        if self.el is None:
            self.el = self.sheet.create(self.section)
        el.tail = None
        self.el.append(el)
        self.items.append(el)
        self._keys[key] = len(self.items) - 1
        self.changed = True
        self.el.set("count", str(len(self.items)))
        return len(self.items) - 1


class _Styles:
    def __init__(self, data: bytes) -> None:
        self.root = parse_xml(data)
        self.ns = etree.QName(self.root).namespace

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def find(self, section: str) -> etree._Element | None:
        return self.root.find(self.q(section))

    def create(self, section: str) -> etree._Element:
        el = etree.Element(self.q(section), nsmap=None)
        later = _ORDER[_ORDER.index(section) + 1 :]
        for i, child in enumerate(self.root):
            if isinstance(child.tag, str) and etree.QName(child).localname in later:
                self.root.insert(i, el)
                return el
        self.root.append(el)
        return el

    def custom_formats(self) -> dict[int, str]:
        return {
            int(f.get("numFmtId", "-1")): f.get("formatCode", "")
            for f in self.root.iterfind(f"{self.q('numFmts')}/{self.q('numFmt')}")
        }

    def format_id(self, numfmts: _Pool, code: str, *, builtins: bool) -> int:
        """The id of number format ``code``: existing custom, stable built-in, or new."""
        for f in numfmts.items:
            if f.get("formatCode") == code:
                return int(f.get("numFmtId", "0"))
        if builtins and code in _STABLE_BUILTINS:
            return _STABLE_BUILTINS[code]
        ids = [int(f.get("numFmtId", "0")) for f in numfmts.items]
        new = max([*ids, 163]) + 1
        numfmts.add(etree.Element(self.q("numFmt"), numFmtId=str(new), formatCode=code))
        return new


def theme_colours(theme: bytes) -> list[str | None]:
    """ARGB of each SpreadsheetML ``theme="i"`` index, from a theme part's colour scheme."""
    scheme = parse_xml(theme).find(f".//{{{_DRAWING}}}clrScheme")
    found: dict[str, str] = {}
    for slot in [] if scheme is None else scheme:
        if not isinstance(slot.tag, str) or not len(slot):
            continue
        value = slot[0].get("lastClr") or slot[0].get("val")  # sysClr or srgbClr
        if value and len(value) == 6:
            found[etree.QName(slot).localname] = "FF" + value.upper()
    return [found.get(name) for name in _THEME_SLOTS]


def _unthemed(el: etree._Element, palette: list[str | None] | None) -> etree._Element:
    """A copy of ``el`` with theme colours as RGB and theme fonts by name (themes differ)."""
    el = copy.deepcopy(el)
    if palette is None:
        return el
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        theme = node.get("theme")
        if theme is not None and theme.isdigit() and int(theme) < len(palette):
            rgb = palette[int(theme)]
            if rgb and name in {"color", "fgColor", "bgColor"}:
                del node.attrib["theme"]
                node.set("rgb", rgb)
        if name == "font":
            for scheme in node.findall(node.tag[: -len("font")] + "scheme"):
                node.remove(scheme)
    return el


def merge_styles(
    target: bytes,
    source: bytes,
    xf_ids: Iterable[int] | None = None,
    dxf_ids: Iterable[int] | None = None,
    *,
    source_theme: bytes | None = None,
) -> tuple[bytes, dict[int, int], dict[int, int]]:
    """Append to ``target`` what ``source``'s cell formats ``xf_ids`` and ``dxf_ids`` need.

    None means all of them. Returns the new target bytes (``target`` itself when nothing
    had to be added) and the maps source index -> target index for cellXfs and dxfs.
    Pass ``source_theme`` (the source book's theme part) when the two books' themes
    differ: theme colours are then written as RGB and theme fonts by their name.
    """
    src, dst = _Styles(source), _Styles(target)
    palette = theme_colours(source_theme) if source_theme else None
    numfmts = _Pool(dst, "numFmts", "numFmt")
    src_codes = src.custom_formats()
    pools: dict[str, tuple[_Pool, list[etree._Element], dict[int, int]]] = {
        attr: (_Pool(dst, section, child), _Pool(src, section, child).items, {})
        for attr, section, child in (
            ("fontId", "fonts", "font"),
            ("fillId", "fills", "fill"),
            ("borderId", "borders", "border"),
        )
    }

    def mapped(attr: str, old: int) -> int:
        if attr == "numFmtId":
            if old < 164:
                return old
            code = src_codes.get(old)
            return 0 if code is None else dst.format_id(numfmts, code, builtins=False)
        pool, items, memo = pools[attr]
        if old not in memo:
            memo[old] = (
                pool.add(_unthemed(items[old], palette)) if old < len(items) else 0
            )
        return memo[old]

    xfs = _Pool(dst, "cellXfs", "xf")
    src_xfs = _Pool(src, "cellXfs", "xf").items
    xf_map: dict[int, int] = {}
    for i in sorted(set(range(len(src_xfs)) if xf_ids is None else xf_ids)):
        if not 0 <= i < len(src_xfs):
            xf_map[i] = 0
            continue
        xf = copy.deepcopy(src_xfs[i])
        for attr in ("numFmtId", "fontId", "fillId", "borderId"):
            new = mapped(attr, int(xf.get(attr, "0")))
            if attr in xf.attrib or new:
                xf.set(attr, str(new))
        if "xfId" in xf.attrib:
            xf.set("xfId", "0")
        xf_map[i] = xfs.add(xf)

    dxfs = _Pool(dst, "dxfs", "dxf")
    src_dxfs = _Pool(src, "dxfs", "dxf").items
    dxf_map: dict[int, int] = {}
    for i in sorted(set(range(len(src_dxfs)) if dxf_ids is None else dxf_ids)):
        if not 0 <= i < len(src_dxfs):
            continue
        dxf = _unthemed(src_dxfs[i], palette)
        for fmt in dxf.iterfind(dst.q("numFmt")):  # one id space with the cell formats
            if int(fmt.get("numFmtId", "0")) >= 164:
                code = fmt.get("formatCode", "")
                fmt.set("numFmtId", str(dst.format_id(numfmts, code, builtins=False)))
        dxf_map[i] = dxfs.add(dxf)
    changed = numfmts.changed or xfs.changed or dxfs.changed
    changed = changed or any(pool.changed for pool, _, _ in pools.values())
    return (xml_bytes(dst.root, target) if changed else target), xf_map, dxf_map


def _xf(styles: _Styles, xf_index: int) -> etree._Element:
    items = _Pool(styles, "cellXfs", "xf").items
    if not 0 <= xf_index < len(items):
        raise ValueError(
            f"styles.xml has no cell format {xf_index} ({len(items)} in all)"
        )
    return items[xf_index]


def number_formats(styles: bytes) -> list[str]:
    """The number format code of every cell format, by index (``s="…"`` on a cell)."""
    sheet = _Styles(styles)
    custom = sheet.custom_formats()
    return [
        custom.get(i) or BUILTIN_FORMATS.get(i, "General")
        for i in (
            int(xf.get("numFmtId", "0")) for xf in _Pool(sheet, "cellXfs", "xf").items
        )
    ]


def number_format_of(styles: bytes, xf_index: int) -> str:
    """The number format code of cell format ``xf_index`` (``s="…"`` on a cell)."""
    sheet = _Styles(styles)
    fmt_id = int(_xf(sheet, xf_index).get("numFmtId", "0"))
    return sheet.custom_formats().get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "General")


def with_number_format(styles: bytes, xf_index: int, fmt: str) -> tuple[bytes, int]:
    """A cell format like ``xf_index`` but with number format ``fmt``: (styles, its index).

    Reuses an identical existing cell format and number format when there is one (the
    bytes then come back unchanged); otherwise appends them.
    """
    if number_format_of(styles, xf_index) == fmt:
        return styles, xf_index
    sheet = _Styles(styles)
    numfmts = _Pool(sheet, "numFmts", "numFmt")
    xf = copy.deepcopy(_xf(sheet, xf_index))
    xf.set("numFmtId", str(sheet.format_id(numfmts, fmt, builtins=True)))
    xf.set("applyNumberFormat", "1")
    xfs = _Pool(sheet, "cellXfs", "xf")
    index = xfs.add(xf)
    return (
        xml_bytes(sheet.root, styles) if xfs.changed or numfmts.changed else styles
    ), index
