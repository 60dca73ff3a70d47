"""Gantt data and the self-contained Gantt page, checked through their data."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from plotly.offline import get_plotlyjs

from tests.conftest import START, at, build_item, build_machine, build_network, hours
from xiezuo.domain import (
    Delivery,
    Explanation,
    Plan,
    PlanStatus,
    Plant,
    Schedule,
    ScheduledOperation,
    Shipment,
    WorkOrderAssignment,
)
from xiezuo.web import (
    PLOTLYJS_FILENAME,
    gantt_bars,
    gantt_figure,
    gantt_html,
    gantt_orders,
    gantt_range,
    gantt_shipments,
    order_colours,
    plotlyjs_bundle,
)
from xiezuo.web.gantt import DIMMED_OPACITY, ON_TIME_COLOUR, ORDER_COLOURS
from xiezuo.web.page import LATE_COLOUR


def _work_order(
    work_order_id: str, order_id: str, item_id: str, plant_id: str, parent_id: str | None = None
) -> WorkOrderAssignment:
    return WorkOrderAssignment(
        work_order_id=work_order_id,
        order_id=order_id,
        item_id=item_id,
        quantity=1,
        parent_id=parent_id,
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


def _shipment(work_order_id: str, depart: float, arrive: float) -> Shipment:
    return Shipment(
        work_order_id=work_order_id,
        origin="Anshan",
        destination="Wangjiang",
        depart=at(depart),
        arrive=at(arrive),
    )


# ORD-1 (a gear with a forged blank and a bolt from Anshan) arrives late; ORD-2 (a
# shaft with a collar from Anshan) is early. Operations are listed out of row order
# on purpose. The blank's and the bolt's shipments overlap, the collar's follows.
PLAN = Plan(
    status=PlanStatus.FEASIBLE,
    schedule=Schedule(
        work_orders=(
            _work_order("WO-1", "ORD-1", "GEAR", "Wangjiang"),
            _work_order("WO-1a", "ORD-1", "BLANK", "Anshan", parent_id="WO-1"),
            _work_order("WO-1b", "ORD-1", "BOLT", "Anshan", parent_id="WO-1"),
            _work_order("WO-2", "ORD-2", "SHAFT", "Wangjiang"),
            _work_order("WO-2a", "ORD-2", "COLLAR", "Anshan", parent_id="WO-2"),
        ),
        operations=(
            _operation("WO-2", 1, "turning", "Wangjiang", "lathe", 0, 2, 5),
            _operation("WO-1", 2, "pressing", "Wangjiang", "press", 1, 4, 30),
            _operation("WO-1", 1, "pressing", "Wangjiang", "press", 0, 0, 3),
            _operation("WO-1a", 1, "forging", "Anshan", "forge", 0, 0, 2),
        ),
        shipments=(
            _shipment("WO-2a", 5, 7),
            _shipment("WO-1b", 3, 5),
            _shipment("WO-1a", 2, 4),
        ),
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
NETWORK = replace(
    build_network(
        (Plant(id="Anshan", machines=(build_machine("forge", "forging"),)),),
        (build_item("BLANK", ("forging", 1)),),
        (),
    ),
    name="Anshan <steel>",
)


def _traces(order_id: str, kind: str) -> list[Any]:
    """The traces of one order: ``bar`` for its bars, ``scatter`` for its markers."""
    return [
        trace
        for trace in gantt_figure(PLAN).data
        if trace.legendgroup == order_id and trace.type == kind
    ]


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


def test_a_ganged_operation_has_a_bar_on_each_of_its_units() -> None:
    schedule = PLAN.schedule
    assert schedule is not None
    press = next(op for op in schedule.operations if op.machine_id == "press")
    ganged = replace(press, unit=0, units=(0, 2), on_floor=True)
    operations = tuple(ganged if op is press else op for op in schedule.operations)
    plan = replace(PLAN, schedule=replace(schedule, operations=operations))
    bars = [bar for bar in gantt_bars(plan) if bar.work_order_id == press.work_order_id]
    rows = [bar.row for bar in bars if bar.step == press.step]
    assert rows == ["Wangjiang · press #1", "Wangjiang · press #3"]
    hover = next(bar.hover for bar in bars if bar.step == press.step).splitlines()
    assert hover[-2:] == [
        "Ganged: 2 units together (#1, #3)",
        "Part on a floor bay, machines brought to it",
    ]


def test_plan_without_schedule_has_no_bars() -> None:
    assert gantt_bars(NO_SCHEDULE) == ()


def test_orders_are_sorted_by_due_date() -> None:
    assert [order.row for order in gantt_orders(PLAN)] == ["ORD-2 → east", "ORD-1 → north"]


def test_order_spans_its_work_at_every_plant_then_its_delivery() -> None:
    gear = gantt_orders(PLAN)[1]
    assert (gear.item_id, gear.plant_ids, gear.plant_id) == (
        "GEAR",
        ("Anshan", "Wangjiang"),
        "Wangjiang",
    )
    assert (gear.work_start, gear.finish, gear.arrival, gear.due) == (at(0), at(30), at(40), at(36))
    assert gear.is_late


def test_order_summary_says_where_when_and_how_late() -> None:
    shaft, gear = gantt_orders(PLAN)
    assert gear.summary == (
        "ORD-1 · item GEAR · made at Anshan, Wangjiang · delivered Wangjiang → north, "
        "arrives 1958-07-02 16:00 · due 1958-07-02 12:00 · late by 4.0 h"
    )
    assert shaft.summary.endswith("due 1958-07-02 00:00 · 14.0 h early")


def test_lateness_of_two_days_and_more_reads_in_days() -> None:
    assert PLAN.schedule is not None
    late = replace(PLAN.schedule.deliveries[1], due=at(-50))
    plan = replace(PLAN, schedule=replace(PLAN.schedule, deliveries=(late,)))
    assert gantt_orders(plan)[0].summary.endswith("late by 2.5 d")


def test_shipments_that_overlap_go_on_separate_tracks() -> None:
    legs = gantt_shipments(PLAN)
    assert [(leg.work_order_id, leg.track) for leg in legs] == [
        ("WO-1a", 0),
        ("WO-2a", 0),
        ("WO-1b", 1),
    ]
    assert {leg.row for leg in legs} == {"Anshan → Wangjiang"}
    assert legs[1].order_id == "ORD-2"
    assert legs[1].hover.splitlines() == [
        "Order ORD-2 · item COLLAR (WO-2a)",
        "Shipped Anshan → Wangjiang",
        "1958-07-01 05:00–07:00",
    ]


def test_plan_without_schedule_has_no_orders_legs_or_range() -> None:
    assert gantt_orders(NO_SCHEDULE) == ()
    assert gantt_shipments(NO_SCHEDULE) == ()
    assert gantt_range(NO_SCHEDULE) is None


def test_range_runs_from_network_start_past_the_last_arrival() -> None:
    assert gantt_range(PLAN, start=at(-24)) == (at(-24), at(40) + hours(12))


def test_range_reaches_a_due_date_after_the_last_arrival_with_two_percent_to_spare() -> None:
    assert PLAN.schedule is not None
    early = replace(PLAN.schedule.deliveries[1], due=at(1000))
    plan = replace(PLAN, schedule=replace(PLAN.schedule, deliveries=(early,)))
    assert gantt_range(plan) == (at(0), at(1020))


def test_order_colours_are_distinct_and_enough_for_the_example() -> None:
    assert len(set(ORDER_COLOURS)) == len(ORDER_COLOURS) >= 48
    assert LATE_COLOUR not in ORDER_COLOURS


def test_figure_groups_each_orders_traces_in_row_order_without_a_legend() -> None:
    figure = gantt_figure(PLAN)
    groups = [trace.legendgroup for trace in figure.data]
    assert list(dict.fromkeys(groups)) == ["ORD-2", "ORD-1"]
    assert {trace.name for trace in figure.data} == {"ORD-1", "ORD-2"}
    assert figure.layout.showlegend is False


def test_order_colours_follow_the_order_rows() -> None:
    assert order_colours(PLAN) == {"ORD-2": ORDER_COLOURS[0], "ORD-1": ORDER_COLOURS[1]}


def test_every_trace_of_an_order_shares_its_legend_group_and_colour() -> None:
    bars = _traces("ORD-1", "bar")
    assert len(bars) == 3  # operations, order row, shipments
    assert {trace.marker.color for trace in (bars[0], bars[2])} == {ORDER_COLOURS[1]}
    assert bars[1].marker.color[-1] == ORDER_COLOURS[1]


def test_rows_are_orders_then_machines_then_transport_tracks() -> None:
    yaxis = gantt_figure(PLAN).layout.yaxis
    assert list(yaxis.tickvals) == list(range(8))
    assert [re.sub(r"<[^>]+>", "", label) for label in yaxis.ticktext] == [
        "ORD-2 → east",
        "ORD-1 → north",
        "Anshan · forge #1",
        "Wangjiang · lathe #1",
        "Wangjiang · press #1",
        "Wangjiang · press #2",
        "Anshan → Wangjiang",
        "Anshan → Wangjiang",
    ]
    assert list(yaxis.range) == [7.5, -0.5]


def test_figure_separates_sections_heavily_and_plants_lightly() -> None:
    shapes = gantt_figure(PLAN).layout.shapes
    assert [(shape.y0, shape.line.width) for shape in shapes] == [(1.5, 2), (2.5, 1), (5.5, 2)]


def test_late_order_rows_are_labelled_in_red() -> None:
    labels = gantt_figure(PLAN).layout.yaxis.ticktext
    assert LATE_COLOUR in labels[1]
    assert LATE_COLOUR not in labels[0]


def test_operation_bars_span_start_to_end_in_milliseconds_on_their_rows() -> None:
    (lathe,) = [trace for trace in _traces("ORD-2", "bar") if 3 in trace.y]
    assert lathe.base == ("1958-07-01 02:00:00",)
    assert lathe.x == (3 * 3_600_000,)
    assert lathe.text == ("ORD-2",)


def test_late_orders_bars_are_outlined_and_hatched_in_red() -> None:
    late, on_time = _traces("ORD-1", "bar")[0], _traces("ORD-2", "bar")[0]
    assert (late.marker.line.color, late.marker.pattern.shape) == (LATE_COLOUR, "/")
    assert on_time.marker.line.color != LATE_COLOUR
    assert on_time.marker.pattern.shape == ""


def test_order_row_shows_pale_work_span_then_solid_delivery_leg() -> None:
    row = _traces("ORD-1", "bar")[1]
    assert row.y == (1, 1)
    assert row.base == ("1958-07-01 00:00:00", "1958-07-02 06:00:00")
    assert row.x == (30 * 3_600_000, 10 * 3_600_000)
    assert row.marker.color[0].endswith(", 0.35)")


def test_shipment_bars_sit_on_their_lane_tracks() -> None:
    assert _traces("ORD-1", "bar")[2].y == (6, 7)
    assert _traces("ORD-2", "bar")[2].y == (6,)


def test_late_order_has_due_diamond_red_arrival_and_red_lateness_line() -> None:
    lateness, marks = _traces("ORD-1", "scatter")
    assert lateness.x == ("1958-07-02 12:00:00", "1958-07-02 16:00:00")
    assert lateness.line.color == LATE_COLOUR
    assert marks.x == ("1958-07-02 12:00:00", "1958-07-02 16:00:00")
    assert marks.marker.symbol == ("diamond", "circle")
    assert marks.marker.color[1] == LATE_COLOUR


def test_early_order_has_a_green_arrival_and_no_lateness_line() -> None:
    (marks,) = _traces("ORD-2", "scatter")
    assert marks.marker.color == ("#fff", ON_TIME_COLOUR)


def test_order_without_due_date_has_only_its_arrival_mark() -> None:
    assert PLAN.schedule is not None
    undated = replace(PLAN.schedule.deliveries[1], due=None)
    plan = replace(PLAN, schedule=replace(PLAN.schedule, deliveries=(undated,)))
    (marks,) = [t for t in gantt_figure(plan).data if t.type == "scatter"]
    assert marks.marker.symbol == ("circle",)


def test_work_for_an_undelivered_order_still_gets_a_colour() -> None:
    assert PLAN.schedule is not None
    plan = replace(PLAN, schedule=replace(PLAN.schedule, deliveries=PLAN.schedule.deliveries[:1]))
    assert order_colours(plan) == {"ORD-1": ORDER_COLOURS[0], "ORD-2": ORDER_COLOURS[1]}
    traces = [trace for trace in gantt_figure(plan).data if trace.legendgroup == "ORD-2"]
    assert {trace.marker.color for trace in traces} == {ORDER_COLOURS[1]}


def test_figure_time_axis_covers_the_network_start_through_the_last_arrival() -> None:
    network = replace(NETWORK, start=START - hours(24))
    xaxis = gantt_figure(PLAN, network=network).layout.xaxis
    assert tuple(xaxis.range) == ("1958-06-30 00:00:00", "1958-07-03 04:00:00")


def test_figure_escapes_labels_for_plotly_markup() -> None:
    assert PLAN.schedule is not None
    odd_lathe = replace(PLAN.schedule.operations[0], machine_id="<i>lathe</i>")
    plan = replace(PLAN, schedule=replace(PLAN.schedule, operations=(odd_lathe,)))
    figure = gantt_figure(plan, title="a <b> plan")
    assert "Wangjiang · &lt;i&gt;lathe&lt;/i&gt; #1" in figure.layout.yaxis.ticktext
    assert figure.layout.title.text == "a &lt;b&gt; plan"


def test_html_inlines_plotly_by_default_and_loads_nothing_from_the_network() -> None:
    page = gantt_html(PLAN)
    library = get_plotlyjs()
    assert library in page
    # plotly.js itself names cdn.plot.ly as the default map-data URL, never fetched for bars.
    rest = page.replace(library, "")
    assert "cdn.plot.ly" not in rest
    assert not re.search(r"<script[^>]*\bsrc=", rest)
    assert not re.search(r"""src=["']?https?:""", rest)


