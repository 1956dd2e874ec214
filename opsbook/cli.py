"""The ``opsbook`` command line: each command opens the book, calls one function, exits.

Errors of ours print their message and exit with its code (2: fix the book);
anything else is a bug and exits 1. Progress goes to stderr (``--quiet`` to
silence it); the last line says what was written where.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from . import report as report_
from .core.settings import named
from .errors import OpsbookError

DEMO_PATH = "opsbook-demo.xlsm"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应写成 YYYY-MM-DD，如 2026-11-25 / expected YYYY-MM-DD, got {text!r}"
        ) from None


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(
            f"--jobs 应为 ≥ 1 的整数 / expected a whole number ≥ 1, got {text!r}"
        )
    return n


class Reporter:
    """Progress lines on stderr with elapsed time; silent with --quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, step: str) -> None:
        if not self.quiet:
            print(
                f"[{time.perf_counter() - self.start:5.1f}s] {step}",
                file=sys.stderr,
                flush=True,
            )


def _new_book(path: Path, frames, *, overwrite: bool) -> Path:
    """Write a new book; print the notice when a .xlsm had to become a .xlsx."""
    from .book.macro_book import new_book
    from .excel.desktop_setup import path_warnings

    written, notice = new_book(path, frames, overwrite=overwrite)
    for line in ([notice] if notice else []) + (
        path_warnings(written) if written.suffix == ".xlsm" else []
    ):
        print(line, file=sys.stderr)
    return written


def cmd_new(args: argparse.Namespace) -> int:
    from .book.template import demo_frames

    frames = demo_frames(dt.date.today()) if args.demo else None
    path = _new_book(Path(args.path), frames, overwrite=args.force)
    print(f"已新建工作簿 / new workbook: {path.resolve()}")
    if args.runners:
        _print_runners(path)
    return 0


def _print_runners(book: Path) -> None:
    from .book.runners import write_runners

    written = write_runners(book.resolve())
    print(
        f"已写入双击运行的脚本 / wrote double-click runners: {', '.join(p.name for p in written)}"
        "（Windows 双击 .cmd，Mac 双击 .command / double-click .cmd on Windows, .command on a Mac）"
    )


def cmd_runners(args: argparse.Namespace) -> int:
    from .book.files import check_workbook_path

    book = Path(args.path).resolve()
    check_workbook_path(book)
    _print_runners(book)
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    from .excel.desktop_setup import setup

    platform = {"win": "win32", "mac": "darwin"}.get(args.platform, sys.platform)
    for line in setup(platform):
        print(line)
    if args.send_to and not platform.startswith("win"):
        print("「发送到」菜单只在 Windows 上有 / Send To exists on Windows only")
    elif args.send_to:
        from .book.runners import write_send_to
        from .excel.desktop_setup import send_to_folder

        folder = send_to_folder(os.environ)
        written = write_send_to(folder)
        print(
            f"已加到「发送到」菜单 / added to Send To: {', '.join(p.name for p in written)} ({folder})"
            "：在工作簿上点右键 → 发送到 / right-click a book → Send to"
        )
    return 0


def _edit(args: argparse.Namespace, macro):
    """Open the book under its lock, run ``macro(book, report)``, back up, save; say where."""
    from .excel.session import edit_book

    report = Reporter(args.quiet)
    report(f"打开 / opening {args.path}")
    result, backup = edit_book(
        args.path, lambda book: macro(book, report), force=args.force
    )
    report(f"已保存；原文件备份在 / previous version kept at {backup}")
    return result


def cmd_plan(args: argparse.Namespace) -> int:
    from .excel.macros import build_repost_plan

    result = _edit(
        args,
        lambda book, report: build_repost_plan(
            book, plan_date=args.date, progress=report
        ),
    )
    n = len(result.plan.slots)
    day = result.plan.slots["time"].iloc[0].date() if n else args.date or ""
    print(
        f"已写入「重发计划」：{day} 共 {n} 个重发 → {Path(args.path).resolve()} / wrote {n} slots"
    )
    return 0


def _tick_like_the_clerk(book, plan) -> int:
    """Demo only: the clerk ticks 完成 on most slots (every seventh one slipped)."""
    from .book.layout import PLAN_AT

    marks = [["√" if i % 7 else None] for i in range(1, len(plan.slots) + 1)]
    if marks:
        done_col = PLAN_AT[1] + 6
        book.sheets["重发计划"].range((PLAN_AT[0] + 1, done_col)).value = marks
    return sum(1 for m in marks if m[0])


