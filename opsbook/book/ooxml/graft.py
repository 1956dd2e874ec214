"""Transplant worksheets from one .xlsx/.xlsm package into another, zip part by zip part.

Why: a shop's book must come out of an edit with every part we do not own byte-identical
(WPS cell images, richData, VBA, parts nobody here knows). So a sheet is grafted by copying
its part and everything its relationships reach under fresh part names, and by *editing*
(lxml, never regenerating) the few shared parts that list it: ``[Content_Types].xml``,
``xl/workbook.xml``, its rels and ``xl/styles.xml``. Shared strings become inline strings,
so the target's ``sharedStrings.xml`` is left alone.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from lxml import etree

from .styles import merge_styles, parse_xml, xml_bytes

CONTENT_TYPES = "[Content_Types].xml"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
# Relationship types whose parts only work together with workbook-level parts we do not
# graft (pivot caches, connections, slicer caches, persons): refused rather than broken.
_UNSUPPORTED = {"pivotTable", "queryTable", "slicer", "timeline", "threadedComment"}
_DXF_ATTRS = [
    "dxfId",
    "headerRowDxfId",
    "dataDxfId",
    "totalsRowDxfId",
    "headerRowBorderDxfId",
    "tableBorderDxfId",
    "totalsRowBorderDxfId",
]
# <workbook> children that come before <definedNames>, in schema order.
_BEFORE_NAMES = [
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
]


class GraftError(ValueError):
    """The sheets cannot be grafted: a name clash, a missing sheet, an unsupported part."""


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(part: str, target: str) -> str:
    """The part name a relationship of ``part`` points at."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _relationships(parts: Mapping[str, bytes], part: str) -> etree._Element | None:
    data = parts.get(_rels_name(part))
    return None if data is None else parse_xml(data)


