"""Gantt data and the self-contained Gantt page, checked through their data."""

from __future__ import annotations

import re
from dataclasses import replace

from plotly.offline import get_plotlyjs

from tests.conftest import at, hours
from xiezuo.domain import (
    Delivery,
    Explanation,
    Plan,
    PlanStatus,
    Schedule,
    ScheduledOperation,
    WorkOrderAssignment,
)
from xiezuo.web import gantt_bars, gantt_figure, gantt_html
from xiezuo.web.page import LATE_COLOUR


def _work_order(
    work_order_id: str, order_id: str, item_id: str, plant_id: str
) -> WorkOrderAssignment:
    return WorkOrderAssignment(
        work_order_id=work_order_id,
        order_id=order_id,
        item_id=item_id,
        quantity=1,
        parent_id=None,
        plant_id=plant_id,
        routing_id=f"R-{item_id}",
        start=at(0),
        end=at(30),
    )


def _operation(
    work_order_id: str,
    step: int,
    process: str,
    plant_id: str,
    machine_id: str,
    unit: int,
    start: float,
    end: float,
) -> ScheduledOperation:
    return ScheduledOperation(
        work_order_id=work_order_id,
        step=step,
        process=process,
        plant_id=plant_id,
        machine_id=machine_id,
        unit=unit,
        start=at(start),
        end=at(end),
        work=hours(end - start),
    )


# ORD-1 (a gear with a forged blank from Anshan) arrives late; ORD-2 is early.
# Operations are listed out of row order on purpose.
PLAN = Plan(
    status=PlanStatus.FEASIBLE,
    schedule=Schedule(
        work_orders=(
            _work_order("WO-1", "ORD-1", "GEAR", "Wangjiang"),
            _work_order("WO-1a", "ORD-1", "BLANK", "Anshan"),
            _work_order("WO-2", "ORD-2", "SHAFT", "Wangjiang"),
        ),
        operations=(
            _operation("WO-2", 1, "turning", "Wangjiang", "lathe", 0, 2, 5),
            _operation("WO-1", 2, "pressing", "Wangjiang", "press", 1, 4, 30),
            _operation("WO-1", 1, "pressing", "Wangjiang", "press", 0, 0, 3),
            _operation("WO-1a", 1, "forging", "Anshan", "forge", 0, 0, 2),
        ),
        shipments=(),
        deliveries=(
            Delivery(
                order_id="ORD-1",
                plant_id="Wangjiang",
                region="north",
                finish=at(30),
                arrival=at(40),
                due=at(36),
            ),
            Delivery(
                order_id="ORD-2",
                plant_id="Wangjiang",
                region="east",
                finish=at(5),
                arrival=at(10),
                due=at(24),
            ),
        ),
    ),
    tardiness_hours=4.0,
    tardiness_bound=2.0,
    makespan=hours(40),
    makespan_bound=hours(36),
    runtime_s=1.25,
    explanations=(Explanation(kind="late", subject="ORD-1", message="The press is busy."),),
)
NO_SCHEDULE = Plan(status=PlanStatus.INFEASIBLE, schedule=None)


def test_one_bar_per_operation() -> None:
    assert len(gantt_bars(PLAN)) == 4


def test_rows_are_sorted_by_plant_machine_and_unit_numbered_from_one() -> None:
    assert [bar.row for bar in gantt_bars(PLAN)] == [
        "Anshan · forge #1",
        "Wangjiang · lathe #1",
        "Wangjiang · press #1",
        "Wangjiang · press #2",
    ]


def test_bar_takes_order_and_item_from_its_work_order() -> None:
    blank = gantt_bars(PLAN)[0]
    assert (blank.order_id, blank.item_id, blank.work_order_id) == ("ORD-1", "BLANK", "WO-1a")
    assert (blank.step, blank.process, blank.unit) == (1, "forging", 0)
    assert (blank.start, blank.end) == (at(0), at(2))


