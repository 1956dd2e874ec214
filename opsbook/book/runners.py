"""Double-click runners beside a book, for WPS and every host that runs no xlwings macro.

``生成重发计划.cmd`` / ``汇总今日.cmd`` (Windows) and their ``.command`` twins
(macOS Finder runs those in Terminal) run ``opsbook plan`` / ``opsbook
consolidate`` on the book next to them, with the Python that wrote them. The
book is found from the runner's own folder (``%~dp0``, ``$(dirname "$0")``), so
the folder can be moved or renamed. A book still open (Excel's or WPS's
``~$`` owner file, LibreOffice's ``.~lock…#``) is left alone with a message to
save and close it first; the window shows the result and waits for a key.

Encoding: cmd.exe reads a batch file line by line in the console's code page
(GBK, 936, on Chinese Windows). The first line, plain ASCII, switches it to
UTF-8 (``chcp 65001``); every later line, Chinese names included, is then read
as the UTF-8 it is written in. The file has no BOM (cmd would run it as a
command) and CRLF line ends.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

#: (runner name, opsbook command)
RUNNERS = (("生成重发计划", "plan"), ("汇总今日", "consolidate"))
OPEN_MESSAGE = "工作簿还开着：请先在 Excel/WPS 里保存并关闭它，再双击运行。什么都没改。"
OPEN_MESSAGE_EN = (
    "The book is still open: save and close it first. Nothing was changed."
)
PRESS = "按任意键关闭 / press any key to close"


def _cmd_quote(text: str) -> str:
    """Text inside "..." of a batch file: % doubled (cmd expands it even in quotes)."""
    return text.replace("%", "%%")


def cmd_runner(command: str, label: str, python: Path, book: str | None) -> str:
    """A .cmd that runs ``opsbook command`` on ``book`` beside it (None: on ``%1``,
    the file a Send To menu hands over)."""
    target = f"%~dp0{_cmd_quote(book)}" if book else "%~1"
    folder, name = ("%~dp0", _cmd_quote(book)) if book else ("%~dp1", "%~nx1")
    lines = [
        "@echo off",
        "chcp 65001 >nul",
        f"rem opsbook: {label} / opsbook {command}. Written by opsbook; run `opsbook runners` again after reinstalling Python.",
        f'if exist "{folder}~${name}" goto :open',
        f'if exist "{folder}.~lock.{name}#" goto :open',
        f'"{_cmd_quote(str(python))}" -m opsbook {command} "{target}"',
        "echo.",
        f"echo {PRESS}",
        "pause >nul",
        "exit /b %errorlevel%",
        ":open",
        f"echo {OPEN_MESSAGE}",
        f"echo {OPEN_MESSAGE_EN}",
        f"echo {PRESS}",
        "pause >nul",
        "exit /b 2",
    ]
    return "\r\n".join(lines) + "\r\n"


def command_runner(command: str, label: str, python: Path, book: str) -> str:
    """The macOS twin: a bash script Finder opens in Terminal."""
    q = shlex.quote
    return "\n".join(
        [
            "#!/bin/bash",
            f"# opsbook: {label} / opsbook {command}. Written by opsbook; run `opsbook runners` again after reinstalling Python.",
            'cd "$(dirname "$0")" || exit 1',
            f"BOOK={q(book)}",
            'if [ -e "~\\$$BOOK" ] || [ -e ".~lock.$BOOK#" ]; then',
            f"  echo {q(OPEN_MESSAGE)}",
            f"  echo {q(OPEN_MESSAGE_EN)}",
            "  status=2",
            "else",
            f'  {q(str(python))} -m opsbook {command} "$BOOK"',
            "  status=$?",
            "fi",
            "echo",
            f"read -r -n 1 -s -p {q(PRESS)}",
            "echo",
            'exit "$status"',
            "",
        ]
    )


def write_runners(book: Path, python: Path | None = None) -> list[Path]:
    """Write the four runners beside ``book``; returns their paths."""
    python = python or Path(sys.executable)
    written = []
    for label, command in RUNNERS:
        cmd = book.with_name(f"{label}.cmd")
        cmd.write_bytes(cmd_runner(command, label, python, book.name).encode("utf-8"))
        mac = book.with_name(f"{label}.command")
        mac.write_bytes(
            command_runner(command, label, python, book.name).encode("utf-8")
        )
        mac.chmod(0o755)
        written += [cmd, mac]
    return written


def write_send_to(folder: Path, python: Path | None = None) -> list[Path]:
    """Windows' Send To entries (``opsbook 生成重发计划.cmd`` …): run on the file sent."""
    python = python or Path(sys.executable)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for label, command in RUNNERS:
        path = folder / f"opsbook {label}.cmd"
        path.write_bytes(cmd_runner(command, label, python, None).encode("utf-8"))
        written.append(path)
    return written
