"""The worksheet functions and their VBA wrappers."""

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsbook.book.sample import sample_frames
from opsbook.core.planner import build_plan
from opsbook.core.settings import DEFAULT_WINDOWS, PlanSettings, parse_windows
from opsbook.core.traffic_view import suggest_windows, windows_text
from opsbook.excel import udfs
from opsbook.excel.vba import (
    help_module,
    mac_guarded,
    udf_descriptions,
    udf_module,
    vba_string,
)

from ..conftest import PLAN_DAY

WORKBOOK = Path(__file__).parents[2] / "workbook"


@pytest.fixture(scope="module")
def traffic_table():
    traffic = sample_frames(PLAN_DAY)["traffic"]
    return traffic.set_axis(["日期", "小时", "访客数", "浏览量"], axis=1)


def test_weights_and_slots_are_the_plans_own(traffic_table):
    weights = [
        w
        for (w,) in udfs.REPOST_WEIGHTS(
            traffic_table, "10:00-14:00,15:00-18:00", 14, dt.datetime(2026, 11, 25)
        )
    ]
    slots = [n for (n,) in udfs.REPOST_SLOTS(110, weights)]
    traffic = traffic_table.set_axis(
        ["date", "hour", "visitors", "page_views"], axis=1
    ).assign(date=lambda d: pd.to_datetime(d["date"]))
    hours = build_plan(
        pd.DataFrame({"product_id": [f"p{i}" for i in range(110)]}),
        traffic,
        PlanSettings(((600, 840), (900, 1080)), PLAN_DAY),
    ).hours
    assert len(weights) == len(slots) == 24 and sum(slots) == 110
    assert [slots[h] for h in hours["hour"]] == hours["slots"].tolist()
    assert [weights[h] for h in hours["hour"]] == pytest.approx(
        hours["weight"].tolist()
    )


def test_hours_outside_the_windows_take_no_slots_even_with_a_cap():
    weights = [0.0] * 10 + [0.5, 0.5] + [0.0] * 12
    assert [n for (n,) in udfs.REPOST_SLOTS(6, weights, 3)][10:12] == [3, 3]
    assert udfs.REPOST_SLOTS(7, weights, 3).startswith("opsbook:")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((2.5, [1, 1]), "整数"),
        ((-1, [1, 1]), "整数"),
        ((3, [1, -1]), "非负"),
        (("十", [1, 1]), "opsbook:"),
        ((5, [1, 1], 2), "最多放 4"),
    ],
)
def test_bad_arguments_give_a_message_in_the_cell(args, says):
    result = udfs.REPOST_SLOTS(*args)
    assert isinstance(result, str) and says in result and len(result) <= 255


def test_weights_of_a_table_with_a_bad_hour_say_where(traffic_table):
    bad = traffic_table.copy()
    bad.loc[3, "小时"] = 24
    assert "B5" in udfs.REPOST_WEIGHTS(bad, "10:00-14:00")


def test_the_wrapper_module_is_what_xlwings_generator_writes():
    text = udf_module()
    assert text.startswith('Attribute VB_Name = "xlwings_udfs"\r\n')
    assert (
        'REPOST_SLOTS = XLPy.CallUDF("opsbook.excel.udfs", "REPOST_SLOTS", Array(total, weights, cap), ThisWorkbook, Application.Caller)'
        in text
    )
    assert (
        "Function REPOST_WEIGHTS(traffic_table, windows, Optional lookback_days, Optional plan_date, Optional profile)"
        in text
    )
    assert (
        "xlwings.udfs" not in sys.modules and "pythoncom" not in sys.modules
    )  # the stubs are gone again


def test_the_committed_bas_file_is_current():
    committed = (WORKBOOK / "vba" / "xlwings_udfs.bas").read_bytes().decode("ascii")
    assert committed == mac_guarded(udf_module())


def test_the_mac_guard_only_adds_lines_to_the_generators_text():
    lines = mac_guarded(udf_module()).split("\r\n")
    kept, in_guard = [], False
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        if line == "#If Mac Then":
            in_guard = True
        elif in_guard:
            in_guard = line != "#Else"
        elif not (line == "#End If" and after == "End Function"):
            kept.append(line)
    assert lines.count("#If Mac Then") == len(udfs.REGISTRY)
    assert kept == udf_module().split("\r\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", '"abc"'),
        ("", '""'),
        ("时段", "ChrW(&H65F6) & ChrW(&H6BB5)"),
        ('a "b"', '"a " & """" & "b" & """"'),
    ],
)
def test_vba_strings_keep_the_source_ascii(text, expected):
    assert vba_string(text) == expected


