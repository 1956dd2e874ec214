"""The core never imports xlwings: only opsbook/excel/ may."""

import ast
from pathlib import Path

import pytest

import opsbook

PACKAGE = Path(opsbook.__file__).parent


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    names |= {
        ("." * n.level) + (n.module or "")
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom)
    }
    return names


CORE = sorted(
    p for p in PACKAGE.glob("*.py") if p.name not in {"cli.py", "__main__.py"}
)


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_modules_never_import_xlwings_or_the_excel_package(path):
    names = imported_roots(path)
    assert not {
        n
        for n in names
        if n.split(".")[0] == "xlwings" or n.lstrip(".").startswith("excel")
    }


@pytest.mark.parametrize(
    "name",
    [
        "planner.py",
        "weights.py",
        "windows.py",
        "schema.py",
        "cells.py",
        "parser.py",
        "settings.py",
    ],
)
def test_the_pure_core_does_not_touch_files_either(name):
    assert not {
        n for n in imported_roots(PACKAGE / name) if n.split(".")[0] == "openpyxl"
    }
