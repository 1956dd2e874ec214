"""Files on disk: which paths are workbooks, and saving without ever leaving half a file.

Used by the file engine and by the template writer alike, so neither depends on
the other.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BookFileError, Problem
from .locks import temp_prefix

if TYPE_CHECKING:  # openpyxl is loaded only by the code that makes a new book
    from openpyxl.workbook.workbook import Workbook

MACRO_SUFFIXES = {".xlsm", ".xltm"}
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # encrypted OOXML and legacy .xls
# Limits for untrusted workbooks: a real shop book is far below all three.
MAX_PARTS = 10_000
MAX_UNCOMPRESSED = 1 << 30  # 1 GiB of XML
MAX_RATIO = 200  # per part, for parts above RATIO_FLOOR bytes
RATIO_FLOOR = 10 << 20
SUFFIXES = {".xlsx", ".xltx", *MACRO_SUFFIXES}


def file_problem(path: Path, reason: str, hint: str) -> BookFileError:
    return BookFileError(
        [Problem(sheet=path.name, code="file", reason=reason, hint=hint)]
    )


def check_workbook_path(path: Path) -> None:
    """Refuse, with a message a person can act on, a path that is not a usable .xlsx/.xlsm."""
    if not path.exists():
        raise file_problem(
            path,
            "文件不存在 / file not found",
            "检查路径，或先运行 opsbook new 新建 / check the path or run `opsbook new`",
        )
    if path.suffix.lower() not in SUFFIXES:
        raise file_problem(
            path,
            f"不支持 {path.suffix or '无扩展名'} 文件 / unsupported file type",
            "请在 Excel 里另存为 .xlsx 或 .xlsm / save it from Excel as .xlsx or .xlsm",
        )
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        raise file_problem(
            path,
            "这是加密（设了打开密码）的工作簿，或其实是旧版 .xls / the book is password-protected, or really an old .xls",
            "在 Excel 里去掉打开密码（文件 → 信息 → 保护工作簿），另存为 .xlsx 再试 / remove the password and save as .xlsx",
        )
    if not zipfile.is_zipfile(path):
        raise file_problem(
            path,
            "不是有效的 Excel 工作簿（文件已损坏，或不是 Excel 文件） / not a valid .xlsx (damaged or not a workbook)",
            "在 Excel 里打开并另存为 .xlsx；或从备份恢复：opsbook restore / re-save it from Excel, or `opsbook restore`",
        )
    check_zip_limits(path)


def check_zip_limits(path: Path) -> None:
    """Refuse zip bombs: too many parts, too much uncompressed data, or a wild ratio."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise file_problem(
            path,
            f"压缩包损坏：{exc} / damaged zip",
            "在 Excel 里打开并另存为 .xlsx / re-save it from Excel",
        ) from exc
    total = sum(i.file_size for i in infos)
    worst = max(
        (
            i.file_size / max(i.compress_size, 1)
            for i in infos
            if i.file_size > RATIO_FLOOR
        ),
        default=0,
    )
    if len(infos) > MAX_PARTS or total > MAX_UNCOMPRESSED or worst > MAX_RATIO:
        raise file_problem(
            path,
            f"文件解压后过大或压缩比异常（{len(infos)} 个部件，{total / 2**20:.0f} MiB，压缩比 {worst:.0f}），可能是恶意文件 / the file expands too much (a zip bomb?)",
            "不要打开来路不明的文件；确认来源后在 Excel 里另存一份再试 / check where it came from, re-save it from Excel",
        )


def atomic_save(wb: Workbook, path: Path) -> None:
    """Write side: save to a temp file beside ``path``, flush it to disk, then replace.

    A crash at any point leaves either the old file or the new one, never half
    of one; the temp file is removed if the save fails.
    """
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            wb.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # mkstemp makes 0600; a new book gets the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
