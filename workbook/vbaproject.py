"""Build an Excel ``vbaProject.bin`` from VBA source texts, on Linux, without Excel.

The result is a source-only project (``_VBA_PROJECT`` version 0xFFFF, no p-code) that Excel
recompiles on open, shaped like xlwings' own ``quickstart_standalone.xlsm``. It is written
with ms-ovba 0.0.1, whose bugs and quirks are worked around here; see
``workbook/VBA_BUILD_NOTES.md`` for the research. This is a build-time tool: the generated
bytes are what ships, ms-ovba and oletools are not runtime dependencies.

CLI, for manual inspection: ``python workbook/vbaproject.py OUT.bin [SOURCE.bas ...]``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib.util
import io
import os
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import olefile
from ms_cfb.Models.Filesystems.filesystem_base import FilesystemBase
from ms_ovba.Models.Entities.doc_module import DocModule
from ms_ovba.Models.Entities.module_base import ModuleBase
from ms_ovba.Models.Entities.reference import Reference
from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
from ms_ovba.Models.Entities.std_module import StdModule
from ms_ovba.Models.Fields.doubleEncodedString import DoubleEncodedString
from ms_ovba.Models.Fields.libid_reference import LibidReference
from ms_ovba.vbaProject import VbaProject
from ms_ovba.Views.dirStream import DirStream
from ms_ovba.Views.project_ole_file import ProjectOleFile
from ms_ovba.Views.project_view import ProjectView
from ms_ovba_compression.ms_ovba import MsOvba
from ms_ovba_crypto import MsOvbaCrypto

# Fixed so that builds are reproducible (ms-ovba's default is "{}", which Excel rejects).
PROJECT_ID = "{6F707362-6F6F-4B00-8000-766261707269}"
SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
# _VBA_PROJECT of a source-only project: Reserved1 0x61CC, Version 0xFFFF, 0x00, 0x0001.
SOURCE_ONLY_VBA_PROJECT = bytes.fromhex("cc61ffff000100")
KINDS = ("std", "class", "document")

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_DESCRIPTION = re.compile(r'Attribute VB_Description = "(.*)"')
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Module-level attributes after VB_Name/VB_Base, as Excel writes them (quickstart_standalone).
_CLASS_ATTRIBUTES = {
    "VB_GlobalNameSpace": "False",
    "VB_Creatable": "False",
    "VB_PredeclaredId": "False",
    "VB_Exposed": "True",
}
_DOCUMENT_ATTRIBUTES = _CLASS_ATTRIBUTES | {"VB_PredeclaredId": "True"}
# Excel's default references (the quickstart has MSForms instead of stdole; nothing uses it).
_REFERENCES = (
    (
        "stdole",
        "00020430-0000-0000-C000-000000000046",
        "OLE Automation",
        r"C:\Windows\System32\stdole2.tlb",
    ),
    (
        "Office",
        "2DF8D04C-5BFA-101B-BDE5-00AA0044DE52",
        "Microsoft Office 16.0 Object Library",
        r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
    ),
)


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name, kind ("std" | "class" | "document") and code.

    ``code`` has no VERSION header and no module-level ``Attribute VB_...`` lines: the
    builder writes the ones each kind needs. The one exception is leading
    ``Attribute VB_Description = "..."`` lines, which are kept and also become the
    module's docstring (as in xlwings' Dictionary class). Procedure attributes
    (``Attribute Item.VB_UserMemId = 0``) are ordinary code and stay where they are.
    """

    name: str
    kind: str
    code: str


@dataclass(frozen=True)
class _Planned:
    """A module ready to write: its PROJECT kind, full stream source and docstring."""

    name: str
    kind: str
    source: str  # CRLF line ends, attribute block included: what the stream holds
    description: str


