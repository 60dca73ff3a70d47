"""Charts and HTML for the staff report: people needed against people on staff.

:func:`staff_figure` draws the report's step functions, one subplot per plant and
one colour per skill; :func:`staff_section_html` is a fragment for a page that
already loads plotly.js (the Gantt page), and :func:`staff_page_html` a complete
page that embeds it, for shop-floor machines without a network.
"""

from __future__ import annotations

import html
import math
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from xiezuo.services import display
from xiezuo.web.page import html_page

if TYPE_CHECKING:
    from xiezuo.services.staff import SkillLine, StaffReport, Steps

SKILL_COLOURS: tuple[str, ...] = tuple(qualitative.Safe)
_SUBPLOT_HEIGHT_PX = 240
_DEFAULT_SPAN = timedelta(days=7)
_KEY = "<br><sub>dashed: people on staff · solid: people at work</sub>"

NO_STAFF = (
    "The scenario has no staff section (staffing, secondments, trainings) and no "
    "operation needs a crew: there is no one to report on."
)

STAFF_COLUMNS: tuple[str, ...] = (
    "plant",
    "skill",
    "on staff",
    "peak at work",
    "tightest",
    "booked",
    "person-hours",
    "days held up by people",
)
"""Headers of a staff report's table, the terminal's and the HTML's alike."""

STAFF_NOTES: tuple[str, ...] = (
    "on staff: people of the skill at the horizon start → at the plan's end (without a "
    "plan, after the last staff change).",
    "peak at work: the most people the plan keeps at work at once, and the day it first happens.",
    "tightest: people at work of people on staff when that share is highest; after a "
    "secondment or while trainers teach, a smaller crew can be the tightest.",
    "booked: the share of person-hours on staff in working time, from the horizon start "
    "to the plan's last operation, that the plan's work takes.",
    "person-hours: the two figures of that share, booked of available.",
    "days held up by people: days on which every person of the skill was at work while "
    "work for them waited and a machine for it stood free.",
)
"""What each column means, printed under the table (docs/output.md says the same)."""


def staff_notes(report: StaffReport) -> tuple[str, ...]:
    """The notes under a report's table: its columns, then the time zone of its days."""
    notes = STAFF_NOTES if report.has_plan else STAFF_NOTES[:1]
    return (*notes, display.zone_note(report.start.tzinfo, report.start))


def staff_cells(report: StaffReport, line: SkillLine) -> tuple[str, ...]:
    """A skill line's cells under :data:`STAFF_COLUMNS`; a report without a plan has
    only the first three."""
    first = line.capacity[0][1]
    last = _capacity_at_end(report, line)
    on_staff = f"{first}" if first == last else f"{first} → {last}"
    if not report.has_plan:
        return line.plant_id, line.skill, on_staff
    return (
        line.plant_id,
        line.skill,
        on_staff,
        _peak(line, report.start.tzinfo),
        _tightest(line, report.start.tzinfo),
        display.percent(line.utilisation),
        _person_hours(line),
        str(len(line.people_limited_days)),
    )


def staff_figure(report: StaffReport, *, title: str = "Skilled people") -> go.Figure:
    """Capacity and load of each skill over time, one subplot per plant.

    Each skill has one colour and one legend entry: its capacity is a dashed step
    line, its load (with a plan) a solid one, both drawn with ``shape='hv'`` so a
    value holds until the next change. Every line runs to the report's end: the
    plan's last operation end, else a week past the last staff change. Times are
    drawn in the horizon start's time zone, because plotly.js ignores offsets. Text
    is escaped because plotly.js reads labels as HTML-like markup.

    Parameters
    ----------
    report
        A staff report; one without lines gives an empty chart.
    title
        Chart title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    plant_ids = report.plant_ids
    if not plant_ids:
        fig = go.Figure()
        fig.update_layout(title=html.escape(title))
        return fig
    zone = report.start.tzinfo
    end = _chart_end(report)
    skills = list(dict.fromkeys(line.skill for line in report.lines))
    colour_by_skill = {
        skill: SKILL_COLOURS[idx % len(SKILL_COLOURS)] for idx, skill in enumerate(skills)
    }
    fig = make_subplots(
        rows=len(plant_ids),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[html.escape(plant_id) for plant_id in plant_ids],
        vertical_spacing=min(0.08, 0.3 / len(plant_ids)),
    )
    shown: set[str] = set()
    for row_idx, plant_id in enumerate(plant_ids, start=1):
        for line in report.lines_of(plant_id):
            colour = colour_by_skill[line.skill]
            show_legend = line.skill not in shown
            shown.add(line.skill)
            fig.add_trace(
                _step_trace(line, "capacity", line.capacity, end, zone, colour, show_legend),
                row=row_idx,
                col=1,
            )
            if report.has_plan:
                fig.add_trace(
                    _step_trace(line, "load", line.load, end, zone, colour, False),
                    row=row_idx,
                    col=1,
                )
    fig.update_layout(
        title=html.escape(title) + (_KEY if report.has_plan else ""),
        height=max(320, 120 + _SUBPLOT_HEIGHT_PX * len(plant_ids)),
        legend_title_text="Skill",
        hovermode="x unified",
    )
    fig.update_xaxes(type="date")
    fig.update_yaxes(title_text="people", rangemode="tozero")
    return fig


def staff_section_html(report: StaffReport, *, title: str = "Skilled people") -> str:
    """An HTML fragment: heading, table of skill lines, staff changes and the chart.

    The chart does not carry plotly.js, so the fragment belongs in a page that loads
    it once already, such as the Gantt page. All text is escaped because IDs come
    from planners' files.

    Parameters
    ----------
    report
        A staff report.
    title
        Heading of the section and title of its chart.

    Returns
    -------
    str
        A ``<section>`` element.
    """
    return _section(report, title, include_plotlyjs=False)


def staff_page_html(report: StaffReport, title: str = "xiezuo staff") -> str:
    """A self-contained HTML page with the staff report, for ``xiezuo staff --html``.

    plotly.js is embedded rather than linked so the page opens offline.

    Parameters
    ----------
    report
        A staff report.
    title
        Page title and heading.

    Returns
    -------
    str
        A complete HTML document.
    """
    return html_page(title, _section(report, "Skilled people", include_plotlyjs=True))


def _section(report: StaffReport, title: str, *, include_plotlyjs: bool) -> str:
    if not report.lines:
        return (
            f'<section class="staff">\n<h2>{html.escape(title)}</h2>\n'
            f"<p>{html.escape(NO_STAFF)}</p>\n</section>"
        )
    chart = pio.to_html(
        staff_figure(report, title=title),
        include_plotlyjs=include_plotlyjs,
        full_html=False,
        config={"displaylogo": False},
    )
    note = "" if report.has_plan else "\n<p>No plan given: capacity and staff changes only.</p>"
    return f"""<section class="staff">
