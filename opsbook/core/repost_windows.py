"""Repost windows: the day's (start, end) minute ranges, cut into usable minutes per hour.

Both the planner (capacity, slot times) and the traffic weights (which hours
count, their labels) read windows this way, so it sits apart from both; pure
Python, and ``opsbook.core.planner`` re-exports it.
"""

from __future__ import annotations

from collections.abc import Sequence

# (start_minute, end_minute) of the day, 0 <= start < end <= 1440
Window = tuple[int, int]
Segments = dict[int, list[tuple[int, int]]]  # hour -> usable (start, end) minutes in it


def check_window(window: Window) -> None:
    start, end = window
    if not 0 <= start < end <= 1440:
        raise ValueError(f"a window needs 0 <= start < end <= 1440, got {window}")


def usable_minutes(windows: Sequence[Window]) -> Segments:
    """Hour -> its usable (start, end) minute segments, hours ascending.

    Overlapping or touching windows are merged first, so "10:00-12:00,11:00-13:00"
    reads as 10:00-13:00 instead of being refused.
    """
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in windows):
        check_window((start, end))
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    usable: Segments = {}
    for start, end in merged:
        for hour in range(start // 60, (end - 1) // 60 + 1):
            segment = (max(start, hour * 60), min(end, hour * 60 + 60))
            usable.setdefault(hour, []).append(segment)
    return usable


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def window_label(segments: Sequence[tuple[int, int]]) -> str:
    """(570, 600) -> "09:30-10:00"; several segments in one hour are comma-joined."""
    return ",".join(f"{_clock(a)}-{_clock(b)}" for a, b in segments)


def segments_length(segments: Sequence[tuple[int, int]]) -> int:
    return sum(end - start for start, end in segments)
