"""The public API: the names a Python user calls, where they live, and that they load lazily."""

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import opsbook

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
PUBLIC = [
    "new_book",
    "open_book",
    "edit_book",
    "build_repost_plan",
    "consolidate_day",
    "import_traffic",
    "effect_report",
    "PlanSettings",
    "read_settings",
    "build_plan",
    "summarize_day",
    "hourly_effect",
    "OpsbookError",
    "InputError",
    "BookFileError",
    "Problem",
]


def test_the_public_names_are_pinned():
    assert opsbook.__all__ == ["__version__", *PUBLIC]


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_name_is_the_object_its_module_defines(name):
    value = getattr(opsbook, name)
    assert inspect.getmodule(value).__name__.startswith("opsbook.")
    assert getattr(sys.modules[value.__module__], name) is value


@pytest.mark.parametrize("name", PUBLIC)
def test_the_readme_developer_part_names_each_public_function(name):
    assert f"opsbook.{name}" in README.split("## 开发 / For developers")[1]


def test_importing_opsbook_loads_neither_xlwings_nor_pandas():
    code = (
        "import sys, opsbook; print('xlwings' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"]


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'plan'"):
        opsbook.plan  # noqa: B018
