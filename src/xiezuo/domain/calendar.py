"""Working calendars: when a plant or machine works.

A calendar is a weekly pattern (working weekdays, consecutive shifts from a first
shift start) minus holidays. Each working day contributes one block of
``shifts_per_day * shift_length`` starting at ``first_shift_start``; a block may run
past midnight. Blocks that touch merge into one *working window*, so a three-shift
plant has one window per run of working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from collections.abc import Iterator

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Calendar:
    """A weekly working pattern with holidays.

    ``working_days`` holds ISO weekday indices, Monday = 0.
    """

    working_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
    shifts_per_day: int = 2
    shift_length: timedelta = timedelta(hours=8)
    first_shift_start: time = time(6, 0)
    holidays: tuple[date, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not self.working_days:
            problems.append("a calendar needs at least one working day")
        if any(d not in range(7) for d in self.working_days):
            problems.append("working days must be weekdays 0 (Monday) to 6 (Sunday)")
        if len(set(self.working_days)) != len(self.working_days):
            problems.append("working days must not repeat")
        if self.shifts_per_day < 1:
            problems.append(f"shifts per day must be at least 1, not {self.shifts_per_day}")
        if self.shift_length <= timedelta(0):
            problems.append("shift length must be positive")
        if self.shifts_per_day * self.shift_length > _DAY:
            problems.append(f"{self.shifts_per_day} shifts of {self.shift_length} exceed 24 hours")
        if problems:
            raise ModelError(problems)

    @property
    def daily_hours(self) -> float:
        """Working hours on one working day."""
        return self.shifts_per_day * self.shift_length / timedelta(hours=1)

    def windows(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield the maximal working windows that overlap ``[start, end)``, clipped to it.

        ``start`` must be timezone-aware; blocks are laid out in its wall-clock time.
        """
        tz = start.tzinfo
        block = self.shifts_per_day * self.shift_length
        holidays = set(self.holidays)
        day = start.date() - _DAY  # a block from the day before may run past midnight
        current: tuple[datetime, datetime] | None = None
        while True:
            block_start = datetime.combine(day, self.first_shift_start, tzinfo=tz)
            if block_start >= end:
                break
            if day.weekday() in self.working_days and day not in holidays:
                block_end = block_start + block
                if current is not None and block_start <= current[1]:
                    current = (current[0], max(current[1], block_end))
                else:
                    if current is not None:
                        yield from _clip(current, start, end)
                    current = (block_start, block_end)
            day += _DAY
        if current is not None:
            yield from _clip(current, start, end)

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside ``[start, end)``."""
        return sum((b - a for a, b in self.windows(start, end)), timedelta(0))

    def is_working(self, instant: datetime) -> bool:
        """Whether work can go on at ``instant`` (the minute starting at it is worked)."""
        return self.working_time(instant, instant + timedelta(minutes=1)) > timedelta(0)


def _clip(
    window: tuple[datetime, datetime], start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    a, b = max(window[0], start), min(window[1], end)
    if a < b:
        yield (a, b)
