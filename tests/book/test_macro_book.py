"""The macro-enabled workbook, checked structurally with independent readers.

No Excel runs here: olevba (oletools) reads the VBA project, the zip's own parts
show the buttons, codeNames and charts, and importlib checks that every button
reaches a Python function that exists. LibreOffice checks are in
test_libreoffice.py.
"""

from __future__ import annotations

import importlib
import re
import shutil
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from defusedxml import ElementTree as ET
from openpyxl.utils import get_column_letter, range_boundaries

from opsbook.book import macro_book as macrobook
from opsbook.book.layout import HOURS_AT
from opsbook.book.macro_book import BUTTONS, CONF_ROWS, CONF_SHEET, VbaUnavailable
from opsbook.cli import run
from opsbook.core.schema import HOURS, PLAN
from opsbook.excel import udfs

pytestmark = pytest.mark.filterwarnings(r"ignore::DeprecationWarning:oletools\.")

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "x": "urn:schemas-microsoft-com:office:excel",
}


#: The modules besides one document module per sheet: xlwings' two, our three, ThisWorkbook.
OUR_MODULES = {
    "ThisWorkbook",
    "xlwings",
    "Dictionary",
    "opsbook_buttons",
    "opsbook_help",
    "xlwings_udfs",
}


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("new") / "shop.xlsm"
    assert run(["new", str(path)]) == 0
    return path


def modules(path: Path) -> dict[str, str]:
    """olevba's view of the book: {module name: source}."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {f.rsplit(".", 1)[0]: code for _, _, f, code in parser.extract_macros()}
    finally:
        parser.close()


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part in the zip, read from workbook.xml and its rels."""
    with zipfile.ZipFile(path) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {
        r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)
    }
    return {
        s.get("name"): "xl/"
        + target[s.get(f"{{{NS['r']}}}id")].lstrip("/").removeprefix("xl/")
        for s in wb.findall("m:sheets/m:sheet", NS)
    }


def related(path: Path, part: str, kind: str) -> list[str]:
    """Targets of ``part``'s relationships of ``kind`` (vmlDrawing, drawing, chart)."""
    folder, name = part.rsplit("/", 1)
    with zipfile.ZipFile(path) as z:
        try:
            rels = ET.fromstring(z.read(f"{folder}/_rels/{name}.rels"))
        except KeyError:
            return []
    out = []
    for r in rels.findall("rel:Relationship", NS):
        if r.get("Type").endswith("/" + kind):
            t = r.get("Target")
            out.append(t.lstrip("/") if t.startswith("/") else _join(folder, t))
    return out


def _join(folder: str, target: str) -> str:
    parts = folder.split("/")
    for piece in target.split("/"):
        parts = parts[:-1] if piece == ".." else [*parts, piece]
    return "/".join(parts)


