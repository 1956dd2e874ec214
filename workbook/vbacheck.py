"""The VBA compile check that runs without Excel: ``python workbook/vbacheck.py BOOK.xlsm``.

Excel compiles a module only for the platform it runs on: the VBA editor evaluates
``#If Win64 / Win32 / Mac`` first and never looks at the dead branches. This does the
same for 64-bit Windows, 32-bit Windows and the Mac, then runs two checks on each
platform's live code:

1. a VBA grammar parse (antlr4-vba, ANTLR's MS-VBAL grammar) of every module, which
   catches a missing ``End Sub``, an ``If`` without ``End If``, a malformed statement;
2. a static analyser over the whole project (pyvbaanalysis), which catches undeclared
   variables, unknown procedures, wrong argument counts, a missing ``Set``, a
   ``Declare`` without ``PtrSafe``.

Unmatched ``#If / #Else / #End If`` are refused before either. Every problem names the
module, the line and the platform. It is no substitute for Excel's own compiler (the
README's release check), but it runs on Linux, in the test suite.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from workbook.vbadirectives import Problem, blank_line, live_code, split_lines  # noqa: E402

#: The compiler constants each platform defines (Microsoft's "Compiler constants";
#: Win32 is True on 64-bit Windows too; Office 2016+ for Mac sets MAC_OFFICE_VERSION,
#: which xlwings.bas tests).
PLATFORMS: dict[str, dict[str, Any]] = {
    "win64": {
        "VBA6": True,
        "VBA7": True,
        "WIN16": False,
        "WIN32": True,
        "WIN64": True,
        "MAC": False,
    },
    "win32": {
        "VBA6": True,
        "VBA7": True,
        "WIN16": False,
        "WIN32": True,
        "WIN64": False,
        "MAC": False,
    },
    "mac": {
        "VBA6": True,
        "VBA7": True,
        "WIN16": False,
        "WIN32": False,
        "WIN64": False,
        "MAC": True,
        "MAC_OFFICE_VERSION": 16,
    },
}

#: Where Office is 64-bit, so a Declare needs PtrSafe: 64-bit Windows, and the Mac
#: (Office 2016 and later is 64-bit only there, yet defines Win64 False). Only the
#: analyser's PtrSafe rule sees this; the #If branches keep the real constants.
BITS_64 = frozenset({"win64", "mac"})


# --- the grammar parse -----------------------------------------------------------

PROCEDURE = re.compile(
    r"^[ \t]*(?:(?:Public|Private|Friend|Global)[ \t]+)?(?:Static[ \t]+)?"
    r"(?:Sub|Function|Property[ \t]+(?:Get|Let|Set))[ \t]+\w",
    re.IGNORECASE,
)
HEADER_ATTRIBUTE = re.compile(r"^\s*Attribute\s+VB_(\w+)", re.IGNORECASE)
#: The module-header attributes the grammar's classAttr rule knows; others are blanked.
CLASS_ATTRIBUTES = {
    "NAME",
    "GLOBALNAMESPACE",
    "CREATABLE",
    "PREDECLAREDID",
    "EXPOSED",
    "CUSTOMIZABLE",
}
#: What the VBA editor's export writes ahead of a class module's attributes.
CLASS_HEADER = [
    "VERSION 1.0 CLASS\r\n",
    "BEGIN\r\n",
    "  MultiUse = -1  'True\r\n",
    "END\r\n",
]


@functools.lru_cache(maxsize=4096)
def _grammar_errors(text: str) -> tuple[tuple[int, str], ...]:
    """(line, message) for each syntax error ANTLR reports in ``text``.

    SLL prediction first (fast, exact whenever it finds no error); on an error the
    text is parsed again with full LL, whose errors are the grammar's real answer.
    Cached: most procedures read the same on every platform.
    """
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.atn.PredictionMode import PredictionMode
    from antlr4.error.ErrorListener import ErrorListener
    from antlr4_vba.vbaLexer import vbaLexer
    from antlr4_vba.vbaParser import vbaParser

    class Collect(ErrorListener):
        def __init__(self) -> None:
            self.errors: list[tuple[int, str]] = []

        def syntaxError(self, recognizer, symbol, line, column, msg, e) -> None:
            self.errors.append((line, msg))

    def parse(mode: Any) -> list[tuple[int, str]]:
        errors = Collect()
        lexer = vbaLexer(InputStream(text))
        lexer.removeErrorListeners()
        lexer.addErrorListener(errors)
        parser = vbaParser(CommonTokenStream(lexer))
        parser.removeErrorListeners()
        parser.addErrorListener(errors)
        parser._interp.predictionMode = mode
        parser.startRule()
        return errors.errors

    return tuple(parse(PredictionMode.SLL) and parse(PredictionMode.LL))


def grammar_problems(module: str, live: str, is_class: bool) -> list[Problem]:
    """Syntax errors in one module's live code, as ANTLR's VBA grammar finds them.

    The module is parsed one procedure at a time (its header kept in front, line
    numbers mapped back): procedures cannot nest, so this is the same grammar, and
    ANTLR's Python runtime is many times faster on the small pieces.
    """
    lines = split_lines(live)
    header_end = 0
    while header_end < len(lines) and HEADER_ATTRIBUTE.match(lines[header_end]):
        header_end += 1
    header = lines[:header_end]
    if is_class:
        header = CLASS_HEADER + [
            line
            if HEADER_ATTRIBUTE.match(line)[1].upper() in CLASS_ATTRIBUTES
            else blank_line(line)
            for line in header
        ]
    starts = [i for i in range(header_end, len(lines)) if PROCEDURE.match(lines[i])]
    bounds = [header_end, *starts, len(lines)]
    problems = []
    for start, end in itertools.pairwise(bounds):
        if start == end:
            continue
        offset = start - len(header)
        for line, message in _grammar_errors(
            "".join(header + lines[start:end]) + "\r\n"
        ):
            where = line + offset if line > len(header) else min(line, header_end) or 1
            problems.append(Problem(module, where, message, check="grammar"))
    return problems


# --- the static analyser and the whole check -------------------------------------

#: Our modules: the analyser's warnings count as failures there too (Option Explicit
#: missing, a Function that never assigns its result), not only its errors.
OURS = frozenset({"opsbook_buttons", "opsbook_help", "xlwings_udfs", "ThisWorkbook"})


def read_project(book: Path) -> Any:
    """The VBA project of ``book`` (pyvbaanalysis' reader: modules, kinds, references)."""
    from pyvbaanalysis.reader import read_office_project

    return read_office_project(book)


def _failing(module: str, severity: str, ours: frozenset[str]) -> bool:
    return severity == "error" or (severity == "warning" and module in ours)


def analyser_problems(
    project: Any,
    live: Mapping[str, str],
    platform: str,
    ours: frozenset[str] = OURS,
    only: Iterable[str] | None = None,
) -> list[Problem]:
    """What pyvbaanalysis proves wrong in one platform's live code of the project.

    The whole project is indexed (calls between modules resolve); ``only`` limits
    which modules are reported.
    """
    from pyvbaanalysis import (
        ConditionalCompilationEnvironment,
        analyze_project,
        line_col,
    )

    inputs = [
        replace(m.as_module_input(), source=live[m.name]) for m in project.modules
    ]
    found = analyze_project(
        inputs,
        only=only,
        conditional_compilation=ConditionalCompilationEnvironment(
            compiler_constants={**PLATFORMS[platform], "WIN64": platform in BITS_64}
        ),
        host=project.host,
        referenced_hosts=project.referenced_hosts,
        referenced_libraries=project.referenced_libraries,
        workbook_sheets=project.workbook_sheets,
    )
    return [
        Problem(
            name,
            line_col(live[name], d.span.start)[0],
            f"{d.code}: {d.message}",
            platform,
            "analyser",
        )
        for name, diagnostics in found.items()
        for d in diagnostics
        if _failing(name, d.severity.value, ours)
    ]


def check_project(
    project: Any,
    platforms: Iterable[str] = PLATFORMS,
    ours: frozenset[str] = OURS,
    only: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem of ``project`` on each platform: directives, grammar, analyser.

    The analyser runs on a platform only when its code parses (it would report the
    same mistake again, less plainly). ``only`` checks just the named modules.
    """
    names = set(only) if only is not None else None
    problems: list[Problem] = []
    for platform in platforms:
        live: dict[str, str] = {}
        parsed: list[Problem] = []
        for m in project.modules:
            live[m.name], wrong = live_code(m.name, m.source, PLATFORMS[platform])
            if names is not None and m.name not in names:
                continue
            is_class = m.kind.value != "standard"
            found = wrong or grammar_problems(m.name, live[m.name], is_class)
            parsed += [replace(p, platform=platform) for p in found]
        problems += parsed or analyser_problems(project, live, platform, ours, names)
    return problems


def check_book(book: Path) -> list[Problem]:
    """``check_project`` of the VBA in a macro-enabled workbook."""
    return check_project(read_project(book))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python workbook/vbacheck.py BOOK.xlsm", file=sys.stderr)
        return 2
    problems = check_book(Path(argv[0]))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) on {', '.join(PLATFORMS)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
