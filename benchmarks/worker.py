"""One measurement in a fresh process: python benchmarks/worker.py KIND BOOK [PROFILE_TOP]

KIND is ``floor`` (openpyxl load_workbook + save, the file untouched), ``plan``
or ``consolidate`` (open_book -> macro -> book.save(), as ``opsbook plan`` /
``opsbook consolidate`` do minus the lock and the backup copy),
``consolidate-fixed`` (the same with ``_set_widening_once``, the change this
benchmark recommends for ``opsbook/excel/daily.py``, patched in this process),
``calamine-plan`` / ``calamine-consolidate`` (the read side: python-calamine against an lxml pass
over every sheet: see ``calamine``),
or ``profile-plan`` / ``profile-consolidate`` (the same under pyinstrument).
The book is copied first, so the input is never changed. Prints one JSON line;
with a trailing ``digest`` argument, plan/consolidate also hash the saved values.

Wall time covers the operation only (not Python's start-up or imports, which
``import_s`` reports); peak memory is the process's peak RSS, also given as
the growth over what the process held just before the operation (the peak
is reset there, so it is the operation's own).
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

# Each kind imports what its command does, up front (import time is reported, not
# timed): the floor openpyxl, opsbook's kinds opsbook, which never loads openpyxl.
T0 = time.perf_counter()
if sys.argv[1:2] == ["floor"]:
    import openpyxl
else:
    import pandas as pd  # noqa: F401

    from opsbook.excel.daily import consolidate_day
    from opsbook.excel.engine import open_book, stats
    from opsbook.excel.macros import build_repost_plan

IMPORT_S = time.perf_counter() - T0
DAY = __import__("datetime").date(2026, 11, 25)


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _status(key: str) -> float | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) / 1024 if m else None


def reset_peak() -> float:
    """Start the peak afresh (Linux: clear_refs 5 resets VmHWM); returns RSS now, MiB.

    Without it the peak could still be the one the imports left behind, and a
    small book's operation would show no growth at all.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return maxrss_mib()
    return _status("VmRSS") or maxrss_mib()


def peak_mib() -> float:
    return _status("VmHWM") or maxrss_mib()


def floor(path: Path) -> dict:
    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path)
    t1 = time.perf_counter()
    wb.save(path)
    t2 = time.perf_counter()
    return {"wall_s": t2 - t0, "read_s": t1 - t0, "macro_s": 0.0, "save_s": t2 - t1}


def macro(kind: str):
    if kind == "plan":
        return lambda book: build_repost_plan(book, plan_date=DAY)
    return lambda book: consolidate_day(book, day=DAY)


def _set_widening_once(sheet, row: int, col: int, value) -> None:
    """The staff-sheet cell setter of 汇总今日 as it could be: rows are kept
    rectangular, so widen them only when the column is new, instead of touching
    every row on every change (which makes a tidy of n changes on r rows cost n * r)."""
    i, j = row - sheet.first_row, col - sheet.first_col
    while len(sheet.rows) <= i:
        sheet.rows.append([None] * len(sheet.rows[0]))
    if j >= len(sheet.rows[i]):
        for r in sheet.rows:
            r.extend([None] * (j + 1 - len(r)))
    sheet.rows[i][j] = value


SETTERS = (  # where opsbook keeps that setter (it moved once already)
    ("opsbook.excel.daily", "_set"),
    ("opsbook.excel.daily", "set_value"),
    ("opsbook.excel.blocks", "set_value"),
)


def patch_setter() -> list[str]:
    """Swap in ``_set_widening_once`` in this process only; the names patched."""
    import importlib

    patched = []
    for module_name, name in SETTERS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, name):
            setattr(module, name, _set_widening_once)
            patched.append(f"{module_name}.{name}")
    return patched


def digest(book) -> str:
    """A hash of every value on every sheet of the book as saved (to compare two runs)."""
    h = hashlib.sha256()
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(book.impl.store.path))
    for name in wb.sheet_names:
        h.update(repr((name, wb.get_sheet_by_name(name).to_python())).encode())
    return h.hexdigest()[:16]


