"""LibreOffice, headless, opens our .xlsm: the pages render and its VBA import sees our project.

LibreOffice is no compile check for VBA (it accepts a project with a syntax
error), but it is an independent reader of the file: the sheets, the VBA
modules and the buttons' bindings as another program sees them.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from opsbook.book.macro_book import BUTTONS
from opsbook.cli import run
from workbook.libreoffice import convert, soffice

from ..conftest import require
from .test_macro_book import OUR_MODULES


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    """The demo book (a .xlsm) after the headless plan, consolidate and effect runs."""
    require("LibreOffice", soffice())
    path = tmp_path_factory.mktemp("lo") / "demo.xlsm"
    assert (
        run(["demo", str(path), "--date", dt.date(2026, 11, 25).isoformat(), "-q"]) == 0
    )
    return path


@pytest.fixture(scope="module")
def ods(planned, tmp_path_factory) -> zipfile.ZipFile:
    return zipfile.ZipFile(convert(planned, "ods", tmp_path_factory.mktemp("ods")))


def test_libreoffice_imports_every_module_of_our_vba_project(ods):
    names = {
        Path(n).stem
        for n in ods.namelist()
        if n.startswith("Basic/VBAProject/") and not n.endswith("script-lb.xml")
    }
    assert names >= OUR_MODULES
    assert {n for n in names if n.startswith("Sheet")}  # the document modules came too


def test_libreoffice_binds_each_button_to_our_macro(ods):
    content = ods.read("content.xml").decode()
    bound = re.findall(
        r"vnd\.sun\.star\.script:VBAProject\.opsbook_buttons\.(\w+)\?", content
    )
    assert sorted(bound) == sorted(b.macro for b in BUTTONS)


def test_libreoffice_reads_the_button_module_text_as_we_wrote_it(ods):
    text = ods.read("Basic/VBAProject/opsbook_buttons.xml").decode()
    assert "RunPython &quot;import opsbook.excel.buttons as b; b.plan(" in text


def test_the_planned_demo_renders_to_pdf_with_the_plan_on_it(planned, tmp_path):
    pdf = convert(planned, "pdf", tmp_path)
    require("pdftotext", shutil.which("pdftotext"))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "商品ID" in text and "重发后访客" in text
    )  # the plan sheet and the effect sheet
