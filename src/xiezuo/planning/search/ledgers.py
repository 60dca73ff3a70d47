"""Indexed timelines of what the constructive plan has booked: people and stock.

The greedy plan asks, for every candidate start of every step, whether a crew is free
and when material can be at the plant. Rescanning every booking for each question made
the first plan quadratic in the network's size (a 2,500-step network took minutes);
these step functions answer in time proportional to the bookings the question spans.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

# Before the first step of a staffing profile nobody is there.
_BEFORE_ALL = -(10**15)


class CrewProfile:
    """People of one skill free at one plant over time: headcount less booked work.

    A step function: ``free[i]`` people from ``times[i]`` until ``times[i + 1]``.
    """

    def __init__(self, steps: Iterable[tuple[int, int]]) -> None:
        self._times = [_BEFORE_ALL]
        self._free = [0]
        for minute, people in sorted(steps):
            self._free[self._split(minute)] = people

    def book(self, start: int, end: int, people: int) -> None:
        """Take ``people`` off for ``[start, end)``."""
        first, last = self._split(start), self._split(end)
        for idx in range(first, last):
            self._free[idx] -= people

    def ready(self, start: int, end: int, people: int) -> int | None:
        """``start`` if ``people`` are free throughout ``[start, end)``; else the first
        later minute from which they are (no start in between can work, since each
        would still cover the shortage), or ``None`` when they never are again."""
        idx = bisect_right(self._times, start) - 1
        while self._free[idx] >= people:
            idx += 1
            if idx == len(self._times) or self._times[idx] >= end:
                return start
        for later in range(idx + 1, len(self._times)):
            if self._free[later] >= people:
                return self._times[later]
        return None

    def steps(self) -> tuple[tuple[int, int], ...]:
        """The people free as ``(from minute, people)`` steps from minute 0 on, as a
        problem's staffing gives them."""
        start = bisect_right(self._times, 0) - 1
        steps = [(0, self._free[start])]
        for minute, free in zip(self._times[start + 1 :], self._free[start + 1 :], strict=True):
            if free != steps[-1][1]:
                steps.append((minute, free))
        return tuple(steps)

    def _split(self, minute: int) -> int:
        """Index of the step starting at ``minute``, made if needed."""
        idx = bisect_right(self._times, minute) - 1
        if self._times[idx] == minute:
            return idx
        self._times.insert(idx + 1, minute)
        self._free.insert(idx + 1, self._free[idx])
        return idx + 1


class StockLedger:
    """Stock of one material in one warehouse: the stock at the start, supplies and
    draws as ``(minute, change)`` events, with levels and their suffix minima kept
    until the next change."""

    def __init__(self, events: Iterable[tuple[int, int]]) -> None:
        self._events = sorted(events)
        self._index: tuple[list[int], list[int]] | None = None

    def copy(self) -> StockLedger:
        """An independent ledger to try draws on before booking them."""
        twin = StockLedger(())
        twin._events = self._events[:]
        twin._index = self._index
        return twin

    def add(self, minute: int, change: int) -> None:
        insort(self._events, (minute, change))
        self._index = None

    def times(self) -> list[int]:
        """Minutes at which the level changes."""
        return self._indexed()[0]

    def earliest_draw(self, quantity: int) -> int | None:
        """Earliest minute from which ``quantity`` can be taken and every later level
        stays ≥ 0."""
        times, floors = self._indexed()
        idx = bisect_left(floors, quantity)
        return times[idx] if idx < len(times) else None

    def drawable(self, minute: int) -> int:
        """How much can leave at ``minute`` with every later level staying ≥ 0."""
        times, floors = self._indexed()
        idx = bisect_right(times, minute) - 1
        return 0 if idx < 0 else max(0, floors[idx])

    def as_supplies(self) -> tuple[int, tuple[tuple[int, int], ...]]:
        """What can still be drawn, as a stock at minute 0 and supplies after it: the
        lowest level from each minute on rises only, so it is a stock and receipts, and
        a draw is possible beside the booked ones exactly when it is possible in them."""
        initial, supplies, total = 0, [], 0
        for minute, floor in zip(*self._indexed(), strict=True):
            if minute <= 0:
                initial = total = max(0, floor)
            elif floor > total:
                supplies.append((minute, floor - total))
                total = floor
        return initial, tuple(supplies)

    def _indexed(self) -> tuple[list[int], list[int]]:
        """Minutes and, for each, the lowest level from then on. Levels are taken after
        all the events of a minute: what arrives at a minute may leave at that minute,
        as in the solver's model."""
        if self._index is None:
            times: list[int] = []
            levels: list[int] = []
            level = 0
            for minute, change in self._events:
                level += change
                if times and times[-1] == minute:
                    levels[-1] = level
                else:
                    times.append(minute)
                    levels.append(level)
            for idx in range(len(levels) - 2, -1, -1):
                levels[idx] = min(levels[idx], levels[idx + 1])
            self._index = (times, levels)
        return self._index
