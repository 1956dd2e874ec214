"""A worksheet part edited in place: only the rows and cells written change.

The part is split once into its head (everything before ``<sheetData>``), its
rows (kept as the bytes they are, indexed by number) and its tail. A write
records cell edits; saving re-serialises only the rows that have edits and
splices them between the untouched ones, so drawings, notes, data
validations, conditional formats, hyperlinks, ``vm``/``cm`` cells and every
other row stay exactly as they were. Head and tail are edited with lxml only
when a macro changes something there (columns, panes, table parts).
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .cellxml import Cell, cell_xml, row_cells
from .package import Lazy, Package, parse_xml
from .refs import column_letter, range_bounds

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# The fixed order of a worksheet's children (ECMA-376 Part 1, CT_Worksheet).
ORDER = [
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]
_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb'(<(?:\w+:)?dimension\b[^>]*?\bref=")[^"]*"')
_ROW = re.compile(rb"<(?:\w+:)?row\b")
_ROW_NUM = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')  # .match(xml, at)
_ROW_TAG = re.compile(rb"^<((?:\w+:)?)row\b([^>]*?)(/?)>")
_SPANS = re.compile(rb'\s+spans="[^"]*"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]+)"')
KEEP = object()  # an edit that leaves the value as it is (a format change only)


@dataclass(slots=True)  # one per written cell: tens of thousands in a consolidate
class Edit:
    value: Any = KEEP
    formula: bool = False
    style: Callable[[int, Any], int] | None = None  # old style, value -> new style


#: A part's rows are kept deflated, in blocks of about this much XML, once the part is
#: larger than PACK_OVER: a 50,000-row sheet's 40 MB of XML take 4 MB while a macro
#: runs, and a row is one small inflate away (0.15 s to pack, 0.1 s to unpack all).
BLOCK = 1 << 18
PACK_OVER = 4 << 20


class Rows(Mapping[int, bytes]):
    """The rows of a part, by number, held once: spans of the part's XML for a small
    part, or (``Rows.packed()``, a large part read as a stream) deflated blocks."""

    def __init__(
        self, xml: bytes = b"", spans: dict[int, tuple[int, int]] | None = None
    ):
        self._where = {r: (0, a, b) for r, (a, b) in (spans or {}).items()}
        self._blocks = [xml]
        self._packed = False
        self._open: tuple[int, bytes] = (-1, b"")  # the block last inflated
        self._pending: list[tuple[int, bytes]] = []  # rows of the block being filled
        self._pending_size = 0

    @classmethod
    def packed(cls) -> Rows:
        """Empty rows to ``add`` to one at a time, then ``close``."""
        rows = cls()
        rows._packed, rows._blocks = True, []
        return rows

    def add(self, row: int, data: bytes) -> None:
        self._pending.append((row, data))
        self._pending_size += len(data)
        if self._pending_size > BLOCK:
            self.close()

    def close(self) -> None:
        """Deflate the rows added since the last block into one."""
        if not self._pending:
            return
        index, at = len(self._blocks), 0
        for row, data in self._pending:
            self._where[row] = (index, at, at + len(data))
            at += len(data)
        self._blocks.append(zlib.compress(b"".join(d for _, d in self._pending), 1))
        self._pending, self._pending_size = [], 0

    def _block(self, index: int) -> bytes:
        if not self._packed:
            return self._blocks[0]
        if self._open[0] != index:
            self._open = (index, zlib.decompress(self._blocks[index]))
        return self._open[1]

    def __getitem__(self, row: int) -> bytes:
        index, a, b = self._where[row]
        return self._block(index)[a:b]

    def run(self, rows: list[int]) -> list[bytes | memoryview | Lazy]:
        """The XML of ``rows`` (consecutive in the part, in order) as pieces to write:
        views of the part's bytes, or for a packed part one piece per block, inflated
        only when it is written."""
        if not self._packed:
            view = memoryview(self._blocks[0])
            return [view[a:b] for _, a, b in (self._where[r] for r in rows)]
        pieces: list[bytes | memoryview | Lazy] = []
        for index, group in itertools.groupby(rows, key=lambda r: self._where[r][0]):
            spans = [(a, b) for _, a, b in (self._where[r] for r in group)]
            pieces.append(Lazy(sum(b - a for a, b in spans), self._maker(index, spans)))
        return pieces

    def _maker(self, index: int, spans: list[tuple[int, int]]) -> Callable[[], bytes]:
        return lambda: b"".join(self._block(index)[a:b] for a, b in spans)

    def __iter__(self) -> Iterator[int]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, row: object) -> bool:
        return row in self._where


@dataclass
class SheetPart:
    """One worksheet part: untouched rows as bytes, edits pending until ``pieces``."""

    head: bytes
    prefix: bytes  # namespace prefix of the sheet's elements, usually b""
    rows: Rows
    tail: bytes
    # row -> column -> the Edit, or just the value when that is all it is (most
    # writes: a big block is tens of thousands of cells)
    edits: dict[int, dict[int, Any]] = field(default_factory=dict)
    cleared: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    skeleton: etree._Element | None = None  # head+tail parsed, once edited
    formulas_touched: bool = False

    @classmethod
    def parse(cls, xml: bytes) -> SheetPart:
        m = _SHEET_DATA.search(xml)
        if m is None:
            raise ValueError("worksheet without <sheetData>")
        prefix = m.group(1)
        if m.group(2):  # <sheetData/>
            return cls(xml[: m.start()], prefix, Rows(), xml[m.end() :])
        close = xml.rindex(b"</" + prefix + b"sheetData>")
        starts = [r.start() for r in _ROW.finditer(xml, m.end(), close)] + [close]
        spans, _ = _row_spans(xml, starts, 0)
        tail = xml[close + len(prefix) + len(b"</sheetData>") :]
        return cls(xml[: m.start()], prefix, Rows(xml, spans), tail)

    @classmethod
    def load(cls, package: Package, name: str) -> SheetPart:
        """Part ``name`` of ``package``: read whole, or as a stream into deflated blocks
        when it is larger than ``PACK_OVER``."""
        if package.size(name) > PACK_OVER:
            return cls.parse_stream(package.stream(name))
        return cls.parse(package.read(name))

    @classmethod
    def parse_stream(cls, chunks: Iterable[bytes]) -> SheetPart:
        """``parse`` for a large part, read piece by piece: the rows go into deflated
        blocks as they come, so the part's whole XML is never held at once."""
        more = iter(chunks)
        buf = b""
        m = None
        while m is None:
            piece = next(more, None)
            if piece is None:
                raise ValueError("worksheet without <sheetData>")
            buf += piece
            m = _SHEET_DATA.search(buf)
        prefix, head = m.group(1), buf[: m.start()]
        if m.group(2):  # <sheetData/>
            return cls(head, prefix, Rows(), buf[m.end() :] + b"".join(more))
        close_tag = b"</" + prefix + b"sheetData>"
        rows, last, buf = Rows.packed(), 0, buf[m.end() :]
        while True:
            close = buf.find(close_tag)
            limit = close if close >= 0 else len(buf)
            starts = [r.start() for r in _ROW.finditer(buf, 0, limit)]
            if close >= 0:
                starts.append(close)
            spans, last = _row_spans(buf, starts, last)
            for row, (a, b) in spans.items():
                rows.add(row, buf[a:b])
            if close >= 0:
                rows.close()
                tail = buf[close + len(close_tag) :] + b"".join(more)
                return cls(head, prefix, rows, tail)
            buf = buf[starts[-1] :] if starts else buf  # the row still coming
            piece = next(more, None)
            if piece is None:
                raise ValueError("worksheet without </sheetData>")
            buf += piece

    # -- what is there ----------------------------------------------------
    def cells(self, row: int) -> dict[int, Cell]:
        chunk = self.rows.get(row)
        return row_cells(chunk) if chunk else {}

    def style_at(self, row: int, col: int) -> int:
        edit = _as_edit(self.edits.get(row, {}).get(col))
        cell = self.cells(row).get(col)
        style = cell.style if cell else 0
        if edit is not None and edit.style is not None:
            style = edit.style(style, edit.value)
        return style

    def merged(self) -> list[tuple[int, int, int, int]]:
        """Merged ranges as (min_col, min_row, max_col, max_row)."""
        return [range_bounds(m.group(1).decode()) for m in _MERGE.finditer(self.tail)]

    def row_numbers(self, r1: int, r2: int) -> Iterator[int]:
        return (r for r in sorted(set(self.rows) | set(self.edits)) if r1 <= r <= r2)

    # -- edits ---------------------------------------------------------------
    def set(self, row: int, col: int, edit: Edit) -> None:
        cells = self.edits.setdefault(row, {})
        old = _as_edit(cells.get(col))
        if old is not None and edit.value is KEEP:
            edit = Edit(old.value, old.formula, _then(old.style, edit.style))
        plain = edit.style is None and not edit.formula
        cells[col] = edit.value if plain and _storable(edit.value) else edit

    def clear(self, r1: int, c1: int, r2: int, c2: int) -> None:
        for r in list(self.row_numbers(r1, r2)):
            row = self.edits.get(r)
            if row:
                for c in [c for c in row if c1 <= c <= c2]:
                    del row[c]
            if r in self.rows:
                self.cleared.setdefault(r, []).append((c1, c2))

    # -- head and tail --------------------------------------------------------
    def tree(self) -> etree._Element:
        """Head and tail as one lxml tree (sheetData empty), parsed on first use."""
        if self.skeleton is None:
            p = self.prefix
            self.skeleton = parse_xml(
                self.head + b"<" + p + b"sheetData/>" + self.tail, "worksheet"
            )
        return self.skeleton

    def child(self, tag: str, create: bool = True) -> etree._Element | None:
        """The worksheet's ``tag`` child, made and put in its fixed place if missing."""
        root = self.tree()
        found = root.find(f"{{{MAIN_NS}}}{tag}")
        if found is not None or not create:
            return found
        new = etree.Element(f"{{{MAIN_NS}}}{tag}")
        rank = ORDER.index(tag)
        for i, existing in enumerate(root):
            name = etree.QName(existing).localname
            if name in ORDER and ORDER.index(name) > rank:
                root.insert(i, new)
                return new
        root.append(new)
        return new

    # -- saving ----------------------------------------------------------------
    def changed(self) -> bool:
        """Whether anything was edited: cells, cleared ranges or the skeleton."""
        return bool(self.edits or self.cleared) or self.skeleton is not None

    def pieces(self, dimension: str | None = None) -> list[bytes | memoryview | Lazy]:
        """The part with every edit applied, as the pieces it is made of: untouched rows
        are views of the old XML, so a 40 MB sheet is never copied whole.
        ``dimension`` (``A1:K5001``) replaces the ``<dimension ref>`` in the head."""
        edited = set(self.edits) | set(self.cleared)
        body: list[bytes | memoryview | Lazy] = []
        run: list[int] = []  # untouched rows since the last edited one
        for r in sorted(set(self.rows) | edited):
            if r not in edited:
                run.append(r)
                continue
            body += self.rows.run(run)
            run = []
            body.append(self._row(r))
        body += self.rows.run(run)
        head, tail = self.head, self.tail
        if self.skeleton is not None:
            text = etree.tostring(self.skeleton, encoding="UTF-8")
            mark = _SHEET_DATA.search(text)
            assert mark is not None
            declaration = (
                self.head[: self.head.find(b"?>") + 2]
                if self.head.startswith(b"<?xml")
                else b""
            )
            head, tail = declaration + text[: mark.start()], text[mark.end() :]
        if dimension is not None:  # in the head: never a copy of the whole part
            head = _DIMENSION.sub(rb"\g<1>" + dimension.encode() + b'"', head, count=1)
        p = self.prefix
        body = [piece for piece in body if len(piece)]
        if not body:
            return [head + b"<" + p + b"sheetData/>" + tail]
        return [head, b"<" + p + b"sheetData>", *body, b"</" + p + b"sheetData>", tail]

    def _row(self, r: int) -> bytes:
        chunk = self.rows.get(r)
        cells = row_cells(chunk) if chunk else {}
        out: dict[int, bytes] = {c: cell.xml for c, cell in cells.items()}
        for c1, c2 in self.cleared.get(r, []):
            for c, cell in cells.items():
                if c1 <= c <= c2 and c in out:
                    self.formulas_touched |= cell.has_formula
                    kept = cell.attr(b"s")
                    out[c] = (
                        f'<c r="{column_letter(c)}{r}" s="{kept.decode()}"/>'.encode()
                        if kept and kept != b"0"
                        else b""
                    )
        for c, held in self.edits.get(r, {}).items():
            edit = _as_edit(held)
            old = cells.get(c)
            old_style = old.style if old else 0
            if edit.value is KEEP:
                value, formula = KEEP, False
            else:
                value, formula = edit.value, edit.formula
                self.formulas_touched |= formula or bool(old and old.has_formula)
            style = edit.style(old_style, value) if edit.style else old_style
            if value is KEEP:
                out[c] = _restyled(old, c, r, style)
            else:
                out[c] = cell_xml(c, r, value, style, formula=formula)
        body = b"".join(out[c] for c in sorted(out) if out[c])
        p = self.prefix
        tag = _ROW_TAG.match(chunk) if chunk else None
        attrs = f' r="{r}"'.encode() if tag is None else _SPANS.sub(b"", tag.group(2))
        if not body and (tag is None or attrs.strip() == f'r="{r}"'.encode()):
            return b""
        if not body:
            return b"<" + p + b"row" + attrs + b"/>"
        return b"<" + p + b"row" + attrs + b">" + body + b"</" + p + b"row>"


