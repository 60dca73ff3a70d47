"""Working calendars: windows, holidays, overnight shifts."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests.conftest import START, hours
from xiezuo.domain import Calendar
from xiezuo.errors import ModelError


def test_two_shifts_give_one_window_per_working_day() -> None:
    calendar = Calendar(working_days=(0, 1, 2, 3, 4, 5), shifts_per_day=2)
    windows = list(calendar.windows(START, START + timedelta(days=7)))
    # 1958-07-01 is a Tuesday: Tue..Sat, then Sunday off, then Monday.
    assert len(windows) == 6
    assert windows[0] == (START.replace(hour=6), START.replace(hour=22))
    assert all(b - a == hours(16) for a, b in windows)


def test_round_the_clock_days_merge_into_one_window() -> None:
    calendar = Calendar(
        working_days=(0, 1, 2, 3, 4, 5), shifts_per_day=3, first_shift_start=time(0, 0)
    )
    windows = list(calendar.windows(START, START + timedelta(days=7)))
    assert windows[0] == (START, START + timedelta(days=5))  # Tue 00:00 to Sun 00:00


def test_holiday_removes_its_day() -> None:
    holiday = START.date() + timedelta(days=1)
    calendar = Calendar(holidays=(holiday,))
    assert calendar.working_time(START, START + timedelta(days=3)) == hours(32)


def test_night_shift_runs_past_midnight() -> None:
    calendar = Calendar(working_days=(1,), shifts_per_day=1, first_shift_start=time(20, 0))
    assert calendar.working_time(START, START + timedelta(days=2)) == hours(8)
    assert calendar.is_working(START + timedelta(days=1, hours=2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"working_days": ()}, "at least one working day"),
        ({"shifts_per_day": 0}, "shifts per day"),
        ({"shifts_per_day": 4}, "exceed 24 hours"),
        ({"working_days": (7,)}, "weekdays"),
    ],
)
def test_broken_calendar_is_a_model_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        Calendar(**kwargs)  # type: ignore[arg-type]
