"""The vbaProject.bin builder (workbook/vbaproject.py), checked with olefile and oletools.

One build of a fixed module set (xlwings' modules, the opsbook buttons and UDF wrappers,
Sheet1..Sheet3, a ThisWorkbook with Workbook_Open) is shared by the module: a build takes
seconds. xlwings' quickstart_standalone.xlsm, saved by Excel, is the reference.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlsxwriter
import xlwings

import workbook.vbaproject as vbaproject
from workbook.vbaproject import VbaModule, build_vba_project, read_bas, xlwings_modules

# oletools 0.60.2 builds its VBA grammar at import with pyparsing names deprecated in
# pyparsing 3.3 (enablePackrat, setParseAction...). oletools is imported inside the tests
# (not at collection, where marks don't apply), and only its DeprecationWarnings are ignored.
pytestmark = pytest.mark.filterwarnings(r"ignore::DeprecationWarning:oletools\.")

VBA_DIR = Path(__file__).parents[2] / "workbook" / "vba"
QUICKSTART = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
SHEETS = ["Sheet1", "Sheet2", "Sheet3"]
WORKBOOK_OPEN = (
    'Private Sub Workbook_Open()\n    Application.StatusBar = "opsbook"\nEnd Sub\n'
)


@pytest.fixture(scope="module")
def modules() -> list[VbaModule]:
    bas = [
        read_bas(VBA_DIR / name) for name in ("opsbook_buttons.bas", "xlwings_udfs.bas")
    ]
    return xlwings_modules() + bas


@pytest.fixture(scope="module")
def project(modules: list[VbaModule]) -> bytes:
    return build_vba_project(modules, SHEETS, WORKBOOK_OPEN)


def _macros(name: str, data: bytes) -> dict[str, str]:
    """olevba's view: {module file name: source}, as it reports them for an Office file."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(name, data=data)
    try:
        return {file: code for _, _, file, code in parser.extract_macros()}
    finally:
        parser.close()


