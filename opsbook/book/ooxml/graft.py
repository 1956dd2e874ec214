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

from .package import parse_xml, rels_name, resolve
from .styles import merge_styles, xml_bytes

CONTENT_TYPES = "[Content_Types].xml"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
# Relationship types whose parts only work together with workbook-level parts we do not
# graft (pivot caches, connections, slicer caches, persons): refused rather than broken.
_UNSUPPORTED = {"pivotTable", "queryTable", "slicer", "timeline", "threadedComment"}
_DXF_ATTRS = ["dxfId", "headerRowDxfId", "dataDxfId", "totalsRowDxfId",
              "headerRowBorderDxfId", "tableBorderDxfId", "totalsRowBorderDxfId"]  # fmt: skip
# <workbook> children that come before <definedNames>, in schema order.
_BEFORE_NAMES = ["fileVersion", "fileSharing", "workbookPr", "workbookProtection",
                 "bookViews", "sheets", "functionGroups", "externalReferences"]  # fmt: skip


class GraftError(ValueError):
    """The sheets cannot be grafted: a name clash, a missing sheet, an unsupported part."""


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _relationships(parts: Mapping[str, bytes], part: str) -> etree._Element | None:
    data = parts.get(rels_name(part))
    return None if data is None else parse_xml(data)


