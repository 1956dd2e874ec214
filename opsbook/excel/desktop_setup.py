"""``opsbook setup``: point desktop Excel's xlwings at this Python, once per user.

The workbook's own ``xlwings.conf`` sheet leaves the interpreter out on
purpose, so xlwings' VBA reads it from the per-user config file. This writes
``INTERPRETER_WIN``/``INTERPRETER_MAC`` there (or ``CONDA PATH``/``CONDA ENV``
for a conda Python on Windows, which needs activating), keeps the user's other
keys, leaves no blank lines (xlwings' reader stops at one) and uses the
encoding VBA reads: the ANSI code page on Windows. On a Mac it also installs
the AppleScript that RunPython calls, named after the xlwings version.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

WINDOWS, MAC = "win", "mac"


def host(platform: str = sys.platform) -> str | None:
    """``win``, ``mac`` or None (no desktop Excel on this system)."""
    if platform.startswith("win"):
        return WINDOWS
    if platform == "darwin" or platform == MAC:
        return MAC
    return None


def send_to_folder(environ: Mapping[str, str]) -> Path:
    """Windows' Send To folder of this user (``%APPDATA%\\Microsoft\\Windows\\SendTo``)."""
    appdata = environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
    return Path(appdata) / "Microsoft" / "Windows" / "SendTo"


def user_config_path(kind: str, home: Path) -> Path:
    """Where xlwings' VBA looks for the per-user config (xlwings' USER_CONFIG_FILE)."""
    if kind == MAC:
        return home / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def interpreter_keys(
    kind: str, executable: str, prefix: str, environ: Mapping[str, str]
) -> dict[str, str]:
    """The keys that tell xlwings which Python to start."""
    conda_exe = environ.get("CONDA_EXE")
    if kind == WINDOWS and conda_exe and (Path(prefix) / "conda-meta").is_dir():
        base = Path(conda_exe).resolve().parent.parent
        return {"CONDA PATH": str(base), "CONDA ENV": prefix}
    return {f"INTERPRETER_{kind.upper()}": executable}


def merge_config(text: str, keys: Mapping[str, str]) -> str:
    """``text`` (an xlwings.conf) with ``keys`` set, other lines kept, blank lines dropped."""
    wanted = {k.upper() for k in keys}
    # the other way of finding Python goes: a stale interpreter would win over
    # conda, and stale conda keys over an interpreter (xlwings checks conda first)
    if {"CONDA PATH", "CONDA ENV"} & wanted:
        wanted |= {"INTERPRETER_WIN"}
    if "INTERPRETER_WIN" in wanted:
        wanted |= {"CONDA PATH", "CONDA ENV"}
    kept = [
        line
        for line in text.splitlines()
        if line.strip() and line.split(",")[0].strip().strip('"').upper() not in wanted
    ]
    ours = [f'"{k}","{v}"' for k, v in keys.items()]
    return "\n".join([*kept, *ours]) + "\n"


def applescript_source() -> Path:
    """xlwings' RunPython AppleScript shipped in the installed package."""
    spec = importlib.util.find_spec("xlwings")
    assert spec is not None and spec.origin is not None
    return (
        Path(spec.origin).parent / f"xlwings-{metadata.version('xlwings')}.applescript"
    )


def setup(
    platform: str = sys.platform,
    home: Path | None = None,
    executable: str = sys.executable,
    prefix: str = sys.prefix,
    environ: Mapping[str, str] = os.environ,
) -> list[str]:
    """Write the user config (and the Mac AppleScript); return what was done, line by line."""
    kind = host(platform)
    if kind is None:
        return [
            "这台电脑没有桌面 Excel：命令行 opsbook plan / consolidate 已可直接使用，无需设置。"
            " / No desktop Excel here: the command line works as it is."
        ]
    home = home or Path.home()
    path = user_config_path(kind, home)
    keys = interpreter_keys(kind, executable, prefix, environ)
    # read and write in the one encoding VBA reads (ANSI on Windows)
    encoding = "mbcs" if kind == WINDOWS and os.name == "nt" else "utf-8"
    old = path.read_text(encoding=encoding, errors="replace") if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".opsbook-tmp")
    tmp.write_text(
        merge_config(old, keys),
        encoding=encoding,
        errors="replace",
        newline="\r\n" if kind == WINDOWS else "\n",
    )
    os.replace(tmp, path)
    done = [
        f"已写入 xlwings 设置 / wrote {path}: "
        + ", ".join(f"{k}={v}" for k, v in keys.items())
    ]
    if kind == MAC:
        scripts = home / "Library/Application Scripts/com.microsoft.Excel"
        scripts.mkdir(parents=True, exist_ok=True)
        source = applescript_source()
        shutil.copy(source, scripts / source.name)
        done.append(f"已安装 RunPython 脚本 / installed {scripts / source.name}")
    done.append(
        "升级 opsbook 或 xlwings 后请重新运行 opsbook setup，并用 opsbook new 生成新的 .xlsm。"
        " / After an upgrade, run opsbook setup again and take a new .xlsm."
    )
    return done


def path_warnings(path: Path) -> list[str]:
    """Places where xlwings' buttons are known to fail: non-ASCII names, OneDrive folders."""
    warnings = []
    if not str(path.resolve()).isascii():
        warnings.append(
            "文件名或文件夹含中文等非英文字符：Mac 上 xlwings 按钮会出错（xlwings#2004），建议放在英文路径下。"
            " / Non-ASCII path: xlwings' buttons fail on a Mac; prefer an ASCII folder and name."
        )
    if "onedrive" in str(path.resolve()).lower():
        warnings.append(
            "文件在 OneDrive 文件夹里：xlwings 可能找不到它，建议放在本机普通文件夹。"
            " / In a OneDrive folder: xlwings may not find the file; prefer a local folder."
        )
    return warnings
