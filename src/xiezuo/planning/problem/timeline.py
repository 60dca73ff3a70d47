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
from dataclasses import dataclass, field

# Calendars repeat weekly, so a long operation's span depends on its start modulo a week,
# except near holidays and availability limits.
PERIOD = 7 * 24 * 60


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


@dataclass(frozen=True, slots=True)
class WorkingWindows:
    """Sorted, disjoint ``[start, end)`` minute ranges when a machine works."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    # Working minutes before each window and at each window's end, for span lookups.
    _before: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _through: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        before, through, total = [], [], 0
        for a, b in zip(self.starts, self.ends, strict=True):
            before.append(total)
            total += b - a
            through.append(total)
        object.__setattr__(self, "_before", tuple(before))
        object.__setattr__(self, "_through", tuple(through))

    def finish(self, window_idx: int, work: int) -> int | None:
        """End of ``work`` minutes started at the start of window ``window_idx``."""
        target = self._before[window_idx] + work
        j = bisect_left(self._through, target)
        if j == len(self._through):
            return None
        return self.ends[j] - (self._through[j] - target)

    def earliest(self, ready: int, work: int) -> tuple[int, int] | None:
        """Earliest ``(start, end)`` at or after ``ready`` that obeys the placement rule."""
        k = max(bisect_right(self.ends, ready), 0)
        for idx in range(k, len(self.starts)):
            a, b = self.starts[idx], self.ends[idx]
            if b - a >= work:
                start = max(ready, a)
                if start + work <= b:
                    return start, start + work
            elif a >= ready:
                end = self.finish(idx, work)
                return None if end is None else (a, end)
        return None

    def short_start_ranges(self, work: int, horizon: int) -> list[tuple[int, int]]:
        """Inclusive start ranges for ``work`` placed inside one window, ending by ``horizon``."""
        last = bisect_left(self.starts, horizon)
        return [
            (a, min(b, horizon) - work)
            for a, b in zip(self.starts[:last], self.ends[:last], strict=True)
            if min(b, horizon) - a >= work
        ]

    def long_slots(self, work: int, horizon: int) -> list[tuple[int, int]]:
        """``(start, end)`` pairs for ``work`` longer than the window it starts in."""
        slots = []
        for idx in range(bisect_left(self.starts, horizon)):
            a, b = self.starts[idx], self.ends[idx]
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
        total = 0
        for idx in range(max(bisect_right(self.ends, start), 0), len(self.starts)):
            a, b = self.starts[idx], self.ends[idx]
            if a >= end:
                break
            total += max(0, min(b, end) - max(a, start))
        return total


def _group_spans(slots: list[tuple[int, int]]) -> dict[int, list[int]]:
    spans: dict[int, list[int]] = {}
    for a, b in slots:
        spans.setdefault(a % PERIOD, []).append(b - a)
    return spans