def test_html_can_load_plotly_from_a_file_beside_it() -> None:
    page = gantt_html(PLAN, plotlyjs_src=PLOTLYJS_FILENAME)
    assert f'<script src="{PLOTLYJS_FILENAME}"></script>' in page
    assert plotlyjs_bundle() not in page
    assert len(page) < len(plotlyjs_bundle()) / 10
    assert re.fullmatch(r"plotly-\d+\.\d+\.\d+\.min\.js", PLOTLYJS_FILENAME)


def test_html_title_names_the_network() -> None:
    page = gantt_html(PLAN, network=NETWORK, title="plan.json")
    assert "<title>Anshan &lt;steel&gt; — plan.json</title>" in page
    assert "<title>xiezuo plan</title>" in gantt_html(PLAN)


def test_html_offers_every_order_to_the_search_box() -> None:
    page = gantt_html(PLAN)
    assert '<option value="ORD-2"><option value="ORD-1">' in page
    assert 'id="gantt-search"' in page


def test_html_lists_every_order_with_its_colour_late_ones_marked() -> None:
    page = gantt_html(PLAN)
    assert (
        '<button type="button" data-order="ORD-1" class="late">'
        f'<span class="chip" style="background:{ORDER_COLOURS[1]}"></span>ORD-1</button>'
    ) in page
    assert '<button type="button" data-order="ORD-2">' in page