<h2>{html.escape(title)}</h2>{note}
{_lines_table(report)}
{_events_list(report)}
{chart}
</section>"""


def _lines_table(report: StaffReport) -> str:
    width = len(STAFF_COLUMNS) if report.has_plan else 3
    header = "".join(f"<th>{html.escape(h)}</th>" for h in STAFF_COLUMNS[:width])
    rows = []
    for line in report.lines:
        cls = ' class="people-limited"' if line.people_limited_days else ""
        cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in staff_cells(report, line))
        rows.append(f"<tr{cls}>{cells}</tr>")
    body = "\n".join(rows)
    caption = "<br>\n".join(html.escape(note) for note in staff_notes(report))
    return f'<table>\n<tr>{header}</tr>\n{body}\n</table>\n<p class="notes">{caption}</p>'


def _events_list(report: StaffReport) -> str:
    items = [
        f"<li>{display.day(event.day)} · {html.escape(plant_id)} · "
        f"{html.escape(event.description)}</li>"
        for plant_id, event in report.events
    ]
    if not items:
        return ""
    listed = "\n".join(items)
    return f"<h3>Staff changes</h3>\n<ul>\n{listed}\n</ul>"


def _capacity_at_end(report: StaffReport, line: SkillLine) -> int:
    if report.end is None:
        return line.capacity[-1][1]
    return line.capacity_at(report.end)


def _peak(line: SkillLine, zone: tzinfo | None) -> str:
    if line.peak_at is None:
        return "0"
    return f"{line.peak_load} on {display.day(line.peak_at.astimezone(zone).date())}"


def _tightest(line: SkillLine, zone: tzinfo | None) -> str:
    if line.tightest_at is None or line.peak_utilisation is None:
        return display.NONE
    at_work = line.load_at(line.tightest_at)
    on_staff = line.capacity_at(line.tightest_at)
    when = display.day(line.tightest_at.astimezone(zone).date())
    if math.isinf(line.peak_utilisation):
        return f"{at_work} of none on {when}"
    return f"{at_work} of {on_staff} on {when}"


def _person_hours(line: SkillLine) -> str:
    if line.booked_hours is None or line.available_hours is None:
        return display.NONE
    return f"{line.booked_hours:,.0f} of {line.available_hours:,.0f} h"


def _step_trace(
    line: SkillLine,
    kind: str,
    steps: Steps,
    end: datetime,
    zone: tzinfo | None,
    colour: str,
    show_legend: bool,
) -> go.Scatter:
    # Repeat the last value at the end so the final step is drawn to the chart's edge.
    points = [*steps, (max(end, steps[-1][0]), steps[-1][1])] if steps else []
    return go.Scatter(
        name=html.escape(line.skill),
        legendgroup=html.escape(line.skill),
        showlegend=show_legend,
        x=[_axis_time(when, zone) for when, _ in points],
        y=[people for _, people in points],
        mode="lines",
        line={"shape": "hv", "color": colour, "dash": "dash" if kind == "capacity" else "solid"},
        hovertemplate=f"{html.escape(line.skill)} {kind}: %{{y}}<extra></extra>",
        meta={"plant_id": line.plant_id, "skill": line.skill, "kind": kind},
    )


def _chart_end(report: StaffReport) -> datetime:
    if report.end is not None:
        return report.end
    last_change = max(
        (when for line in report.lines for when, _ in line.capacity), default=report.start
    )
    return last_change + _DEFAULT_SPAN


def _axis_time(instant: datetime, zone: tzinfo | None) -> str:
    """``instant`` as a zone-less time in ``zone``; plotly.js would drop the offset."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
