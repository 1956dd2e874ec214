import ast
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import opsbook
from opsbook.core import schema
from opsbook.core.settings import (
    SETTINGS_ROWS,
    parse_windows,
    read_settings,
    read_share_value,
)
from opsbook.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00-14:00,15:00-18:00", ((600, 840), (900, 1080))),
        ("10-14，15-18", ((600, 840), (900, 1080))),
        ("9:30~12:00", ((570, 720),)),
        ("20:00-24:00", ((1200, 1440),)),
        ("10点-14点、15点-18点", ((600, 840), (900, 1080))),
    ],
)
def test_windows_are_read_in_the_forms_people_type(text, expected):
    assert parse_windows(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00-26:00", "14:00-10:00", "", "上午", "10:00-10:00", "10:70-11:00"]
)
def test_impossible_windows_are_refused(text):
    with pytest.raises(ValueError):
        parse_windows(text)


def frame(rows):
    return pd.DataFrame(
        [(k, v, i + 2) for i, (k, v) in enumerate(rows)],
        columns=["key", "value", "_row"],
    )


def test_empty_values_mean_the_defaults():
    s = read_settings(
        frame([("重发时段", None), ("每日重发数量", None)]), today=dt.date(2026, 11, 25)
    )
    assert (
        s.windows,
        s.daily_count,
        s.min_gap_minutes,
        s.hourly_cap,
        s.lookback_days,
        s.plan_date,
    ) == (((600, 840), (900, 1080)), None, 3, None, 14, dt.date(2026, 11, 25))


def test_english_keys_and_date_override():
    s = read_settings(
        frame([("daily_count", 40), ("plan_date", "2026-11-01")]),
        plan_date=dt.date(2026, 12, 1),
    )
    assert (s.daily_count, s.plan_date) == (40, dt.date(2026, 12, 1))


def test_every_bad_setting_is_reported_with_its_row():
    with pytest.raises(InputError) as err:
        read_settings(
            frame(
                [
                    ("重发时段", "25:00-26:00"),
                    ("最小间隔分钟", 0),
                    ("流量回看天数", "两周"),
                ]
            )
        )
    assert [(p.row, p.cell) for p in err.value.problems] == [
        (2, "B2"),
        (3, "B3"),
        (4, "B4"),
    ]


def test_a_setting_written_twice_is_refused():
    with pytest.raises(InputError, match="写了两次"):
        read_settings(frame([("每小时上限", 5), ("hourly_cap", 6)]))


@pytest.mark.parametrize(
    ("value", "share"), [(0.6, 0.6), ("60%", 0.6), (75, 0.75), ("１００％", 1.0)]
)
def test_the_suggested_share_is_read_as_a_fraction(value, share):
    assert read_share_value(value) == pytest.approx(share)


@pytest.mark.parametrize("value", [0, "150%", "六成", -0.2])
def test_an_impossible_suggested_share_names_its_cell(value):
    with pytest.raises(InputError) as err:
        read_settings(frame([("建议覆盖率", value)]))
    assert [p.cell for p in err.value.problems] == ["B2"]


def string_constants(path):
    """Every string literal of a module but its docstrings (f-strings' literal parts too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docs:
            yield node.lineno, node.value


PACKAGE = Path(opsbook.__file__).parent
COLUMN_HEADERS = {
    c.zh
    for v in vars(schema).values()
    if isinstance(v, schema.SheetSpec)
    for c in v.columns
}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=str)
def test_a_setting_row_is_named_only_in_the_settings_module(path):
    if path == PACKAGE / "core" / "settings.py":
        pytest.skip("the home of the names")
    spelled = [
        (line, name)
        for line, text in string_constants(path)
        for name in (s.zh for s in SETTINGS_ROWS)
        if name in text and text not in COLUMN_HEADERS  # a column may share a word
    ]
    assert not spelled
