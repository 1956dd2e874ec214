import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsbook.core import parser
from opsbook.core.cells import to_bool, to_datetime, to_id, to_number
from opsbook.core.parser import parse_sheet
from opsbook.core.schema import PRODUCTS, TRAFFIC


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, 12.0),
        ("1,200", 1200.0),
        ("１２", 12.0),
        (" 7 ", 7.0),
        ("3.5", 3.5),
        ("-4", -4.0),
    ],
)
def test_numbers_typed_in_a_hurry_are_read(raw, expected):
    assert to_number(raw) == expected


@pytest.mark.parametrize("raw", ["十", "N/A", "1,2,3", "", "12个", True])
def test_text_that_is_not_a_number_is_refused(raw):
    with pytest.raises(ValueError):
        to_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-24", dt.datetime(2026, 11, 24)),
        ("2026/11/24 10:05", dt.datetime(2026, 11, 24, 10, 5)),
        ("2026年11月24日", dt.datetime(2026, 11, 24)),
        (46350, dt.datetime(2026, 11, 24)),
        (dt.date(2026, 11, 24), dt.datetime(2026, 11, 24)),
    ],
)
def test_dates_in_several_forms_are_read(raw, expected):
    assert to_datetime(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("否", False), ("Y", True), ("no", False), (1, True)],
)
def test_yes_no_spellings(raw, expected):
    assert to_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(612034578901.0, "612034578901"), ("６１２ ", "612"), (" A-1　", "A-1")],
)
def test_product_ids_are_text_folded_to_half_width(raw, expected):
    assert to_id(raw) == expected


def test_english_headers_in_any_order_read_like_chinese():
    zh = parse_sheet([["商品ID", "优先级"], ["a", 5]], PRODUCTS)
    en = parse_sheet([["priority", "product_id", "extra"], [5, "a", "x"]], PRODUCTS)
    assert zh.frame[["product_id", "priority"]].equals(
        en.frame[["product_id", "priority"]]
    )
    assert en.problems == []


def test_defaults_fill_empty_priority_and_include():
    frame = parse_sheet(
        [["商品ID", "优先级", "参与重发"], ["a", None, None]], PRODUCTS
    ).frame
    assert (frame["priority"].iloc[0], frame["include"].iloc[0]) == (3, True)


def test_header_row_below_a_title_is_found_and_rows_keep_excel_numbers():
    rows = [
        ["我的商品表", None],
        ["商品ID", "优先级"],
        ["a", 4],
        [None, None],
        ["b", 2],
    ]
    parsed = parse_sheet(rows, PRODUCTS)
    assert parsed.header_row == 2
    assert parsed.frame["_row"].tolist() == [3, 5]


@pytest.mark.parametrize(
    ("rows", "code", "cell"),
    [
        ([["商品名称"], ["x"]], "missing_header", ""),
        ([["商品ID", "product_id"], ["a", "b"]], "duplicate_header", ""),
        ([["商品ID", "优先级"], ["a", 9]], "range", "B2"),
        ([["商品ID", "优先级"], ["a", 0]], "range", "B2"),
        ([["商品ID", "优先级"], ["a", "高"]], "type", "B2"),
        ([["商品ID", "优先级"], ["a", 2.5]], "not_integer", "B2"),
        ([["商品ID", "参与重发"], ["a", "也许"]], "type", "B2"),
        ([["商品ID"], ["612"], ["６１２ "]], "duplicate", "A3"),
        ([["商品ID", "上次重发"], ["a", "昨天"]], "type", "B2"),
        ([["商品ID", "优先级"], ["a", "#N/A"]], "error_value", "B2"),
        ([["商品ID", "优先级"], ["a", "#REF!"]], "error_value", "B2"),
        ([["商品ID", "优先级"], ["a", "=1+2"]], "formula", "B2"),
    ],
)
def test_bad_product_cells_are_located(rows, code, cell):
    problems = parse_sheet(rows, PRODUCTS).problems
    assert [p.code for p in problems] == [code]
    assert problems[0].cell.endswith(cell)


@pytest.mark.parametrize(
    ("hour", "code"),
    [(24, "range"), (10.5, "not_integer"), (-1, "range"), ("十", "type")],
)
def test_bad_hours_name_row_and_column(hour, code):
    problems = parse_sheet(
        [["日期", "小时", "访客数"], ["2026-11-24", hour, 3]], TRAFFIC
    ).problems
    assert (problems[0].code, problems[0].cell, problems[0].column) == (
        code,
        "B2",
        "小时",
    )


def test_duplicate_date_and_hour_is_reported_on_the_later_row():
    rows = [["日期", "小时", "访客数"], ["2026-11-24", 10, 3], ["2026/11/24", 10, 4]]
    problems = parse_sheet(rows, TRAFFIC).problems
    assert [(p.code, p.row) for p in problems] == [("duplicate", 3)]


def test_every_problem_is_gathered_in_one_pass():
    rows = [["日期", "小时", "访客数"], ["x", 24, -3], ["2026-11-24", 1, "N/A"]]
    assert len(parse_sheet(rows, TRAFFIC).problems) == 4


def test_problem_text_names_sheet_cell_header_and_fix():
    problem = parse_sheet([["商品ID", "优先级"], ["a", 9]], PRODUCTS).problems[0]
    assert all(part in str(problem) for part in ("商品", "B2", "优先级", "1–5"))


PLAIN = st.one_of(
    st.integers(-5, 30),
    st.floats(-5, 1e6),
    st.just(float("nan")),
    st.just(float("inf")),
    st.datetimes(dt.datetime(1890, 1, 1), dt.datetime(2300, 1, 1)),
    st.dates(dt.date(1890, 1, 1), dt.date(2300, 1, 1)),
    st.none(),
    st.sampled_from(["", "12", "=A1", "#N/A", True]),
)


@settings(max_examples=200, deadline=None)
@given(
    columns=st.lists(
        st.tuples(
            st.one_of(
                st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)), PLAIN
            ),
            st.one_of(st.integers(0, 23), PLAIN),
            st.one_of(st.integers(0, 10**6), st.floats(0, 1e6), PLAIN),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_the_vectorised_columns_read_exactly_as_cell_by_cell(columns):
    rows = [["日期", "小时", "访客数"], *map(list, columns)]
    fast = parse_sheet(rows, TRAFFIC)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parser, "_fast_column", lambda raw, col: None)
        slow = parse_sheet(rows, TRAFFIC)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.problems == slow.problems