def _row_spans(
    xml: bytes, starts: list[int], last: int
) -> tuple[dict[int, tuple[int, int]], int]:
    """Row number -> (start, end) of each row from one ``<row`` start to the next;
    a row without ``r=`` follows the one before it (``last``, returned updated)."""
    spans: dict[int, tuple[int, int]] = {}
    for a, b in itertools.pairwise(starts):
        num = _ROW_NUM.match(xml, a)
        last = int(num.group(1)) if num else last + 1
        spans[last] = (a, xml.rfind(b">", a, b) + 1)  # a row ends at its last ">"
    return spans, last


def _storable(value: Any) -> bool:
    """Whether a value can stand for its own Edit in ``edits`` (not one of the markers)."""
    return value is not None and value is not KEEP and type(value) is not Edit


def _as_edit(held: Any) -> Any:
    """The Edit an ``edits`` entry stands for (None stays None: no edit)."""
    return held if held is None or type(held) is Edit else Edit(held)


def _then(
    first: Callable[[int, Any], int] | None, second: Callable[[int, Any], int] | None
) -> Callable[[int, Any], int] | None:
    if first is None or second is None:
        return first or second
    return lambda style, value: second(first(style, value), value)


def _restyled(cell: Cell | None, col: int, row: int, style: int) -> bytes:
    """``cell`` with only its style changed (or a new empty styled cell)."""
    if cell is None:
        return cell_xml(col, row, None, style, formula=False)
    attrs = re.sub(rb'\s+s="\d*"', b"", cell.attrs) + f' s="{style}"'.encode()
    return cell.xml.replace(cell.attrs, attrs, 1)
