"""opsbook's errors: what went wrong, where in the book, and what to do next.

Errors are data (as in pandera): validation gathers every :class:`Problem`
(sheet, row, column, value, reason code, hint) before refusing, so staff fix
them all in one pass. The tree::

    OpsbookError                 anything opsbook refuses on purpose
    ├── InputError               the book (or an argument) is wrong; exit 2
    │   ├── CapacityError        more products than the windows can hold
    │   └── BookFileError        the file is missing, not a workbook, locked
    └── (anything else)          a bug; the command line exits 1

The command line prints ``str(error)`` and exits with ``error.exit_code``;
in Excel the macro shows the same text in an alert. Nothing is written when
an OpsbookError is raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BookFileError",
    "CapacityError",
    "InputError",
    "OpsbookError",
    "Problem",
    "column_letter",
]


def column_letter(index: int) -> str:
    """1-based column index -> Excel letters (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the book, located so a person can find and fix it.

    ``row`` is the Excel row number and ``col`` the 1-based Excel column, when
    known; ``column`` is the header as the sheet spells it.
    """

    sheet: str
    code: str
    reason: str
    hint: str
    row: int | None = None
    column: str | None = None
    col: int | None = None
    value: Any = None

    @property
    def cell(self) -> str:
        if self.row is not None and self.col is not None:
            return f"{column_letter(self.col)}{self.row}"
        if self.col is not None:
            return f"列 {column_letter(self.col)}"
        if self.row is not None:
            return f"第 {self.row} 行"
        return ""

    def __str__(self) -> str:
        where = f"「{self.sheet}」"
        if self.cell:
            where += f" {self.cell}"
        if self.column:
            where += f"（{self.column}）"
        shown = "" if self.value is None else f" 值 {_show(self.value)}："
        return f"{where}{shown} {self.reason} → {self.hint}"


class OpsbookError(Exception):
    """Base of every error opsbook raises on purpose."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(OpsbookError):
    """The workbook or an argument is wrong; carries every Problem found."""

    exit_code = 2
    title = "工作簿有需要修改的地方 / The workbook needs fixing"

    def __init__(self, problems: Iterable[Problem] | str, *, limit: int = 30):
        if isinstance(problems, str):
            problems = [Problem(sheet="", code="input", reason=problems, hint="")]
        self.problems: list[Problem] = list(problems)
        self.limit = limit
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.problems)
        lines = [f"{self.title}：共 {n} 处 / {n} problem(s), nothing was written."]
        for p in self.problems[: self.limit]:
            lines.append(f"- {p}" if p.sheet else f"- {p.reason}")
        if n > self.limit:
            lines.append(f"- …另有 {n - self.limit} 处 / {n - self.limit} more")
        return "\n".join(lines)


class CapacityError(InputError):
    """More products were chosen than the repost windows can hold."""

    title = "时段放不下 / The windows cannot hold the plan"


class BookFileError(InputError):
    """The file itself cannot be used: missing, not a workbook, or locked."""

    title = "无法打开工作簿 / Cannot use this file"