def test_bars_of_late_orders_are_flagged() -> None:
    assert {bar.work_order_id: bar.is_late for bar in gantt_bars(PLAN)} == {
        "WO-1a": True,
        "WO-2": False,
        "WO-1": True,
    }


def test_hover_names_order_item_operation_times_and_work() -> None:
    press_2 = gantt_bars(PLAN)[3]
    assert press_2.hover.splitlines() == [
        "Order ORD-1 · item GEAR · LATE",
        "Step 2: pressing (WO-1)",
        "1958-07-01 04:00–1958-07-02 06:00",
        "Work 26.0 h",
    ]


def test_hover_leaves_out_the_end_date_on_the_same_day() -> None:
    assert "1958-07-01 02:00–05:00" in gantt_bars(PLAN)[1].hover


def test_plan_without_schedule_has_no_bars() -> None:
    assert gantt_bars(NO_SCHEDULE) == ()


def test_figure_has_one_coloured_trace_per_order() -> None:
    traces = gantt_figure(PLAN).data
    assert [trace.name for trace in traces] == ["ORD-1 (late)", "ORD-2"]
    assert [len(trace.y) for trace in traces] == [3, 1]
    assert len({trace.marker.color for trace in traces}) == 2


def test_figure_outlines_late_orders_in_red() -> None:
    late, on_time = gantt_figure(PLAN).data
    assert late.marker.line.color == LATE_COLOUR
    assert on_time.marker.line.color != LATE_COLOUR


def test_figure_bars_span_start_to_end_in_milliseconds() -> None:
    on_time = gantt_figure(PLAN).data[1]
    assert on_time.base == ("1958-07-01 02:00:00",)
    assert on_time.x == (3 * 3_600_000,)


def test_figure_separates_plants_with_one_line() -> None:
    layout = gantt_figure(PLAN).layout
    assert list(layout.yaxis.categoryarray)[:2] == ["Anshan · forge #1", "Wangjiang · lathe #1"]
    assert [shape.y0 for shape in layout.shapes] == [0.5]


def test_html_embeds_plotly_and_loads_nothing_from_the_network() -> None:
    page = gantt_html(PLAN)
    library = get_plotlyjs()
    assert library in page
    # plotly.js itself names cdn.plot.ly as the default map-data URL, never fetched for bars.
    rest = page.replace(library, "")
    assert "cdn.plot.ly" not in rest
    assert not re.search(r"<script[^>]*\bsrc=", rest)
    assert not re.search(r"""src=["']?https?:""", rest)


def test_html_shows_summary_orders_and_late_deliveries() -> None:
    page = gantt_html(PLAN, title="July")
    assert "<title>July</title>" in page
    assert "feasible" in page
    assert "4.0 h (bound 2.0 h)" in page
    assert "50.0%" in page
    assert "ORD-1" in page
    assert "ORD-2" in page
    assert '<tr class="late"><td>ORD-1</td>' in page
    assert "<tr><td>ORD-2</td>" in page


def test_figure_escapes_labels_for_plotly_markup() -> None:
    assert PLAN.schedule is not None
    odd_lathe = replace(PLAN.schedule.operations[0], machine_id="<i>lathe</i>")
    plan = replace(PLAN, schedule=replace(PLAN.schedule, operations=(odd_lathe,)))
    figure = gantt_figure(plan, title="a <b> plan")
    assert figure.data[0].y == ("Wangjiang · &lt;i&gt;lathe&lt;/i&gt; #1",)
    assert figure.layout.title.text == "a &lt;b&gt; plan"


def test_html_escapes_plan_text() -> None:
    hostile = replace(
        PLAN, explanations=(Explanation(kind="late", subject="<b>ORD-1</b>", message="a & b"),)
    )
    page = gantt_html(hostile, title="<script>x</script>")
    assert "&lt;b&gt;ORD-1&lt;/b&gt;: a &amp; b" in page
    assert "<script>x</script>" not in page


def test_html_without_schedule_shows_the_summary_only() -> None:
    page = gantt_html(NO_SCHEDULE)
    assert "infeasible" in page
    assert "no schedule" in page
    assert get_plotlyjs() not in page