def test_html_gives_the_script_each_orders_summary_and_marks() -> None:
    page = gantt_html(PLAN)
    data = json.loads(re.search(r'"orders": (\{.*?\}\})\}', page).group(1))  # type: ignore[union-attr]
    assert data["ORD-1"] == {
        "summary": gantt_orders(PLAN)[1].summary,
        "search": "ord-1 gear north",
        "due": "1958-07-02 12:00:00",
        "arrival": "1958-07-02 16:00:00",
        "late": True,
    }
    assert str(DIMMED_OPACITY) in page


def test_html_keeps_plan_text_from_closing_its_script() -> None:
    assert PLAN.schedule is not None
    hostile = replace(PLAN.schedule.deliveries[1], region="</script><b>x")
    plan = replace(PLAN, schedule=replace(PLAN.schedule, deliveries=(hostile,)))
    page = gantt_html(plan, plotlyjs_src="plotly.js")
    assert page.count("</script>") == 2  # the plotly.js loader and the chart's script
    assert "<\\/script><b>x" in page


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


def test_html_of_an_empty_schedule_has_a_chart_without_rows() -> None:
    empty = replace(
        PLAN, schedule=Schedule(work_orders=(), operations=(), shipments=(), deliveries=())
    )
    assert gantt_figure(empty).data == ()
    assert gantt_range(empty) is None
    assert 'id="gantt-chart"' in gantt_html(empty, plotlyjs_src=PLOTLYJS_FILENAME)


def test_a_replan_shows_its_status_date_and_frozen_notes_by_cause() -> None:
    unfrozen = tuple(
        Explanation(
            kind="unfrozen",
            subject=f"{wo}#1",
            message=f"step 1 of {wo} leaves its frozen place: the stock it was to draw is no "
            "longer there",
        )
        for wo in ("WO-1", "WO-2", "WO-1a", "WO-1b")
    )
    replan = replace(PLAN, as_of=at(3), explanations=PLAN.explanations + unfrozen)
    page = gantt_html(replan)
    assert "Status date" in page
    assert page.count("status date") == 1  # the label on the chart's line
    assert (
        "4 frozen steps moved: the stock it was to draw is no longer there "
        "(WO-1#1, WO-2#1, WO-1a#1 and 1 more)" in page
    )
    assert "leaves its frozen place" not in page
    assert "Status date" not in gantt_html(PLAN)
