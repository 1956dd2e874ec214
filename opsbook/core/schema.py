"""The workbook's data contract: its sheets, their headers, types and defaults.

Every sheet has Chinese headers; each header also accepts its English alias
(and a few common spellings); columns may come in any order, and columns
opsbook does not know are kept untouched. ``opsbook.core.parser`` reads a sheet
against these specs; ``opsbook.book.template`` lays a new book out from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its canonical key, Chinese header and how to read it."""

    key: str
    zh: str
    en: str
    kind: str = (
        "text"  # text | id | int | number | date | datetime | time | bool | choice
    )
    required: bool = False  # the header must exist
    nonempty: bool = False  # every data row must have a value
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    width: float = 12
    number_format: str | None = None
    note: str = ""  # shown as the header cell's input message

    @property
    def names(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    """A data sheet: its name, Excel table name and columns."""

    name: str
    en: str
    table: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def headers(self) -> list[str]:
        return [c.zh for c in self.columns]

    @property
    def formats(self) -> dict[str, str]:
        """Header -> number format, for the columns that have one."""
        return {c.zh: c.number_format for c in self.columns if c.number_format}


YES, NO = "是", "否"

PRODUCTS = SheetSpec(
    "商品",
    "Products",
    "Products",
    (
        Column(
            "product_id",
            "商品ID",
            "product_id",
            "id",
            required=True,
            nonempty=True,
            width=16,
            aliases=("商品id", "ID", "offer_id", "offerId"),
        ),
        Column("title", "商品名称", "title", width=44, aliases=("标题", "name")),
        Column("category", "类目", "category", width=10),
        Column(
            "priority",
            "优先级",
            "priority",
            "int",
            default=3,
            lo=1,
            hi=5,
            width=8,
            note="1–5，5 最优先（默认 3）/ 5 = highest",
        ),
        Column(
            "last_repost",
            "上次重发",
            "last_repost",
            "datetime",
            width=17,
            number_format="yyyy-mm-dd hh:mm",
        ),
        Column(
            "include",
            "参与重发",
            "include",
            "bool",
            default=True,
            width=9,
            note="是 / 否（默认 是）",
        ),
    ),
    unique=("product_id",),
)

TRAFFIC = SheetSpec(
    "流量",
    "Traffic",
    "Traffic",
    (
        Column(
            "date",
            "日期",
            "date",
            "date",
            required=True,
            nonempty=True,
            width=12,
            number_format="yyyy-mm-dd",
            aliases=("统计日期",),
        ),
        Column(
            "hour",
            "小时",
            "hour",
            "int",
            required=True,
            nonempty=True,
            lo=0,
            hi=23,
            width=7,
            aliases=("时段",),
        ),
        Column(
            "visitors",
            "访客数",
            "visitors",
            "number",
            required=True,
            nonempty=True,
            lo=0,
            width=9,
            aliases=("UV", "uv"),
        ),
        Column(
            "page_views",
            "浏览量",
            "page_views",
            "number",
            lo=0,
            width=9,
            aliases=("PV", "pv"),
        ),
    ),
    unique=("date", "hour"),
)

INQUIRIES = SheetSpec(
    "咨询",
    "Inquiries",
    "Inquiries",
    (
        Column("date", "日期", "date", "date", width=12, number_format="yyyy-mm-dd"),
        Column("time", "时间", "time", "time", width=8, number_format="hh:mm"),
        Column("customer", "客户", "customer", width=16),
        Column(
            "channel",
            "渠道",
            "channel",
            "choice",
            choices=("旺旺", "电话", "微信", "询价单"),
            width=8,
        ),
        Column("product_id", "商品ID", "product_id", "id", width=16),
        Column("question", "咨询内容", "question", width=28),
        Column("wording", "话术", "wording", width=16),
        Column(
            "outcome",
            "结果",
            "outcome",
            "choice",
            choices=("成交", "未成交", "跟进中"),
            width=8,
        ),
        Column("reason", "原因", "reason", width=14),
        Column(
            "amount", "金额", "amount", "number", width=10, number_format="#,##0.00"
        ),
        Column("clerk", "客服", "clerk", width=8),
    ),
)

KEYWORDS = SheetSpec(
    "关键词",
    "Keywords",
    "Keywords",
    (
        Column("keyword", "关键词", "keyword", width=20),
        Column(
            "source",
            "来源",
            "source",
            "choice",
            choices=("热搜榜", "长尾词", "类目频道", "同行", "热点"),
            width=10,
        ),
        Column("popularity", "搜索人气", "popularity", "number", width=10),
        Column("ctr", "点击率", "ctr", "number", width=8, number_format="0.00%"),
        Column("competition", "竞争度", "competition", "number", width=8),
        Column(
            "collected_on",
            "采集日期",
            "collected_on",
            "date",
            width=12,
            number_format="yyyy-mm-dd",
        ),
        Column("status", "状态", "status", width=12),
        Column("note", "备注", "note", width=20),
        Column(
            "duplicate_of",
            "重复",
            "duplicate",
            width=18,
            note="汇总今日填写：与哪一行重复 / filled by 汇总今日",
        ),
    ),
)

TASKS = SheetSpec(
    "任务",
    "Tasks",
    "Tasks",
    (
        Column("date", "日期", "date", "date", width=12, number_format="yyyy-mm-dd"),
        Column("time", "时间", "time", "time", width=8, number_format="hh:mm"),
        Column("task", "任务", "task", width=24),
        Column(
            "owner",
            "负责人",
            "owner",
            "choice",
            choices=("客服", "美工", "运营"),
            width=8,
        ),
        Column(
            "status",
            "状态",
            "status",
            "choice",
            choices=("待办", "进行中", "完成"),
            width=8,
        ),
        Column("effect", "效果分析", "effect", width=30),
    ),
)

SETTINGS = SheetSpec(
    "设置",
    "Settings",
    "Settings",
    (
        Column(
            "key",
            "设置项",
            "setting",
            required=True,
            width=16,
            aliases=("设置", "key", "名称"),
        ),
        Column(
            "value", "值", "value", required=True, width=26, aliases=("数值", "value")
        ),
        Column("note", "说明", "note", width=60, aliases=("备注",)),
    ),
)

PLAN = SheetSpec(
    "重发计划",
    "RepostPlan",
    "RepostPlan",
    (
        Column(
            "time",
            "时间",
            "time",
            "datetime",
            width=17,
            number_format="yyyy-mm-dd hh:mm",
        ),
        Column("hour", "小时", "hour", "int", width=6),
        Column("product_id", "商品ID", "product_id", "id", width=16),
        Column("title", "商品名称", "title", width=40),
        Column("category", "类目", "category", width=10),
        Column("priority", "优先级", "priority", "int", width=8),
        Column("done", "完成", "done", width=7, note="重发后打 √ / tick when reposted"),
    ),
)

HOURS = SheetSpec(
    "重发计划",
    "HourlySummary",
    "HourlySummary",
    (
        Column("hour", "小时", "hour", "int", width=6),
        Column("label", "时段", "window", width=13),
        Column(
            "mean_visitors",
            "平均访客",
            "mean_visitors",
            "number",
            width=9,
            number_format="0.0",
        ),
        Column("weight", "流量权重", "weight", "number", width=9, number_format="0.0%"),
        Column("capacity", "容量", "capacity", "int", width=6),
        Column("slots", "重发数", "slots", "int", width=7),
        Column(
            "batches",
            "批次商品ID",
            "batches",
            width=40,
            note="这一小时的商品ID，分号分隔，一行一批（每批件数见 设置），逐批粘到 1688 批量重发 / this hour's IDs, one batch per line",
        ),
    ),
)

#: Below the hourly summary (sharing its columns, so the narrow ones come first):
#: the chosen products the 1688 rules left out of the day, in select order.
LEFT_OUT = SheetSpec(
    "重发计划",
    "LeftOut",
    "LeftOut",
    (
        Column("priority", "优先级", "priority", "int", width=6),
        Column("product_id", "商品ID", "product_id", "id", width=16),
        Column(
            "last_repost",
            "上次重发",
            "last_repost",
            "datetime",
            width=17,
            number_format="yyyy-mm-dd hh:mm",
        ),
        Column(
            "earliest",
            "最早可排",
            "earliest",
            "datetime",
            width=17,
            number_format="yyyy-mm-dd hh:mm",
            note="最早什么时候能重发（落在 设置 的时段内）/ the earliest time it could go, inside a window",
        ),
        Column("title", "商品名称", "title", width=40),
        Column("reason_text", "未排入原因", "reason", width=40),
    ),
)

HISTORY = SheetSpec(
    "重发记录",
    "RepostHistory",
    "RepostHistory",
    (
        Column("date", "日期", "date", "date", width=12, number_format="yyyy-mm-dd"),
        *PLAN.columns,
    ),
)

#: The first columns of 日报, in this order; breakdowns follow (see consolidate.py).
DAILY = SheetSpec(
    "日报",
    "Daily",
    "Daily",
    (
        Column("date", "日期", "date", "date", width=12, number_format="yyyy-mm-dd"),
        Column("inquiries", "咨询数", "inquiries", "int", width=8),
        Column("deals", "成交数", "deals", "int", width=8),
        Column(
            "conversion",
            "转化率",
            "conversion",
            "number",
            width=8,
            number_format="0.0%",
        ),
        Column(
            "deal_amount",
            "成交金额",
            "deal_amount",
            "number",
            width=11,
            number_format="#,##0.00",
        ),
        Column("visitors", "访客数", "visitors", "int", width=8),
        Column("page_views", "浏览量", "page_views", "int", width=8),
        Column("peak_hour", "高峰小时", "peak_hour", "int", width=8),
        Column("new_keywords", "新关键词", "new_keywords", "int", width=9),
        Column("tasks_done", "任务完成", "tasks_done", "int", width=8),
        Column("tasks_total", "任务总数", "tasks_total", "int", width=8),
        Column("reposts_planned", "重发计划数", "reposts_planned", "int", width=10),
        Column("reposts_done", "重发完成数", "reposts_done", "int", width=10),
    ),
)

EFFECT = SheetSpec(
    "效果",
    "Effect",
    "Effect",
    (
        Column("hour", "小时", "hour", "int", width=6),
        Column("days_with", "重发天数", "days_with", "int", width=9),
        Column("days_without", "未重发天数", "days_without", "int", width=10),
        Column(
            "mean_with",
            "重发日平均访客",
            "mean_with",
            "number",
            width=13,
            number_format="0.0",
        ),
        Column(
            "mean_without",
            "未重发日平均访客",
            "mean_without",
            "number",
            width=14,
            number_format="0.0",
        ),
        Column(
            "difference",
            "差值",
            "difference",
            "number",
            width=8,
            number_format="+0.0;-0.0;0",
        ),
        Column("lift", "提升", "lift", "number", width=8, number_format="+0%;-0%;0%"),
        Column(
            "lift_low",
            "区间下限",
            "lift_low",
            "number",
            width=9,
            number_format="+0%;-0%;0%",
        ),
        Column(
            "lift_high",
            "区间上限",
            "lift_high",
            "number",
            width=9,
            number_format="+0%;-0%;0%",
        ),
        Column("verdict", "结论", "verdict", width=70),
        Column("err_plus", "误差上", "err_plus", "number", width=7, number_format="0%"),
        Column(
            "err_minus", "误差下", "err_minus", "number", width=7, number_format="0%"
        ),
    ),
)

DATA_SHEETS = (PRODUCTS, TRAFFIC, INQUIRIES, KEYWORDS, TASKS)

#: 专场活动 campaigns the clerk watches (chore 7); 汇总今日 lists those due soon.
CAMPAIGNS = SheetSpec(
    "活动",
    "Campaigns",
    "Campaigns",
    (
        Column(
            "campaign",
            "活动名称",
            "campaign",
            required=True,
            width=24,
            aliases=("活动", "专场活动", "name"),
        ),
        Column(
            "deadline",
            "报名截止",
            "deadline",
            "date",
            width=12,
            number_format="yyyy-mm-dd",
            aliases=("截止日期", "报名截止日期"),
            note="报名截止日期；截止前 3 天内且未报名会列进日报并给运营加任务 / sign-up deadline",
        ),
        Column("start", "开始", "start", "date", width=12, number_format="yyyy-mm-dd"),
        Column("end", "结束", "end", "date", width=12, number_format="yyyy-mm-dd"),
        Column("link", "链接", "link", width=30, aliases=("url",)),
        Column(
            "owner",
            "负责人",
            "owner",
            "choice",
            choices=TASKS.column("owner").choices,
            width=8,
        ),
        Column(
            "status",
            "状态",
            "status",
            "choice",
            choices=("未报名", "已报名", "进行中", "已结束"),
            default="未报名",
            width=8,
            note="未报名 / 已报名 / 进行中 / 已结束（空 = 未报名）",
        ),
        Column("note", "备注", "note", width=30),
    ),
)
