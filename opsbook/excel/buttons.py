"""The workbook's buttons: one function per button, each called by a one-line RunPython.

``workbook/vba/opsbook_buttons.bas`` holds the VBA side, e.g.
``RunPython "import opsbook.excel.buttons as b; b.plan('0.37.8')"``. The
argument is the xlwings version the workbook's VBA was built with: when the
installed xlwings differs (the top cause of "file not found: xlwings64-….dll"),
the operator is told what to do before the macro runs. Each button runs the
same function as the command line, through ``run_in_excel``, so our errors
become an alert naming the cell, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from importlib import metadata

import xlwings as xw

from .macros import build_repost_plan, run_in_excel


def version_notice(built_with: str | None) -> str | None:
    """A message when the workbook's VBA and this Python's xlwings differ, else None."""
    installed = metadata.version("xlwings")
    if built_with is None or built_with == installed:
        return None
    return (
        f"这个工作簿的宏是按 xlwings {built_with} 生成的，而 Python 里装的是 {installed}。"
        "按钮这次照常运行，但公式（REPOST_SLOTS 等）可能报错。请运行 opsbook setup，"
        "再用 opsbook new 生成新工作簿，把数据表复制过去。"
        f" / This book's VBA was built for xlwings {built_with}, this Python has {installed}:"
        " run opsbook setup and take a new book from opsbook new."
    )


def _press(macro: Callable[[xw.Book], object], built_with: str | None) -> None:
    book = xw.Book.caller()
    notice = version_notice(built_with)
    if notice:
        book.app.alert(notice, title="opsbook")
    run_in_excel(book, macro)


def plan(built_with: str | None = None) -> None:
    """生成重发计划 Build repost plan (重发计划)."""
    _press(build_repost_plan, built_with)


def consolidate(built_with: str | None = None) -> None:
    """汇总今日 Consolidate day (日报)."""
    from .daily import consolidate_day

    def run(book: xw.Book) -> None:
        result = consolidate_day(book)
        if result.problems:
            book.app.alert(
                "已汇总，但以下单元格看不懂，已原样保留 / consolidated; these cells were left as typed:\n"
                + "\n".join(f"- {p}" for p in result.problems[:20]),
                title="opsbook",
            )

    _press(run, built_with)


def import_traffic(built_with: str | None = None) -> None:
    """导入流量 Import traffic (流量): asks for the export files, then imports them."""
    from .import_traffic import import_traffic as import_files

    def run(book: xw.Book) -> None:
        picked = pick_exports(book)
        if not picked:
            return
        result = import_files(book, picked)
        book.app.alert(
            f"新增 {result.added} 行，更新 {len(result.updated)} 行，未变 {result.unchanged} 行"
            " / added, updated, unchanged",
            title="opsbook",
        )

    _press(run, built_with)


def effect(built_with: str | None = None) -> None:
    """重发效果 Repost effect (效果): the per-hour lift table, and its verdicts in an alert."""
    from .effect_report import effect_report

    def run(book: xw.Book) -> None:
        frame = effect_report(book)
        book.app.alert("\n".join(frame["verdict"].head(12)), title="opsbook")

    _press(run, built_with)


PROMPT = "选择生意参谋导出文件 / choose the traffic exports"
MAC_SCRIPT = (
    'tell application "Microsoft Excel"\n'
    f'  set picked to choose file with prompt "{PROMPT}" of type {{"xls", "xlsx", "csv", "public.comma-separated-values-text"}} with multiple selections allowed\n'
    "end tell\n"
    'set out to ""\n'
    "repeat with f in picked\n"
    "  set out to out & POSIX path of f & linefeed\n"
    "end repeat\n"
    "return out"
)


def pick_exports(
    book: xw.Book,
    platform: str = sys.platform,
    run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
) -> list[str]:
    """The export files the operator picks: Excel's dialog on Windows, AppleScript on a Mac.

    Cancel gives an empty list (nothing is imported, no alert).
    """
    if platform == "darwin":
        done = run(["osascript", "-e", MAC_SCRIPT], capture_output=True, text=True)
        if done.returncode != 0:  # -128: the operator pressed Cancel
            return []
        return [line for line in done.stdout.splitlines() if line.strip()]
    picked = book.app.api.GetOpenFilename(
        "生意参谋导出 (*.xls;*.xlsx;*.csv),*.xls;*.xlsx;*.csv", 1, PROMPT, None, True
    )
    return list(picked) if picked else []
