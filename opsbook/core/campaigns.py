"""专场活动 campaigns: which sign-ups are due, and the operator's task to do them.

The clerk's seventh chore is watching campaign announcements (DOMAIN.md); the
活动 sheet holds them. A campaign is *due* on ``day`` when its 报名截止
(deadline) falls between ``day`` and ``day + within_days`` inclusive and
nobody has signed up yet: its 状态 is 未报名, blank (read as 未报名) or
anything other than 已报名 / 进行中 / 已结束 (a campaign already running or
over needs no sign-up either). A deadline already past is not due: it is too
late to sign up.

汇总今日 lists the due campaigns in 日报's today block and adds, for the next
day, one task "报名：<campaign>（截止 <yyyy-mm-dd>）" owned by 运营 unless a
task with that text already exists (any date, any status), so running the
close twice, or on the following days, never adds it again; existing task
rows are never touched. Pure pandas: ``opsbook.excel.daily`` reads and writes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .cells import is_blank, norm_text
from .schema import CAMPAIGNS, TASKS
from .standard_day import STANDARD_DAY

SIGNED_UP = ("已报名", "进行中", "已结束")
WITHIN_DAYS = 3
OWNER = "运营"
#: Sign-up tasks sit at the time of the day's 关注专场活动 chore.
TASK_TIME = next(t for t, task, _ in STANDARD_DAY if task == "关注专场活动")
TODO = TASKS.column("status").choices[0]  # 待办


def due_campaigns(
    campaigns: pd.DataFrame, day: dt.date, within_days: int = WITHIN_DAYS
) -> pd.DataFrame:
    """The campaigns to sign up for: deadline in ``day`` .. ``day + within_days``, not signed up.

    Rows keep the sheet's order and columns, sorted by deadline (stable);
    rows without a name or a readable deadline are never due.
    """
    if campaigns.empty or not {"campaign", "deadline"} <= set(campaigns.columns):
        return campaigns.iloc[0:0]
    deadline = pd.to_datetime(campaigns["deadline"], errors="coerce").dt.normalize()
    start = pd.Timestamp(day)
    status = (
        campaigns["status"].map(lambda v: "" if is_blank(v) else norm_text(v))
        if "status" in campaigns
        else pd.Series("", index=campaigns.index)
    )
    named = ~campaigns["campaign"].map(is_blank)
    due = (
        named
        & (deadline >= start)
        & (deadline <= start + pd.Timedelta(days=within_days))
        & ~status.isin(SIGNED_UP)
    )
    out = campaigns[due.to_numpy(bool)]
    order = deadline[due.to_numpy(bool)].sort_values(kind="stable").index
    return out.loc[order]


def task_text(campaign: object, deadline: object) -> str:
    """报名：<campaign>（截止 <yyyy-mm-dd>）."""
    return f"报名：{str(campaign).strip()}（截止 {pd.Timestamp(deadline):%Y-%m-%d}）"


def due_text(due: pd.DataFrame) -> str:
    """The today block's line: "春装专场（截止 2026-11-27）；…", or "—" when none is due."""
    if due.empty:
        return "—"
    return "；".join(
        f"{str(c).strip()}（截止 {pd.Timestamp(d):%Y-%m-%d}）"
        for c, d in zip(due["campaign"], due["deadline"], strict=True)
    )


def campaign_tasks(
    due: pd.DataFrame, tasks: pd.DataFrame, next_day: dt.date
) -> pd.DataFrame:
    """New 任务 rows (TASKS keys, as ``consolidate.next_day_tasks``) for ``next_day``:
    one sign-up per due campaign still open on ``next_day`` whose task text is not in
    任务 yet (any date or status; compared after trimming and folding full-width
    characters)."""
    columns = [c.key for c in TASKS.columns]
    have = (
        {norm_text(t) for t in tasks["task"] if not is_blank(t)}
        if not tasks.empty and "task" in tasks
        else set()
    )
    when = dt.datetime(next_day.year, next_day.month, next_day.day)
    rows = []
    for campaign, deadline in zip(due["campaign"], due["deadline"], strict=True):
        if pd.Timestamp(deadline).date() < next_day:
            continue  # closes today: the today block says so; a task tomorrow is too late
        text = task_text(campaign, deadline)
        if (
            norm_text(text) in have
        ):  # compared width-folded and trimmed, as typed text may be
            continue
        have.add(norm_text(text))
        rows.append([when, TASK_TIME, text, OWNER, TODO, None])
    return pd.DataFrame(rows, columns=columns)


__all__ = [
    "CAMPAIGNS",
    "SIGNED_UP",
    "campaign_tasks",
    "due_campaigns",
    "due_text",
    "task_text",
]