def _rel_map(parts: Mapping[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """rId -> (type, part name) of the internal relationships of ``part``."""
    root = _relationships(parts, part)
    return {
        rel.get("Id", ""): (rel.get("Type", ""), _resolve(part, rel.get("Target", "")))
        for rel in ([] if root is None else root.iter(f"{{{_PKG_REL}}}Relationship"))
        if rel.get("TargetMode") != "External"
    }


def _main_part(parts: Mapping[str, bytes]) -> str:
    for kind, part in _rel_map(parts, "").values():
        if kind.endswith("/officeDocument"):
            return part
    return "xl/workbook.xml"


def _r_ns(root: etree._Element) -> str:
    return next(
        (ns for ns in root.nsmap.values() if ns and ns.endswith("/relationships")), _REL
    )


def _related(parts: Mapping[str, bytes], book: str, kind: str) -> str | None:
    """The part the workbook relates to with type ``…/kind`` (styles, theme, ...)."""
    for rel_type, part in _rel_map(parts, book).values():
        if rel_type.rsplit("/", 1)[-1] == kind and part in parts:
            return part
    return None


class _Graft(NamedTuple):
    name: str
    element: etree._Element  # its <sheet> in the source workbook.xml
    source_index: int
    part: str  # its new part name
    kind: str  # its relationship type (worksheet, chartsheet, ...)


class _Types:
    """``[Content_Types].xml``: the type of a part, and declaring new parts."""

    def __init__(self, data: bytes) -> None:
        self.root = parse_xml(data)
        self.defaults = {
            d.get("Extension", "").lower(): d
            for d in self.root.iter(f"{{{_CT}}}Default")
        }
        self.overrides = {
            o.get("PartName", "").lower(): o
            for o in self.root.iter(f"{{{_CT}}}Override")
        }

    @staticmethod
    def _ext(part: str) -> str:
        base = posixpath.basename(part)
        return base.rsplit(".", 1)[-1].lower() if "." in base else ""

    def of(self, part: str) -> tuple[str | None, bool]:
        """(content type, whether it comes from a Default) of ``part``."""
        override = self.overrides.get("/" + part.lower())
        if override is not None:
            return override.get("ContentType"), False
        default = self.defaults.get(self._ext(part))
        return (None if default is None else default.get("ContentType")), True

    def declare(self, part: str, ctype: str, by_default: bool) -> None:
        ext = self._ext(part)
        default = self.defaults.get(ext)
        if default is not None and default.get("ContentType") == ctype:
            return
        if by_default and default is None and ext:
            el = etree.Element(f"{{{_CT}}}Default", Extension=ext, ContentType=ctype)
            last = list(self.defaults.values())
            if last:
                last[-1].addnext(el)
            else:
                self.root.insert(0, el)
            self.defaults[ext] = el
        else:
            el = etree.SubElement(
                self.root, f"{{{_CT}}}Override", PartName="/" + part, ContentType=ctype
            )
            self.overrides["/" + part.lower()] = el


class _Copier:
    """Copies a part and all it reaches through relationships, under fresh names."""

    def __init__(
        self,
        target: Mapping[str, bytes],
        source: Mapping[str, bytes],
        book_parts: set[str],
    ) -> None:
        self.source, self.book_parts = source, book_parts
        self.taken = {name.lower() for name in target}
        self.names: dict[str, str] = {}  # source part -> new part
        self.origin: dict[str, str] = {}  # new part (rels included) -> source part
        self.out: dict[str, bytes] = {}
        self.tables: list[tuple[str, str]] = []  # (new table part, its sheet's name)
        self.sheet = ""

    def fresh(self, part: str) -> str:
        """The next free name like ``part``: ``xl/charts/chart7.xml`` for a chart."""
        folder, base = posixpath.split(part)
        match = re.fullmatch(r"(.*?)(\d*)(\.[^.]*)?", base)
        stem, ext = (match[1], match[3] or "") if match else (base, "")
        same = re.compile(
            re.escape(posixpath.join(folder, stem).lower())
            + r"(\d+)"
            + re.escape(ext.lower())
        )
        n = max(
            (int(m[1]) for name in self.taken if (m := same.fullmatch(name))), default=0
        )
        while True:
            n += 1
            new = posixpath.join(folder, f"{stem}{n}{ext}")
            if not {new.lower(), _rels_name(new).lower()} & self.taken:
                self.taken |= {new.lower(), _rels_name(new).lower()}
                return new

    def copy(self, part: str) -> str:
        if part in self.names:
            return self.names[part]
        new = self.names[part] = self.fresh(part)
        self.origin[new] = part
        self.out[new] = self.source[part]
        rels = _relationships(self.source, part)
        if rels is None:
            return new
        for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            kind, ref = rel.get("Type", "").rsplit("/", 1)[-1], rel.get("Target", "")
            linked = _resolve(part, ref)
            if kind in _UNSUPPORTED or linked in self.book_parts:
                raise GraftError(
                    f"sheet {self.sheet!r}: its {kind} part {linked} works only with "
                    "workbook-level parts, which grafting does not copy"
                )
            if linked not in self.source:
                continue  # dangling in the source already: left as it is
            copied = self.copy(linked)
            if kind == "table":
                self.tables.append((copied, self.sheet))
            relative = posixpath.relpath(copied, posixpath.dirname(new))
            rel.set("Target", "/" + copied if ref.startswith("/") else relative)
        self.out[_rels_name(new)] = xml_bytes(rels, self.source[_rels_name(part)])
        self.origin[_rels_name(new)] = _rels_name(part)
        return new


def _inline_strings(
    sheet: etree._Element, strings: list[etree._Element] | None, name: str
) -> None:
    """Shared-string cells as inline strings; drop cell/value metadata we do not carry."""
    ns = etree.QName(sheet).namespace
    for cell in sheet.iter(f"{{{ns}}}c"):
        cell.attrib.pop("cm", None)  # dynamic-array / in-cell picture metadata live in
        cell.attrib.pop("vm", None)  # the workbook's metadata.xml, not copied
        if cell.get("t") != "s":
            continue
        value = cell.find(f"{{{ns}}}v")
        text = "" if value is None else (value.text or "").strip()
        if (
            value is None
            or strings is None
            or not text.isdigit()
            or int(text) >= len(strings)
        ):
            raise GraftError(
                f"sheet {name!r}: cell {cell.get('r')} has no shared string"
            )
        inline = etree.Element(f"{{{ns}}}is")
        for child in strings[int(text)]:
            inline.append(copy.deepcopy(child))
        for run_text in inline.iterfind(f"{{{ns}}}t"):
            run_text.set(_XML_SPACE, "preserve")
        value.addprevious(inline)
        cell.remove(value)
        cell.set("t", "inlineStr")


def _style_refs(sheet: etree._Element) -> list[tuple[etree._Element, str]]:
    ns = etree.QName(sheet).namespace
    refs = [
        (el, "s") for el in sheet.iter(f"{{{ns}}}c", f"{{{ns}}}row") if "s" in el.attrib
    ]
    return refs + [
        (el, "style") for el in sheet.iter(f"{{{ns}}}col") if "style" in el.attrib
    ]


def _dxf_refs(root: etree._Element) -> list[tuple[etree._Element, str]]:
    found = root.iter("{*}cfRule") if _local(root) == "worksheet" else root.iter()
    return [(el, attr) for el in found for attr in _DXF_ATTRS if attr in el.attrib]


def _table_names(
    target: Mapping[str, bytes], types: _Types, workbook: etree._Element
) -> tuple[set[str], int]:
    """Names (case-folded) a new table may not take, and the highest table id in use."""
    names = {dn.get("name", "").casefold() for dn in workbook.iter("{*}definedName")}
    top = 0
    members = {"/" + name.lower(): name for name in target}
    for part_name, override in types.overrides.items():
        if override.get("ContentType") != _TABLE_TYPE or part_name not in members:
            continue
        table = parse_xml(target[members[part_name]])
        names |= {table.get(a, "").casefold() for a in ("name", "displayName")}
        top = max(top, int(table.get("id", "0")))
    return names - {""}, top


def graft_sheets(
    target: Mapping[str, bytes],
    source: Mapping[str, bytes],
    sheets: Sequence[str] | None = None,
    index: int | None = None,
) -> dict[str, bytes]:
    """Copy worksheets (by sheet name; None = all) of package `source` into package `target`.

    Both are {zip member name: bytes}. Returns only the parts that are new or changed;
    every other target part stays byte-identical (the caller copies it as is). The
    grafted sheets go before the target's sheet number ``index`` (None: after the last).
    Raises GraftError (a ValueError subclass, message naming the sheet/part) if a name
    clashes or a sheet holds parts that cannot be grafted.
    """
    t_book, s_book = _main_part(target), _main_part(source)
    t_wb, s_wb = parse_xml(target[t_book]), parse_xml(source[s_book])
    ns = etree.QName(t_wb).namespace
    if etree.QName(s_wb).namespace != ns:
        raise GraftError("the two workbooks use different SpreadsheetML namespaces")
    t_sheets_el = t_wb.find(f"{{{ns}}}sheets")
    s_sheets_el = s_wb.find(f"{{{ns}}}sheets")
    if t_sheets_el is None or s_sheets_el is None:
        raise GraftError("a workbook without <sheets>")
    t_sheets, s_sheets = (
        list(t_sheets_el.iterfind("{*}sheet")),
        list(s_sheets_el.iterfind("{*}sheet")),
    )
    by_name = {el.get("name", ""): (i, el) for i, el in enumerate(s_sheets)}
    wanted = list(by_name) if sheets is None else list(sheets)
    taken = {el.get("name", "").casefold() for el in t_sheets}
    for name in wanted:
        if name not in by_name:
            raise GraftError(f"the source has no sheet {name!r}")
        if name.casefold() in taken:
            raise GraftError(f"the target already has a sheet named {name!r}")
        taken.add(name.casefold())
    index = len(t_sheets) if index is None else index
    if not 0 <= index <= len(t_sheets):
        raise GraftError(f"index {index} is outside 0..{len(t_sheets)}")

    s_rels = _rel_map(source, s_book)
    copier = _Copier(target, source, {part for _, part in s_rels.values()})
    grafted: list[_Graft] = []
    for name in wanted:
        i, el = by_name[name]
        kind, part = s_rels.get(el.get(f"{{{_r_ns(s_wb)}}}id", ""), ("", ""))
        if part not in source:
            raise GraftError(f"sheet {name!r}: its part {part or '?'} is missing")
        copier.sheet = name
        grafted.append(_Graft(name, el, i, copier.copy(part), kind))

    sheet_roots = {g.part: parse_xml(copier.out[g.part]) for g in grafted}
    sheet_roots = {p: r for p, r in sheet_roots.items() if _local(r) == "worksheet"}
    table_roots = {part: parse_xml(copier.out[part]) for part, _ in copier.tables}
    strings_part = _related(source, s_book, "sharedStrings")
    strings = (
        None
        if strings_part is None
        else list(parse_xml(source[strings_part]).iterfind("{*}si"))
    )
    names = {g.part: g.name for g in grafted}
    for part, root in sheet_roots.items():
        _inline_strings(root, strings, names[part])
        for view in root.iter("{*}sheetView"):
            view.attrib.pop("tabSelected", None)  # the target keeps its selected tab
        for props in root.iterfind("{*}sheetPr"):
            props.attrib.pop("codeName", None)  # the VBA module is not grafted

    out = copier.out
    xf_refs = [ref for root in sheet_roots.values() for ref in _style_refs(root)]
    dxf_refs = [
        ref
        for root in [*sheet_roots.values(), *table_roots.values()]
        for ref in _dxf_refs(root)
    ]
    s_styles, t_styles = (
        _related(source, s_book, "styles"),
        _related(target, t_book, "styles"),
    )
    xf_map: dict[int, int] = {}
    dxf_map: dict[int, int] = {}
    if s_styles is not None and (xf_refs or dxf_refs):
        if t_styles is None:
            raise GraftError("the target has no styles part")
        s_theme, t_theme = (
            _related(source, s_book, "theme"),
            _related(target, t_book, "theme"),
        )
        theme = (
            source[s_theme]
            if s_theme and (t_theme is None or source[s_theme] != target[t_theme])
            else None
        )
        merged, xf_map, dxf_map = merge_styles(
            target[t_styles],
            source[s_styles],
            {int(el.get(a, "0")) for el, a in xf_refs},
            {int(el.get(a, "0")) for el, a in dxf_refs},
            source_theme=theme,
        )
        if merged != target[t_styles]:
            out[t_styles] = merged
    for refs, mapping in ((xf_refs, xf_map), (dxf_refs, dxf_map)):
        for el, attr in refs:
            el.set(attr, str(mapping.get(int(el.get(attr, "0")), 0)))

    types = _Types(target[CONTENT_TYPES])
    s_types = _Types(source[CONTENT_TYPES])
    clash, top = _table_names(target, types, t_wb)
    for part, sheet in copier.tables:
        table = table_roots[part]
        for attr in ("name", "displayName"):
            if table.get(attr, "").casefold() in clash:
                raise GraftError(
                    f"sheet {sheet!r}: table {table.get(attr)!r} clashes with a table"
                    " or defined name of the target"
                )
        top += 1
        table.set("id", str(top))
    for part, root in [*sheet_roots.items(), *table_roots.items()]:
        out[part] = xml_bytes(root, out[part])
    for new, old in copier.origin.items():
        ctype, by_default = s_types.of(old)
        if ctype is None:
            raise GraftError(f"source part {old} has no content type")
        types.declare(new, ctype, by_default)

    _add_sheets(t_wb, s_wb, grafted, index, target, t_book, out)
    out[CONTENT_TYPES] = xml_bytes(types.root, target[CONTENT_TYPES])
    out[t_book] = xml_bytes(t_wb, target[t_book])
    return out


def _add_sheets(
    t_wb: etree._Element,
    s_wb: etree._Element,
    grafted: list[_Graft],
    index: int,
    target: Mapping[str, bytes],
    t_book: str,
    out: dict[str, bytes],
) -> None:
    """List the grafted sheets in workbook.xml and its rels; keep sheet indexes right."""
    ns, r_ns = etree.QName(t_wb).namespace, _r_ns(t_wb)
    sheets_el = t_wb.find(f"{{{ns}}}sheets")
    assert sheets_el is not None
    existing = list(sheets_el.iterfind("{*}sheet"))
    shift = len(grafted)
    if index < len(
        existing
    ):  # sheets from ``index`` on move right: so do their indexes
        for name in t_wb.iter("{*}definedName"):
            local = name.get("localSheetId")
            if local is not None and local.isdigit() and int(local) >= index:
                name.set("localSheetId", str(int(local) + shift))
        for view in t_wb.iter("{*}workbookView"):
            if int(view.get("activeTab", "0")) >= index:
                view.set("activeTab", str(int(view.get("activeTab", "0")) + shift))
            if int(view.get("firstSheet", "-1")) >= index:
                view.set("firstSheet", str(int(view.get("firstSheet", "0")) + shift))

    rels = parse_xml(target[_rels_name(t_book)])
    ids = {rel.get("Id", "") for rel in rels.iter(f"{{{_PKG_REL}}}Relationship")}
    rid = max((int(i[3:]) for i in ids if re.fullmatch(r"rId\d+", i)), default=0)
    sheet_id = max((int(el.get("sheetId", "0")) for el in existing), default=0)
    carried: list[etree._Element] = []
    for offset, (name, src_el, src_index, part, kind) in enumerate(grafted):
        rid += 1
        while f"rId{rid}" in ids:
            rid += 1
        etree.SubElement(
            rels,
            f"{{{_PKG_REL}}}Relationship",
            Id=f"rId{rid}",
            Type=kind,
            Target=posixpath.relpath(part, posixpath.dirname(t_book)),
        )
        el = etree.Element(
            f"{{{ns}}}sheet", name=name, sheetId=str(sheet_id + 1 + offset)
        )
        if src_el.get("state"):
            el.set("state", src_el.get("state", ""))
        el.set(f"{{{r_ns}}}id", f"rId{rid}")
        if index < len(existing):
            existing[index].addprevious(el)
        else:
            sheets_el.append(el)
        for dn in s_wb.iter("{*}definedName"):  # its print area, titles, filter range
            if dn.get("localSheetId") == str(src_index):
                carried.append(copy.deepcopy(dn))
                carried[-1].set("localSheetId", str(index + offset))
    out[_rels_name(t_book)] = xml_bytes(rels, target[_rels_name(t_book)])
    if carried:
        names = t_wb.find(f"{{{ns}}}definedNames")
        if names is None:
            names = etree.Element(f"{{{ns}}}definedNames")
            before = [c for c in t_wb if _local(c) in _BEFORE_NAMES]
            before[-1].addnext(names)
        for dn in carried:
            dn.tail = None
            names.append(dn)
