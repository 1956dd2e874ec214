"""汇总今日 on real books: tidy in place, summarise, close the loop."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from opsbook.book.files import atomic_save
from opsbook.book.layout import DAILY_AT
from opsbook.book.sample import sample_frames
from opsbook.book.template import build_workbook
from opsbook.core.consolidate import dedupe_keywords, keyword_key, upsert_by_date
from opsbook.core.standard_day import STANDARD_DAY
from opsbook.excel.daily import consolidate_day
from opsbook.excel.engine import open_book, stats
from opsbook.excel.macros import build_repost_plan

from ..conftest import PLAN_DAY, called_from

STAFF = ("商品", "流量", "咨询", "关键词", "任务")


@pytest.fixture
def day_book(tmp_path):
    """A book whose day has been worked: data through PLAN_DAY, a plan, some ticks."""
    path = tmp_path / "day.xlsx"
    atomic_save(build_workbook(sample_frames(PLAN_DAY, day_done=True)), path)
    book = open_book(path)
    plan = build_repost_plan(book, plan_date=PLAN_DAY).plan
    book.sheets["重发计划"]["G2"].value = [["√"], [None], ["√"]]
    book.save()
    return path, plan


def values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def consolidate(path, day=PLAN_DAY):
    book = open_book(path)
    result = consolidate_day(book, day=day)
    book.save()
    return result


def daily_rows(path):
    ws = openpyxl.load_workbook(path)["日报"]
    ref = ws.tables["Daily"].ref
    return pd.DataFrame(
        [[c.value for c in r] for r in ws[ref]][1:],
        columns=[c.value for c in ws[ref][0]],
    )


@pytest.mark.parametrize("name", ["keyword_key"])
def test_keywords_equal_after_width_case_and_spaces_share_a_key(name):
    assert (
        keyword_key("T恤 男童") == keyword_key("ｔ恤男童") == keyword_key(" t恤　男童 ")
    )


def test_duplicates_point_at_the_first_row_which_gets_every_source():
    kw = pd.DataFrame(
        {
            "_row": [2, 3, 4, 5],
            "keyword": ["T恤 男童", "卫衣", "ｔ恤男童", "t恤男童"],
            "source": ["同行", "热搜榜", "热搜榜", "同行"],
            "duplicate_of": [None] * 4,
        }
    )
    out = dedupe_keywords(kw)
    assert out["source"].tolist() == ["同行、热搜榜", "热搜榜", "热搜榜", "同行"]
    assert out["duplicate_of"].tolist() == [
        None,
        None,
        "重复：见第 2 行",
        "重复：见第 2 行",
    ]


def test_upsert_replaces_that_dates_rows_and_keeps_the_others_in_order():
    table = pd.DataFrame(
        {
            "日期": pd.to_datetime(["2026-11-23", "2026-11-24", "2026-11-25"]),
            "n": [1, 2, 3],
        }
    )
    new = pd.DataFrame({"日期": pd.to_datetime(["2026-11-24"]), "n": [9]})
    assert upsert_by_date(table, new, "日期", dt.date(2026, 11, 24))["n"].tolist() == [
        1,
        3,
        9,
    ]


def test_consolidating_twice_gives_identical_cell_values(day_book):
    path, _ = day_book
    first = consolidate(path)
    once = values(path)
    second = consolidate(path)
    assert values(path) == once
    # what the first run wrote reads back cleanly (merged sources 同行、热搜榜 included)
    assert {str(p) for p in second.problems} <= {str(p) for p in first.problems}


def test_the_daily_row_matches_an_independent_computation(day_book):
    path, plan = day_book
    consolidate(path)
    row = daily_rows(path).iloc[0]
    frames = sample_frames(PLAN_DAY, day_done=True)
    inq = frames["inquiries"][frames["inquiries"]["date"] == PLAN_DAY]
    traffic = frames["traffic"][frames["traffic"]["date"] == PLAN_DAY]
    deals = inq[inq["outcome"] == "成交"]
    assert (row["咨询数"], row["成交数"]) == (len(inq), len(deals))
    assert row["转化率"] == pytest.approx(len(deals) / len(inq))
    assert row["成交金额"] == pytest.approx(sum(deals["amount"]))
    assert (row["访客数"], row["浏览量"]) == (
        traffic["visitors"].sum(),
        traffic["page_views"].sum(),
    )
    assert (
        row["高峰小时"]
        == traffic.sort_values(["visitors", "hour"], ascending=[False, True])[
            "hour"
        ].iloc[0]
    )
    assert (row["重发计划数"], row["重发完成数"]) == (len(plan.slots), 2)
    lost = inq[inq["outcome"] == "未成交"]["reason"].value_counts()
    assert row["次数1"] == lost.max()
    assert sum(
        row[f"渠道·{c}"] for c in ("旺旺", "电话", "微信", "询价单", "其他")
    ) == len(inq)


def test_same_date_again_replaces_its_row_and_other_dates_stay(day_book):
    path, _ = day_book
    consolidate(path, PLAN_DAY - dt.timedelta(days=1))
    consolidate(path)
    consolidate(path)
    dates = [d.date() for d in daily_rows(path)["日期"]]
    assert dates == [PLAN_DAY - dt.timedelta(days=1), PLAN_DAY]


def test_tomorrows_standard_tasks_are_added_once_below_existing_rows(day_book):
    path, _ = day_book
    before = values(path)["任务"]
    # the standard day, plus signing up for the sample's campaign that closes tomorrow
    assert consolidate(path).tasks_added == len(STANDARD_DAY) + 1
    after = values(path)["任务"]
    assert (
        after[-1][2]
        == f"报名：童装秋冬上新专场（截止 {PLAN_DAY + dt.timedelta(days=1)}）"
    )
    assert after[: len(before)] == before
    assert {r[0].date() for r in after[len(before) :]} == {
        PLAN_DAY + dt.timedelta(days=1)
    }
    assert consolidate(path).tasks_added == 0


def test_ticked_reposts_move_last_repost_and_are_kept_in_history(day_book):
    path, plan = day_book
    result = consolidate(path)
    ticked = plan.slots.iloc[[0, 2]]
    ws = openpyxl.load_workbook(path)["商品"]
    last = {str(r[0]): r[4] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert result.last_reposts == 2
    assert [last[p] for p in ticked["product_id"]] == [
        t.to_pydatetime() for t in ticked["time"]
    ]
    history = [r for r in values(path)["重发记录"][1:] if r[0].date() == PLAN_DAY]
    assert len(history) == len(plan.slots) and [r[7] for r in history[:3]] == [
        "√",
        None,
        "√",
    ]


def test_the_keyword_duplicate_is_flagged_not_deleted(day_book):
    path, _ = day_book
    before = values(path)["关键词"]
    consolidate(path)
    after = values(path)["关键词"]
    assert len(after) == len(before)
    flagged = [r for r in after[1:] if r[8]]
    assert len(flagged) == 1 and flagged[0][8].startswith("重复：见第")


def messy(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["咨询"]
    ws["H2"], ws["H3"], ws["H4"] = "已成交", " 没成交", "也许"
    ws["J2"], ws["J3"] = "１２００", "=1+1"
    ws["A5"], ws["F6"] = "2026/11/25", "  起批量多少？　"
    ws["L2"] = "my own column"
    wb["流量"]["C3"] = "十"
    wb.save(path)
    return path


def test_on_a_messy_book_staff_cells_change_only_by_listed_normalisations(day_book):
    path, _ = day_book
    before = values(messy(path))
    result = consolidate(path)
    after = values(path)
    allowed = {
        ("咨询", 2, 8): "成交",
        ("咨询", 3, 8): "未成交",
        ("咨询", 2, 10): 1200,
        ("咨询", 5, 1): dt.datetime(2026, 11, 25),
        ("咨询", 6, 6): "起批量多少？",
    }
    for name in STAFF:
        for r, (old, new) in enumerate(
            zip(before[name], after[name], strict=False), start=1
        ):
            for c, (x, y) in enumerate(zip(old, new, strict=True), start=1):
                if x != y and name not in ("关键词", "商品"):
                    assert allowed.get((name, r, c)) == y, (name, r, c, x, y)
    assert {(p.sheet, p.cell) for p in result.problems} >= {
        ("咨询", "H4"),
        ("流量", "C3"),
    }
    assert after["咨询"][2][9] == "=1+1" and after["咨询"][1][11] == "my own column"


def test_round_trips_do_not_grow_with_the_book(tmp_path):
    counts = []
    for n_inq, days in ((200, 30), (20_000, 365)):
        frames = sample_frames(PLAN_DAY, day_done=True)
        inq = frames["inquiries"]
        frames["inquiries"] = pd.concat(
            [inq] * (n_inq // len(inq) + 1), ignore_index=True
        ).head(n_inq)
        traffic = frames["traffic"]
        start = pd.Timestamp(PLAN_DAY) - pd.Timedelta(days=days - 1)
        frames["traffic"] = pd.DataFrame(
            [
                (d.date(), h, 10, 20)
                for d in pd.date_range(start, periods=days)
                for h in range(24)
            ],
            columns=traffic.columns,
        )
        path = tmp_path / f"b{n_inq}.xlsx"
        atomic_save(build_workbook(frames), path)
        book = open_book(path)
        consolidate_day(book, day=PLAN_DAY)
        counts.append(stats(book))
    assert counts[0] == counts[1]


def test_daily_table_sits_below_the_today_block(day_book):
    path, _ = day_book
    consolidate(path)
    ws = openpyxl.load_workbook(path)["日报"]
    assert ws.tables["Daily"].ref.startswith(f"A{DAILY_AT[0]}:")
    assert ws["B2"].value.isdigit() and ws._charts


def test_the_button_entry_consolidates_through_book_caller(day_book):

    from opsbook.excel.buttons import consolidate

    path, _ = day_book
    book = open_book(path)
    with called_from(book):
        consolidate()
    assert book.app.impl.alerts == []
    assert book.sheets["日报"].tables["Daily"].data_body_range[0, 0].value is not None
