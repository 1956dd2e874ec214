"""opsbook setup: the per-user xlwings config that lets the workbook's buttons find Python."""

from importlib.metadata import version
from pathlib import Path

import pytest

from opsbook.cli import run
from opsbook.excel.desktop_setup import (
    merge_config,
    path_warnings,
    setup,
    user_config_path,
)


@pytest.mark.parametrize(
    ("old", "keys", "expected"),
    [
        (
            "",
            {"INTERPRETER_WIN": "C:\\py\\python.exe"},
            '"INTERPRETER_WIN","C:\\py\\python.exe"\n',
        ),
        (
            '"INTERPRETER_WIN","old"\n\n"PYTHONPATH","D:\\code"\n',
            {"INTERPRETER_WIN": "new"},
            '"PYTHONPATH","D:\\code"\n"INTERPRETER_WIN","new"\n',
        ),
        (
            '"CONDA PATH","C:\\conda"\n"CONDA ENV","shop"\n',
            {"INTERPRETER_WIN": "C:\\py\\python.exe"},
            '"INTERPRETER_WIN","C:\\py\\python.exe"\n',
        ),
        (
            '"interpreter_win","C:\\old"\n',
            {"CONDA PATH": "C:\\conda", "CONDA ENV": "C:\\conda\\envs\\shop"},
            '"CONDA PATH","C:\\conda"\n"CONDA ENV","C:\\conda\\envs\\shop"\n',
        ),
    ],
)
def test_merging_keeps_other_keys_and_never_leaves_a_blank_line(old, keys, expected):
    assert merge_config(old, keys) == expected


def test_windows_setup_writes_the_interpreter_into_the_user_config(tmp_path):
    done = setup("win32", tmp_path, executable="C:\\py\\python.exe", environ={})
    text = (tmp_path / ".xlwings" / "xlwings.conf").read_bytes()
    assert text == b'"INTERPRETER_WIN","C:\\py\\python.exe"\r\n'
    assert "xlwings.conf" in done[0]


def test_a_conda_python_on_windows_is_activated_rather_than_started_bare(tmp_path):
    env = tmp_path / "envs" / "shop"
    (env / "conda-meta").mkdir(parents=True)
    exe = str(tmp_path / "Scripts" / "conda.exe")
    setup(
        "win32",
        tmp_path,
        executable="python",
        prefix=str(env),
        environ={"CONDA_EXE": exe},
    )
    text = (tmp_path / ".xlwings" / "xlwings.conf").read_text()
    assert f'"CONDA PATH","{tmp_path}"' in text and f'"CONDA ENV","{env}"' in text


def test_mac_setup_installs_the_runpython_applescript_of_this_xlwings(tmp_path):
    setup("darwin", tmp_path, executable="/usr/local/bin/python3", environ={})
    conf = user_config_path("mac", tmp_path).read_text()
    assert conf == '"INTERPRETER_MAC","/usr/local/bin/python3"\n'
    scripts = list(
        (tmp_path / "Library/Application Scripts/com.microsoft.Excel").iterdir()
    )
    assert [p.name for p in scripts] == [f"xlwings-{version('xlwings')}.applescript"]


def test_setup_on_linux_writes_nothing_and_says_the_command_line_works(tmp_path):
    assert "命令行" in setup("linux", tmp_path)[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "warned"), [("shop.xlsm", 0), ("店铺.xlsm", 1), ("OneDrive/shop.xlsm", 1)]
)
def test_paths_that_break_xlwings_buttons_are_pointed_out(tmp_path, name, warned):
    assert len(path_warnings(tmp_path / name)) == warned


def test_the_setup_command_exits_cleanly(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    assert run(["setup", "--platform", "win"]) == 0
    assert (tmp_path / ".xlwings" / "xlwings.conf").exists()
