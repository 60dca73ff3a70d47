"""Working windows in integer minutes, and the rule for placing work in them.

The placement rule (documented in docs/scenario-format.md): an operation that fits
in a working window runs inside one window; a longer one starts at the beginning of
a window and pauses over non-working time until its work is done. The engine's
constraints and the constructive heuristic both follow this rule through this module,
so the two never disagree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

# Calendars repeat weekly, so a long operation's span depends on its start modulo a week,
# except near holidays and availability limits.
PERIOD = 7 * 24 * 60
# Windows given whole are known to the end of time.
_ALWAYS = 10**18
# The most answers of ``earliest`` kept at once (about 10 MB).
_KEPT_ANSWERS = 100_000
# The first stretch of windows generated: eight weeks.
_FIRST_STRETCH = 8 * PERIOD


@dataclass(frozen=True, slots=True)
class Placements:
    """Where ``work`` minutes may start, split the way the solver model encodes them.

    ``short_ranges``: inclusive start ranges inside one window (end = start + work).
    ``periodic_starts`` with ``span_by_residue``: window starts of longer work whose span
    (end - start) is the usual one for ``start % PERIOD``. ``exceptional``: the other
    ``(start, end)`` pairs of longer work, near holidays or availability limits.
    """

    short_ranges: tuple[tuple[int, int], ...]
    periodic_starts: tuple[int, ...]
    span_by_residue: tuple[tuple[int, int], ...]
    exceptional: tuple[tuple[int, int], ...]

    @property
    def is_empty(self) -> bool:
        return not (self.short_ranges or self.periodic_starts or self.exceptional)


class WorkingWindows:
    """Sorted, disjoint ``[start, end)`` minute ranges when a machine works.

    Given a ``source`` (the windows inside a range of minutes) instead of the windows
    themselves, they are generated as far as the questions asked reach, never past
    ``limit``: a network's safe horizon (all work one step after another) can lie
    centuries ahead, and generating it whole took most of the compile time of a
    50,000-step network. Every window known so far ends before ``_reach``, and every
    window that starts before it is known.
    """

    def __init__(
        self,
        starts: Sequence[int] = (),
        ends: Sequence[int] = (),
        *,
        source: Callable[[int, int], Iterable[tuple[int, int]]] | None = None,
        limit: int = 0,
    ) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        # Working minutes before each window and at each window's end, for span lookups.
        self._before: list[int] = []
        self._through: list[int] = []
        self._append(zip(starts, ends, strict=True))
        self._source = source
        self._limit = limit
        self._reach = 0 if source is not None else _ALWAYS
        self._earliest: dict[tuple[int, int], tuple[int, int] | None] = {}

    @property
    def starts(self) -> Sequence[int]:
        """Starts of the windows generated so far (all of them without a source)."""
        return self._starts

    @property
    def ends(self) -> Sequence[int]:
        """Ends of the windows generated so far."""
        return self._ends

    def first_window(self) -> tuple[int, int] | None:
        """The first window, if there is one before the limit."""
        while not self._starts and self._grow():
            pass
        return (self._starts[0], self._ends[0]) if self._starts else None

    def is_open_throughout(self) -> bool:
        """Whether the machine works from minute 0 on without a break (to its limit)."""
        first = self.first_window()
        return first is not None and first[0] <= 0 and self.earliest(first[1], 1) is None

    def finish(self, window_idx: int, work: int) -> int | None:
        """End of ``work`` minutes started at the start of window ``window_idx``."""
        target = self._before[window_idx] + work
        while self._through[-1] < target and self._grow():
            pass
        j = bisect_left(self._through, target)
        if j == len(self._through):
            return None
        return self._ends[j] - (self._through[j] - target)

    def earliest(self, ready: int, work: int) -> tuple[int, int] | None:
        """Earliest ``(start, end)`` at or after ``ready`` that obeys the placement rule.

        Answers are kept: the greedy plan asks the same question for every unit of a
        machine group, and the answer never changes as later windows are generated.
        """
        key = (ready, work)
        if key not in self._earliest:
            if len(self._earliest) >= _KEPT_ANSWERS:
                self._earliest.clear()
            self._earliest[key] = self._find_earliest(ready, work)
        return self._earliest[key]

    def _find_earliest(self, ready: int, work: int) -> tuple[int, int] | None:
        self._cover(ready)
        idx = bisect_right(self._ends, ready)
        while True:
            if idx == len(self._starts) and not self._grow():
                return None
            if idx == len(self._starts):
                continue
            a, b = self._starts[idx], self._ends[idx]
            if b - a >= work:
                start = max(ready, a)
                if start + work <= b:
                    return start, start + work
            elif a >= ready:
                end = self.finish(idx, work)
                return None if end is None else (a, end)
            idx += 1

    def after_working(self, start: int, work: int) -> int | None:
        """The first minute by which ``work`` working minutes have passed since ``start``;
        ``None`` past the limit."""
        if work <= 0:
            return start
        self._cover(start)
        idx = bisect_right(self._ends, start)
        left = work
        while True:
            if idx == len(self._starts) and not self._grow():
                return None
            if idx == len(self._starts):
                continue
            a, b = max(self._starts[idx], start), self._ends[idx]
            if b - a >= left:
                return a + left
            left -= b - a
            idx += 1

    def short_start_ranges(self, work: int, horizon: int) -> list[tuple[int, int]]:
        """Inclusive start ranges for ``work`` placed inside one window, ending by ``horizon``."""
        self._cover(horizon)
        last = bisect_left(self._starts, horizon)
        return [
            (a, min(b, horizon) - work)
            for a, b in zip(self._starts[:last], self._ends[:last], strict=True)
            if min(b, horizon) - a >= work
        ]

    def long_slots(self, work: int, horizon: int) -> list[tuple[int, int]]:
        """``(start, end)`` pairs for ``work`` longer than the window it starts in."""
        self._cover(horizon)
        slots = []
        for idx in range(bisect_left(self._starts, horizon)):
            a, b = self._starts[idx], self._ends[idx]
            if b - a >= work:
                continue
            end = self.finish(idx, work)
            if end is not None and end <= horizon:
                slots.append((a, end))
        return slots

    def placements(self, work: int, horizon: int) -> Placements:
        """Every legal placement of ``work`` ending by ``horizon``, for the solver."""
        slots = self.long_slots(work, horizon)
        usual = {
            residue: Counter(spans).most_common(1)[0][0]
            for residue, spans in _group_spans(slots).items()
        }
        periodic = tuple(a for a, b in slots if usual[a % PERIOD] == b - a)
        return Placements(
            short_ranges=tuple(self.short_start_ranges(work, horizon)),
            periodic_starts=periodic,
            span_by_residue=tuple(
                sorted(
                    (r, span) for r, span in usual.items() if any(a % PERIOD == r for a in periodic)
                )
            ),
            exceptional=tuple((a, b) for a, b in slots if usual[a % PERIOD] != b - a),
        )

    def working_minutes(self, start: int, end: int) -> int:
        """Working minutes inside ``[start, end)``."""
        self._cover(end)
        total = 0
        for idx in range(bisect_right(self._ends, start), len(self._starts)):
            a, b = self._starts[idx], self._ends[idx]
            if a >= end:
                break
            total += max(0, min(b, end) - max(a, start))
        return total

    def _cover(self, minute: int) -> None:
        """Generate every window that starts at or before ``minute``."""
        while self._reach <= minute and self._grow():
            pass

    def _grow(self) -> bool:
        """Generate the windows of the next stretch, twice as long as all before it
        (so the work done stays within twice what the questions need); ``False`` when
        the limit has been reached. A window cut by the stretch's end waits for the
        next stretch, unless it reaches past the whole stretch, which then grows."""
        if self._source is None or self._reach >= self._limit:
            return False
        span = max(_FIRST_STRETCH, self._reach)
        while True:
            until = min(self._limit, self._reach + span)
            spans = list(self._source(self._reach, until))
            if until == self._limit or not spans or spans[-1][1] < until:
                self._append(spans)
                self._reach = until
                return True
            if len(spans) > 1:
                self._append(spans[:-1])
                self._reach = spans[-1][0]
                return True
            span *= 2

    def _append(self, spans: Iterable[tuple[int, int]]) -> None:
        total = self._through[-1] if self._through else 0
        for a, b in spans:
            self._before.append(total)
            total += b - a
            self._through.append(total)
            self._ends.append(b)
            self._starts.append(a)


def _group_spans(slots: list[tuple[int, int]]) -> dict[int, list[int]]:
    spans: dict[int, list[int]] = {}
    for a, b in slots:
        spans.setdefault(a % PERIOD, []).append(b - a)
    return spans
