"""Fuzzing the readers with mutated workbooks built from the template.

Every case must end in success or a clean OpsbookError, never another
exception, and the input file must never change. Bounded for CI.
"""

import datetime as dt
import functools
import io
import itertools
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsbook.book.files import atomic_save
from opsbook.book.template import build_workbook, demo_frames
from opsbook.errors import OpsbookError
from opsbook.excel.daily import consolidate_day
from opsbook.excel.engine import open_book
from opsbook.excel.macros import build_repost_plan

from ..conftest import PLAN_DAY

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
counter = itertools.count()


@functools.cache
def template_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "base.xlsx"
        atomic_save(build_workbook(demo_frames(PLAN_DAY)), path)
        return path.read_bytes()


def survive(path):
    """Read, plan and consolidate in memory; only our own errors may come out."""
    before = path.read_bytes()
    try:
        book = open_book(path)
        build_repost_plan(book, plan_date=PLAN_DAY)
        consolidate_day(book, day=PLAN_DAY)
    except OpsbookError:
        pass
    assert path.read_bytes() == before


def rezip(parts):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    )
)
def test_flipped_bytes(tmp_path, flips):
    data = bytearray(template_bytes())
    for where, byte in flips:
        data[int(where * len(data))] = byte
    path = tmp_path / f"f{next(counter)}.xlsx"
    path.write_bytes(bytes(data))
    survive(path)


@FUZZ
@given(
    part=st.integers(0, 10**6),
    start=st.floats(0, 1),
    length=st.integers(0, 200),
    insert=st.binary(max_size=40),
)
def test_mangled_xml_parts(tmp_path, part, start, length, insert):
    with zipfile.ZipFile(io.BytesIO(template_bytes())) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = sorted(parts)[part % len(parts)]
    data = parts[name]
    at = int(start * len(data))
    parts[name] = data[:at] + insert + data[at + length :]
    path = tmp_path / f"x{next(counter)}.xlsx"
    path.write_bytes(rezip(parts))
    survive(path)


CELL_VALUES = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
    st.sampled_from(
        [
            "#N/A",
            "#REF!",
            "=1/0",
            "=A1",
            "十",
            "１２",
            "1,200",
            "是",
            "否",
            "25:00-26:00",
            "",
            "  ",
        ]
    ),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(
                ["商品", "流量", "设置", "咨询", "关键词", "任务", "重发计划"]
            ),
            st.integers(1, 12),
            st.integers(1, 12),
            CELL_VALUES,
        ),
        min_size=1,
        max_size=12,
    )
)
def test_odd_cell_values(tmp_path, edits):
    path = tmp_path / f"c{next(counter)}.xlsx"
    path.write_bytes(template_bytes())
    wb = openpyxl.load_workbook(path)
    for sheet, row, col, value in edits:
        wb[sheet].cell(row=row, column=col).value = value
    wb.save(path)
    survive(path)
