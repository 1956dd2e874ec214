"""build_repost_plan on real books: the same macro the desktop button runs."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from opsbook.book.files import atomic_save
from opsbook.book.template import build_workbook, demo_frames
from opsbook.excel import buttons, macros
from opsbook.excel.engine import open_book, stats

from ..conftest import PLAN_DAY, called_from


def plan_rows(path):
    ws = openpyxl.load_workbook(path)["重发计划"]
    ref = ws.tables["RepostPlan"].ref
    return [list(r) for r in ws[ref.replace("A1", "A2")]]


def test_plan_is_written_as_an_excel_table_of_real_date_times(demo_book):
    book = open_book(demo_book)
    result = macros.build_repost_plan(book, plan_date=PLAN_DAY)
    book.save()
    rows = plan_rows(demo_book)
    assert len(rows) == len(result.plan.slots) > 100
    first = rows[0][0]
    assert isinstance(first.value, dt.datetime) and first.value.date() == PLAN_DAY
    assert first.number_format == "yyyy-mm-dd hh:mm"


def test_plan_rows_match_the_planner_output(demo_book):
    book = open_book(demo_book)
    plan = macros.build_repost_plan(book, plan_date=PLAN_DAY).plan
    book.save()
    ids = [r[2].value for r in plan_rows(demo_book)]
    assert ids == plan.slots["product_id"].tolist()


def test_hourly_summary_sits_beside_the_plan(demo_book):
    book = open_book(demo_book)
    plan = macros.build_repost_plan(book, plan_date=PLAN_DAY).plan
    df = (
        book.sheets["重发计划"]
        .tables["HourlySummary"]
        .range.options(pd.DataFrame, index=False)
        .value
    )
    assert df["重发数"].sum() == len(plan.slots)
    assert df["小时"].tolist() == plan.hours["hour"].tolist()


def demo_with(n_products: int, tmp_path):
    frames = demo_frames(PLAN_DAY)
    products = pd.concat(
        [frames["products"]] * (n_products // len(frames["products"]) + 1),
        ignore_index=True,
    )
    products["product_id"] = [f"P{i:06d}" for i in range(len(products))]
    frames["products"] = products.head(n_products)
    path = tmp_path / f"b{n_products}.xlsx"
    atomic_save(build_workbook(frames, {"min_gap_minutes": 1}), path)
    return path


def test_round_trips_do_not_grow_with_the_number_of_products(tmp_path):
    counts = []
    for n in (40, 400):
        book = open_book(demo_with(n, tmp_path))
        macros.build_repost_plan(book, plan_date=PLAN_DAY)
        counts.append(stats(book))
    assert counts[0] == counts[1]
    assert counts[0]["writes"] <= 18  # 10, +8 making and filling LeftOut


def test_staff_sheets_are_untouched_by_the_plan(demo_book):
    before = openpyxl.load_workbook(demo_book)
    book = open_book(demo_book)
    macros.build_repost_plan(book, plan_date=PLAN_DAY)
    book.save()
    after = openpyxl.load_workbook(demo_book)
    for name in ("商品", "流量", "咨询", "关键词", "任务", "设置"):
        assert list(before[name].values) == list(after[name].values)
        assert (
            before[name].data_validations.dataValidation
            == after[name].data_validations.dataValidation
        )


def test_done_marks_move_with_their_product_when_the_plan_is_rebuilt(
    demo_book, edit_book
):
    book = open_book(demo_book)
    macros.build_repost_plan(book, plan_date=PLAN_DAY)
    book.save()
    ticked = edit_book(
        demo_book, "重发计划", lambda ws: ws.cell(row=5, column=7, value="√")
    )
    pid = openpyxl.load_workbook(ticked)["重发计划"].cell(row=5, column=3).value
    book = open_book(demo_book)
    result = macros.build_repost_plan(book, plan_date=PLAN_DAY)
    assert result.kept_marks == 1
    assert result.plan.slots.empty is False
    book.save()
    rows = plan_rows(demo_book)
    assert [r[2].value for r in rows if r[6].value == "√"] == [pid]


def test_a_tick_from_another_day_stops_the_rebuild_instead_of_vanishing(
    demo_book, edit_book
):
    book = open_book(demo_book)
    macros.build_repost_plan(book, plan_date=PLAN_DAY)
    book.save()
    edit_book(demo_book, "重发计划", lambda ws: ws.cell(row=3, column=7, value="√"))
    with pytest.raises(macros.InputError, match="G3"):
        macros.build_repost_plan(
            open_book(demo_book), plan_date=PLAN_DAY + dt.timedelta(days=1)
        )


def test_the_button_entry_alerts_instead_of_raising(demo_book, edit_book):
    edit_book(demo_book, "流量", lambda ws: ws.cell(row=2, column=2, value=24))
    book = open_book(demo_book)
    with called_from(book):
        buttons.plan()
    ((title, text),) = book.app.impl.alerts
    assert title == "opsbook" and "「流量」 B2" in text


def test_the_button_entry_builds_the_plan_through_book_caller(demo_book):
    book = open_book(demo_book)
    with called_from(book):
        buttons.plan()
    assert book.app.impl.alerts == []
    assert book.sheets["重发计划"]["C2"].value


def test_extra_staff_columns_survive_the_plan(demo_book, edit_book):
    def add_column(ws):
        ws["H1"] = "备注"
        for r in range(2, 8):
            ws.cell(row=r, column=8, value=f"note {r}")

    edit_book(demo_book, "商品", add_column)
    book = open_book(demo_book)
    macros.build_repost_plan(book, plan_date=PLAN_DAY)
    book.save()
    ws = openpyxl.load_workbook(demo_book)["商品"]
    assert [ws.cell(row=r, column=8).value for r in range(1, 8)] == ["备注"] + [
        f"note {r}" for r in range(2, 8)
    ]
