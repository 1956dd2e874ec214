"""Many shops at once: one command on every opsbook book in a folder, in parallel.

Each book runs in a worker process through the same ``edit_book`` as the
single-book commands, so it gets the same lock, refusal, backup and atomic
save, and the same messages. A book open in Excel/WPS, or one that is not an
opsbook book, is skipped; bad input refuses that book alone (left byte for
byte as it was); nothing one book does reaches another. Workers ignore Ctrl-C:
the parent stops handing out books and waits for the ones being written, so
no book is ever half-written, and the books not reached are listed.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..book.files import SUFFIXES
from ..book.store import WorkbookStore
from ..book.summary_book import is_summary
from ..core.schema import PRODUCTS, SETTINGS
from ..errors import BookFileError, InputError, OpsbookError

COMMANDS = ("plan", "consolidate")
DONE, SKIPPED, FIX, FAILED = "完成", "跳过", "需修改", "出错"
SKIP_CODES = {"open_in_excel", "busy"}  # the book is someone else's right now
INTERRUPTED = "已中断，未处理（Ctrl-C）/ not reached: interrupted"


@dataclass(frozen=True)
class ShopResult:
    """One book's outcome, and the figures its summary row shows."""

    path: Path
    outcome: str
    planned: int | None = None
    left_out: int | None = None
    inquiries: int | None = None
    deals: int | None = None
    conversion: float | None = None
    campaigns_due: str = ""
    problem: str = ""  # the whole message, as the single-book command prints it
    brief: str = ""  # its first problem, for the printed table

    def row(self, *, brief: bool = False) -> dict[str, Any]:
        """The summary row, keyed by ``summary_book.HEADERS`` (``brief``: the table's)."""
        return {
            "店铺": self.path.name,
            "结果": self.outcome,
            "计划数": self.planned,
            "未排入": self.left_out,
            "咨询": self.inquiries,
            "成交": self.deals,
            "转化率": self.conversion,
            "临近截止的活动": self.campaigns_due,
            "问题": (self.brief or self.problem) if brief else self.problem,
        }


@dataclass
class BatchResult:
    results: list[ShopResult] = field(default_factory=list)
    interrupted: bool = False

    @property
    def exit_code(self) -> int:
        """0 all done; 2 any skipped or refused; 1 an unexpected error; 130 Ctrl-C."""
        outcomes = {r.outcome for r in self.results}
        if self.interrupted:
            return 130
        if FAILED in outcomes:
            return 1
        return 0 if outcomes <= {DONE} else 2


def find_books(paths: Iterable[Path]) -> list[Path]:
    """The books named, and every workbook directly in each folder named (not the
    summary, owner/lock files of Excel, WPS and LibreOffice, or opsbook's temp files)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in SUFFIXES and _is_shop_book(p)
            )
        else:
            found.append(path)
    unique = dict.fromkeys(p.resolve() for p in found)
    return list(unique)


def _is_shop_book(path: Path) -> bool:
    # ~$ Excel/WPS owner files, .~lock LibreOffice's, .~opsbook- our temp files
    return not (path.name.startswith(("~$", ".~")) or is_summary(path))


def run_one(command: str, path: Path, day: dt.date | None) -> ShopResult:
    """Run ``command`` on one book and say how it went (in a worker process)."""
    from .daily import consolidate_day
    from .macros import build_repost_plan
    from .session import edit_book

    try:
        names = WorkbookStore.open(path).sheet_names()
        missing = [s.name for s in (SETTINGS, PRODUCTS) if s.name not in names]
        if missing:
            return ShopResult(
                path,
                SKIPPED,
                problem=f"不是 opsbook 工作簿（没有「{'」「'.join(missing)}」表）"
                " / not an opsbook book",
            )
        if command == "plan":
            plan, _ = edit_book(path, lambda b: build_repost_plan(b, plan_date=day))
            return ShopResult(
                path,
                DONE,
                planned=len(plan.plan.slots),
                left_out=len(plan.plan.left_out),
            )
        day_result, _ = edit_book(path, lambda b: consolidate_day(b, day=day))
        s = day_result.summary
        return ShopResult(
            path,
            DONE,
            planned=s.get("重发计划数"),
            inquiries=s.get("咨询数"),
            deals=s.get("成交数"),
            conversion=s.get("转化率"),
            campaigns_due="、".join(day_result.campaigns_due),
        )
    except BookFileError as exc:
        codes = {p.code for p in exc.problems}
        return ShopResult(
            path, SKIPPED if codes & SKIP_CODES else FIX, problem=str(exc)
        )
    except OpsbookError as exc:  # InputError and the rest: this book needs fixing
        return ShopResult(path, FIX, problem=str(exc))
    except Exception as exc:  # a bug: this book only, the others go on
        return ShopResult(
            path, FAILED, problem=f"opsbook 内部错误 / internal error: {exc!r}"
        )


def _brief(exc: InputError) -> str:
    """The first problem (and how many more), for one line of the printed table."""
    more = len(exc.problems) - 1
    first = str(exc.problems[0]) if exc.problems else str(exc)
    return first + (f"（另有 {more} 处 / {more} more）" if more > 0 else "")


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_batch(
    command: str,
    books: Sequence[Path],
    *,
    jobs: int | None = None,
    day: dt.date | None = None,
    progress: Callable[[int, int, ShopResult], None] = lambda i, n, r: None,
) -> BatchResult:
    """``command`` on every book, ``jobs`` at a time (default: one per core).

    Results come back in the books' order; ``progress`` hears of each as it ends.
    """
    if command not in COMMANDS:
        raise ValueError(f"command must be one of {COMMANDS}, not {command!r}")
    out = BatchResult()
    if not books:
        return out
    workers = max(1, min(jobs or os.cpu_count() or 1, len(books)))
    done: dict[Path, ShopResult] = {}
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_ctrl_c)
    futures: dict[Future[ShopResult], Path] = {
        pool.submit(run_one, command, path, day): path for path in books
    }
    try:
        for future in as_completed(futures):
            result = future.result()
            done[futures[future]] = result
            progress(len(done), len(books), result)
    except KeyboardInterrupt:
        out.interrupted = True
        for future in futures:
            future.cancel()  # books not started stay untouched
        for future, path in futures.items():
            if not future.cancelled():  # being written: let it finish whole
                done[path] = future.result()
                progress(len(done), len(books), done[path])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    out.results = [
        done.get(p, ShopResult(p, SKIPPED, problem=INTERRUPTED)) for p in books
    ]
    return out
