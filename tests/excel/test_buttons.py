"""The buttons' Python side: each runs its macro through xw.Book.caller(), as RunPython does."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

import pytest

from opsbook.excel import buttons
from opsbook.excel.engine import open_book

from ..conftest import called_from
from .test_import_traffic import write_csv


def press(path, func, *args):
    book = open_book(path)
    with called_from(book):
        func(*args)
    return book


@pytest.mark.parametrize(
    ("button", "sheet", "cell"),
    [
        (buttons.plan, "重发计划", "C2"),
        (buttons.consolidate, "日报", "B1"),
        (buttons.effect, "效果", "A2"),
    ],
)
def test_each_button_writes_its_sheet_through_book_caller(
    demo_book, button, sheet, cell
):
    book = press(demo_book, button)
    assert book.sheets[sheet][cell].value is not None
    assert all("internal error" not in text for _, text in book.app.impl.alerts)


def test_the_import_button_imports_what_the_operator_picks(
    demo_book, tmp_path, monkeypatch
):
    export = write_csv(tmp_path / "export.csv", "gbk")
    monkeypatch.setattr(buttons, "pick_exports", lambda book: [str(export)])
    ((_, text),) = press(demo_book, buttons.import_traffic).app.impl.alerts
    assert text.startswith(
        "新增 0 行，更新 24 行"
    )  # the demo has that day, other figures


def test_a_cancelled_file_dialog_imports_nothing_and_says_nothing(
    demo_book, monkeypatch
):
    monkeypatch.setattr(buttons, "pick_exports", lambda book: [])
    assert press(demo_book, buttons.import_traffic).app.impl.alerts == []


def test_a_book_built_for_another_xlwings_warns_then_still_runs(demo_book):
    book = press(demo_book, buttons.plan, "0.1.0")
    ((_, text),) = book.app.impl.alerts
    assert "0.1.0" in text and "opsbook setup" in text
    assert book.sheets["重发计划"]["C2"].value


@pytest.mark.parametrize(
    ("returncode", "stdout", "picked"),
    [
        (0, "/Users/a/x.csv\n/Users/a/y.xls\n", ["/Users/a/x.csv", "/Users/a/y.xls"]),
        (1, "", []),
    ],
)
def test_the_mac_file_dialog_returns_posix_paths_and_cancel_is_empty(
    returncode, stdout, picked
):
    def fake(cmd, **kwargs):
        assert cmd[:2] == ["osascript", "-e"] and "choose file" in cmd[2]
        return subprocess.CompletedProcess(cmd, returncode, stdout, "")

    assert buttons.pick_exports(None, "darwin", fake) == picked


def test_the_windows_file_dialog_is_excels_own(tmp_path):
    calls = []
    app = SimpleNamespace(
        api=SimpleNamespace(
            GetOpenFilename=lambda *a: calls.append(a) or ("C:\\x.csv",)
        )
    )
    assert buttons.pick_exports(SimpleNamespace(app=app), "win32") == ["C:\\x.csv"]
    assert calls[0][4] is True  # several files at once