def _streams(vba_bin: bytes) -> dict[str, bytes]:
    """Every stream of the OLE file, decompressed where MS-OVBA compresses it."""
    from oletools.olevba import decompress_stream

    with olefile.OleFileIO(io.BytesIO(vba_bin)) as ole:
        raw = {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
    return {
        path: data
        if path in ("PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT")
        else decompress_stream(bytearray(data))
        for path, data in raw.items()
    }


def _dir_records(vba_bin: bytes) -> list[tuple[int, bytes]]:
    """The dir stream as (record id, data); PROJECTVERSION's 2-byte tail kept in its data."""
    from oletools.olevba import decompress_stream

    with olefile.OleFileIO(io.BytesIO(vba_bin)) as ole:
        data = decompress_stream(bytearray(ole.openstream("VBA/dir").read()))
    records, at = [], 0
    while at < len(data):
        rid, size = struct.unpack_from("<HI", data, at)
        size += 2 if rid == 0x0009 else 0
        records.append((rid, bytes(data[at + 6 : at + 6 + size])))
        at += 6 + size
    return records


def _quickstart_bin() -> bytes:
    with zipfile.ZipFile(QUICKSTART) as book:
        return book.read("xl/vbaProject.bin")


def _without_attributes(code: str) -> list[str]:
    return [line for line in code.splitlines() if not line.startswith("Attribute ")]


def _attributes(code: str) -> list[str]:
    return [line for line in code.splitlines() if line.startswith("Attribute VB_")]


def _xlsm(vba_bin: bytes) -> bytes:
    """An .xlsm as opsbook will package it: XlsxWriter, codeNames on book and sheets."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name in SHEETS:
        book.add_worksheet().set_vba_name(name)
    book.add_vba_project(io.BytesIO(vba_bin), is_stream=True)
    book.set_vba_name("ThisWorkbook")
    book.close()
    return buffer.getvalue()


def test_olevba_lists_every_module_with_its_exact_source(project, modules):
    found = _macros("book.xlsm", _xlsm(project))
    expected = {f"{name}.cls": "" for name in SHEETS} | {
        "ThisWorkbook.cls": WORKBOOK_OPEN
    }
    for module in modules:
        expected[f"{module.name}.{'cls' if module.kind == 'class' else 'bas'}"] = (
            module.code
        )
    assert found.keys() == expected.keys()
    for file, code in expected.items():
        assert _without_attributes(found[file]) == _without_attributes(code), file


def test_vba_project_stream_is_source_only(project):
    assert _streams(project)["VBA/_VBA_PROJECT"] == bytes.fromhex("cc61ffff000100")
    offsets = [data for rid, data in _dir_records(project) if rid == 0x0031]
    assert offsets == [b"\x00\x00\x00\x00"] * 8


def test_project_stream_lists_modules_by_kind(project):
    lines = _streams(project)["PROJECT"].decode("ascii").split("\r\n")
    assert lines[1:9] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Document=Sheet2/&H00000000",
        "Document=Sheet3/&H00000000",
        "Module=xlwings",
        "Class=Dictionary",
        "Module=opsbook_buttons",
        "Module=xlwings_udfs",
    ]


def test_vb_base_is_set_per_kind(project):
    streams = _streams(project)
    base = {}
    for name in ("ThisWorkbook", "Sheet2", "Dictionary", "xlwings", "opsbook_buttons"):
        found = re.search(rb'Attribute VB_Base = "(.*)"', streams[f"VBA/{name}"])
        base[name] = found and found.group(1).decode()
    assert base == {
        "ThisWorkbook": "0{00020819-0000-0000-C000-000000000046}",
        "Sheet2": "0{00020820-0000-0000-C000-000000000046}",
        "Dictionary": "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}",
        "xlwings": None,
        "opsbook_buttons": None,
    }


def test_attribute_blocks_match_the_quickstart(project):
    ours = _macros("ours.bin", project)
    reference = _macros("quickstart.bin", _quickstart_bin())
    for file in ("ThisWorkbook.cls", "Sheet1.cls", "Dictionary.cls", "xlwings.bas"):
        assert _attributes(ours[file]) == _attributes(reference[file]), file


def test_dictionary_docstring_matches_the_quickstart(project):
    def docstring(records: list[tuple[int, bytes]]) -> bytes:
        start = records.index((0x0019, b"Dictionary"))
        return next(data for rid, data in records[start:] if rid == 0x001C)

    ours = docstring(_dir_records(project))
    assert ours.startswith(b"Drop-in replacement for Scripting.Dictionary on Mac\r\n")
    assert ours == docstring(_dir_records(_quickstart_bin()))


def test_project_records_match_the_quickstart(project):
    wanted = {
        0x0001: "SYSKIND",
        0x0002: "LCID",
        0x0014: "LCIDINVOKE",
        0x0003: "CODEPAGE",
    }
    wanted[0x0004] = "NAME"

    def project_records(vba_bin: bytes) -> dict[str, bytes]:
        return {
            wanted[rid]: data for rid, data in _dir_records(vba_bin) if rid in wanted
        }

    ours = project_records(project)
    assert ours == project_records(_quickstart_bin())
    assert ours["NAME"] == b"VBAProject"


def test_xlwings_version_constant_is_the_installed_xlwings(project):
    source = _streams(project)["VBA/xlwings"].decode("ascii")
    found = re.search(r'Public Const XLWINGS_VERSION As String = "(.*)"', source)
    assert found is not None
    assert found.group(1) == xlwings.__version__


def test_rebuild_is_identical_and_leaves_no_trace(
    project, modules, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    random.seed(7)
    state = random.getstate()
    help_before = vbaproject.MsOvba.__dict__["copytoken_help"]
    assert build_vba_project(modules, SHEETS, WORKBOOK_OPEN) == project
    assert Path.cwd() == tmp_path
    assert list(tmp_path.iterdir()) == []
    assert random.getstate() == state  # CMG/DPB/GC use a private Random
    assert vbaproject.MsOvba.__dict__["copytoken_help"] is help_before


def test_non_ascii_code_is_refused_naming_module_and_line():
    notes = VbaModule("plan_notes", "std", "' fine\n' 计划\n")
    with pytest.raises(ValueError, match=r"'plan_notes' line 2"):
        build_vba_project([notes], SHEETS)
    with pytest.raises(ValueError, match=r"'ThisWorkbook' line 1"):
        build_vba_project([], SHEETS, "' 计划\n")


def test_module_names_must_be_unique():
    with pytest.raises(ValueError, match="'sheet1' is used twice"):
        build_vba_project([VbaModule("sheet1", "std", "")], SHEETS)


def test_round_trip_check_catches_the_unpatched_compressor(monkeypatch):
    # A repeat longer than a copy token can hold, 2 KB into a chunk: what ms-ovba corrupts.
    rng = random.Random(1)
    body = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(2200))
    module = VbaModule("long_lines", "std", f"' {body}\n' {body[:200]}\n")
    assert build_vba_project([module], [])  # with the fixes: fine
    monkeypatch.setattr(vbaproject, "_patched_ms_ovba", contextlib.nullcontext)
    with pytest.raises(RuntimeError, match="'long_lines' does not round-trip"):
        build_vba_project([module], [])