def test_the_help_module_registers_every_udf_in_ascii():
    text = help_module()
    text.encode("ascii")
    for name in udfs.REGISTRY:
        assert f'"\'!{name}", Description:=d' in text
    assert (WORKBOOK / "vba" / "opsbook_help.bas").read_bytes().decode("ascii") == text


def test_each_udf_has_a_bilingual_description_for_the_wizard():
    for name, (doc, args) in udf_descriptions().items():
        assert "/ " in doc and len(doc) <= 255, name
        assert all("/ " in a for a in args), name
    assert set(udf_descriptions()) == set(udfs.REGISTRY)


def test_weights_sum_to_one(traffic_table):
    weights = np.array(
        udfs.REPOST_WEIGHTS(traffic_table, "9:30-12:00", 7, dt.datetime(2026, 11, 25))
    ).ravel()
    assert weights.sum() == pytest.approx(1.0) and (weights[:9] == 0).all()


def test_weights_follow_the_chosen_profile(traffic_table):
    from opsbook.core.traffic_weights import hourly_weights

    traffic = traffic_table.set_axis(
        ["date", "hour", "visitors", "page_views"], axis=1
    ).assign(date=lambda d: pd.to_datetime(d["date"]))
    hours, _, _ = hourly_weights(
        traffic, ((600, 840),), dt.date(2026, 11, 28), 14, "recent"
    )
    got = udfs.REPOST_WEIGHTS(
        traffic_table, "10:00-14:00", 14, dt.datetime(2026, 11, 28), "近期加权"
    )
    assert [got[h][0] for h in range(10, 14)] == pytest.approx(hours["weight"].tolist())
    assert "平均" in udfs.REPOST_WEIGHTS(traffic_table, "10:00-14:00", 14, None, "最近")


def test_suggested_windows_are_the_analysis_sheets_own(traffic_table):
    traffic = traffic_table.set_axis(
        ["date", "hour", "visitors", "page_views"], axis=1
    ).assign(date=lambda d: pd.to_datetime(d["date"]))
    for share in (0.3, 0.6, 0.9):
        expected = windows_text(suggest_windows(traffic, PLAN_DAY, 14, share))
        cell = udfs.REPOST_SUGGEST_WINDOWS(
            traffic_table, share, 14, dt.datetime(2026, 11, 25)
        )
        assert cell == expected and parse_windows(cell)


@pytest.mark.parametrize(("share", "says"), [(150, "opsbook:"), ("六成", "opsbook:")])
def test_a_bad_share_gives_a_message_in_the_cell(traffic_table, share, says):
    assert udfs.REPOST_SUGGEST_WINDOWS(traffic_table, share).startswith(says)


def test_a_blank_windows_cell_means_the_default_windows_as_in_the_plan(traffic_table):
    blank = udfs.REPOST_WEIGHTS(traffic_table, None, 14, dt.datetime(2026, 11, 25))
    typed = udfs.REPOST_WEIGHTS(
        traffic_table, DEFAULT_WINDOWS, 14, dt.datetime(2026, 11, 25)
    )
    assert blank == typed


def test_the_suggested_share_reads_60_percent_as_the_settings_do(traffic_table):
    day = dt.datetime(2026, 11, 25)
    assert udfs.REPOST_SUGGEST_WINDOWS(traffic_table, "60%", 14, day) == (
        udfs.REPOST_SUGGEST_WINDOWS(traffic_table, 0.6, 14, day)
    )


def test_a_table_handed_in_again_is_not_parsed_again(traffic_table, monkeypatch):
    udfs._PARSED.clear()
    first = udfs.REPOST_WEIGHTS(traffic_table, DEFAULT_WINDOWS, 14, PLAN_DAY)
    monkeypatch.setattr(udfs, "_parse_traffic", lambda frame: pytest.fail("parsed"))
    again = udfs.REPOST_WEIGHTS(traffic_table.copy(), DEFAULT_WINDOWS, 14, PLAN_DAY)
    assert again == first


def test_a_changed_table_is_parsed_afresh(traffic_table):
    udfs._PARSED.clear()
    before = udfs.REPOST_WEIGHTS(traffic_table, DEFAULT_WINDOWS, 14, PLAN_DAY)
    changed = traffic_table.copy()
    recent = changed["日期"] == changed["日期"].max()
    changed.loc[recent & (changed["小时"] == 10), "访客数"] += 500
    after = udfs.REPOST_WEIGHTS(changed, DEFAULT_WINDOWS, 14, PLAN_DAY)
    udfs._PARSED.clear()
    assert (
        after == udfs.REPOST_WEIGHTS(changed, DEFAULT_WINDOWS, 14, PLAN_DAY) != before
    )
