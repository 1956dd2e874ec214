"""流量分析 and 分析 as 汇总今日 writes them: the core's numbers, in blocks, idempotent."""

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from opsbook.book import analysis_sheets as sheets
from opsbook.book import layout
from opsbook.book.sample import sample_frames
from opsbook.core.settings import read_share
from opsbook.core.traffic_view import suggest_windows, weekday_hour_grid, windows_text
from opsbook.core.wording import COLUMNS, wording_table
from opsbook.excel.analysis_macro import write_analysis
from opsbook.excel.engine import open_book

from ..conftest import PLAN_DAY

NEXT = PLAN_DAY + dt.timedelta(
    days=1
)  # the grid looks at the days before the next plan
FRAMES = sample_frames(PLAN_DAY, day_done=True)


def analyse(path, day=PLAN_DAY, **kw):
    book = open_book(path)
    result = write_analysis(book, day, **kw)
    book.save()
    return result, openpyxl.load_workbook(path)


def block(ws, at, n_rows, n_cols):
    r, c = at
    return [[ws.cell(r + i, c + j).value for j in range(n_cols)] for i in range(n_rows)]


def plain(frame):
    """Frame -> cell values: NaN and empty text as None."""
    return [
        [None if (isinstance(v, float) and np.isnan(v)) or v == "" else v for v in r]
        for r in frame.astype(object).itertuples(index=False)
    ]


def test_the_grid_block_is_the_weekday_hour_grid(demo_book):
    _, wb = analyse(demo_book)
    got = block(wb[sheets.TRAFFIC_SHEET], layout.TRAFFIC_GRID_VALUES_AT, 7, 24)
    expected = weekday_hour_grid(FRAMES["traffic"], NEXT, 14).to_numpy()
    np.testing.assert_allclose(np.array(got, dtype=float), expected, equal_nan=True)
    assert any(
        str(r.sqref) == sheets.grid_range()
        for r in wb[sheets.TRAFFIC_SHEET].conditional_formatting
    )


def test_the_suggestion_sits_beside_the_typed_windows(demo_book):
    typed = list(openpyxl.load_workbook(demo_book)["设置"].values)
    result, wb = analyse(demo_book)
    assert list(wb["设置"].values) == typed  # opsbook never adopts its suggestion
    info = dict(
        block(
            wb[sheets.TRAFFIC_SHEET],
            layout.TRAFFIC_INFO_AT,
            len(sheets.TRAFFIC_INFO_KEYS),
            2,
        )
    )
    expected = windows_text(suggest_windows(FRAMES["traffic"], NEXT, 14, 0.6))
    assert info[sheets.SUGGESTED_KEY] == result.suggested == expected
    assert info[sheets.TYPED_KEY] == "10:00-14:00,15:00-18:00"
    assert info[sheets.SHARE_KEY] == 0.6


def test_without_traffic_the_suggestion_says_to_import_it(demo_book, edit_book):
    edit_book(demo_book, "流量", lambda ws: ws.delete_rows(2, ws.max_row))
    result, wb = analyse(demo_book)
    assert result.suggested == sheets.NO_TRAFFIC
    assert wb[sheets.ANALYSIS_SHEET]["A4"].value is not None  # the rest was written


def test_the_wording_block_is_the_wording_table(demo_book):
    _, wb = analyse(demo_book)
    expected = wording_table(FRAMES["inquiries"], PLAN_DAY)
    got = block(
        wb[sheets.ANALYSIS_SHEET], sheets.WORDING.at, len(expected) + 2, len(COLUMNS)
    )
    assert got[0] == sheets.WORDING.headers
    pd.testing.assert_frame_equal(
        pd.DataFrame(got[1:-1], columns=COLUMNS),
        pd.DataFrame(plain(expected), columns=COLUMNS),
    )
    assert got[-1] == [None] * len(COLUMNS)


def outputs(path):
    wb = openpyxl.load_workbook(path)
    return [[*wb[n].values] for n in (sheets.TRAFFIC_SHEET, sheets.ANALYSIS_SHEET)]


def test_a_second_run_changes_nothing(demo_book):
    analyse(demo_book)
    once = outputs(demo_book)
    analyse(demo_book)
    assert outputs(demo_book) == once


def test_a_shorter_block_is_written_over_its_old_rows(demo_book):
    first, _ = analyse(demo_book)
    few = FRAMES["inquiries"].head(3).assign(date=PLAN_DAY)
    result, wb = analyse(demo_book, frames={"咨询": few})
    n = len(first.wording)
    rows = block(wb[sheets.ANALYSIS_SHEET], sheets.WORDING.at, n + 1, len(COLUMNS))
    assert 0 < len(result.wording) < n
    assert sum(any(r) for r in rows[1:]) == len(result.wording)


def test_a_book_without_the_sheets_gets_them_laid_out(demo_book, edit_book):
    def drop(wb):
        for name in (sheets.TRAFFIC_SHEET, sheets.ANALYSIS_SHEET):
            if name in wb.sheetnames:
                del wb[name]

    edit_book(demo_book, "no such sheet", drop)
    _, wb = analyse(demo_book)
    assert wb[sheets.TRAFFIC_SHEET]["A1"].value == sheets.TRAFFIC_TITLE
    assert wb[sheets.TRAFFIC_SHEET].conditional_formatting
    headers = block(wb[sheets.ANALYSIS_SHEET], sheets.SCORES.at, 1, sheets.SCORES.width)
    assert headers == [sheets.SCORES.headers]


@pytest.mark.parametrize(
    ("value", "share"),
    [
        ("50%", 0.5),
        (0.7, 0.7),
        (80, 0.8),
        ("１", 1.0),
        ("很多", 0.6),
        (0, 0.6),
        (None, 0.6),
    ],
)
def test_the_share_is_read_from_settings_when_a_row_has_it(value, share):
    rows = pd.DataFrame(
        {"key": ["重发时段", "建议覆盖率"], "value": ["10:00-12:00", value]}
    )
    assert read_share(rows) == pytest.approx(share)
    assert read_share(rows.iloc[:1]) == 0.6


@pytest.mark.parametrize(
    ("typed", "windows"), [("abc", ()), ("10:00-12:00", ((600, 720),))]
)
def test_unreadable_typed_windows_are_shown_as_typed_and_marked_nowhere(typed, windows):
    from opsbook.core.settings import traffic_settings

    frame = pd.DataFrame({"key": ["重发时段"], "value": [typed], "_row": [2]})
    got = traffic_settings(frame)
    assert (got.typed, got.windows) == (typed, windows)
