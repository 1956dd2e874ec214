"""Who else has the book: Excel's owner file, another opsbook command, a crashed save.

Excel (and WPS) write an owner file ``~$name.xlsx`` beside a book while it is
open, LibreOffice ``.~lock.name.xlsx#``; saving under them would lose what the
person is typing, so the headless commands refuse unless ``--force``. Two
opsbook commands on one book take turns through a lock file beside it (the
second waits, then refuses with a message). A save killed half-way leaves only
its temp file, which the next run removes while it holds the lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import BookFileError, Problem

LOCK_WAIT_SECONDS = float(os.environ.get("OPSBOOK_LOCK_WAIT", "30"))


def temp_prefix(path: Path) -> str:
    """Temp files of a save of ``path`` start with this (and nothing else's do)."""
    return f".~opsbook-{path.name}.tmp"


def owner_files(path: Path) -> list[Path]:
    """Lock files that Excel, WPS or LibreOffice keep beside an open book, if present."""
    names = {f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"}
    return sorted(p for name in names if (p := path.with_name(name)).exists())


def check_not_open_elsewhere(path: Path) -> None:
    found = owner_files(path)
    if found:
        raise BookFileError(
            [
                Problem(
                    path.name,
                    "open_in_excel",
                    f"工作簿正在 Excel/WPS/LibreOffice 里打开（{found[0].name}）/ the book is open in a spreadsheet program",
                    "先在 Excel 里保存并关闭它再运行；如果确定没有打开（程序崩溃留下的），加 --force / save and close it first, or pass --force if that lock is stale",
                )
            ]
        )


@contextlib.contextmanager
def book_lock(path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the book's opsbook lock; wait up to ``wait`` seconds for another command."""
    lock = FileLock(str(path.with_name(f".~opsbook-{path.name}.lock")), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise BookFileError(
            [
                Problem(
                    path.name,
                    "busy",
                    f"另一个 opsbook 命令正在处理这个工作簿（等了 {wait:.0f} 秒）/ another opsbook command is working on this book",
                    "等它结束再运行 / run again when it has finished",
                )
            ]
        ) from None
    try:
        yield
    finally:
        lock.release()


def clean_stale_temps(path: Path) -> list[Path]:
    """Remove temp files left by a save that was killed; call only while holding the lock."""
    stale = sorted(path.parent.glob(temp_prefix(path) + "*"))
    for p in stale:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    return stale
