"""Shared builders for small networks, made through the public domain API."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from xiezuo.domain import Calendar

START = datetime(1958, 7, 1, tzinfo=timezone(timedelta(hours=8)))  # a Tuesday
ROUND_THE_CLOCK = Calendar(
    working_days=(0, 1, 2, 3, 4, 5, 6),
    shifts_per_day=3,
    shift_length=timedelta(hours=8),
    first_shift_start=time(0, 0),
)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def at(h: float) -> datetime:
    """The instant ``h`` hours after the horizon start."""
    return START + hours(h)
