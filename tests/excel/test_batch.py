"""opsbook batch: every book on its own, one summary, Ctrl-C leaves no book half-written."""

import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from opsbook.book.summary_book import HEADERS, summary_path
from opsbook.cli import run
from opsbook.excel.batch import (
    DONE,
    FAILED,
    FIX,
    SKIPPED,
    BatchResult,
    ShopResult,
    find_books,
)

from ..conftest import PLAN_DAY


@pytest.fixture
def shops(tmp_path, demo_book, edit_book):
    """A folder of shops: two good books, one open in Excel, one not ours, one with bad input."""
    folder = tmp_path / "店铺 们"
    folder.mkdir()
    for name in ("甲店", "乙店", "丙店", "丁店"):
        shutil.copy(demo_book, folder / f"{name}.xlsx")
    (folder / "~$丙店.xlsx").write_bytes(b"owner")  # Excel has 丙店 open
    other = openpyxl.Workbook()
    other.active["A1"] = "进货单"
    other.save(folder / "进货单.xlsx")
    edit_book(folder / "丁店.xlsx", "设置", lambda ws: ws.__setitem__("B3", "很多"))
    return folder


def outcomes(folder):
    ws = openpyxl.load_workbook(summary_path(folder, PLAN_DAY))["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    return {r[0]: r[1] for r in rows[1:]}


def test_batch_plans_the_good_books_and_names_the_others(shops, capsys):
    untouched = {
        n: (shops / n).read_bytes() for n in ("丙店.xlsx", "丁店.xlsx", "进货单.xlsx")
    }
    code = run(["batch", "plan", str(shops), "--date", str(PLAN_DAY), "-q", "-j", "2"])
    assert code == 2
    assert outcomes(shops) == {
        "丁店.xlsx": FIX,
        "丙店.xlsx": SKIPPED,
        "乙店.xlsx": DONE,
        "甲店.xlsx": DONE,
        "进货单.xlsx": SKIPPED,
    }
    assert {n: (shops / n).read_bytes() for n in untouched} == untouched
    assert (
        openpyxl.load_workbook(shops / "甲店.xlsx")["重发计划"]["A2"].value is not None
    )
    assert "「设置」 B3" in capsys.readouterr().err


def test_a_second_batch_does_not_take_the_summary_for_a_shop(shops):
    run(["batch", "plan", str(shops), "--date", str(PLAN_DAY), "-q"])
    books = find_books([shops])
    assert summary_path(shops, PLAN_DAY).exists()
    assert sorted(p.name for p in books) == [
        "丁店.xlsx",
        "丙店.xlsx",
        "乙店.xlsx",
        "甲店.xlsx",
        "进货单.xlsx",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "~$甲店.xlsx",
        ".~lock.甲店.xlsx#",
        ".~opsbook-甲店.xlsx.tmpab12",
        "汇总-2026-11-25.xlsx",
        "说明.txt",
    ],
)
def test_the_folder_scan_skips_what_is_not_a_shop_book(tmp_path, name):
    (tmp_path / name).write_bytes(b"x")
    (tmp_path / "甲店.xlsx").write_bytes(b"x")
    assert [p.name for p in find_books([tmp_path])] == ["甲店.xlsx"]


@pytest.mark.parametrize(
    "outcomes, interrupted, code",
    [
        ([DONE, DONE], False, 0),
        ([DONE, SKIPPED], False, 2),
        ([FIX, DONE], False, 2),
        ([FAILED, SKIPPED], False, 1),
        ([DONE], True, 130),
    ],
)
def test_the_exit_code_says_how_the_batch_went(outcomes, interrupted, code):
    results = [ShopResult(Path(f"{i}.xlsx"), o) for i, o in enumerate(outcomes)]
    assert BatchResult(results, interrupted).exit_code == code


def test_consolidate_fills_the_day_columns(shops):
    assert (
        run(
            [
                "batch",
                "consolidate",
                str(shops / "甲店.xlsx"),
                "--date",
                str(PLAN_DAY),
                "-q",
            ]
        )
        == 0
    )
    ws = openpyxl.load_workbook(summary_path(shops, PLAN_DAY))["汇总"]
    row = dict(
        zip(HEADERS, next(ws.iter_rows(min_row=2, values_only=True)), strict=True)
    )
    assert row["结果"] == DONE and row["咨询"] > 0 and row["成交"] >= 0


def test_ctrl_c_leaves_every_book_whole_or_untouched(tmp_path, demo_book):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(8):
        shutil.copy(demo_book, folder / f"店{i}.xlsx")
    before = demo_book.read_bytes()
    cmd = [
        sys.executable,
        "-m",
        "opsbook",
        "batch",
        "plan",
        str(folder),
        "-j",
        "1",
        "--date",
        str(PLAN_DAY),
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for line in proc.stderr:  # wait for the first finished book, then press Ctrl-C
        if "[1/8]" in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    books = sorted(folder.glob("店*.xlsx"))
    planned = [b for b in books if b.read_bytes() != before]
    assert 1 <= len(planned) < 8 and all(
        zipfile.ZipFile(b).testzip() is None for b in planned
    )
    assert not [
        p
        for p in folder.iterdir()
        if p.name.startswith(".~opsbook-") and ".tmp" in p.name
    ]
    assert "未处理" in out
