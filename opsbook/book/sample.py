"""Deterministic demo data for a young children's-clothing factory store on 1688.

``sample_frames(plan_date)`` returns one DataFrame per data sheet (products,
traffic, inquiries, keywords, tasks) with the canonical English column names of
``opsbook.core.schema``. Everything comes from one ``numpy.random.default_rng(seed)``,
so the same date and seed always give the same book. The traffic imitates a
new shop's 生意参谋 hourly curve: quiet at night, busy 10–11 and 15–16, a lunch
dip, a small evening bump, weekends a little lower and the shop slowly growing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..core.schema import (
    CAMPAIGNS,
    HISTORY,
    INQUIRIES,
    KEYWORDS,
    NO,
    PRODUCTS,
    TASKS,
    TRAFFIC,
    YES,
)
from ..core.standard_day import STANDARD_DAY

T = dt.time

# The clerk's seven daily chores (DOMAIN.md), in the seed post's order.
# Mean visitors per hour of a weekday near the end of the sample (hours 0..23).
# fmt: off
HOURLY_BASE = np.array([
    0.6, 0.3, 0.2, 0.2, 0.2, 0.3, 0.8, 2.5, 8, 20, 40, 44,  # 00–11
    28, 26, 32, 43, 41, 31, 19, 15, 21, 20, 11, 4,          # 12–23
], dtype=float)
# fmt: on
TRAFFIC_DAYS = 28
#: The columns of each frame, in order: the canonical keys of ``opsbook.core.schema``.
COLUMNS: dict[str, list[str]] = {
    spec.en.lower(): [c.key for c in spec.columns]
    for spec in (PRODUCTS, TRAFFIC, INQUIRIES, KEYWORDS, TASKS)
} | {
    "history": [c.key for c in HISTORY.columns],
    "campaigns": [c.key for c in CAMPAIGNS.columns],
}
WEEKEND_FACTOR = 0.85
HISTORY_DAYS = 28
REPOST_HOURS = (10, 11, 12, 13, 15, 16, 17)
REPOST_LIFT = 1.2  # the demo's truth: an hour with reposts done gets 20% more visitors

_CATEGORIES: dict[str, tuple[float, tuple[str, ...], tuple[int, int]]] = {
    # category: (share, item words for titles, wholesale price range in CNY)
    "连衣裙": (0.22, ("连衣裙", "公主裙", "背心裙", "针织裙"), (35, 68)),
    "T恤": (0.16, ("长袖T恤", "打底衫", "印花T恤", "纯棉T恤"), (15, 29)),
    "卫衣": (0.18, ("卫衣", "连帽卫衣", "加绒卫衣", "圆领卫衣"), (32, 55)),
    "裤子": (0.16, ("休闲裤", "运动裤", "牛仔裤", "加绒打底裤"), (22, 39)),
    "套装": (0.16, ("两件套", "运动套装", "卫衣套装", "家居服套装"), (45, 79)),
    "外套": (0.12, ("外套", "夹克", "棉服", "风衣"), (55, 99)),
}
_WHO = ("女童", "男童", "儿童", "宝宝", "中大童", "男女童")
_WHO_DRESS = ("女童", "小女孩", "中大童女童", "宝宝女童")  # no 男童 dresses
_STYLE = ("韩版洋气", "纯棉", "加厚", "网红", "休闲", "ins风", "中国风", "宽松", "百搭")
_SUFFIX = ("童装批发一件代发", "工厂直销", "童装厂家货源", "一件代发", "现货批发")
_SEASONS = ("冬季", "春季", "夏季", "秋季")  # Dec–Feb, Mar–May, Jun–Aug, Sep–Nov

# fmt: off
_CUSTOMERS = (
    "杭州童装店-王姐", "义乌批发-李总", "广州十三行-陈老板", "湖州织里-张姐",
    "郑州母婴店-刘姐", "成都实体店-赵哥", "淘宝店主-小林", "拼多多店-周总",
    "抖音主播-阿杰", "微商-孙姐", "石家庄童装城-吴老板", "长沙母婴店-黄姐",
)
# fmt: on
_CHANNELS = (("旺旺", 0.55), ("微信", 0.2), ("电话", 0.1), ("询价单", 0.15))
# fmt: off
_QUESTIONS = (
    "起批量多少？能混批吗？", "有没有现货？几天能发？", "一件代发怎么操作？",
    "能看实拍视频吗？", "100件什么价？", "支持退换吗？", "尺码齐吗？110-160都有吗？",
    "面料是纯棉的吗？", "能贴牌定做吗？", "发什么快递？包邮吗？",
)
# fmt: on
# Named scripts and how often each one closes a deal (the demo gives later
# analysis something to find).
_WORDINGS = {
    "先问需求再报价": 0.3,
    "强调一件代发": 0.25,
    "发实拍视频": 0.4,
    "限时优惠": 0.2,
}
_WIN_REASONS = ("价格合适", "有现货", "款式喜欢", "支持混批", "发货快")
_LOSS_REASONS = ("价格高", "起批量大", "没现货", "款式不合适", "物流慢")
_CLERKS = ("小美", "小雅")

_KEYWORDS = (
    # keyword, source, note
    ("女童连衣裙", "热搜榜", ""),
    ("童装批发", "热搜榜", "大词，竞争激烈"),
    ("儿童卫衣加绒", "热搜榜", ""),
    ("T恤 男童", "同行", "同行爆款标题里常见"),
    ("宝宝套装秋季", "类目频道", ""),
    ("女童公主裙洋气", "长尾词", ""),
    ("中大童运动套装", "长尾词", ""),
    ("男童休闲裤春秋", "长尾词", ""),
    ("儿童外套韩版", "同行", ""),
    ("童装一件代发", "热搜榜", "适合放标题末尾"),
    ("女童加绒打底裤", "长尾词", ""),
    ("儿童棉服加厚", "类目频道", ""),
    ("亲子装", "热点", "节日前搜索上升"),
    ("国潮童装", "热点", ""),
    ("男童卫衣连帽", "类目频道", ""),
    ("ｔ恤男童", "热搜榜", ""),
    ("儿童家居服纯棉", "长尾词", ""),
    ("女童针织裙", "同行", ""),
    ("儿童牛仔裤弹力", "长尾词", ""),
    ("宝宝卫衣", "热搜榜", ""),
    ("童装工厂直销", "同行", ""),
    ("中国风女童汉服", "热点", "关注专场活动"),
    ("儿童风衣", "类目频道", ""),
    ("男女童长袖T恤", "长尾词", ""),
    ("双11童装", "热点", "活动结束后降温"),
)
_KEYWORD_STATUS = (("待优化", 0.6), ("已用于标题", 0.3), ("观察中", 0.1))


def _season(day: dt.date) -> str:
    """The season word 1688 titles use for ``day``'s month."""
    return _SEASONS[(day.month % 12) // 3]


def _pick(rng: np.random.Generator, pairs: tuple[tuple[str, float], ...]) -> str:
    """One name from (name, weight) pairs."""
    names, weights = zip(*pairs, strict=True)
    p = np.asarray(weights) / sum(weights)
    return str(names[rng.choice(len(names), p=p)])


def _products(
    plan_date: dt.date, rng: np.random.Generator, n: int = 120
) -> pd.DataFrame:
    """``n`` offers: ids, titles, categories, priorities, last reposts, include."""
    ids: set[int] = set()
    while len(ids) < n:
        ids.add(int(rng.integers(600_000_000_000, 800_000_000_000)))
    cats = list(_CATEGORIES)
    shares = np.array([_CATEGORIES[c][0] for c in cats])
    season = _season(plan_date)
    rows = []
    for pid in rng.permutation(sorted(ids)):
        cat = cats[rng.choice(len(cats), p=shares / shares.sum())]
        items = _CATEGORIES[cat][1]
        who = _WHO_DRESS if cat == "连衣裙" else _WHO
        title = (
            f"{plan_date.year}{season}新款{who[rng.integers(len(who))]}"
            f"{items[rng.integers(len(items))]}{_STYLE[rng.integers(len(_STYLE))]} "
            f"{_SUFFIX[rng.integers(len(_SUFFIX))]}"
        )
        priority = int(rng.choice([1, 2, 3, 4, 5], p=[0.04, 0.08, 0.58, 0.2, 0.1]))
        rows.append([str(pid), title, cat, priority, None, YES])
    reposted = rng.choice(n, size=n - round(n * 0.25), replace=False)
    for i in reposted:
        day = plan_date - dt.timedelta(days=int(rng.integers(1, 11)))
        minute = int(rng.integers(10 * 60, 18 * 60))
        rows[i][4] = dt.datetime.combine(day, T(minute // 60, minute % 60))
    for i in rng.choice(n, size=round(n * 0.08), replace=False):
        rows[i][5] = NO
    frame = pd.DataFrame(rows, columns=COLUMNS["products"])
    frame["last_repost"] = pd.Series([r[4] for r in rows], dtype=object)
    return frame


def _history(
    plan_date: dt.date, rng: np.random.Generator, products: pd.DataFrame
) -> tuple[pd.DataFrame, set[tuple[dt.date, int]]]:
    """重发记录 of the 28 days before ``plan_date``: on each day some window hours
    had 2–4 reposts ticked done. Returns the rows and the (day, hour) pairs."""
    offered = products[products["include"] == YES].reset_index(drop=True)
    rows, reposted = [], set()
    for back in range(HISTORY_DAYS, 0, -1):
        day = plan_date - dt.timedelta(days=back)
        for hour in REPOST_HOURS:
            if rng.random() > 0.6:
                continue
            reposted.add((day, hour))
            for k in range(int(rng.integers(2, 5))):
                p = offered.iloc[int(rng.integers(len(offered)))]
                at = dt.datetime.combine(day, T(hour, 5 + 15 * k))
                rows.append(
                    [
                        dt.datetime.combine(day, T()),
                        at,
                        hour,
                        p["product_id"],
                        p["title"],
                        p["category"],
                        p["priority"],
                        "√",
                    ]
                )
    return pd.DataFrame(rows, columns=COLUMNS["history"]), reposted


def _traffic(
    plan_date: dt.date,
    rng: np.random.Generator,
    reposted: frozenset[tuple[dt.date, int]] | set[tuple[dt.date, int]] = frozenset(),
) -> pd.DataFrame:
    """Hourly visitors and page views for the 28 days before ``plan_date``;
    an hour with reposts done draws REPOST_LIFT times the visitors."""
    days = [plan_date - dt.timedelta(days=k) for k in range(TRAFFIC_DAYS, 0, -1)]
    growth = np.linspace(0.85, 1.1, TRAFFIC_DAYS)  # a new shop, slowly picking up
    rows = []
    for day, grow in zip(days, growth, strict=True):
        level = grow * rng.lognormal(0.0, 0.08)
        if day.weekday() >= 5:
            level *= WEEKEND_FACTOR
        lift = np.array(
            [REPOST_LIFT if (day, h) in reposted else 1.0 for h in range(24)]
        )
        visitors = rng.poisson(HOURLY_BASE * level * lift)
        views = np.rint(visitors * rng.uniform(2.0, 3.0, size=24)).astype(int)
        rows += [(day, h, int(visitors[h]), int(views[h])) for h in range(24)]
    return pd.DataFrame(rows, columns=COLUMNS["traffic"])


def _inquiries(
    plan_date: dt.date, rng: np.random.Generator, products: pd.DataFrame
) -> pd.DataFrame:
    """About 40 logged inquiries over the 3 days before ``plan_date``."""
    offered = products[products["include"] == YES]
    weights = offered["priority"].to_numpy(dtype=float)
    hours = np.arange(9, 18)
    hour_p = HOURLY_BASE[hours] / HOURLY_BASE[hours].sum()
    rows = []
    for back in (3, 2, 1):
        day = plan_date - dt.timedelta(days=back)
        for _ in range(int(rng.integers(12, 16))):
            hour = int(rng.choice(hours, p=hour_p))
            at = T(hour, int(rng.integers(60)))
            pos = int(rng.choice(len(offered), p=weights / weights.sum()))
            pid, cat = offered["product_id"].iloc[pos], offered["category"].iloc[pos]
            wording = list(_WORDINGS)[rng.integers(len(_WORDINGS))]
            win = _WORDINGS[wording]
            outcome = str(
                rng.choice(["成交", "未成交", "跟进中"], p=[win, 0.75 - win, 0.25])
            )
            reason, amount = "", None
            if outcome == "成交":
                reason = _WIN_REASONS[rng.integers(len(_WIN_REASONS))]
                low, high = _CATEGORIES[cat][2]
                pieces = int(rng.choice([1, 5, 10, 20, 30, 50, 100]))
                amount = round(pieces * float(rng.integers(low, high + 1)), 2)
            elif outcome == "未成交":
                reason = _LOSS_REASONS[rng.integers(len(_LOSS_REASONS))]
            rows.append(
                [
                    day,
                    at,
                    _CUSTOMERS[rng.integers(len(_CUSTOMERS))],
                    _pick(rng, _CHANNELS),
                    pid,
                    _QUESTIONS[rng.integers(len(_QUESTIONS))],
                    wording,
                    outcome,
                    reason,
                    amount,
                    _CLERKS[rng.integers(len(_CLERKS))],
                ]
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    frame = pd.DataFrame(rows, columns=COLUMNS["inquiries"])
    frame["amount"] = pd.Series([r[9] for r in rows], dtype=object)
    return frame


def _keywords(plan_date: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    """The clerk's keyword table, collected over the last 5 days."""
    rows = []
    for keyword, source, note in _KEYWORDS:
        lo, hi = {"热搜榜": (3000, 20000), "长尾词": (80, 1500)}.get(
            source, (500, 6000)
        )
        rows.append(
            [
                keyword,
                source,
                int(rng.integers(lo, hi)),
                round(float(rng.uniform(0.008, 0.07)), 4),
                round(float(rng.beta(2, 2)), 2),
                plan_date - dt.timedelta(days=int(rng.integers(1, 6))),
                _pick(rng, _KEYWORD_STATUS),
                note,
                None,  # 重复: filled in by 汇总今日
            ]
        )
    return pd.DataFrame(rows, columns=COLUMNS["keywords"])


def _tasks(plan_date: dt.date, traffic: pd.DataFrame) -> pd.DataFrame:
    """``STANDARD_DAY`` on ``plan_date``, the morning's first items already done."""
    last = traffic[traffic["date"] == traffic["date"].max()]
    top = last.loc[last["visitors"].idxmax()]
    done = {
        "查看生意参谋数据": f"昨日访客 {int(last['visitors'].sum())}，{int(top['hour'])} 点最多（{int(top['visitors'])}）",
        "关注专场活动": "",
    }
    rows = []
    for at, task, owner in STANDARD_DAY:
        if task in done:
            status, effect = "完成", done[task]
        elif task == "接单/咨询登记":
            status, effect = "进行中", ""
        else:
            status, effect = "待办", ""
        rows.append([plan_date, at, task, owner, status, effect])
    return pd.DataFrame(rows, columns=COLUMNS["tasks"])


def _campaigns(plan_date: dt.date) -> pd.DataFrame:
    """专场活动 the clerk tracks: one closes for sign-up tomorrow and is not signed up yet."""
    d = plan_date

    def day(n: int) -> dt.date:
        return d + dt.timedelta(days=n)

    rows = [
        [
            "童装秋冬上新专场",
            day(1),
            day(5),
            day(12),
            "https://sale.1688.com/",
            "运营",
            "未报名",
            "需要 20 款以上",
        ],
        [
            "双12 源头工厂专场",
            day(2),
            day(14),
            day(16),
            "https://sale.1688.com/",
            "运营",
            "已报名",
            "",
        ],
        [
            "开学季亲子装",
            day(-20),
            day(-10),
            day(3),
            "https://sale.1688.com/",
            "客服",
            "进行中",
            "",
        ],
        [
            "国庆童装节",
            day(-60),
            day(-55),
            day(-48),
            "https://sale.1688.com/",
            "客服",
            "已结束",
            "成交 36 单",
        ],
        [
            "年货节 预热",
            day(12),
            day(25),
            day(40),
            "https://sale.1688.com/",
            "运营",
            "未报名",
            "",
        ],
    ]
    return pd.DataFrame(rows, columns=COLUMNS["campaigns"])


def sample_frames(
    plan_date: dt.date, seed: int = 7, *, day_done: bool = False
) -> dict[str, pd.DataFrame]:
    """Demo data for ``plan_date``: one frame per data sheet, same seed -> same data.

    Keys: ``products`` (120 offers), ``traffic`` (the 28 full days before
    ``plan_date``, hour by hour), ``inquiries`` (~40, the last 3 days),
    ``keywords`` (25, one near-duplicate pair) and ``tasks`` (``STANDARD_DAY``
    on ``plan_date``). Dates are ``datetime.date``, times ``datetime.time``;
    ``last_repost`` and ``amount`` are object columns holding ``None`` when empty.
    With ``day_done`` the data runs through ``plan_date`` itself (the day has been
    worked), for demonstrating the end-of-day consolidation.
    """
    rng = np.random.default_rng(seed)
    # With day_done the day itself has run: its traffic, inquiries and keywords are in.
    data_end = plan_date + dt.timedelta(days=1) if day_done else plan_date
    products = _products(plan_date, rng)
    history, reposted = _history(data_end, np.random.default_rng(seed + 1), products)
    traffic = _traffic(data_end, rng, reposted)
    return {
        "products": products,
        "traffic": traffic,
        "inquiries": _inquiries(data_end, rng, products),
        "keywords": _keywords(data_end, rng),
        "tasks": _tasks(plan_date, traffic),
        "history": history,
        "campaigns": _campaigns(plan_date),
    }
