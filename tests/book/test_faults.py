"""Faults: killed saves, books open in Excel, two commands at once, backups, hostile files."""

import datetime as dt
import io
import os
import random
import signal
import subprocess
import sys
import time
import zipfile

import openpyxl
import pytest

from opsbook.book.backups import MAX_BACKUPS, list_backups, make_backup
from opsbook.book.locks import book_lock, temp_prefix
from opsbook.cli import run

from ..conftest import PLAN_DAY


def product_rows(path):
    return list(openpyxl.load_workbook(path)["商品"].iter_rows(values_only=True))


def cli(*args, env=None, quiet=False):
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", "opsbook", *args],
        stdout=out,
        stderr=out,
        env={**os.environ, **(env or {})},
    )


def test_a_save_killed_at_any_moment_leaves_a_whole_book_and_nothing_to_trip_over(
    demo_book,
):
    products = product_rows(demo_book)
    args = ("plan", str(demo_book), "--date", str(PLAN_DAY), "--quiet")
    start = time.perf_counter()
    cli(*args, quiet=True).wait()
    whole = (
        time.perf_counter() - start
    )  # kill somewhere in the last half: reading, planning, saving
    rng, interrupted = random.Random(7), 0
    for _ in range(12):
        proc = cli(*args, quiet=True)
        time.sleep(rng.uniform(0.5, 1.0) * whole)
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert product_rows(demo_book) == products  # opens, all its data there
    assert interrupted >= 6
    assert run(["plan", *args[1:]]) == 0
    assert not list(demo_book.parent.glob(temp_prefix(demo_book) + "*"))


def test_leftover_temp_files_are_removed_by_the_next_run(demo_book):
    stale = demo_book.with_name(temp_prefix(demo_book) + "abc123")
    stale.write_bytes(b"half a book")
    assert run(["plan", str(demo_book), "--quiet"]) == 0
    assert not stale.exists()


@pytest.mark.parametrize("owner", ["~$demo.xlsx", "~$mo.xlsx", ".~lock.demo.xlsx#"])
@pytest.mark.parametrize("command", ["plan", "consolidate"])
def test_a_book_open_in_excel_is_refused_unless_forced(
    demo_book, capsys, owner, command
):
    demo_book.with_name(owner).write_bytes(b"owner")
    before = demo_book.read_bytes()
    assert run([command, str(demo_book), "--quiet"]) == 2
    assert "正在 Excel" in capsys.readouterr().err and demo_book.read_bytes() == before
    assert run([command, str(demo_book), "--quiet", "--force"]) == 0


def test_two_commands_at_once_take_turns_and_neither_corrupts(demo_book):
    procs = [
        cli("plan", str(demo_book), "--quiet"),
        cli("consolidate", str(demo_book), "--quiet"),
    ]
    codes = [(p.communicate(timeout=120), p.returncode)[1] for p in procs]
    assert codes == [0, 0]
    wb = openpyxl.load_workbook(demo_book)
    assert wb["重发计划"]["C2"].value and wb["日报"].tables["Daily"]


def test_a_command_that_cannot_get_the_lock_refuses_and_writes_nothing(demo_book):
    before = demo_book.read_bytes()
    with book_lock(demo_book.resolve()):
        proc = cli("plan", str(demo_book), "--quiet", env={"OPSBOOK_LOCK_WAIT": "0.5"})
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "另一个 opsbook 命令" in err.decode()
    assert demo_book.read_bytes() == before


def test_every_write_keeps_the_previous_version_and_restore_brings_it_back(
    demo_book, capsys
):
    original = demo_book.read_bytes()
    assert run(["plan", str(demo_book), "--date", str(PLAN_DAY)]) == 0
    assert "备份" in capsys.readouterr().err
    (backup,) = list_backups(demo_book)
    assert backup.read_bytes() == original
    assert run(["restore", str(demo_book)]) == 0
    assert demo_book.read_bytes() == original
    assert len(list_backups(demo_book)) == 2  # the restore backed up what it replaced


def test_backups_are_capped_at_the_newest_ten_and_the_first_of_the_day(demo_book):
    first = make_backup(demo_book)
    for _ in range(MAX_BACKUPS + 3):
        make_backup(demo_book)
    kept = list_backups(demo_book)
    assert len(kept) == MAX_BACKUPS + 1 and first in kept


def test_the_first_backup_of_each_of_the_last_two_weeks_is_kept(demo_book):
    start = dt.datetime(2026, 11, 1, 9)
    for day in range(20):  # three writes a day for 20 days
        for hour in range(3):
            make_backup(demo_book, start + dt.timedelta(days=day, hours=hour))
    days = {b.stem.rsplit("-", 3)[-3] for b in list_backups(demo_book)}
    assert days == {f"202611{d:02d}" for d in range(7, 21)}  # the last 14 days
    assert len(list_backups(demo_book)) == 10 + 14 - 3  # the newest ten hold 3 firsts


def test_restore_without_backups_says_where_they_would_be(demo_book, capsys):
    assert run(["restore", str(demo_book)]) == 2
    assert "opsbook-backups" in capsys.readouterr().err


def test_restore_lists_backups(demo_book, capsys):
    make_backup(demo_book)
    assert run(["restore", str(demo_book), "--list"]) == 0
    assert "1 个备份" in capsys.readouterr().out


def bomb(path, size):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * size)


def test_a_zip_bomb_is_refused_before_parsing(tmp_path, capsys):
    path = tmp_path / "bomb.xlsx"
    bomb(path, 64 << 20)
    assert run(["plan", str(path)]) == 2
    assert "zip bomb" in capsys.readouterr().err


def test_xml_is_parsed_with_defusedxml():
    import openpyxl as ox

    assert ox.DEFUSEDXML is True


def test_an_xml_entity_bomb_is_refused_cleanly(demo_book, capsys):
    with zipfile.ZipFile(demo_book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    dtd = b'<?xml version="1.0"?><!DOCTYPE z [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    parts["xl/worksheets/sheet1.xml"] = dtd + parts["xl/worksheets/sheet1.xml"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    demo_book.write_bytes(buf.getvalue())
    before = demo_book.read_bytes()
    assert run(["plan", str(demo_book), "--quiet"]) == 2
    assert "读取失败" in capsys.readouterr().err and demo_book.read_bytes() == before
