"""opsbook: repost planning and daily consolidation inside the shop's Excel book.

The public API is what a Python user calls; the same functions run behind the
workbook's buttons and the ``opsbook`` command line::

    import opsbook

    result, backup = opsbook.edit_book("店铺.xlsx", opsbook.build_repost_plan)
    book = opsbook.open_book("店铺.xlsx")        # read-only look, saves nothing
    plan = opsbook.build_plan(products, traffic, settings)  # pure pandas

Names load on first use, so ``import opsbook`` stays as quick as the command line
needs. The floors: ``opsbook.core`` (pure pandas/numpy), ``opsbook.book`` (the
file, no xlwings), ``opsbook.excel`` (the only xlwings code).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_HOMES = {
    # a book on disk
    "new_book": "opsbook.book.macro_book",
    "open_book": "opsbook.excel.engine",
    "edit_book": "opsbook.excel.session",
    # the macros: each takes an xlwings Book (desktop Excel or open_book's)
    "build_repost_plan": "opsbook.excel.macros",
    "consolidate_day": "opsbook.excel.daily",
    "import_traffic": "opsbook.excel.import_traffic",
    "effect_report": "opsbook.excel.effect_report",
    # the pure core, on DataFrames
    "PlanSettings": "opsbook.core.settings",
    "read_settings": "opsbook.core.settings",
    "build_plan": "opsbook.core.planner",
    "summarize_day": "opsbook.core.consolidate",
    "hourly_effect": "opsbook.core.repost_effect",
    # errors
    "OpsbookError": "opsbook.errors",
    "InputError": "opsbook.errors",
    "BookFileError": "opsbook.errors",
    "Problem": "opsbook.errors",
}

__all__ = ["__version__", *_HOMES]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'opsbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # for type checkers and editors: the same names, eagerly
    from .book.macro_book import new_book as new_book
    from .core.consolidate import summarize_day as summarize_day
    from .core.planner import build_plan as build_plan
    from .core.repost_effect import hourly_effect as hourly_effect
    from .core.settings import PlanSettings as PlanSettings
    from .core.settings import read_settings as read_settings
    from .errors import BookFileError as BookFileError
    from .errors import InputError as InputError
    from .errors import OpsbookError as OpsbookError
    from .errors import Problem as Problem
    from .excel.daily import consolidate_day as consolidate_day
    from .excel.effect_report import effect_report as effect_report
    from .excel.engine import open_book as open_book
    from .excel.import_traffic import import_traffic as import_traffic
    from .excel.macros import build_repost_plan as build_repost_plan
    from .excel.session import edit_book as edit_book
