"""The one convention for dates, durations and quantities that people read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xiezuo.services import display

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_instant_is_iso_to_the_minute_in_the_given_zone() -> None:
    assert display.instant(datetime(1958, 7, 31, 8, tzinfo=UTC), SHANGHAI) == "1958-07-31 16:00"
    assert display.instant(None, SHANGHAI) == "–"


def test_a_column_of_midnights_reads_as_dates_and_one_time_shows_all_times() -> None:
    midnight = datetime(1958, 8, 1, tzinfo=SHANGHAI)
    assert display.instants([midnight, None], SHANGHAI) == ["1958-08-01", "–"]
    assert display.instants([midnight], SHANGHAI, end_of_day=True) == ["1958-07-31"]
    assert display.instants([midnight, midnight + timedelta(hours=6)], SHANGHAI) == [
        "1958-08-01 00:00",
        "1958-08-01 06:00",
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(days=3, hours=12), "3.5 d"),
        (timedelta(hours=12), "12.0 h"),
        (timedelta(minutes=55), "55 min"),
        (timedelta(days=1000), "1,000.0 d"),
        (None, "–"),
    ],
)
def test_span_states_its_unit(value: timedelta | None, text: str) -> None:
    assert display.span(value) == text


def test_days_hours_quantities_and_percentages_carry_their_unit() -> None:
    assert display.days(timedelta(hours=-36), signed=True) == "-1.5 d"
    assert display.days(timedelta(hours=36), signed=True) == "+1.5 d"
    assert display.hours(1640) == "1,640.0 h"
    assert display.quantity(18090, "kg") == "18,090 kg"
    assert display.percent(0.43) == "43 %"
    assert display.day(date(1958, 7, 31)) == "1958-07-31"


def test_plural_agrees_with_the_count() -> None:
    assert [display.plural(n, "order") for n in (0, 1, 2)] == ["0 orders", "1 order", "2 orders"]
    assert display.plural(3, "draughtsman", "draughtsmen") == "3 draughtsmen"


def test_zone_note_names_the_zone_and_its_offset() -> None:
    start = datetime(1958, 7, 1, tzinfo=SHANGHAI)
    assert display.zone_note(SHANGHAI, start) == "Times are in Asia/Shanghai (UTC+08:00)."
    assert display.zone_note(UTC, start) == "Times are in UTC+00:00."
