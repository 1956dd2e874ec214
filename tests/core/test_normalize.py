import datetime as dt

import pytest

from opsbook.core.normalize import tidy
from opsbook.core.schema import INQUIRIES, KEYWORDS, TASKS, TRAFFIC

col = {
    "amount": INQUIRIES.column("amount"),
    "outcome": INQUIRIES.column("outcome"),
    "channel": INQUIRIES.column("channel"),
    "pid": INQUIRIES.column("product_id"),
    "date": INQUIRIES.column("date"),
    "time": INQUIRIES.column("time"),
    "text": INQUIRIES.column("question"),
    "visitors": TRAFFIC.column("visitors"),
    "keyword": KEYWORDS.column("keyword"),
    "status": TASKS.column("status"),
}


@pytest.mark.parametrize(
    ("kind", "raw", "expected", "rule"),
    [
        ("amount", "１２", 12, "number"),
        ("amount", "1,200.5", 1200.5, "number"),
        ("amount", 35.0, 35.0, None),
        ("visitors", " 40 ", 40, "number"),
        ("outcome", "已成交", "成交", "choice"),
        ("outcome", "没成交", "未成交", "choice"),
        ("outcome", "成功", "成交", "choice"),
        ("outcome", "Deal", "成交", "choice"),
        ("outcome", "lost", "未成交", "choice"),
        ("outcome", " 跟进 ", "跟进中", "choice"),
        ("outcome", "成交", "成交", None),
        ("channel", "微信　", "微信", "choice"),
        ("pid", "６１２０３４", "612034", "width"),
        ("pid", 612034578901, 612034578901, None),
        ("date", "2026/11/24", dt.datetime(2026, 11, 24), "date"),
        ("date", "2026-11-24", dt.datetime(2026, 11, 24), "date"),
        ("date", "11月24日", dt.datetime(2026, 11, 24), "date"),
        ("date", 46350, dt.datetime(2026, 11, 24), "date"),
        ("time", "10:30", dt.time(10, 30), "time"),
        ("text", "  起批量多少？　", "起批量多少？", "trim"),
        ("keyword", "ｔ恤 男童", "ｔ恤 男童", None),
        ("status", "完成", "完成", None),
        ("amount", "=B2*C2", "=B2*C2", None),
        ("amount", None, None, None),
    ],
)
def test_tidy_rules(kind, raw, expected, rule):
    value, applied, reason = tidy(raw, col[kind], year=2026)
    assert (value, applied, reason) == (expected, rule, None)


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("amount", "十"),
        ("amount", "N/A"),
        ("date", "昨天"),
        ("outcome", "也许"),
        ("time", "上午"),
        ("amount", "#REF!"),
    ],
)
def test_what_cannot_be_read_is_left_as_typed_and_reported(kind, raw):
    value, applied, reason = tidy(raw, col[kind], year=2026)
    assert (value, applied) == (raw, None) and reason


@pytest.mark.parametrize("raw", ["１２", "已成交", "2026/11/24", "  x  ", "６１２"])
def test_tidying_is_idempotent(raw):
    for kind in col:
        once, _, _ = tidy(raw, col[kind], year=2026)
        assert tidy(once, col[kind], year=2026)[0] == once
