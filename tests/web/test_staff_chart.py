"""The staff chart and its HTML, checked through their data."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from plotly.offline import get_plotlyjs

from tests.conftest import START, at
from xiezuo.services.staff import SkillLine, StaffEvent, StaffReport
from xiezuo.web.staff import (
    STAFF_COLUMNS,
    staff_figure,
    staff_page_html,
    staff_section_html,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

TURNERS = SkillLine(
    plant_id="WJ",
    skill="turner",
    capacity=((at(0), 1), (at(48), 0), (at(72), 1)),
    load=((at(0), 0), (at(2), 1), (at(10), 0)),
    peak_load=1,
    peak_at=at(2),
    peak_utilisation=1.0,
    tightest_at=at(2),
    booked_hours=8.0,
    available_hours=10.0,
    people_limited_days=(date(1958, 7, 1),),
    events=(StaffEvent(when=at(48), description="1 turner seconded to Yunnan"),),
)
FITTERS = SkillLine(
    plant_id="WJ",
    skill="fitter",
    capacity=((at(0), 2),),
    load=((at(0), 0),),
    booked_hours=0.0,
    available_hours=20.0,
)
MOULDERS = SkillLine(
    plant_id="CMT",
    skill="moulder",
    capacity=((at(0), 4),),
    load=((at(0), 0), (at(1), 3), (at(9), 0)),
    peak_load=3,
    peak_at=at(1),
    peak_utilisation=0.75,
    tightest_at=at(1),
    booked_hours=24.0,
    available_hours=40.0,
    events=(StaffEvent(when=at(24), description="1 moulder seconded away"),),
)
REPORT = StaffReport(start=START, end=at(96), has_plan=True, lines=(TURNERS, FITTERS, MOULDERS))


def _trace(fig: go.Figure, skill: str, kind: str) -> go.Scatter:
    return next(t for t in fig.data if (t.meta["skill"], t.meta["kind"]) == (skill, kind))


def test_figure_has_capacity_and_load_per_plant_and_skill() -> None:
    fig = staff_figure(REPORT)
    assert sorted((t.meta["plant_id"], t.meta["skill"], t.meta["kind"]) for t in fig.data) == [
        ("CMT", "moulder", "capacity"),
        ("CMT", "moulder", "load"),
        ("WJ", "fitter", "capacity"),
        ("WJ", "fitter", "load"),
        ("WJ", "turner", "capacity"),
        ("WJ", "turner", "load"),
    ]


def test_figure_draws_steps_that_hold_until_the_next_change() -> None:
    assert {t.line.shape for t in staff_figure(REPORT).data} == {"hv"}


def test_step_lines_run_to_the_end_of_the_plan() -> None:
    capacity = _trace(staff_figure(REPORT), "turner", "capacity")
    assert list(capacity.x) == [
        "1958-07-01 00:00:00",
        "1958-07-03 00:00:00",
        "1958-07-04 00:00:00",
        "1958-07-05 00:00:00",
    ]
    assert list(capacity.y) == [1, 0, 1, 1]


def test_capacity_is_dashed_and_load_solid_in_one_colour_per_skill() -> None:
    fig = staff_figure(REPORT)
    capacity, load = _trace(fig, "turner", "capacity"), _trace(fig, "turner", "load")
    assert (capacity.line.dash, load.line.dash) == ("dash", "solid")
    assert capacity.line.color == load.line.color != _trace(fig, "fitter", "load").line.color


def test_figure_has_one_subplot_per_plant() -> None:
    fig = staff_figure(REPORT)
    assert [a.text for a in fig.layout.annotations] == ["WJ", "CMT"]
    assert _trace(fig, "turner", "load").yaxis != _trace(fig, "moulder", "load").yaxis


def test_each_skill_appears_once_in_the_legend() -> None:
    shown = [t.name for t in staff_figure(REPORT).data if t.showlegend]
    assert shown == ["turner", "fitter", "moulder"]


def test_figure_without_plan_draws_capacity_only() -> None:
    report = replace(
        REPORT,
        end=None,
        has_plan=False,
        lines=tuple(replace(line, load=()) for line in REPORT.lines),
    )
    fig = staff_figure(report)
    assert {t.meta["kind"] for t in fig.data} == {"capacity"}
    # A week past the last staff change.
    assert _trace(fig, "turner", "capacity").x[-1] == "1958-07-11 00:00:00"


def test_section_leaves_plotly_to_the_page_and_names_plants_and_skills() -> None:
    section = staff_section_html(REPORT)
    assert not re.search(r"<script[^>]*\bsrc=", section)
    assert get_plotlyjs() not in section
    for text in ("WJ", "CMT", "turner", "fitter", "moulder"):
        assert f"<td>{text}</td>" in section


def _cells(section: str, skill: str) -> list[str]:
    row = next(r for r in section.split("<tr") if f"<td>{skill}</td>" in r)
    return re.findall(r"<td>(.*?)</td>", row)


def test_section_table_shows_staff_peak_tightest_booked_and_days_held_up_by_people() -> None:
    assert _cells(staff_section_html(REPORT), "turner") == [
        "WJ",
        "turner",
        "1",
        "1 on 1958-07-01",
        "1 of 1 on 1958-07-01",
        "80 %",
        "8 of 10 h",
        "1",
    ]


def test_tightest_cell_gives_the_people_behind_its_share() -> None:
    """7 of 8 turners at the peak; 6 of 6 while two teach: the 100 % is the 6 of 6."""
    turners = replace(
        TURNERS,
        capacity=((at(0), 8), (at(24), 6)),
        load=((at(0), 7), (at(12), 0), (at(30), 6), (at(40), 0)),
        peak_load=7,
        peak_at=at(0),
        peak_utilisation=1.0,
        tightest_at=at(30),
    )
    cells = _cells(staff_section_html(replace(REPORT, lines=(turners,))), "turner")
    assert cells[2:5] == ["8 → 6", "7 on 1958-07-01", "6 of 6 on 1958-07-02"]


def test_section_explains_every_column_under_the_table() -> None:
    section = staff_section_html(REPORT)
    notes = section[section.index("</table>") :]
    for column in STAFF_COLUMNS[2:]:
        assert f"{column}: " in notes
    assert "Times are in" in notes


def test_section_lists_staff_changes_in_date_order_across_plants() -> None:
    section = staff_section_html(REPORT)
    moulders = section.index("1958-07-02 · CMT · 1 moulder seconded away")
    turners = section.index("1958-07-03 · WJ · 1 turner seconded to Yunnan")
    assert moulders < turners


def test_section_without_lines_says_the_scenario_has_no_staff() -> None:
    section = staff_section_html(replace(REPORT, lines=()))
    assert "The scenario has no staff section" in section
    assert "<table>" not in section


def test_page_embeds_plotly_and_loads_nothing_from_the_network() -> None:
    page = staff_page_html(REPORT, "Staff")
    assert page.startswith("<!DOCTYPE html>")
    assert get_plotlyjs() in page
    assert not re.search(r"<script[^>]*\bsrc=", page.replace(get_plotlyjs(), ""))


def test_html_escapes_report_text() -> None:
    hostile = replace(
        REPORT,
        lines=(replace(TURNERS, plant_id="<b>WJ</b>", skill="<script>x</script>"),),
    )
    page = staff_page_html(hostile, "<script>y</script>")
    assert "<script>x</script>" not in page
    assert "<script>y</script>" not in page
    assert "&lt;b&gt;WJ&lt;/b&gt;" in page
