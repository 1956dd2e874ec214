"""A workbook file as the zip of parts it is: read lazily, save only what changed.

Members opsbook does not change are copied as they are, compressed bytes and
all, so a staff picture, a slicer or a VBA project comes out byte for byte.
Changed and new members are deflated afresh. The save goes to a temp file
beside the book and replaces it only when complete (see ``write_atomic``).
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from lxml import etree

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOC = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False
)


class PartError(ValueError):
    """A part that is not the XML it should be (damaged, or an XML bomb)."""


def parse_xml(data: bytes, name: str = "") -> etree._Element:
    """Parse one part; a DTD (the door to entity bombs) is refused, not expanded."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise PartError(f"{name}: XML with a DTD is not allowed")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PartError(f"{name}: {exc}") from exc


def to_xml(root: etree._Element) -> bytes:
    """Serialise a part as Excel writes it: UTF-8, standalone declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rels_name(part: str) -> str:
    """``xl/worksheets/sheet1.xml`` -> ``xl/worksheets/_rels/sheet1.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    """A relationship's Target, relative to its source part, as a member name."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part))


_CHUNK = 1 << 20  # what is read or compared at a time when a member is streamed


class Lazy:
    """``size`` bytes that ``make`` produces when they are written (a packed block of
    rows, inflated only then)."""

    def __init__(self, size: int, make: Callable[[], bytes]):
        self.size, self.make = size, make

    def __len__(self) -> int:
        return self.size


class Pieces:
    """A member's new bytes as the pieces they are made of (spans of the old part and
    the rows rewritten), written to the zip one piece at a time: a 40 MB sheet is
    never joined into one bytes object."""

    def __init__(self, pieces: Sequence[bytes | memoryview | Lazy]):
        self.pieces = [p for p in pieces if len(p)]
        self.size = sum(len(p) for p in self.pieces)

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[bytes | memoryview]:
        for piece in self.pieces:
            data = piece.make() if isinstance(piece, Lazy) else piece
            if len(data) != len(piece):
                raise PartError(f"a piece of {len(piece)} bytes came out {len(data)}")
            yield data

    def join(self) -> bytes:
        return b"".join(self)

    def crc(self) -> int:
        crc = 0
        for piece in self:
            crc = zlib.crc32(piece, crc)
        return crc


Data = bytes | Pieces


def _chunks(data: Data) -> Iterator[bytes | memoryview]:
    """``data`` in pieces of at most ``_CHUNK`` bytes, without copying."""
    for piece in data if isinstance(data, Pieces) else [data]:
        view = memoryview(piece)
        for at in range(0, len(view), _CHUNK):
            yield view[at : at + _CHUNK]


def _same_bytes(
    one: Iterator[bytes | memoryview], other: Iterator[bytes | memoryview]
) -> bool:
    """Whether two streams of pieces hold the same bytes, wherever their pieces end."""
    a = b = memoryview(b"")
    while True:
        if not a:
            a = memoryview(next(one, b""))
        if not b:
            b = memoryview(next(other, b""))
        if not a or not b:
            return not a and not b
        n = min(len(a), len(b))
        if a[:n] != b[:n]:
            return False
        a, b = a[n:], b[n:]


class Package(Mapping[str, bytes]):
    """The members of one .xlsx/.xlsm, held in memory, with pending changes."""

    def __init__(self, data: bytes):
        self._data = data
        self._zip = zipfile.ZipFile(io.BytesIO(data))
        self._infos = {i.filename: i for i in self._zip.infolist()}
        self._changed: dict[str, Data] = {}
        self._removed: set[str] = set()

    @classmethod
    def open(cls, path: Path) -> Package:
        return cls(path.read_bytes())

    def original(self) -> bytes:
        """The file as it was opened."""
        return self._data

    # -- members ------------------------------------------------------------
    def names(self) -> list[str]:
        names = [n for n in self._infos if n not in self._removed]
        return names + [n for n in self._changed if n not in self._infos]

    def __contains__(self, name: object) -> bool:
        return name in self._changed or (
            name in self._infos and name not in self._removed
        )

    def __getitem__(self, name: str) -> bytes:
        return self.read(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def read(self, name: str) -> bytes:
        if name in self._changed:
            data = self._changed[name]
            return data.join() if isinstance(data, Pieces) else data
        if name in self._removed or name not in self._infos:
            raise KeyError(name)
        return self._zip.read(name)

    def size(self, name: str) -> int:
        """The member's size inflated, without inflating it."""
        if name in self._changed:
            return len(self._changed[name])
        if name in self._removed or name not in self._infos:
            raise KeyError(name)
        return self._infos[name].file_size

    def stream(self, name: str) -> Iterator[bytes]:
        """The member's bytes, ``_CHUNK`` at a time (a 40 MB sheet never whole)."""
        if name in self._changed:
            yield from (bytes(c) for c in _chunks(self._changed[name]))
            return
        if name in self._removed or name not in self._infos:
            raise KeyError(name)
        with self._zip.open(name) as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk

    def head(self, name: str, size: int = 4096) -> bytes:
        """The first bytes of a member, without inflating all of it."""
        if name in self._changed:
            return self.read(name)[:size]
        with self._zip.open(name) as fh:
            return fh.read(size)

    def holds(self, name: str, data: Data) -> bool:
        """Whether member ``name`` is exactly ``data``: size and CRC first, so a 40 MB
        sheet is not inflated to learn that a rewrite changed it; then streamed."""
        if name not in self:
            return False
        if self.size(name) != len(data):
            return False
        info = self._infos.get(name)
        if name not in self._changed and info is not None:
            crc = data.crc() if isinstance(data, Pieces) else zlib.crc32(data)
            if crc != info.CRC:
                return False
        return _same_bytes(self.stream(name), _chunks(data))

    def write(self, name: str, data: Data) -> None:
        self._changed[name] = data
        self._removed.discard(name)

    def remove(self, name: str) -> None:
        self._changed.pop(name, None)
        if name in self._infos:
            self._removed.add(name)

    def changed(self) -> set[str]:
        """Members that will not be copied as they are: written, added or removed."""
        return {
            n
            for n, data in self._changed.items()
            if n not in self._infos or not self._stored_is(n, data)
        } | self._removed

    def _stored_is(self, name: str, data: Data) -> bool:
        """Whether the file's own member ``name`` is ``data`` (ignoring pending writes)."""
        pending = self._changed.pop(name)
        try:
            return self.holds(name, data)
        finally:
            self._changed[name] = pending

    # -- relationships and content types -----------------------------------
    def rels(self, part: str) -> list[etree._Element]:
        name = rels_name(part) if part else "_rels/.rels"
        if name not in self:
            return []
        return list(parse_xml(self.read(name), name))

    def related(self, part: str, rel_type_suffix: str) -> list[str]:
        """Member names ``part`` points at through relationships of that type."""
        return [
            resolve(part, r.get("Target", ""))
            for r in self.rels(part)
            if r.get("Type", "").endswith(rel_type_suffix)
            and r.get("TargetMode") != "External"
        ]

    def main_part(self) -> str:
        found = [
            resolve("", r.get("Target", ""))
            for r in self.rels("")
            if r.get("Type") == OFFICE_DOC
        ]
        if not found or found[0] not in self:
            raise PartError("no workbook part (not an Excel workbook)")
        return found[0]

    def add_relationship(self, part: str, rel_type: str, target_part: str) -> str:
        """Add a relationship from ``part`` to ``target_part``; returns its new rId."""
        name = rels_name(part)
        root = (
            parse_xml(self.read(name), name)
            if name in self
            else etree.Element(f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})
        )
        taken = {r.get("Id") for r in root}
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        etree.SubElement(
            root,
            f"{{{REL_NS}}}Relationship",
            Id=f"rId{n}",
            Type=rel_type,
            Target=relative(part, target_part),
        )
        self.write(name, to_xml(root))
        return f"rId{n}"

    def remove_relationship(self, part: str, rel_id: str) -> None:
        name = rels_name(part)
        root = parse_xml(self.read(name), name)
        for r in root:
            if r.get("Id") == rel_id:
                root.remove(r)
        self.write(name, to_xml(root))

    def set_content_type(self, part: str, content_type: str | None) -> None:
        """Add (or, with None, drop) the Override for ``part`` in [Content_Types].xml."""
        name = "[Content_Types].xml"
        root = parse_xml(self.read(name), name)
        for o in root.findall(f"{{{CT_NS}}}Override"):
            if o.get("PartName") == "/" + part:
                root.remove(o)
        if content_type:
            etree.SubElement(
                root,
                f"{{{CT_NS}}}Override",
                PartName="/" + part,
                ContentType=content_type,
            )
        self.write(name, to_xml(root))

    def free_name(self, pattern: str) -> str:
        """The first ``pattern.format(n)`` (n = 1, 2, …) no member has."""
        taken = {n.lower() for n in self.names()}
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    # -- saving ------------------------------------------------------------
    def save_to(self, fh: io.BufferedIOBase) -> None:
        """Write the package: untouched members raw, the rest deflated afresh."""
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
            for name, info in self._infos.items():
                if name in self._removed:
                    continue
                if name in self._changed:
                    _write_member(out, name, self._changed[name], info)
                else:
                    _copy_raw(out, self._data, info)
            for name, data in self._changed.items():
                if name not in self._infos:
                    _write_member(out, name, data, None)


