"""opsbook batch on many small shop books, against one `opsbook plan` process per book.

    .venv/bin/python benchmarks/bench_batch.py              # 200 books; ~6 min on 2 cores
    .venv/bin/python benchmarks/bench_batch.py --books 20   # a quick look

In the same run: the loop a shop would write by hand (one ``opsbook plan BOOK``
after another, each process paying Python's and pandas' start-up), then
``opsbook batch plan FOLDER`` with 1 and 2 jobs over 50, 100 and all the books.
Each measurement gets fresh copies of the same demo book, and its own wrapper
process, so the peak memory read (the largest single process it waited for,
``RUSAGE_CHILDREN``) is that measurement's alone. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from opsbook.book.files import atomic_save
from opsbook.book.template import build_workbook, demo_frames

DAY = dt.date(2026, 11, 25)
OPSBOOK = [sys.executable, "-m", "opsbook"]
MEASURE = (
    "import resource, subprocess, sys, time;"
    "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
    " r.returncode)"
)


def measured(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MiB of one command (its largest process)."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    seconds, kib, code = float(out[0]), int(out[1]), int(out[2])
    if code not in (0, 2):
        raise RuntimeError(f"{cmd[:4]} exited {code}")
    return seconds, kib / 1024


def shops(folder: Path, source: Path, n: int) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i in range(n):
        shutil.copy(source, folder / f"店{i:03d}.xlsx")
    return folder


def loop_script(folder: Path) -> list[str]:
    """One opsbook process per book, one after another, as a shell loop would."""
    code = (
        "import subprocess, sys, pathlib;"
        "[subprocess.run(sys.argv[1:] + [str(p)], stdout=subprocess.DEVNULL)"
        f" for p in sorted(pathlib.Path({str(folder)!r}).glob('*.xlsx'))]"
    )
    return [sys.executable, "-c", code, *OPSBOOK, "plan", "--date", str(DAY), "-q"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=200)
    args = parser.parse_args()
    n = args.books
    sizes = sorted({max(1, n // 4), max(1, n // 2), n})
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "demo.xlsx"
        atomic_save(build_workbook(demo_frames(DAY)), source)
        folder = shops(root / "loop", source, n)
        seconds, peak = measured(loop_script(folder))
        rows.append(
            (
                "`opsbook plan BOOK`, one process per book, in turn",
                n,
                "—",
                seconds,
                peak,
            )
        )
        for size in sizes:
            for jobs in (1, 2):
                folder = shops(root / f"b{size}-{jobs}", source, size)
                cmd = [*OPSBOOK, "batch", "plan", str(folder), "-j", str(jobs)]
                seconds, peak = measured([*cmd, "--date", str(DAY), "-q"])
                rows.append(("`opsbook batch plan FOLDER`", size, jobs, seconds, peak))
    loop_per_book = rows[0][3] / n
    print(f"{n} books: {time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}\n")
    print(
        "| run | books | jobs | wall s | per book s | vs the loop (per book) | peak MiB (largest process) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, books, jobs, seconds, peak in rows:
        per = seconds / books
        print(
            f"| {name} | {books} | {jobs} | {seconds:.1f} | {per:.3f} |"
            f" {per / loop_per_book:.2f}× | {peak:.0f} |"
        )


if __name__ == "__main__":
    main()