def button_macros(path: Path) -> dict[str, list[str]]:
    """Sheet name -> the macros its Form buttons are bound to (VML x:FmlaMacro)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for sheet, part in sheet_parts(path).items():
            for vml in related(path, part, "vmlDrawing"):
                text = z.read(vml).decode()
                out[sheet] = re.findall(
                    r"<x:FmlaMacro>\[0\]!([\w.]+)</x:FmlaMacro>", text
                )
    return out


def test_new_xlsm_is_macro_enabled_and_carries_the_shipped_vba_project(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        assert "macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
        assert z.read("xl/vbaProject.bin") == macrobook.VBA_BIN.read_bytes()


def test_olevba_lists_our_modules_and_one_document_module_per_sheet(xlsm):
    names = set(modules(xlsm))
    sheets = {f"Sheet{i}" for i in range(1, len(macrobook.MACRO_SHEETS) + 1)}
    assert names == OUR_MODULES | sheets


def test_every_sheet_codename_has_its_document_module_and_back(xlsm):
    from openpyxl import load_workbook

    wb = load_workbook(xlsm, keep_vba=True)
    codes = {ws.sheet_properties.codeName for ws in wb.worksheets}
    assert wb.code_name == "ThisWorkbook"
    assert codes == {m for m in modules(xlsm) if m.startswith("Sheet")}


def test_the_vba_source_is_ascii_and_its_xlwings_version_is_the_installed_one(xlsm):
    mods = modules(xlsm)
    for name, code in mods.items():
        assert code.isascii(), name
    assert f'XLWINGS_VERSION As String = "{version("xlwings")}"' in mods["xlwings"]


def test_each_button_is_bound_to_a_sub_of_the_buttons_module(xlsm):
    subs = re.findall(r"^Public Sub (\w+)\(\)", modules(xlsm)["opsbook_buttons"], re.M)
    bound = {sheet: m for sheet, m in button_macros(xlsm).items() if m}
    assert bound == {b.sheet: [f"opsbook_buttons.{b.macro}"] for b in BUTTONS}
    assert {b.macro for b in BUTTONS} == set(subs)


def test_each_button_macro_calls_a_python_entry_point_that_exists(xlsm):
    code = modules(xlsm)["opsbook_buttons"]
    calls = re.findall(
        r'RunPython "import ([\w.]+) as b; b\.(\w+)\(\'([\d.]+)\'\)"', code
    )
    assert len(calls) == len(BUTTONS)
    for module, func, built_with in calls:
        assert callable(getattr(importlib.import_module(module), func)), func
        assert built_with == version("xlwings")


def test_udf_wrappers_name_exactly_our_functions_in_the_configured_module(xlsm):
    code = modules(xlsm)["xlwings_udfs"]
    assert set(re.findall(r"^Function (\w+)\(", code, re.M)) == set(udfs.REGISTRY)
    assert set(re.findall(r'XLPy\.CallUDF\("([\w.]+)"', code)) == {udfs.MODULE}
    assert dict(CONF_ROWS)["UDF MODULES"] == udfs.MODULE


def test_our_procedure_names_clash_with_nothing_else_in_the_project(xlsm):
    def names(code: str) -> set[str]:
        return set(
            re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)", code, re.M)
        )

    mods = {name: names(code) for name, code in modules(xlsm).items()}
    for ours in ("opsbook_buttons", "opsbook_help", "xlwings_udfs"):
        others = set().union(*(v for k, v in mods.items() if k != ours))
        assert mods[ours] and not mods[ours] & others, ours


def test_the_config_sheet_is_hidden_and_uses_xlwings_spelling(xlsm):
    from openpyxl import load_workbook

    ws = load_workbook(xlsm)[CONF_SHEET]
    assert ws.sheet_state == "hidden"
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert rows == [tuple(r) for r in CONF_ROWS]
    assert not any(k.startswith("INTERPRETER") for k, _ in rows)


def chart_refs(path: Path, sheet: str) -> list[str]:
    part = sheet_parts(path)[sheet]
    refs = []
    with zipfile.ZipFile(path) as z:
        for drawing in related(path, part, "drawing"):
            for chart in related(path, drawing, "chart"):
                root = ET.fromstring(z.read(chart))
                refs += [f.text for f in root.iter(f"{{{NS['c']}}}f")]
    return refs


def summary_refs(last: int) -> list[str]:
    """The plan chart's series when the hourly summary's data ends at row ``last``."""
    r, c = HOURS_AT
    col = {x.key: get_column_letter(c + i) for i, x in enumerate(HOURS.columns)}

    def rows(key: str) -> str:  # one row is written as a single cell
        first = f"${col[key]}${r + 1}"
        return first if last == r + 1 else f"{first}:${col[key]}${last}"

    return [
        f"'{PLAN.name}'!${col['slots']}${r}",  # series name: the header
        f"'{PLAN.name}'!{rows('label')}",  # categories
        f"'{PLAN.name}'!{rows('slots')}",
        f"'{PLAN.name}'!${col['weight']}${r}",
        f"'{PLAN.name}'!{rows('weight')}",
    ]


def dollars(refs: list[str]) -> list[str]:
    return [re.sub(r"!(\w)(\d+)$", r"!$\1$\2", f) for f in refs]


def test_the_plan_chart_reads_the_hourly_summary_table(xlsm):
    assert dollars(chart_refs(xlsm, PLAN.name)) == summary_refs(HOURS_AT[0] + 1)


def test_the_plan_chart_follows_the_summary_when_the_plan_is_built(tmp_path):
    book = tmp_path / "shop.xlsm"
    assert run(["new", str(book), "--demo"]) == 0
    assert run(["plan", str(book), "-q"]) == 0
    from openpyxl import load_workbook

    last = range_boundaries(load_workbook(book)[PLAN.name].tables[HOURS.table].ref)[3]
    assert last > HOURS_AT[0] + 1
    assert dollars(chart_refs(book, PLAN.name)) == summary_refs(last)


def test_the_plan_sheet_carries_udf_cells_beside_the_static_figures(xlsm):
    from openpyxl import load_workbook

    ws = load_workbook(xlsm)["重发计划"]
    r, c = macrobook.LIVE_AT
    weights, slots = ws.cell(r + 1, c + 1).value, ws.cell(r + 1, c + 2).value
    assert weights.text.startswith(
        "=REPOST_WEIGHTS(Traffic[#All],"
    ) and weights.ref.endswith("25")
    assert slots.text.startswith("=REPOST_SLOTS(") and slots.ref.endswith("25")


def test_the_traffic_sheet_carries_the_live_suggestion_under_the_static_one(xlsm):
    from openpyxl import load_workbook

    from opsbook.book.analysis_sheets import TRAFFIC_INFO_KEYS, TRAFFIC_SHEET
    from opsbook.book.layout import TRAFFIC_INFO_AT

    ws = load_workbook(xlsm)[TRAFFIC_SHEET]
    cell = ws.cell(
        TRAFFIC_INFO_AT[0] + len(TRAFFIC_INFO_KEYS) + 1, TRAFFIC_INFO_AT[1] + 1
    ).value
    assert cell.startswith("=REPOST_SUGGEST_WINDOWS(Traffic[#All],'设置'!$B$")


def test_new_xlsm_without_its_vba_project_writes_a_working_xlsx_and_says_why(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(macrobook, "VBA_BIN", tmp_path / "missing.bin")
    monkeypatch.setattr(
        macrobook.vba_project,
        "__defaults__",
        (tmp_path / "missing.bin", macrobook.VBA_META),
    )
    assert run(["new", str(tmp_path / "shop.xlsm")]) == 0
    assert (tmp_path / "shop.xlsx").exists() and not (tmp_path / "shop.xlsm").exists()
    assert "shop.xlsx" in capsys.readouterr().err
    assert run(["plan", str(tmp_path / "shop.xlsx"), "-q"]) == 0  # a working book


def test_a_vba_project_built_for_another_xlwings_is_not_used(tmp_path):
    meta = tmp_path / "vbaProject.json"
    meta.write_text(macrobook.VBA_META.read_text().replace(version("xlwings"), "0.1.0"))
    shutil.copy(macrobook.VBA_BIN, tmp_path / "vbaProject.bin")
    with pytest.raises(VbaUnavailable, match=r"0\.1\.0"):
        macrobook.vba_project(tmp_path / "vbaProject.bin", meta)


def test_the_shipped_vba_project_is_what_its_sources_build_byte_for_byte():
    from workbook.build import check

    assert check() == []  # else: python workbook/build.py, and commit what it wrote


def parts(path: Path, pattern: str) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if re.fullmatch(pattern, n)}


def test_the_headless_plan_keeps_vba_buttons_chart_and_udf_cells(tmp_path):
    book = tmp_path / "shop.xlsm"
    assert run(["new", str(book), "--demo"]) == 0
    before = parts(book, r"xl/vbaProject\.bin|xl/drawings/vmlDrawing\d+\.vml")
    bound = button_macros(book)
    assert run(["plan", str(book), "-q"]) == 0
    refs = chart_refs(book, PLAN.name)
    assert run(["consolidate", str(book), "-q"]) == 0
    assert parts(book, r"xl/vbaProject\.bin|xl/drawings/vmlDrawing\d+\.vml") == before
    assert chart_refs(book, PLAN.name) == refs and button_macros(book) == bound
    from openpyxl import load_workbook

    ws = load_workbook(book)[PLAN.name]
    r, c = macrobook.LIVE_AT
    assert ws.cell(r + 1, c + 2).value.text.startswith("=REPOST_SLOTS(")
    assert ws["C2"].value  # and the plan is there


def test_the_xlwings_pin_is_the_version_the_shipped_vba_was_built_from():
    import json
    import tomllib

    root = Path(__file__).parents[2]
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    (pin,) = [d.split(";")[0].strip() for d in deps if d.lower().startswith("xlwings")]
    built = json.loads(macrobook.VBA_META.read_text())["xlwings"]
    assert pin == f"xlwings=={built}"  # the DLL and AppleScript names carry the version
