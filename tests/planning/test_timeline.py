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