class _ClassModule(StdModule):
    """ms-ovba has no class module: a StdModule listed as ``Class=`` in PROJECT.

    In the dir stream a class module has MODULETYPE 0x0022 like a document module, and
    ``ModuleBase.pack`` only emits that for type "Document", so pack under that type.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.type = "Class"

    def pack(self, endien: str, cp_name: str) -> bytes:
        self.type = "Document"
        try:
            return super().pack(endien, cp_name)
        finally:
            self.type = "Class"


def _lines(text: str) -> list[str]:
    """The lines of ``text`` whatever its line ends, without a trailing empty line."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _package_dir(name: str) -> Path:
    """The installed package's directory, found without importing the package."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"package {name!r} is not installed")
    return Path(spec.origin).parent


def read_bas(path: str | os.PathLike[str]) -> VbaModule:
    """A .bas file (starting ``Attribute VB_Name = "..."``) as a std module."""
    lines = _lines(Path(path).read_bytes().decode("utf-8"))
    match = re.fullmatch(r'Attribute VB_Name = "([^"]*)"', lines[0] if lines else "")
    if match is None:
        raise ValueError(f'{path}: does not start with Attribute VB_Name = "..."')
    return VbaModule(match.group(1), "std", "\n".join(lines[1:]) + "\n")


def _read_cls(path: Path) -> VbaModule:
    """A class .cls exported by the VBE, with its header and module attributes removed.

    The attributes must be the ones the builder writes back for a class module;
    VB_Description stays at the top of the code (it becomes the docstring).
    """
    lines = _lines(path.read_bytes().decode("utf-8"))
    if lines[:1] != ["VERSION 1.0 CLASS"] or lines[3:4] != ["END"]:
        raise ValueError(f"{path}: no VERSION 1.0 CLASS header")
    lines, attributes = lines[4:], {}
    while lines and (match := re.fullmatch(r"Attribute (VB_\w+) = (.*)", lines[0])):
        if match.group(1) == "VB_Description":
            break
        attributes[match.group(1)] = match.group(2)
        lines.pop(0)
    name = attributes.pop("VB_Name", "").strip('"')
    if not name or attributes != _CLASS_ATTRIBUTES:
        raise ValueError(f"{path}: unexpected class attributes {attributes}")
    return VbaModule(name, "class", "\n".join(lines) + "\n")


def xlwings_modules() -> list[VbaModule]:
    """xlwings' standalone module ("xlwings", std) and class "Dictionary".

    Read from the installed xlwings (``xlwings/xlwings.bas`` and
    ``xlwings/addin/Dictionary.cls``), so the VBA always matches the Python package.
    Dictionary keeps its VB_Description as the module docstring, like
    ``quickstart_standalone.xlsm``.
    """
    root = _package_dir("xlwings")
    return [
        read_bas(root / "xlwings.bas"),
        _read_cls(root / "addin" / "Dictionary.cls"),
    ]


def _check_ascii(name: str, text: str) -> None:
    """Refuse non-ASCII VBA: the project is code page 1252 and opened under any locale."""
    for number, line in enumerate(_lines(text), start=1):
        bad = next((char for char in line if ord(char) > 0x7F), None)
        if bad is not None:
            raise ValueError(
                f"VBA module {name!r} line {number}: non-ASCII character {bad!r}; "
                "VBA source must be ASCII"
            )


def _plan(module: VbaModule, base: str = "") -> _Planned:
    """Validate one module and compose its stream source (attribute block + code)."""
    if module.kind not in KINDS:
        raise ValueError(f"VBA module {module.name!r}: kind must be one of {KINDS}")
    if not _NAME.fullmatch(module.name) or module.name.lower() == "dir":
        raise ValueError(f"VBA module name {module.name!r} is not a valid module name")
    _check_ascii(module.name, module.code)
    code = _lines(module.code)
    described, description = [], ""
    while code and (match := _DESCRIPTION.fullmatch(code[0])):
        described.append(code.pop(0))
        description = match.group(1).replace('""', '"')
    if any(re.match(r"(VERSION |Attribute VB_Name\b)", line) for line in code[:5]):
        raise ValueError(f"VBA module {module.name!r}: code must not contain headers")
    attributes = [f'Attribute VB_Name = "{module.name}"']
    if module.kind != "std":
        document = module.kind == "document"
        attributes.append(f'Attribute VB_Base = "{base or CLASS_BASE}"')
        extra = _DOCUMENT_ATTRIBUTES if document else _CLASS_ATTRIBUTES
        attributes += [f"Attribute {key} = {value}" for key, value in extra.items()]
        attributes.append("Attribute VB_TemplateDerived = False")
        attributes.append(f"Attribute VB_Customizable = {document}")
    source = "\r\n".join([*attributes, *described, *code]) + "\r\n"
    # The docstring holds the real CR/LF that the attribute spells \r\n (as Excel saved it).
    text = description.replace("\\r", "\r").replace("\\n", "\n")
    return _Planned(module.name, module.kind, source, text)


@contextlib.contextmanager
def _patched_ms_ovba() -> Iterator[None]:
    """ms-ovba fixes, in force only while building (the originals are restored after).

    - compression: ``copytoken_help`` computes maxLength as ``0xFFFF << bitCount + 3``;
      it must be ``(0xFFFF >> bitCount) + 3``, else long repeats corrupt every stream;
    - ``_VBA_PROJECT`` Reserved3 is 0x0001 as Excel writes it (ms-ovba: 3);
    - CMG/DPB/GC draw their salt from a private ``random.Random(0)``: reproducible bytes;
      ms_cfb's side-file names use another one: the global random state is left alone.
    """
    original_help = MsOvba.__dict__["copytoken_help"]
    compute = original_help.__func__

    def copytoken_help(difference: int) -> dict:
        result = compute(difference)
        result["maxLength"] = (0xFFFF >> result["bitCount"]) + 3
        return result

    crypto_globals = sys.modules[MsOvbaCrypto.__module__].__dict__
    cfb_globals = sys.modules[FilesystemBase.__module__].__dict__
    original_random, original_choice = crypto_globals["random"], cfb_globals["choice"]
    original_defaults = ProjectView.__init__.__defaults__
    MsOvba.copytoken_help = staticmethod(copytoken_help)
    ProjectView.__init__.__defaults__ = (1,)
    crypto_globals["random"] = random.Random(0)
    cfb_globals["choice"] = random.Random(0).choice
    try:
        yield
    finally:
        MsOvba.copytoken_help = original_help
        ProjectView.__init__.__defaults__ = original_defaults
        crypto_globals["random"], cfb_globals["choice"] = (
            original_random,
            original_choice,
        )


@contextlib.contextmanager
def _scratch_cwd() -> Iterator[None]:
    """Run in a fresh temp dir: ms-ovba writes its side files and output into the CWD.

    ``chdir`` is process-wide, so builds must not run from several threads at once.
    """
    previous = os.getcwd()
    work = tempfile.mkdtemp(prefix="vbaproject-")
    try:
        os.chdir(work)
        yield
    finally:
        os.chdir(previous)
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def _closing_leaked_files() -> Iterator[None]:
    """Silence the ResourceWarnings of ms_cfb, which leaves its side files unclosed.

    CPython closes them when their objects die; ``gc.collect()`` makes sure that happens
    here, so no warning escapes later into the caller (pytest turns them into errors).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="unclosed file", category=ResourceWarning
        )
        try:
            yield
        finally:
            gc.collect()


