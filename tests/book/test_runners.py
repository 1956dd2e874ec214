"""Double-click runners for WPS: what they hold, and the macOS one run end to end."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opsbook.book.runners import RUNNERS, cmd_runner, command_runner, write_runners
from opsbook.cli import run

PYTHON = Path("C:/Users/店长/AppData/Local/Programs/Python/Python311/python.exe")


@pytest.fixture
def shop(tmp_path, demo_book):
    folder = tmp_path / "店铺 一号"
    folder.mkdir()
    book = folder / "童装 店.xlsx"
    shutil.copy(demo_book, book)
    return book


def test_opsbook_runners_writes_four_runners_beside_the_book(shop):
    assert run(["runners", str(shop)]) == 0
    names = sorted(
        p.name for p in shop.parent.iterdir() if p.suffix in (".cmd", ".command")
    )
    assert names == sorted(
        f"{label}{ext}" for label, _ in RUNNERS for ext in (".cmd", ".command")
    )
    assert all(os.access(p, os.X_OK) for p in shop.parent.glob("*.command"))


def test_new_with_runners_writes_the_book_and_its_runners(tmp_path):
    assert run(["new", str(tmp_path / "新店.xlsx"), "--runners"]) == 0
    assert (tmp_path / "生成重发计划.cmd").exists() and (
        tmp_path / "汇总今日.command"
    ).exists()


@pytest.mark.parametrize(
    "book, expected",
    [
        ("童装 店.xlsx", '-m opsbook plan "%~dp0童装 店.xlsx"'),
        (
            "100%好评.xlsx",
            '-m opsbook plan "%~dp0100%%好评.xlsx"',
        ),  # cmd expands % even in quotes
    ],
)
def test_the_cmd_runner_quotes_the_book_beside_it(book, expected):
    text = cmd_runner("plan", "生成重发计划", PYTHON, book)
    assert expected in text and f'"{PYTHON}"' in text


def test_the_cmd_runner_is_utf8_after_an_ascii_code_page_switch_with_crlf():
    data = cmd_runner("consolidate", "汇总今日", PYTHON, "店.xlsx").encode("utf-8")
    first, second = data.split(b"\r\n")[:2]
    assert (first, second) == (b"@echo off", b"chcp 65001 >nul")
    assert b"\n" not in data.replace(b"\r\n", b"") and not data.startswith(
        b"\xef\xbb\xbf"
    )


def test_the_cmd_runner_checks_the_owner_files_before_running():
    text = cmd_runner("plan", "生成重发计划", PYTHON, "店.xlsx")
    lines = text.splitlines()
    run_line = next(i for i, line in enumerate(lines) if "-m opsbook" in line)
    checks = [i for i, line in enumerate(lines) if line.startswith("if exist")]
    assert len(checks) == 2 and max(checks) < run_line
    assert 'if exist "%~dp0~$店.xlsx" goto :open' in lines


def run_command(runner: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(runner)], input="\n", capture_output=True, text=True, timeout=120
    )


def test_the_command_runner_plans_the_book_beside_it(shop):
    write_runners(shop, Path(sys.executable))
    before = shop.read_bytes()
    done = run_command(shop.parent / "生成重发计划.command")
    assert done.returncode == 0, done.stderr
    assert "已写入「重发计划」" in done.stdout and shop.read_bytes() != before


def test_the_command_runner_leaves_an_open_book_alone(shop):
    write_runners(shop, Path(sys.executable))
    (shop.parent / f"~${shop.name}").write_bytes(b"owner")
    before = shop.read_bytes()
    done = run_command(shop.parent / "汇总今日.command")
    assert done.returncode == 2 and "请先在 Excel/WPS 里保存并关闭" in done.stdout
    assert shop.read_bytes() == before


def test_the_command_runner_finds_its_book_after_the_folder_moves(shop, tmp_path):
    write_runners(shop, Path(sys.executable))
    moved = shutil.move(str(shop.parent), str(tmp_path / "改名 后"))
    done = run_command(Path(moved) / "生成重发计划.command")
    assert done.returncode == 0, done.stderr


def test_setup_send_to_writes_both_runners_for_the_file_sent(tmp_path, monkeypatch):
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setattr("pathlib.Path.home", lambda: tmp_path / "home")
    assert run(["setup", "--platform", "win", "--send-to"]) == 0
    folder = tmp_path / "Roaming" / "Microsoft" / "Windows" / "SendTo"
    text = (folder / "opsbook 生成重发计划.cmd").read_text(encoding="utf-8")
    assert '-m opsbook plan "%~1"' in text and 'if exist "%~dp1~$%~nx1"' in text
    assert (folder / "opsbook 汇总今日.cmd").exists()


def test_the_command_runner_quotes_names_for_bash():
    text = command_runner(
        "plan", "生成重发计划", Path("/Users/店长/py 3/bin/python"), "它's.xlsx"
    )
    assert (
        "BOOK='它'\"'\"'s.xlsx'" in text
        and "'/Users/店长/py 3/bin/python' -m opsbook plan" in text
    )
