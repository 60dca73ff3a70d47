"""How figures read wherever a person reads them: terminal, HTML and reports.

One convention (docs/output.md) so a date or a duration reads the same everywhere:
ISO dates, ``1958-07-31 16:00`` in the network's time zone (named once per output by
:func:`zone_note`), every duration and quantity with its unit after a space
(``3.5 d``, ``12.0 h``, ``1,200 kg``, ``43 %``), and ``–`` for "no value".
Machine-readable outputs (plan files, ``--format csv|json``) use ISO 8601 instants
with their UTC offset and plain numbers whose key names the unit instead.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

NONE = "–"
"""Shown where a figure has no value (no due date, no plan)."""

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
_MINUTE = timedelta(minutes=1)


def instant(value: datetime | None, zone: tzinfo | None) -> str:
    """``1958-07-31 16:00``: the instant in ``zone``, to the minute."""
    if value is None:
        return NONE
    return f"{value.astimezone(zone):%Y-%m-%d %H:%M}"


def instants(
    values: list[datetime | None], zone: tzinfo | None, *, end_of_day: bool = False
) -> list[str]:
    """Instants of one column: dates alone when every one falls on midnight in ``zone``.

    Scenarios give due dates as days, so ``1958-07-31`` reads better than
    ``1958-08-01 00:00``; one instant with a time of day shows times for them all.
    With ``end_of_day`` a midnight is the end of the day before, as a scenario's
    ``due: 1958-07-31`` means 00:00 on 1 August.
    """
    local = [None if v is None else v.astimezone(zone) for v in values]
    if all(v is None or v.time() == time(0) for v in local):
        shift = _DAY if end_of_day else timedelta(0)
        return [NONE if v is None else day((v - shift).date()) for v in local]
    return [NONE if v is None else f"{v:%Y-%m-%d %H:%M}" for v in local]


def day(value: date | None) -> str:
    """``1958-07-31``."""
    return NONE if value is None else value.isoformat()


def days(value: timedelta | None, *, signed: bool = False) -> str:
    """``3.5 d``; with ``signed``, ``+3.5 d`` late and ``-2.0 d`` early."""
    if value is None:
        return NONE
    figure = value / _DAY
    return f"{figure:+.1f} d" if signed else f"{figure:.1f} d"


def hours(value: float | None) -> str:
    """``1,640.0 h`` from a number of hours."""
    return NONE if value is None else f"{value:,.1f} h"


def span(value: timedelta | None) -> str:
    """A duration in the unit that suits it: days for weeks, hours or minutes for short ones.

    Benchmark instances count in minutes, production plans in weeks; one unit for
    both would print ``0.0 d`` or ``216,000 min``.
    """
    if value is None:
        return NONE
    if value >= 2 * _DAY:
        return f"{value / _DAY:,.1f} d"
    if value >= 2 * _HOUR:
        return f"{value / _HOUR:.1f} h"
    return f"{value / _MINUTE:.0f} min"


def quantity(value: int, unit: str) -> str:
    """``1,200 kg``: a material quantity with its unit."""
    return f"{value:,} {unit}"


def percent(value: float | None) -> str:
    """``43 %``, or ``–`` for no value."""
    return NONE if value is None else f"{value:.0%}".replace("%", " %")


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 order``, ``2 orders``; ``nouns`` for irregular plurals."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def zone_note(zone: tzinfo | None, at: datetime) -> str:
    """``Times are in Asia/Shanghai (UTC+08:00).``: said once per output."""
    local = at.astimezone(zone)
    offset = local.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = getattr(zone, "key", None)
    return f"Times are in {name} ({utc})." if name else f"Times are in {utc}."
