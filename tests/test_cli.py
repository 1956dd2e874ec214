"""The command line: exit codes, messages, and files left alone on refusal."""

import datetime as dt
import subprocess
import sys

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


def test_demo_writes_a_book_with_a_plan_and_prints_a_summary(tmp_path, capsys):
    path = tmp_path / "demo.xlsx"
    assert run(["demo", str(path), "--date", "2026-11-25", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "每小时重发数" in out and "日报 2026-11-25" in out and str(path) in out
    ws = openpyxl.load_workbook(path)["重发计划"]
    assert isinstance(ws["A2"].value, dt.datetime)


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


def set_cell(sheet, cell, value):
    def edit(wb):
        wb[sheet][cell] = value

    return edit


def delete_sheet(name):
    def edit(wb):
        del wb[name]

    return edit


def rename_header(sheet, cell, value):
    return set_cell(sheet, cell, value)


def copy_product_id(variant):
    def edit(wb):
        wb["商品"]["A3"] = variant(str(wb["商品"]["A2"].value))

    return edit


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) for c in text) + "\u3000"


BAD_INPUTS = [
    ("missing sheet", delete_sheet("流量"), "「流量」"),
    ("missing header", rename_header("商品", "A1", "编号"), "商品ID"),
    ("text in a number", set_cell("流量", "C2", "十"), "「流量」 C2"),
    ("hour 24", set_cell("流量", "B3", 24), "「流量」 B3"),
    ("duplicate product id", copy_product_id(str), "「商品」 A3"),
    ("duplicate id, full-width and spaced", copy_product_id(full_width), "「商品」 A3"),
    ("window outside the day", set_cell("设置", "B2", "25:00-26:00"), "「设置」 B2"),
    ("more products than capacity", set_cell("设置", "B5", 1), "「设置」 B3（值）"),
    ("priority 9", set_cell("商品", "D2", 9), "「商品」 D2"),
]


@pytest.mark.parametrize(
    ("case", "edit", "says"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_exits_2_names_the_place_and_leaves_the_file_alone(
    demo_book, capsys, case, edit, says
):
    wb = openpyxl.load_workbook(demo_book)
    edit(wb)
    wb.save(demo_book)
    before = demo_book.read_bytes()
    assert run(["plan", str(demo_book), "--date", str(PLAN_DAY), "--quiet"]) == 2
    assert says in capsys.readouterr().err
    assert demo_book.read_bytes() == before


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
