"""The floors by folder: core -> nothing of ours but errors; book -> core; excel -> book.

core/ is pure pandas/numpy (no openpyxl, no xlwings, nothing from book/ or excel/);
book/ is the file without xlwings; only excel/ imports xlwings; nothing imports
the command line; and no module imports another's private name.
"""

import ast
from pathlib import Path

import pytest

import opsbook

PACKAGE = Path(opsbook.__file__).parent
ALL = sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[tuple[str, str]]:
    """(absolute module, imported name or "") for every import of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(a.name, "") for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {(module, a.name) for a in node.names}
    return found


def roots(path: Path) -> set[str]:
    """Every module ``path`` reaches: ``from opsbook.book import files`` counts as
    ``opsbook.book.files``."""
    return {m for m, _ in imports(path)} | {f"{m}.{n}" for m, n in imports(path) if n}


def in_folder(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", in_folder("core"), ids=lambda p: p.name)
def test_core_is_pure_pandas_and_numpy(path):
    banned = (
        "opsbook.book",
        "opsbook.excel",
        "opsbook.cli",
        "openpyxl",
        "xlwings",
        "lxml",
    )
    assert not {m for m in roots(path) if m.startswith(banned)}


@pytest.mark.parametrize("path", in_folder("book"), ids=lambda p: p.name)
def test_book_never_imports_xlwings_or_the_excel_floor(path):
    banned = ("opsbook.excel", "opsbook.cli", "xlwings")
    assert not {m for m in roots(path) if m.startswith(banned)}


@pytest.mark.parametrize("path", ALL, ids=lambda p: module_name(p))
def test_only_the_excel_floor_imports_xlwings(path):
    if module_name(path).startswith("opsbook.excel"):
        pytest.skip("excel/ is where xlwings lives")
    assert not {m for m in roots(path) if m.split(".")[0] == "xlwings"}


@pytest.mark.parametrize("path", ALL, ids=lambda p: module_name(p))
def test_nothing_imports_the_command_line(path):
    if path.name in {"cli.py", "__main__.py"}:
        pytest.skip("the command line itself")
    assert not {m for m in roots(path) if m.startswith("opsbook.cli")}


@pytest.mark.parametrize("path", ALL, ids=lambda p: module_name(p))
def test_no_module_imports_another_modules_private_name(path):
    private = {
        (m, n)
        for m, n in imports(path)
        if m.startswith("opsbook") and n.startswith("_") and not n.startswith("__")
    }
    assert not private


def test_the_floors_are_the_only_subpackages():
    folders = {
        p.parent.relative_to(PACKAGE).parts[0] for p in ALL if p.parent != PACKAGE
    }
    assert folders == {"core", "book", "excel"}


def test_only_the_shell_stays_at_the_top():
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top == {"__init__.py", "__main__.py", "cli.py", "errors.py", "report.py"}
