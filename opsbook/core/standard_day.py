"""The shop's standard working day: what staff do, when, and who does it.

The clerk's seven daily chores (DOMAIN.md), the designer's four and the
operator's morning look at the numbers. 汇总今日 writes it as tomorrow's task
list when 任务 has none; the demo data starts from it too.
"""

from __future__ import annotations

import datetime as dt

T = dt.time

CLERK_CHORES: tuple[str, ...] = (
    "重发",
    "采购报价",
    "淘工厂生产线更新",
    "生意经回答",
    "接单/咨询登记",
    "收集整理关键词",
    "关注专场活动",
)
DESIGNER_TASKS: tuple[str, ...] = ("详情页测试", "店铺布局调整", "海报优化", "文案精简")

#: A standard day: (start time, task, owner), in time order.
STANDARD_DAY: list[tuple[dt.time, str, str]] = [
    (T(9, 0), "查看生意参谋数据", "运营"),
    (T(9, 0), "接单/咨询登记", "客服"),
    (T(9, 20), "关注专场活动", "客服"),
    (T(9, 30), "详情页测试", "美工"),
    (T(9, 40), "采购报价", "客服"),
    (T(10, 0), "重发", "客服"),
    (T(11, 0), "店铺布局调整", "美工"),
    (T(11, 30), "生意经回答", "客服"),
    (T(13, 30), "淘工厂生产线更新", "客服"),
    (T(14, 0), "海报优化", "美工"),
    (T(16, 0), "文案精简", "美工"),
    (T(16, 30), "收集整理关键词", "客服"),
]
