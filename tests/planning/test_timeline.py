"""The placement rule shared by the heuristic and the solver model."""

from __future__ import annotations

from xiezuo.planning.problem.timeline import WorkingWindows

# Three 8-hour days in minutes: [0, 480), [1440, 1920), [2880, 3360).
DAYS = WorkingWindows((0, 1440, 2880), (480, 1920, 3360))


def test_short_work_fits_inside_one_window() -> None:
    assert DAYS.earliest(400, 60) == (400, 460)
    assert DAYS.earliest(450, 60) == (1440, 1500)  # 30 minutes left today: next day


def test_long_work_starts_at_a_window_start_and_spans_breaks() -> None:
    assert DAYS.earliest(0, 600) == (0, 1440 + 120)
    assert DAYS.earliest(10, 600) == (1440, 2880 + 120)


def test_work_beyond_the_windows_has_no_place() -> None:
    assert DAYS.earliest(2900, 600) is None


def test_working_minutes_counts_only_windows() -> None:
    assert DAYS.working_minutes(0, 2880) == 960
    assert DAYS.working_minutes(400, 1500) == 140


def test_solver_domains_match_the_rule() -> None:
    assert DAYS.short_start_ranges(120, 3360) == [(0, 360), (1440, 1800), (2880, 3240)]
    assert DAYS.long_slots(600, 3360) == [(0, 1560), (1440, 3000)]


def _weekdays(first: int, until: int) -> list[tuple[int, int]]:
    """Windows of a five-day week of 8-hour days, cut to ``[first, until)``."""
    days = range(first // 1440, until // 1440 + 1)
    spans = ((d * 1440, d * 1440 + 480) for d in days if d % 7 < 5)
    return [(max(a, first), min(b, until)) for a, b in spans if max(a, first) < min(b, until)]


LIMIT = 3 * 365 * 1440
LAZY_CHECKS = [(0, 60), (479, 2), (3000, 900), (200_000, 3000), (1_000_000, 20_000), (LIMIT, 60)]


def test_lazy_windows_answer_as_windows_generated_whole() -> None:
    spans = _weekdays(0, LIMIT)
    whole = WorkingWindows([a for a, _ in spans], [b for _, b in spans])
    lazy = WorkingWindows(source=_weekdays, limit=LIMIT)
    for ready, work in LAZY_CHECKS:
        assert lazy.earliest(ready, work) == whole.earliest(ready, work)
        assert lazy.after_working(ready, work) == whole.after_working(ready, work)
    assert lazy.working_minutes(5000, 900_000) == whole.working_minutes(5000, 900_000)
    assert lazy.placements(900, 40_000) == whole.placements(900, 40_000)


def test_lazy_windows_are_generated_only_as_far_as_asked() -> None:
    lazy = WorkingWindows(source=_weekdays, limit=LIMIT)
    assert lazy.earliest(0, 60) == (0, 60)
    assert lazy.ends[-1] < 100_000 < LIMIT


def test_a_window_longer_than_a_stretch_stays_whole() -> None:
    def always(first: int, until: int) -> list[tuple[int, int]]:
        return [(first, until)]

    lazy = WorkingWindows(source=always, limit=LIMIT)
    assert lazy.is_open_throughout()
    assert lazy.first_window() == (0, LIMIT)
    assert not DAYS.is_open_throughout()
