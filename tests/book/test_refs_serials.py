"""refs.py and serials.py do what openpyxl's helpers do (they replace them so that a
headless edit never loads openpyxl), and a headless edit indeed never does."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.styles.numbers import is_date_format, is_timedelta_format
from openpyxl.utils.cell import (
    coordinate_to_tuple,
    get_column_letter,
    range_boundaries,
)
from openpyxl.utils.datetime import MAC_EPOCH, from_excel, to_excel
from openpyxl.utils.escape import unescape

from opsbook.book.ooxml import refs, serials


def test_every_column_letter_and_index_is_openpyxls():
    columns = range(1, refs.MAX_COLUMN + 1)
    assert [refs.column_letter(c) for c in columns] == [
        get_column_letter(c) for c in columns
    ]
    assert all(refs.column_index(get_column_letter(c).lower()) == c for c in columns)


@pytest.mark.parametrize(
    "ref", ["A1", "$B$7", "A1:K5001", "c3:e9", "XFD1048576", "$A1:B$2"]
)
def test_ranges_and_cells_read_as_openpyxl_reads_them(ref):
    assert refs.range_bounds(ref) == range_boundaries(ref)
    if ":" not in ref and "$" not in ref:
        assert refs.cell_position(ref) == coordinate_to_tuple(ref)


@pytest.mark.parametrize(
    "ref", ["", "A", "1", "A0B", "C:E", "3:5", "AAAA1", "A1:", "Sheet!A1"]
)
def test_what_is_not_a_cell_range_is_refused(ref):
    with pytest.raises(ValueError):
        refs.range_bounds(ref)


FORMATS = [
    "General",
    "0.00",
    "yyyy-mm-dd",
    "h:mm",
    "[h]:mm:ss",
    "[mm]:ss",
    '"day"0',
    "[Red]0",
    "[$-804]yyyy年m月d日",
    "0_d",
    "mm:ss.0",
    "#,##0;[Red]-#,##0",
    "[ss].00",
    "@",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_date_and_duration_formats_are_told_apart_as_openpyxl_does(fmt):
    assert serials.is_date_format(fmt) == is_date_format(fmt)
    assert serials.is_duration_format(fmt) == is_timedelta_format(fmt)


@given(st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)))
def test_a_datetime_becomes_openpyxls_serial_and_back(value):
    assert serials.to_serial(value) == to_excel(value)
    serial = to_excel(value)
    assert serials.from_serial(serial) == from_excel(serial)
    assert serials.from_serial(serial, serials.MAC_EPOCH) == from_excel(
        serial, MAC_EPOCH
    )


@given(
    st.one_of(st.dates(dt.date(1900, 1, 1)), st.times(), st.timedeltas(dt.timedelta(0)))
)
def test_dates_times_and_durations_become_openpyxls_serials(value):
    assert serials.to_serial(value) == to_excel(value)


@pytest.mark.parametrize(
    "text", ["plain", "a_x000D_b", "_x000a__x0009_", "_xZZZZ_", "货号_x005F_"]
)
def test_ooxml_escapes_unescape_as_openpyxl_does(text):
    assert serials.unescape(text) == unescape(text)


def test_a_headless_plan_and_consolidate_never_load_openpyxl(demo_book):
    code = (
        "import sys; from opsbook.cli import run;"
        f"assert run(['plan', {str(demo_book)!r}, '--date', '2026-11-25', '-q']) == 0;"
        f"assert run(['consolidate', {str(demo_book)!r}, '--date', '2026-11-25', '-q']) == 0;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
