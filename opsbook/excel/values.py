"""Python, numpy and pandas values -> what a workbook cell holds (xlwings' write stage)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd


def to_excel(x: Any) -> Any:
    """Python/numpy/pandas value -> a value a workbook cell holds."""
    if x is None or x is pd.NaT:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime().replace(tzinfo=None)
    if isinstance(x, np.datetime64):
        return None if np.isnat(x) else pd.Timestamp(x).to_pydatetime()
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return None if np.isnan(x) else float(x)
    if isinstance(x, dt.datetime) and x.tzinfo is not None:
        return x.replace(tzinfo=None)
    if x is pd.NA:
        return None
    return x
