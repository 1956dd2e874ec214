"""The command line: exit codes, messages, and files left alone on refusal."""

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from opsbook.cli import build_parser, run

from .conftest import PLAN_DAY


def test_every_command_has_help(capsys):
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        with pytest.raises(SystemExit) as done:
            run([name, "--help"])
        assert done.value.code == 0
        assert "usage: opsbook " + name in capsys.readouterr().out


def commands_and_options():
    """(command, option) for every option of every command ("" for the command itself)."""
    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        yield name, ""
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    yield name, flag


README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
COMMAND_LINES = [
    line.split("  ")[0]
    for line in README.split("## 命令行 / Command line")[1].split("```")[1].splitlines()
]


@pytest.mark.parametrize("command, option", list(commands_and_options()))
def test_every_command_and_option_is_in_the_readme(command, option):
    lines = [line for line in COMMAND_LINES if line.startswith(f"opsbook {command} ")]
    assert lines, f"opsbook {command} is not in the README's command list"
    named = re.compile(rf"(?<![\w-]){re.escape(option)}(?![\w-])")
    assert not option or any(named.search(line) for line in lines)


def test_demo_writes_a_book_with_a_plan_and_prints_a_summary(tmp_path, capsys):
    path = tmp_path / "demo.xlsx"
    assert run(["demo", str(path), "--date", "2026-11-25", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "每小时重发数" in out and "日报 2026-11-25" in out and str(path) in out
    ws = openpyxl.load_workbook(path)["重发计划"]
    assert isinstance(ws["A2"].value, dt.datetime)


def test_the_demo_answers_every_question_of_the_day(tmp_path, capsys):
    path = tmp_path / "demo.xlsm"
    assert run(["demo", str(path), "--date", "2026-11-25", "--quiet"]) == 0
    out = capsys.readouterr().out
    for answer in (
        "未排入 / left out by 1688's rules: ",  # the 24-hour rule bites in the sample
        "临近截止的活动 / campaigns due: 童装秋冬上新专场",
        "建议时段 / suggested windows",
        "话术转化率",
        "关键词得分前 5",
        "重发后访客平均",
    ):
        assert answer in out, answer
    assert openpyxl.load_workbook(path, keep_vba=True).vba_archive is not None


def test_new_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "b.xlsx"
    assert run(["new", str(path)]) == 0
    assert run(["new", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert run(["new", str(path), "--force", "--demo"]) == 0


def test_plan_ends_with_one_line_saying_what_was_written_where(demo_book, capsys):
    assert run(["plan", str(demo_book), "--date", str(PLAN_DAY)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().count("\n") == 0 and str(demo_book) in captured.out
    assert "读取" in captured.err  # progress went to stderr


def test_quiet_silences_progress(demo_book, capsys):
    run(["plan", str(demo_book), "--date", str(PLAN_DAY), "--quiet"])
    assert capsys.readouterr().err == ""


def test_an_unexpected_failure_exits_1_and_leaves_the_file_alone(
    demo_book, capsys, monkeypatch
):
    import opsbook.excel.macros as macros

    monkeypatch.setattr(macros, "build_plan", lambda *a: 1 / 0)
    before = demo_book.read_bytes()
    assert run(["plan", str(demo_book), "--quiet"]) == 1
    assert "internal error" in capsys.readouterr().err
    assert demo_book.read_bytes() == before


def test_bad_date_argument_is_a_usage_error(demo_book, capsys):
    with pytest.raises(SystemExit) as done:
        run(["plan", str(demo_book), "--date", "25/11/2026"])
    assert done.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_the_installed_console_script_runs():
    out = subprocess.run(
        [sys.executable, "-m", "opsbook", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("opsbook ")


def test_consolidate_reports_unreadable_cells_but_still_writes(demo_book, capsys):
    wb = openpyxl.load_workbook(demo_book)
    wb["咨询"]["J2"] = "十"
    wb.save(demo_book)
    assert run(["consolidate", str(demo_book), "--date", str(PLAN_DAY), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "「咨询」 J2" in captured.err and "已汇总" in captured.out
    assert openpyxl.load_workbook(demo_book)["咨询"]["J2"].value == "十"