def _rel_map(parts: Mapping[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """rId -> (type, part name) of the internal relationships of ``part``."""
    root = _relationships(parts, part)
    return {
        rel.get("Id", ""): (rel.get("Type", ""), resolve(part, rel.get("Target", "")))
        for rel in ([] if root is None else root.iter(f"{{{_PKG_REL}}}Relationship"))
        if rel.get("TargetMode") != "External"
    }


def _r_ns(root: etree._Element) -> str:
    return next(
        (ns for ns in root.nsmap.values() if ns and ns.endswith("/relationships")), _REL
    )


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
            self.root.insert(len(self.defaults), el)  # after the Defaults Excel writes
            self.defaults[ext] = el
        else:
            el = etree.SubElement(
                self.root, f"{{{_CT}}}Override", PartName="/" + part, ContentType=ctype
            )
            self.overrides["/" + part.lower()] = el


class _Copier:
    """Copies a part and all it reaches through relationships, under fresh names."""

    def __init__(self, target: Mapping[str, bytes], source: _Book) -> None:
        self.source = source.parts  # and the parts its workbook points at itself:
        self.book_parts = {part for _, part in source.links.values()}
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
            if not {new.lower(), rels_name(new).lower()} & self.taken:
                self.taken |= {new.lower(), rels_name(new).lower()}
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
            linked = resolve(part, ref)
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
        self.out[rels_name(new)] = xml_bytes(rels, self.source[rels_name(part)])
        self.origin[rels_name(new)] = rels_name(part)
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


def _number_tables(
    dst: _Book, types: _Types, tables: dict[str, etree._Element], sheets: dict[str, str]
) -> None:
    """Give the grafted tables ids unused in the target; refuse names it already has."""
    taken = {dn.get("name", "").casefold() for dn in dst.root.iter("{*}definedName")}
    top = 0
    members = {"/" + name.lower(): name for name in dst.parts}
    for part_name, override in types.overrides.items():
        if override.get("ContentType") == _TABLE_TYPE and part_name in members:
            table = parse_xml(dst.parts[members[part_name]])
            taken |= {table.get(a, "").casefold() for a in ("name", "displayName")}
            top = max(top, int(table.get("id", "0")))
    for part, table in tables.items():
        for name in {table.get("name", ""), table.get("displayName", "")} - {""}:
            if name.casefold() in taken:
                raise GraftError(
                    f"sheet {sheets[part]!r}: table {name!r} clashes with a table or"
                    " defined name of the target"
                )
        top += 1
        table.set("id", str(top))


class _Book:
    """One package's workbook part, its relationships and the parts they name."""

    def __init__(self, parts: Mapping[str, bytes]) -> None:
        self.parts = parts
        main = [
            p for k, p in _rel_map(parts, "").values() if k.endswith("/officeDocument")
        ]
        self.name = main[0] if main else "xl/workbook.xml"
        self.root = parse_xml(parts[self.name])
        self.ns = etree.QName(self.root).namespace
        self.links = _rel_map(parts, self.name)
        found = self.root.find(f"{{{self.ns}}}sheets")
        if found is None:
            raise GraftError(f"{self.name} lists no sheets")
        self.sheets_el = found
        self.sheets = list(found.iterfind("{*}sheet"))

    def related(self, kind: str) -> str | None:
        """The part the workbook relates to with type ``…/kind`` (styles, theme, ...)."""
        for rel_type, part in self.links.values():
            if rel_type.rsplit("/", 1)[-1] == kind and part in self.parts:
                return part
        return None


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
    dst, src = _Book(target), _Book(source)
    if src.ns != dst.ns:
        raise GraftError("the two workbooks use different SpreadsheetML namespaces")
    by_name = {el.get("name", ""): (i, el) for i, el in enumerate(src.sheets)}
    wanted = list(by_name) if sheets is None else list(sheets)
    names = {el.get("name", "").casefold() for el in dst.sheets}
    for name in wanted:
        if name not in by_name:
            raise GraftError(f"the source has no sheet {name!r}")
        if name.casefold() in names:
            raise GraftError(f"the target already has a sheet named {name!r}")
        if wanted.count(name) > 1:
            raise GraftError(f"sheet {name!r} is asked for twice")
    index = len(dst.sheets) if index is None else index
    if not 0 <= index <= len(dst.sheets):
        raise GraftError(f"index {index} is outside 0..{len(dst.sheets)}")

    copier = _Copier(target, src)
    grafted: list[_Graft] = []
    for name in wanted:
        i, el = by_name[name]
        kind, part = src.links.get(el.get(f"{{{_r_ns(src.root)}}}id", ""), ("", ""))
        if part not in source:
            raise GraftError(f"sheet {name!r}: its part {part or '?'} is missing")
        copier.sheet = name
        grafted.append(_Graft(name, el, i, copier.copy(part), kind))

    roots = {g.part: parse_xml(copier.out[g.part]) for g in grafted}
    strings_part = src.related("sharedStrings")
    strings = None
    if strings_part is not None:
        strings = list(parse_xml(source[strings_part]).iterfind("{*}si"))
    for g in grafted:
        for view in roots[g.part].iter("{*}sheetView"):
            view.attrib.pop("tabSelected", None)  # the target keeps its selected tab
        for props in roots[g.part].iterfind("{*}sheetPr"):
            props.attrib.pop("codeName", None)  # the VBA module is not grafted
        if _local(roots[g.part]) == "worksheet":
            _inline_strings(roots[g.part], strings, g.name)
    tables = {part: parse_xml(copier.out[part]) for part, _ in copier.tables}
    out = copier.out
    out.update(_restyle(dst, src, [*roots.values(), *tables.values()]))

    types = _Types(target[CONTENT_TYPES])
    _number_tables(dst, types, tables, dict(copier.tables))
    for part, root in [*roots.items(), *tables.items()]:
        out[part] = xml_bytes(root, out[part])
    s_types = _Types(source[CONTENT_TYPES])
    for new, old in copier.origin.items():
        ctype, by_default = s_types.of(old)
        if ctype is None:
            raise GraftError(f"source part {old} has no content type")
        types.declare(new, ctype, by_default)
    out[CONTENT_TYPES] = xml_bytes(types.root, target[CONTENT_TYPES])
    out.update(_list_sheets(dst, src, grafted, index))
    return out


def _restyle(dst: _Book, src: _Book, roots: list[etree._Element]) -> dict[str, bytes]:
    """Merge the styles the grafted parts use into the target's; point them at it."""
    xf_refs, dxf_refs = [], []
    for root in roots:
        if _local(root) == "worksheet":
            ns = etree.QName(root).namespace
            xf_refs += [(el, "s") for el in root.iter(f"{{{ns}}}c", f"{{{ns}}}row")]
            xf_refs += [(el, "style") for el in root.iter(f"{{{ns}}}col")]
        found = root.iter("{*}cfRule") if _local(root) == "worksheet" else root.iter()
        dxf_refs += [(el, attr) for el in found for attr in _DXF_ATTRS]
    xf_refs = [(el, attr) for el, attr in xf_refs if attr in el.attrib]
    dxf_refs = [(el, attr) for el, attr in dxf_refs if attr in el.attrib]
    s_styles, t_styles = src.related("styles"), dst.related("styles")
    if s_styles is None or not (xf_refs or dxf_refs):
        return {}
    if t_styles is None:
        raise GraftError(f"{dst.name} has no styles part to merge into")
    s_theme, t_theme = src.related("theme"), dst.related("theme")
    theme = src.parts[s_theme] if s_theme else None
    if theme is not None and t_theme is not None and dst.parts[t_theme] == theme:
        theme = None  # the same theme: theme colours and fonts mean the same there
    merged, xf_map, dxf_map = merge_styles(
        dst.parts[t_styles],
        src.parts[s_styles],
        {int(el.get(attr, "0")) for el, attr in xf_refs},
        {int(el.get(attr, "0")) for el, attr in dxf_refs},
        source_theme=theme,
    )
    for refs, mapping in ((xf_refs, xf_map), (dxf_refs, dxf_map)):
        for el, attr in refs:
            el.set(attr, str(mapping.get(int(el.get(attr, "0")), 0)))
    return {} if merged == dst.parts[t_styles] else {t_styles: merged}


def _list_sheets(
    dst: _Book, src: _Book, grafted: list[_Graft], index: int
) -> dict[str, bytes]:
    """List the grafted sheets in workbook.xml and its rels; keep sheet indexes right."""
    shift = len(grafted)
    if index < len(dst.sheets):  # the sheets from ``index`` on move right: so do
        for name in dst.root.iter("{*}definedName"):  # their local names and tabs
            local = name.get("localSheetId", "")
            if local.isdigit() and int(local) >= index:
                name.set("localSheetId", str(int(local) + shift))
        for view in dst.root.iter("{*}workbookView"):
            if int(view.get("activeTab", "0")) >= index:
                view.set("activeTab", str(int(view.get("activeTab", "0")) + shift))
            if int(view.get("firstSheet", "-1")) >= index:
                view.set("firstSheet", str(int(view.get("firstSheet", "0")) + shift))

    rels_part = rels_name(dst.name)
    rels = parse_xml(dst.parts[rels_part])
    ids = {rel.get("Id", "") for rel in rels.iter(f"{{{_PKG_REL}}}Relationship")}
    rid = max((int(i[3:]) for i in ids if re.fullmatch(r"rId\d+", i)), default=0)
    sheet_id = max((int(el.get("sheetId", "0")) for el in dst.sheets), default=0)
    carried: list[etree._Element] = []
    for offset, (name, src_el, src_index, part, kind) in enumerate(grafted):
        rid += 1
        while f"rId{rid}" in ids:
            rid += 1
        target = posixpath.relpath(part, posixpath.dirname(dst.name))
        rel = etree.SubElement(rels, f"{{{_PKG_REL}}}Relationship", Id=f"rId{rid}")
        rel.set("Type", kind)
        rel.set("Target", target)
        el = etree.Element(f"{{{dst.ns}}}sheet", name=name)
        el.set("sheetId", str(sheet_id + 1 + offset))
        if src_el.get("state"):
            el.set("state", src_el.get("state", ""))
        el.set(f"{{{_r_ns(dst.root)}}}id", f"rId{rid}")
        if index < len(dst.sheets):
            dst.sheets[index].addprevious(el)
        else:
            dst.sheets_el.append(el)
        for dn in src.root.iter("{*}definedName"):  # print area, titles, filter range
            builtin = dn.get("name", "").startswith("_xlnm.")
            if builtin and dn.get("localSheetId") == str(src_index):
                carried.append(copy.deepcopy(dn))
                carried[-1].set("localSheetId", str(index + offset))
    if carried:
        names = dst.root.find(f"{{{dst.ns}}}definedNames")
        if names is None:
            names = etree.Element(f"{{{dst.ns}}}definedNames")
            [c for c in dst.root if _local(c) in _BEFORE_NAMES][-1].addnext(names)
        for dn in carried:
            dn.tail = None
            names.append(dn)
    return {
        rels_part: xml_bytes(rels, dst.parts[rels_part]),
        dst.name: xml_bytes(dst.root, dst.parts[dst.name]),
    }
