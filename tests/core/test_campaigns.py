"""专场活动: the sign-ups due within 3 days, listed in 日报 and tasked once to 运营."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

import opsbook.excel.daily as daily
from opsbook.book.layout import TODAY_KEYS
from opsbook.book.template import write_table
from opsbook.core.campaigns import campaign_tasks, due_campaigns, due_text, task_text
from opsbook.core.schema import CAMPAIGNS, TASKS
from opsbook.excel.engine import open_book

from ..conftest import PLAN_DAY

DAY = dt.date(2026, 11, 25)


def campaigns(*rows):
    """(name, days from DAY to the deadline, status) -> a parsed 活动 frame."""
    return pd.DataFrame(
        [(n, pd.Timestamp(DAY + dt.timedelta(days=d)), s) for n, d, s in rows],
        columns=["campaign", "deadline", "status"],
    )


@pytest.mark.parametrize(
    ("days", "status", "due"),
    [
        (-1, "未报名", False),  # too late
        (0, "未报名", True),
        (3, "未报名", True),
        (4, "未报名", False),  # not yet
        (2, None, True),  # blank reads as 未报名
        (2, "已报名", False),
        (2, "进行中", False),
        (2, "已结束", False),
    ],
)
def test_due_within_three_days_unless_signed_up_running_or_over(days, status, due):
    assert len(due_campaigns(campaigns(("双12专场", days, status)), DAY)) == int(due)


def test_the_task_is_a_sign_up_for_运营_on_the_next_day_sorted_by_deadline():
    due = due_campaigns(campaigns(("年货节", 3, "未报名"), ("双12专场", 1, None)), DAY)
    tasks = campaign_tasks(due, pd.DataFrame(columns=["task"]), DAY + dt.timedelta(1))
    assert tasks["task"].tolist() == [
        "报名：双12专场（截止 2026-11-26）",
        "报名：年货节（截止 2026-11-28）",
    ]
    assert set(tasks["owner"]) == {"运营"} and set(tasks["date"]) == {
        dt.datetime(2026, 11, 26)
    }
    assert list(tasks.columns) == [c.key for c in TASKS.columns]
    assert due_text(due) == "双12专场（截止 2026-11-26）；年货节（截止 2026-11-28）"


def test_a_task_with_the_same_text_on_any_date_or_status_is_not_added_again():
    due = due_campaigns(campaigns(("双12专场", 1, None)), DAY)
    done = pd.DataFrame({"task": [" " + task_text("双12专场", DAY + dt.timedelta(1))]})
    assert campaign_tasks(due, done, DAY + dt.timedelta(2)).empty


def with_campaigns(path, rows):
    """The book with only ``rows`` in 活动 (the demo's own campaigns replaced)."""
    wb = openpyxl.load_workbook(path)
    del wb[CAMPAIGNS.name]
    write_table(wb.create_sheet(CAMPAIGNS.name), CAMPAIGNS, rows)
    wb.save(path)


def test_consolidating_twice_adds_each_sign_up_once_below_untouched_tasks(demo_book):
    deadline = dt.datetime(2026, 11, 27)
    with_campaigns(
        demo_book, [["双12专场", deadline, None, None, None, "客服", "未报名", None]]
    )
    before = list(openpyxl.load_workbook(demo_book)["任务"].values)
    for _ in range(2):
        book = open_book(demo_book)
        result = daily.consolidate_day(book, day=PLAN_DAY)
        book.save()
    wb = openpyxl.load_workbook(demo_book)
    after = list(wb["任务"].values)
    assert after[: len(before)] == before and result.campaigns_due == ("双12专场",)
    assert [r[2] for r in after].count("报名：双12专场（截止 2026-11-27）") == 1
    assert (
        wb["日报"].cell(TODAY_KEYS.index(daily.CAMPAIGNS_KEY) + 1, 2).value
        == "双12专场（截止 2026-11-27）"
    )


def test_a_campaign_closing_today_is_listed_but_gets_no_task_for_tomorrow():
    due = due_campaigns(campaigns(("春装专场", 0, None)), DAY)
    assert len(due) == 1
    assert campaign_tasks(due, pd.DataFrame(), DAY + dt.timedelta(1)).empty