def _write_member(
    out: zipfile.ZipFile, name: str, data: Data, like: zipfile.ZipInfo | None
) -> None:
    info = zipfile.ZipInfo(
        name, date_time=like.date_time if like else (1980, 1, 1, 0, 0, 0)
    )
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = like.external_attr if like else 0o600 << 16
    if isinstance(data, bytes):
        out.writestr(info, data, compresslevel=6)
        return
    info.file_size = len(data)  # known ahead: the right header (zip64 or not)
    info._compresslevel = 6  # type: ignore[attr-defined]  # what writestr's argument sets
    with out.open(info, "w") as fh:
        for piece in data:
            fh.write(piece)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_MAGIC = (
    b"PK\x03\x04"  # a local file header's signature (zipfile.stringFileHeader)
)


def _copy_raw(out: zipfile.ZipFile, data: bytes, info: zipfile.ZipInfo) -> None:
    """Copy one member's compressed bytes as they are (same CRC, sizes, method).

    ``zipfile`` has no public call for this; the recipe below writes the local
    header for ``info`` and the stored bytes, and registers the entry so the
    central directory lists it, as ``ZipFile.write`` does.
    """
    fields = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    if fields[0] != _LOCAL_MAGIC:
        raise PartError(f"{info.filename}: damaged zip entry")
    start = info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10]
    raw = data[start : start + info.compress_size]
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type
    copy.flag_bits = info.flag_bits & ~0x08  # sizes are known: no data descriptor
    copy.create_system, copy.create_version = info.create_system, info.create_version
    copy.extract_version = info.extract_version
    copy.external_attr, copy.internal_attr = info.external_attr, info.internal_attr
    copy.comment = info.comment
    copy.CRC, copy.compress_size, copy.file_size = (
        info.CRC,
        info.compress_size,
        info.file_size,
    )
    fp = out.fp
    assert fp is not None
    copy.header_offset = fp.tell()
    fp.write(copy.FileHeader(zip64=copy.file_size > zipfile.ZIP64_LIMIT))
    fp.write(raw)
    out.filelist.append(copy)
    out.NameToInfo[copy.filename] = copy
    out.start_dir = fp.tell()


def write_atomic(path: Path, write: Callable[[io.BufferedIOBase], None]) -> None:
    """Write to a temp file beside ``path``, flush it to disk, then replace ``path``.

    A crash at any point leaves either the old file or the new one, never half
    of one; the temp file is removed if the write fails.
    """
    from ..locks import temp_prefix

    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # mkstemp makes 0600; a new book gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
