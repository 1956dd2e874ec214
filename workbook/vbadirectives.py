"""Conditional compilation as the VBA editor does it, before anything else sees the code.

``live_code(module, source, constants)`` evaluates ``#Const``, ``#If``, ``#ElseIf``,
``#Else`` and ``#End If`` for one platform's compiler constants and blanks the dead
branches and the directive lines themselves, keeping every line number, so what is
left is exactly what Excel compiles there. Unmatched or duplicated directives, a
condition without ``Then`` or one that cannot be evaluated, come back as problems
with the module and line.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing Excel's compiler (or a cell calling the code) would trip over."""

    module: str
    line: int
    message: str
    platform: str = ""
    check: str = ""

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.platform, self.check) if p)
        return f"{self.module} line {self.line} ({where}): {self.message}"


class DirectiveError(ValueError):
    """A conditional-compilation line that cannot be evaluated (line-less; the caller adds it)."""


# --- conditional compilation: #Const, #If, #ElseIf, #Else, #End If ----------------

DIRECTIVE = re.compile(r"^\s*#\s*(Const|If|ElseIf|Else|End\s*If)\b(.*)$", re.IGNORECASE)
TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>"(?:[^"]|"")*")
    | (?P<num>&H[0-9A-F]+&?|&O[0-7]+&?|\d+(?:\.\d+)?(?:E[+-]?\d+)?[%&!#@^]?)
    | (?P<name>[A-Z_][A-Z0-9_]*)
    | (?P<op><>|><|<=|=<|>=|=>|[-+*/\\^&=<>()])
    )""",
    re.IGNORECASE | re.VERBOSE,
)
#: Binary operators from the loosest to the tightest (MS-VBAL 5.6.9).
LEVELS: list[dict[str, Callable[[Any, Any], Any]]] = [
    {"IMP": lambda a, b: (not _truth(a)) or _truth(b)},
    {"EQV": lambda a, b: _truth(a) == _truth(b)},
    {"XOR": lambda a, b: _truth(a) != _truth(b)},
    {"OR": lambda a, b: _truth(a) or _truth(b)},
    {"AND": lambda a, b: _truth(a) and _truth(b)},
    {  # Not sits between And and the comparisons: handled in _unary_not
        op: fn
        for ops, fn in (
            (("=",), operator.eq),
            (("<>", "><"), operator.ne),
            (("<",), operator.lt),
            (("<=", "=<"), operator.le),
            ((">",), operator.gt),
            ((">=", "=>"), operator.ge),
        )
        for op in ops
    },
    {"&": lambda a, b: f"{_text(a)}{_text(b)}"},
    {"+": operator.add, "-": operator.sub},
    {"MOD": operator.mod},
    {"\\": operator.floordiv},
    {"*": operator.mul, "/": operator.truediv},
]
COMPARISONS = 5  # index of the comparison level in LEVELS


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        raise DirectiveError(f"a string is not True or False: {value!r}")
    return bool(value)


def _text(value: Any) -> str:
    return (
        {True: "True", False: "False"}.get(value, str(value))
        if isinstance(value, bool)
        else str(value)
    )


def _number(token: str) -> int | float:
    body = token.rstrip("%&!#@^")
    if body[:2].upper() == "&H":
        return int(body[2:], 16)
    if body[:2].upper() == "&O":
        return int(body[2:], 8)
    return float(body) if any(c in body for c in ".eE") else int(body)


class _Expression:
    """A directive's expression over the known constants (unknown names are Empty: 0)."""

    def __init__(self, text: str, constants: Mapping[str, Any]) -> None:
        self.tokens: list[tuple[str, Any]] = []
        pos, text = 0, text.rstrip()
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise DirectiveError(f"cannot read {text[pos:].strip()!r}")
            pos = m.end()
            if m["str"]:
                self.tokens.append(("value", m["str"][1:-1].replace('""', '"')))
            elif m["num"]:
                self.tokens.append(("value", _number(m["num"])))
            elif m["name"]:
                self.tokens.append(("name", m["name"].upper()))
            else:
                self.tokens.append(("op", m["op"]))
        self.constants = {k.upper(): v for k, v in constants.items()}
        self.i = 0

    def value(self) -> Any:
        if not self.tokens:
            raise DirectiveError("the expression is missing")
        result = self._level(0)
        if self.i < len(self.tokens):
            raise DirectiveError(f"unexpected {self.tokens[self.i][1]!r}")
        return result

    def _peek(self) -> str | None:
        if self.i < len(self.tokens) and self.tokens[self.i][0] in ("op", "name"):
            return str(self.tokens[self.i][1]).upper()
        return None

    def _level(self, n: int) -> Any:
        if n == COMPARISONS:
            return self._unary_not()
        if n == len(LEVELS):
            return self._power()
        left = self._level(n + 1)
        while (op := self._peek()) in LEVELS[n]:
            self.i += 1
            left = LEVELS[n][op](left, self._level(n + 1))
        return left

    def _unary_not(self) -> Any:
        if self._peek() == "NOT":
            self.i += 1
            return not _truth(self._unary_not())
        left = self._level(COMPARISONS + 1)
        while (op := self._peek()) in LEVELS[COMPARISONS]:
            self.i += 1
            right = self._level(COMPARISONS + 1)
            if isinstance(left, str) != isinstance(right, str):
                left, right = _text(left), _text(right)
            left = LEVELS[COMPARISONS][op](left, right)
        return left

    def _power(self) -> Any:
        if self._peek() in ("-", "+"):
            sign = -1 if self._peek() == "-" else 1
            self.i += 1
            return sign * self._power()
        base = self._atom()
        if self._peek() == "^":
            self.i += 1
            return base ** self._power()
        return base

    def _atom(self) -> Any:
        if self.i >= len(self.tokens):
            raise DirectiveError("the expression ends too early")
        kind, token = self.tokens[self.i]
        self.i += 1
        if kind == "value":
            return token
        if token == "(":
            inner = self._level(0)
            if self._peek() != ")":
                raise DirectiveError("a '(' is not closed")
            self.i += 1
            return inner
        if kind == "name" and token in ("TRUE", "FALSE"):
            return token == "TRUE"
        if kind == "name" and token not in (
            "NOT",
            "AND",
            "OR",
            "XOR",
            "EQV",
            "IMP",
            "MOD",
        ):
            return self.constants.get(token, 0)
        raise DirectiveError(f"unexpected {token!r}")


def _code_part(text: str) -> str:
    """``text`` without a trailing ``'`` comment (quotes respected)."""
    in_string = False
    for i, ch in enumerate(text):
        if ch == '"':
            in_string = not in_string
        elif ch == "'" and not in_string:
            return text[:i]
    return text


def split_lines(source: str) -> list[str]:
    """The physical lines of ``source``, each with its own line end."""
    return [line for line in re.split(r"(?<=\n)", source) if line]


def blank_line(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


@dataclass
class _Branch:
    line: int  # the #If's
    outer_live: bool
    taken: bool = False  # some branch of this #If was live
    live: bool = False
    else_line: int = 0


def live_code(
    module: str, source: str, constants: Mapping[str, Any]
) -> tuple[str, list[Problem]]:
    """``source`` as the compiler sees it with ``constants``: dead branches and directive
    lines blanked (line numbers kept), plus what is wrong with the directives."""
    env = dict(constants)
    out: list[str] = []
    stack: list[_Branch] = []
    problems: list[Problem] = []

    def refuse(n: int, message: str) -> None:
        problems.append(Problem(module, n, message, check="#If"))

    def evaluate(n: int, text: str) -> bool:
        body = _code_part(text).rstrip()
        if not re.search(r"\bThen$", body, re.IGNORECASE):
            refuse(n, "#If / #ElseIf needs Then at the end")
            return False
        try:
            return _truth(_Expression(body[: -len("Then")], env).value())
        except (DirectiveError, TypeError, ZeroDivisionError) as e:
            refuse(n, f"cannot evaluate the condition: {e}")
            return False

    for n, line in enumerate(split_lines(source), start=1):
        live = not stack or stack[-1].live
        m = DIRECTIVE.match(line)
        if not m:
            out.append(line if live else blank_line(line))
            continue
        out.append(blank_line(line))
        word, rest = re.sub(r"\s+", " ", m[1]).upper(), m[2]
        if word == "CONST":
            if live:
                cm = re.match(
                    r"\s*([A-Z_][A-Z0-9_]*)\s*=(.*)$", _code_part(rest), re.IGNORECASE
                )
                if not cm:
                    refuse(n, "#Const needs a name = value")
                    continue
                try:
                    env[cm[1].upper()] = _Expression(cm[2], env).value()
                except (DirectiveError, TypeError, ZeroDivisionError) as e:
                    refuse(n, f"cannot evaluate #Const: {e}")
        elif word == "IF":
            branch = _Branch(n, outer_live=live)
            branch.live = branch.taken = live and evaluate(n, rest)
            stack.append(branch)
        elif not stack:
            refuse(n, f"#{m[1]} without #If")
        elif _code_part(rest).strip() and word in ("ELSE", "END IF"):
            refuse(n, f"#{m[1]} takes nothing after it")
        elif word == "END IF":
            stack.pop()
        elif stack[-1].else_line:
            top = stack[-1]
            refuse(
                n,
                f"#{m[1]} after the #Else of line {top.else_line} (the #If of line {top.line})",
            )
            top.live = False
        elif word == "ELSEIF":
            top = stack[-1]
            top.live = top.outer_live and not top.taken and evaluate(n, rest)
            top.taken = top.taken or top.live
        else:  # ELSE
            top = stack[-1]
            top.else_line = n
            top.live = top.outer_live and not top.taken
            top.taken = True
    for branch in stack:
        refuse(branch.line, "#If without #End If")
    return "".join(out), problems