def edit(path: Path, kind: str, with_digest: bool = False) -> dict:
    patched = None
    if kind == "consolidate-fixed":  # the recommended change, in this process only
        patched = patch_setter()
        kind = "consolidate"
    t0 = time.perf_counter()
    book = open_book(path)
    t1 = time.perf_counter()
    result = macro(kind)(book)
    t2 = time.perf_counter()
    counts = stats(book)
    book.save()
    t3 = time.perf_counter()
    out = {
        "wall_s": t3 - t0,
        "read_s": t1 - t0,
        "macro_s": t2 - t1,
        "save_s": t3 - t2,
        "reads": counts.get("reads", 0),
        "writes": counts.get("writes", 0),
        "saves": stats(book).get("saves", 0),
    }
    if kind == "plan":
        out["slots"] = len(result.plan.slots)
        out["kept_marks"] = result.kept_marks
    else:
        out["tidied"] = sum(result.tidied.values())
        out["last_reposts"] = result.last_reposts
    if with_digest:
        out["digest"] = digest(book)
    if patched is not None:
        out["patched"] = patched
    return out


def calamine(path: Path, kind: str) -> dict:
    """The read side, both ways the engine could take: python-calamine (what it uses)
    against one lxml ``iterparse`` pass over every sheet part (values, formulas and
    styles together, clearing as it goes). ``kind`` is ignored: both read every sheet.
    """
    from lxml import etree
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        cells += sum(len(r) for r in rows)
    t1 = time.perf_counter()
    tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}c"
    seen = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                with z.open(name) as fh:
                    for _, el in etree.iterparse(fh, tag=tag):
                        seen += 1
                        el.get("r"), el.get("t"), el.get("s")
                        for child in el:
                            child.text  # noqa: B018 - the read is the point
                        el.clear()
    t2 = time.perf_counter()
    return {
        "read_s": t1 - t0,
        "lxml_read_s": t2 - t1,
        "cells": cells,
        "lxml_cells": seen,
    }


def profile(path: Path, kind: str, top: int) -> dict:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    book = open_book(path)
    macro(kind)(book)
    book.save()
    session = profiler.stop()
    root = session.root_frame()
    total = root.time if root else 0.0
    own: dict[str, float] = {}
    by_package: dict[str, float] = {}

    def walk(frame) -> None:
        if frame.is_synthetic:
            return
        where = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        own[where] = own.get(where, 0.0) + frame.total_self_time
        lib = package(frame.file_path)
        by_package[lib] = by_package.get(lib, 0.0) + frame.total_self_time
        for child in frame.children:
            walk(child)

    if root is not None:
        walk(root)
    ranked = sorted(own.items(), key=lambda kv: -kv[1])[:top]
    return {
        "total_s": total,
        "top": [[where, t] for where, t in ranked],
        "by_package": sorted(by_package.items(), key=lambda kv: -kv[1]),
    }


def package(file_path: str | None) -> str:
    """The library a frame's code belongs to: opsbook, openpyxl, pandas, ... or stdlib."""
    if not file_path:
        return "(native)"
    parts = Path(file_path).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if "opsbook" in parts:
        return "opsbook"
    return "stdlib" if "python3" in file_path else Path(file_path).name


def main(argv: list[str]) -> None:
    kind, src = argv[0], Path(argv[1])
    with tempfile.TemporaryDirectory(dir=src.parent) as tmp:
        path = Path(tmp) / src.name
        shutil.copyfile(src, path)
        gc.collect()
        before = reset_peak()
        if kind == "floor":
            out = floor(path)
        elif kind in ("plan", "consolidate", "consolidate-fixed"):
            out = edit(path, kind, "digest" in argv[2:])
        elif kind.startswith("calamine-"):
            out = calamine(path, kind.removeprefix("calamine-"))
        elif kind.startswith("profile-"):
            out = profile(path, kind.removeprefix("profile-"), int(argv[2]))
        else:
            raise SystemExit(f"unknown kind {kind!r}")
        peak = peak_mib()
    out.update(kind=kind, import_s=IMPORT_S, peak_mib=peak, grew_mib=peak - before)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
