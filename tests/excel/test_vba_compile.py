"""The VBA compile check that runs without Excel (workbook/vbacheck.py), on the built book.

Conditional compilation is evaluated for win64, win32 and mac; each platform's live
code is parsed with ANTLR's VBA grammar and run through pyvbaanalysis. Today's sources
pass; deliberately broken copies of our modules fail, naming module and line.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from opsbook.cli import run
from workbook.vbacheck import OURS, PLATFORMS, Problem, check_project, read_project
from workbook.vbadirectives import live_code

ALL = set(PLATFORMS)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("vba") / "shop.xlsm"
    assert run(["new", str(path)]) == 0
    return read_project(path)


def broken(project, module: str, old: str, new: str):
    """``project`` with one module's text edited (the first ``old`` becomes ``new``)."""
    modules = []
    for m in project.modules:
        if m.name == module:
            assert old in m.source, f"{old!r} is not in {module}"
            m = dataclasses.replace(m, source=m.source.replace(old, new, 1))
        modules.append(m)
    return dataclasses.replace(project, modules=modules)


def test_todays_vba_passes_every_check_on_every_platform(project):
    assert [str(p) for p in check_project(project)] == []


def test_every_module_of_ours_opens_with_option_explicit(project):
    skip = re.compile(r"\s*($|'|Attribute |#)")
    for m in project.modules:
        if m.name in OURS:
            first = next(ln for ln in m.source.splitlines() if not skip.match(ln))
            assert first == "Option Explicit", m.name


@pytest.mark.parametrize(
    ("module", "old", "new", "check", "platforms", "says"),
    [  # a missing End Sub
        ("opsbook_buttons", "End Sub\r\n", "", "grammar", ALL, ""),
        # an If without End If, in a document module
        ("ThisWorkbook", "    opsbook_help", "    If True Then\r\n    opsbook_help", "grammar", ALL, ""),
        # a syntax error only in the Mac branch
        ("xlwings_udfs", "    REPOST_SLOTS = m\r\n", "    REPOST_SLOTS = m &\r\n", "grammar", {"mac"}, ""),
        # an undeclared variable (a typo)
        ("opsbook_help", "    wasSaved = ThisWorkbook.Saved", "    wasSavd = ThisWorkbook.Saved", "analyser", ALL, "undeclared-variable"),
        # a Declare without PtrSafe
        ("opsbook_buttons", "Option Explicit\r\n", 'Option Explicit\r\nPrivate Declare Function GetTickCount Lib "kernel32" () As Long\r\n', "analyser", {"win64", "mac"}, "ptrsafe"),
        # a second #Else
        ("xlwings_udfs", "failed:\r\n", "#Else\r\nfailed:\r\n", "#If", ALL, "#Else"),
        # Exit Sub in a Function
        ("xlwings_udfs", "        Exit Function\r\n", "        Exit Sub\r\n", "analyser", {"win64", "win32"}, "exit"),
    ],
)  # fmt: skip
def test_a_broken_copy_fails_naming_module_line_and_platform(
    project, module, old, new, check, platforms, says
):
    problems = check_project(broken(project, module, old, new), only=[module])
    assert problems and {p.platform for p in problems} == platforms
    assert {(p.module, p.check) for p in problems} == {(module, check)}
    assert all(p.line > 0 and says.lower() in str(p).lower() for p in problems)


def live_lines(source: str, platform: str) -> list[str]:
    text, problems = live_code("m", source.replace("\n", "\r\n"), PLATFORMS[platform])
    assert problems == []
    return [ln.strip() for ln in text.split("\r\n") if ln.strip()]


BRANCHES = (
    "#If Win64 Then\nw64\n#ElseIf Win32 Then\nw32\n#ElseIf Mac Then\nmac\n#End If\n"
)
MAC_2016 = "#If MAC_OFFICE_VERSION >= 15 Then\nnew\n#Else\nold\n#End If\n"
APP = '#Const App = "Microsoft Excel" \'note\n#If App = "Microsoft Excel" Then\nxl\n#End If\n'
NESTED = "#If VBA7 Then\n  #If Mac Then\n  m7\n  #Else\n  w7\n  #End If\n#Else\nold\n#End If\n"


@pytest.mark.parametrize(
    ("source", "platform", "live"),
    [
        (BRANCHES, "win64", ["w64"]),
        (BRANCHES, "win32", ["w32"]),
        (BRANCHES, "mac", ["mac"]),
        (MAC_2016, "mac", ["new"]),
        (MAC_2016, "win64", ["old"]),
        (APP, "mac", ["xl"]),
        (NESTED, "mac", ["m7"]),
        (NESTED, "win32", ["w7"]),
        ("#if not mac and (win64 or 1 = 2) then\nx\n#end if\n", "win64", ["x"]),
    ],
)
def test_conditional_compilation_keeps_only_the_platforms_branch(
    source, platform, live
):
    assert live_lines(source, platform) == live


def test_dead_branches_are_blanked_and_line_numbers_kept():
    text, _ = live_code(
        "m", "a\r\n#If Mac Then\r\nb\r\n#End If\r\nc\r\n", PLATFORMS["win64"]
    )
    assert text == "a\r\n\r\n\r\n\r\nc\r\n"


@pytest.mark.parametrize(
    ("source", "line", "says"),
    [
        ("x\n#End If\n", 2, "#End If without #If"),
        ("#Else\n", 1, "#Else without #If"),
        ("#If Mac Then\nx\n", 1, "#If without #End If"),
        ("#If Mac Then\n#Else\n#Else\n#End If\n", 3, "after the #Else of line 2"),
        ("#If Mac Then\n#Else\n#ElseIf Win64 Then\n#End If\n", 3, "after the #Else"),
        ("#If Mac\n#End If\n", 1, "needs Then"),
        ("#If (Mac Then\n#End If\n", 1, "cannot evaluate"),
    ],
)
def test_unmatched_or_malformed_directives_are_refused_with_their_line(
    source, line, says
):
    _, problems = live_code("m", source, PLATFORMS["win64"])
    assert [(p.module, p.line) for p in problems] == [("m", line)]
    assert says in str(problems[0]) and isinstance(problems[0], Problem)