def _project(planned: list[_Planned]) -> VbaProject:
    """The ms-ovba project; each module's source goes to ``m<i>.new`` in the CWD."""
    project = VbaProject()
    project.project_id = PROJECT_ID
    project.add_attribute("VersionCompatible32", "393222000")
    for index, entry in enumerate(planned):
        module: ModuleBase
        if entry.kind == "document":
            module = DocModule(entry.name)
        elif entry.kind == "class":
            module = _ClassModule(entry.name)
        else:
            module = StdModule(entry.name)
        # Own file names: a module called e.g. "project" must not clash with side files.
        module.add_file(f"m{index}")
        Path(f"m{index}.new").write_bytes(entry.source.encode("ascii"))
        module.docString = DoubleEncodedString([0x1C, 0x48], entry.description)
        module.add_workspace(0, 0, 0, 0, "C")
        project.add_module(module)
    for name, guid, title, path in _REFERENCES:
        libid = LibidReference(uuid.UUID(guid), "2.0", "0", path, title)
        project.add_reference(Reference(ReferenceRegistered(libid), name))
    project.include_projectwm()
    return project


def _decompressor() -> Callable[[bytes | bytearray], bytes]:
    """oletools' independent MS-OVBA decompressor, the reference for the round trip.

    oletools 0.60.2 builds its grammar at import with pyparsing names deprecated in
    pyparsing 3.3 (``enablePackrat``, ``setParseAction``...): silenced for that import only.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", category=DeprecationWarning, module=r"oletools\."
        )
        from oletools.olevba import decompress_stream
    return decompress_stream


def _verify(data: bytes, planned: list[_Planned], dir_stream: bytes) -> None:
    """Read the file back with olefile + oletools; RuntimeError if anything differs."""
    decompress = _decompressor()
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        streams = {"/".join(path) for path in ole.listdir()}
        expected = {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"}
        expected |= {f"VBA/{entry.name}" for entry in planned}
        if streams != expected:
            raise RuntimeError(
                f"vbaProject.bin streams {sorted(streams)} != {sorted(expected)}"
            )
        for entry in planned:
            stored = decompress(bytearray(ole.openstream(f"VBA/{entry.name}").read()))
            if bytes(stored) != entry.source.encode("ascii"):
                raise RuntimeError(f"VBA module {entry.name!r} does not round-trip")
        if bytes(decompress(bytearray(ole.openstream("VBA/dir").read()))) != dir_stream:
            raise RuntimeError("the VBA dir stream does not round-trip")
        if ole.openstream("VBA/_VBA_PROJECT").read() != SOURCE_ONLY_VBA_PROJECT:
            raise RuntimeError("_VBA_PROJECT is not the source-only header")


def build_vba_project(
    modules: list[VbaModule], document_modules: list[str], this_workbook_code: str = ""
) -> bytes:
    """vbaProject.bin bytes for ``modules`` plus document modules.

    ``document_modules`` are the sheet codeNames (e.g. ``["Sheet1", "Sheet2"]``); a
    ThisWorkbook document module is always added, with ``this_workbook_code`` as its
    body. A "document" VbaModule in ``modules`` may give the body of ThisWorkbook or of
    one of those sheets instead. The same input gives the same bytes. ValueError (naming
    module and line) for non-ASCII code, bad or duplicate names; RuntimeError if the
    written file does not read back to the intended sources and dir stream.
    """
    others = [module for module in modules if module.kind != "document"]
    names = ["ThisWorkbook", *document_modules, *(module.name for module in others)]
    for index, name in enumerate(names):
        if name.lower() in (other.lower() for other in names[:index]):
            raise ValueError(f"VBA module name {name!r} is used twice")
    bodies = {"ThisWorkbook": this_workbook_code} | dict.fromkeys(document_modules, "")
    for module in modules:
        if module.kind == "document":
            if module.name not in bodies or bodies[module.name]:
                raise ValueError(
                    f"VBA document module {module.name!r}: not ThisWorkbook or one of"
                    " document_modules, or its code is given twice"
                )
            bodies[module.name] = module.code
    planned = [
        _plan(VbaModule(name, "document", code), SHEET_BASE if index else WORKBOOK_BASE)
        for index, (name, code) in enumerate(bodies.items())
    ]
    planned += [_plan(module) for module in others]
    with _patched_ms_ovba(), _scratch_cwd():
        project = _project(planned)
        with _closing_leaked_files():
            ProjectOleFile.write_file(project)
        data = Path("vbaProject.bin").read_bytes()
        dir_stream = DirStream(project).to_bytes()
    _verify(data, planned, dir_stream)
    return data


def _main(argv: list[str]) -> int:
    """Build xlwings' modules + the given .bas files + Sheet1..Sheet3 into OUT.bin."""
    if not argv:
        sys.exit("usage: python workbook/vbaproject.py OUT.bin [SOURCE.bas ...]")
    started = time.perf_counter()
    modules = xlwings_modules() + [read_bas(path) for path in argv[1:]]
    data = build_vba_project(modules, ["Sheet1", "Sheet2", "Sheet3"])
    Path(argv[0]).write_bytes(data)
    seconds = time.perf_counter() - started
    digest = hashlib.sha256(data).hexdigest()
    print(f"{argv[0]}: {len(data)} bytes, sha256 {digest}, {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