def _report_problems(problems) -> None:
    if problems:
        print(
            f"以下 {len(problems)} 处看不懂，已原样保留 / left as typed:",
            file=sys.stderr,
        )
        for p in problems[:30]:
            print(f"- {p}", file=sys.stderr)


def cmd_consolidate(args: argparse.Namespace) -> int:
    from .excel.daily import consolidate_day

    result = _edit(
        args, lambda book, report: consolidate_day(book, day=args.date, progress=report)
    )
    _report_problems(result.problems)
    if not args.quiet:
        print(report_.day_text(result))
    tidied = sum(result.tidied.values())
    print(
        f"已汇总 {result.day}：日报、重发记录已更新，整理了 {tidied} 个单元格 → {Path(args.path).resolve()} / consolidated"
    )
    return 0


def cmd_effect(args: argparse.Namespace) -> int:
    from .excel.effect_report import effect_report

    frame = _edit(args, lambda book, report: effect_report(book))
    for line in frame["verdict"]:
        print(line)
    if frame.empty:
        print(
            "还没有打过 √ 的重发记录，先用几天「汇总今日」/ no ticked reposts recorded yet: consolidate a few days first"
        )
    print(
        f"已写入「效果」：{len(frame)} 个小时 → {Path(args.path).resolve()} / wrote the effect table"
    )
    return 0


def cmd_import_traffic(args: argparse.Namespace) -> int:
    from .excel.import_traffic import import_traffic

    result = _edit(
        args, lambda book, report: import_traffic(book, args.exports, progress=report)
    )
    for row in result.updated.itertuples():
        print(
            f"更新 / updated {row.date:%Y-%m-%d} {row.hour}点：访客数 {row.old_visitors:g} → {row.visitors:g}"
        )
    print(
        f"已导入「流量」：新增 {result.added} 行，更新 {len(result.updated)} 行，未变 {result.unchanged} 行 → {Path(args.path).resolve()} / imported"
    )
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .book.summary_book import summary_path, write_summary
    from .excel.batch import find_books, run_batch

    books = find_books(Path(p) for p in args.paths)
    if not books:
        print("没有找到工作簿 / no workbooks found", file=sys.stderr)
        return 2
    report = Reporter(args.quiet)

    def finished(i: int, n: int, result) -> None:
        report(f"[{i}/{n}] {result.path.name} {result.outcome}")

    report(
        f"{len(books)} 个工作簿 / books, {args.jobs or os.cpu_count()} 个进程 / processes"
    )
    batch = run_batch(
        args.command, books, jobs=args.jobs, day=args.date, progress=finished
    )
    rows = [r.row() for r in batch.results]
    print(report_.batch_table([r.row(brief=True) for r in batch.results]))
    first = Path(args.paths[0])
    folder = first if first.is_dir() else books[0].parent
    written = write_summary(rows, summary_path(folder, args.date or dt.date.today()))
    for r in batch.results:
        if r.problem:
            print(f"\n{r.path.name}：{r.outcome}\n{r.problem}", file=sys.stderr)
    if batch.interrupted:
        print(
            "已中断：写到一半的工作簿没有，未处理的已列出 / interrupted: no book half-written",
            file=sys.stderr,
        )
    print(f"汇总已写入 / summary written: {written.resolve()}")
    return batch.exit_code


