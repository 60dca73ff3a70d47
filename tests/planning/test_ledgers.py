"""The greedy plan's indexed timelines answer as a rescan of every booking would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xiezuo.planning.search.ledgers import CrewProfile, StockLedger

_minute = st.integers(min_value=0, max_value=200)
_bookings = st.lists(
    st.tuples(_minute, st.integers(min_value=1, max_value=50), st.integers(1, 3)), max_size=12
)
_steps = st.lists(
    st.tuples(_minute, st.integers(0, 6)), min_size=1, max_size=4, unique_by=lambda s: s[0]
)


def _free_at(steps: list[tuple[int, int]], bookings: list[tuple[int, int, int]], t: int) -> int:
    headcount = max((s for s in sorted(steps) if s[0] <= t), default=(0, 0))[1]
    return headcount - sum(n for a, length, n in bookings if a <= t < a + length)


@given(_steps, _bookings, _minute, st.integers(1, 40), st.integers(1, 4))
def test_crew_ready_is_the_first_start_whose_shortage_has_passed(
    steps, bookings, start, length, people
):
    profile = CrewProfile(steps)
    for a, span, n in bookings:
        profile.book(a, a + span, n)
    ready = profile.ready(start, start + length, people)
    short = [t for t in range(start, start + length) if _free_at(steps, bookings, t) < people]
    if not short:
        assert ready == start
        return
    later = [t for t in range(short[0] + 1, 400) if _free_at(steps, bookings, t) >= people]
    assert ready == (later[0] if later else None)


def test_crew_profile_frees_nobody_before_its_first_step():
    profile = CrewProfile([(100, 2)])
    assert profile.ready(50, 60, 1) == 100


_events = st.lists(st.tuples(_minute, st.integers(-20, 30)), max_size=10)


def _level_floor(events: list[tuple[int, int]], t: int) -> int:
    """Lowest level from minute ``t`` on, levels taken after each minute's events."""
    minutes = sorted({m for m, _ in events if m >= t} | {t})
    return min(sum(c for m, c in events if m <= at) for at in minutes)


@given(_events, st.lists(st.tuples(_minute, st.integers(-5, 5)), max_size=4), st.integers(1, 40))
def test_stock_ledger_draws_match_a_rescan(events, added, quantity):
    ledger = StockLedger(events)
    twin = ledger.copy()
    for minute, change in added:
        twin.add(minute, change)
    for book, all_events in ((ledger, events), (twin, events + added)):
        times = sorted({m for m, _ in all_events})
        assert book.times() == times
        for t in range(0, 210, 7):
            expected = max(0, _level_floor(all_events, t)) if any(m <= t for m in times) else 0
            assert book.drawable(t) == expected
        earliest = next((m for m in times if _level_floor(all_events, m) >= quantity), None)
        assert book.earliest_draw(quantity) == earliest
