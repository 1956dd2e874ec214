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

from openpyxl.workbook.workbook import Workbook

from .errors import BookFileError, Problem

MACRO_SUFFIXES = {".xlsm", ".xltm"}
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
    if not zipfile.is_zipfile(path):
        raise file_problem(
            path,
            "不是有效的 Excel 工作簿（文件已损坏，或是加密/旧版 .xls） / not a valid .xlsx (damaged, password-protected or old .xls)",
            "在 Excel 里打开并另存为不加密的 .xlsx / open it in Excel and save as an unprotected .xlsx",
        )


def atomic_save(wb: Workbook, path: Path) -> None:
    """Write side: save to a temp file beside ``path``, flush it to disk, then replace.

    A crash at any point leaves either the old file or the new one, never half
    of one; the temp file is removed if the save fails.
    """
    fd, tmp = tempfile.mkstemp(
        prefix=f".~opsbook-{path.stem}-", suffix=path.suffix, dir=path.parent
    )
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