def cmd_restore(args: argparse.Namespace) -> int:
    from .book.backups import backup_dir, list_backups, restore
    from .book.locks import book_lock

    path = Path(args.path).resolve()
    if args.list:
        backups = list_backups(path)
        print(
            f"{len(backups)} 个备份 / backups in {backup_dir(path)}（最新在前 / newest first）:"
        )
        for b in backups:
            print(f"  {b.name}")
        return 0
    with book_lock(path):
        chosen, safety = restore(
            path, Path(args.backup).resolve() if args.backup else None
        )
    print(
        f"已从 {chosen.name} 恢复 → {path}（恢复前的文件也备份了：{safety.name if safety else '无'}）/ restored"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .book.template import demo_frames
    from .excel.daily import consolidate_day
    from .excel.effect_report import effect_report
    from .excel.macros import build_repost_plan
    from .excel.session import edit_book

    report = Reporter(args.quiet)
    day = args.date or dt.date.today()
    report(f"生成示例工作簿 / writing the sample book {args.path}")
    path = _new_book(Path(args.path), demo_frames(day), overwrite=True)

    def plan_and_close_the_day(book):
        result = build_repost_plan(book, plan_date=day, progress=report)
        print(report_.plan_text(result.plan))
        print(report_.left_out_text(result.plan))
        report("模拟客服打 √ / the clerk ticks the reposts done")
        _tick_like_the_clerk(book, result.plan)
        closed = consolidate_day(book, day=day, progress=report)
        report("估计重发效果 / estimating the effect of reposts")
        return result, closed, effect_report(book)

    (result, day_result, effect), _ = edit_book(path, plan_and_close_the_day)
    print(report_.day_text(day_result))
    print(report_.analysis_text(day_result))
    print("\n重发效果 / does reposting work:")
    for line in effect["verdict"]:
        print(f"  {line}")
    print(
        f"\n已写入示例工作簿 / wrote the demo book: {path.resolve()}（{len(result.plan.slots)} 个重发 / slots, {named('plan_date')} {day}）"
    )
    return 0


def _edit_command(
    sub, name: str, func, help: str, description: str, date: str | None = None
) -> argparse.ArgumentParser:
    """A command that edits a book: PATH, --quiet, --force, and --date when the command takes a day."""
    p = sub.add_parser(name, help=help, description=description)
    p.add_argument("path", help="工作簿 .xlsx/.xlsm / the workbook")
    if date:
        p.add_argument("--date", type=_date, help=date)
    p.add_argument(
        "--quiet", "-q", action="store_true", help="不显示进度 / no progress on stderr"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="即使 Excel 似乎打开着它也照样写 / write even if Excel seems to have it open",
    )
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsbook",
        description="opsbook：在店铺的 Excel 工作簿里做重发计划、汇总每天的数据 / repost plans and daily consolidation inside the shop's Excel workbook.",
    )
    parser.add_argument("--version", action="version", version=f"opsbook {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "new",
        help="新建工作簿模板 / write a fresh workbook",
        description="新建一个包含 商品、流量、咨询、关键词、任务、设置、重发计划、日报、重发记录、效果 的工作簿 / write a new workbook with every sheet.",
    )
    p.add_argument(
        "path",
        help="新文件路径：.xlsm 带按钮和公式（桌面 Excel），.xlsx 不带宏 / .xlsm: buttons and worksheet functions; .xlsx: no macros",
    )
    p.add_argument(
        "--demo", action="store_true", help="填入示例数据 / fill in sample data"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="覆盖已有文件（原文件先备份）/ overwrite an existing file (backed up first)",
    )
    p.add_argument(
        "--runners",
        action="store_true",
        help="旁边写上双击运行的 生成重发计划 / 汇总今日 脚本（WPS 用）/ also write double-click runners beside it (for WPS)",
    )
    p.set_defaults(func=cmd_new)

    p = sub.add_parser(
        "runners",
        help="在工作簿旁写双击运行的脚本（WPS 等不运行宏的软件用）/ double-click runners for WPS",
        description="在工作簿旁边写 生成重发计划.cmd、汇总今日.cmd（Windows）和同名 .command（Mac）：双击就对旁边这本工作簿运行 opsbook plan / consolidate，用的是现在这个 Python；工作簿还开着时提示先保存关闭、什么都不改 / write double-click runners beside the book.",
    )
    p.add_argument("path", help="工作簿 .xlsx/.xlsm / the workbook")
    p.set_defaults(func=cmd_runners)

    _edit_command(
        sub,
        "plan",
        cmd_plan,
        "生成重发计划 / build the repost plan",
        "读 设置、商品、流量，把当天的重发计划写进「重发计划」 / read Settings, Products, Traffic and write the day's plan.",
        date=f"{named('plan_date')} YYYY-MM-DD（默认：设置里的{named('plan_date')}，或今天）/ plan date",
    )
    _edit_command(
        sub,
        "consolidate",
        cmd_consolidate,
        "汇总今日 / consolidate the day",
        "整理 咨询、关键词、任务、流量（去空格、全角转半角、结果写法统一、文字日期转日期），写 日报 和 重发记录，把打了 √ 的重发写回 商品 的 上次重发，并给明天加上标准任务；看不懂的单元格原样保留并列出 / tidy the staff sheets, summarise the day, close the repost loop.",
        date="汇总哪一天 YYYY-MM-DD（默认今天）/ the day (default today)",
    )
    p = _edit_command(
        sub,
        "import-traffic",
        cmd_import_traffic,
        "导入生意参谋流量导出 / import traffic exports",
        "把生意参谋导出的逐小时流量（.xls、.xlsx、.csv，UTF-8 或 GBK）追加到「流量」；按 日期+小时 去重，重复导入不会多出行，数字变了会更新并列出 / append hourly traffic from exports; re-importing adds nothing.",
    )
    p.add_argument("exports", nargs="+", help="导出文件 / export files")
    _edit_command(
        sub,
        "effect",
        cmd_effect,
        "重发有没有用 / does reposting work?",
        "按小时比较：打了 √ 的重发那个小时的访客，对比同一小时没有重发的日子（来自「重发记录」），给出提升和 95% 区间，写进「效果」表 / per hour, visitors with reposts done vs the same hour without, with a 95% interval.",
    )

    p = sub.add_parser(
        "batch",
        help="多个店铺一起：对文件夹里每个工作簿运行 plan 或 consolidate / many shops at once",
        description="对文件夹里（或列出的）每个 opsbook 工作簿运行 plan 或 consolidate，多进程并行；在 Excel/WPS 里打开着的、不是 opsbook 的工作簿跳过并列出，有问题的那一本不改、照常报告，其余照做；最后打印汇总表并写 汇总-日期.xlsx。退出码：0 全部完成，2 有跳过或需修改，1 内部错误，130 被 Ctrl-C 中断 / run plan or consolidate on every opsbook book in a folder, in parallel, with one summary.",
    )
    p.add_argument(
        "command", choices=("plan", "consolidate"), help="plan 或 consolidate"
    )
    p.add_argument("paths", nargs="+", help="文件夹或工作簿 / folders or books")
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        help="同时处理几本（默认每个 CPU 核一个）/ books at a time (default: one per core)",
    )
    p.add_argument(
        "--date",
        type=_date,
        help=f"{named('plan_date')} 或汇总哪一天 YYYY-MM-DD（默认今天）/ the day",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="不显示进度 / no progress on stderr"
    )
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser(
        "setup",
        help="让桌面 Excel 的按钮找到 Python / point desktop Excel at this Python",
        description="把当前 Python 写进 xlwings 的用户设置（Windows：%USERPROFILE%\\.xlwings\\xlwings.conf；Mac 另装 RunPython 脚本），每台电脑、每次升级后运行一次 / write this Python into xlwings' per-user config; run once per machine and after upgrades.",
    )
    p.add_argument(
        "--platform",
        choices=("win", "mac"),
        help="按哪个系统写（默认本机）/ write for this system (default: this machine)",
    )
    p.add_argument(
        "--send-to",
        action="store_true",
        help="把 生成重发计划、汇总今日 加到 Windows 右键「发送到」菜单 / add both to Windows' Send To menu",
    )
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser(
        "restore",
        help="从备份恢复 / bring back a previous version",
        description="每次写入前 opsbook 都会把原文件备份到旁边的 opsbook-backups 文件夹（保留最近 10 份）。这个命令把最新的（或指定的）备份恢复回来；恢复前的文件也会先备份 / restore the newest (or a chosen) backup.",
    )
    p.add_argument("path", help="工作簿 / the workbook")
    p.add_argument(
        "backup",
        nargs="?",
        help="要恢复的备份文件（默认最新）/ the backup to restore (default: newest)",
    )
    p.add_argument("--list", action="store_true", help="列出备份 / list the backups")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "demo",
        help="示例：新建示例工作簿、生成计划、汇总今日、重发效果 / sample book, plan, consolidate, effect",
        description="生成一个童装店的示例工作簿（约 120 件商品、28 天流量和重发记录），排好今天的计划，模拟客服打 √，汇总今日，估计重发效果并打印摘要；每次运行都会重新生成该文件（旧文件先备份）/ write a sample book, plan, consolidate, estimate the effect, print a summary.",
    )
    p.add_argument(
        "path",
        nargs="?",
        default=DEMO_PATH,
        help=f"示例文件路径（默认 {DEMO_PATH}）/ where to write it",
    )
    p.add_argument(
        "--date",
        type=_date,
        help=f"{named('plan_date')}（默认今天）/ plan date (default today)",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="不显示进度 / no progress on stderr"
    )
    p.set_defaults(func=cmd_demo)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the command, and turn errors into a message and an exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OpsbookError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(
            "已取消，文件未改动 / cancelled, the file was not changed", file=sys.stderr
        )
        return 130
    except Exception as exc:
        if os.environ.get("OPSBOOK_DEBUG"):
            traceback.print_exc()
        print(
            f"opsbook 内部错误 / internal error: {exc!r}\n文件未改动；设置 OPSBOOK_DEBUG=1 可看详细信息 / the file was not changed; set OPSBOOK_DEBUG=1 for details",
            file=sys.stderr,
        )
        return 1


def main(argv: Sequence[str] | None = None) -> None:
    sys.exit(run(argv))
