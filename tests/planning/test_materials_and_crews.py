"""Material and people as binding limits: the plan waits for them, and shows it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.conftest import ROUND_THE_CLOCK, START, at, hours
from xiezuo.domain import (
    CrewNeed,
    Item,
    Lane,
    Machine,
    Material,
    MaterialLine,
    Network,
    Operation,
    Order,
    Plan,
    Plant,
    Routing,
    Secondment,
    Staffing,
    StockLot,
    Supply,
    Training,
    validate_network,
)
from xiezuo.planning.params import PlanParams
from xiezuo.planning.solve import plan
from xiezuo.planning.validation.audit import validate_plan

FAST = PlanParams(time_limit_s=10, workers=2)


def _network(
    *,
    materials: tuple[MaterialLine, ...] = (),
    crew: tuple[CrewNeed, ...] = (),
    units: int = 1,
    orders: int = 1,
    plants: tuple[str, ...] = ("A",),
    **extra: object,
) -> Network:
    part = Item(
        id="P",
        weight_t=1,
        precision_grade=8,
        materials=materials,
        routings=(
            Routing(
                id="main",
                operations=(Operation(process="machining", run_per_unit=hours(10), crew=crew),),
            ),
        ),
    )
    machines = (
        Machine(id="lathe", process="machining", units=units, max_weight_t=5, precision_grade=6),
    )
    network = Network(
        start=START,
        calendar=ROUND_THE_CLOCK,
        processes=("machining",),
        regions=("R",),
        plants=tuple(Plant(id=p, machines=machines if p == "A" else ()) for p in plants),
        items=(part,),
        orders=tuple(Order(id=f"o{i}", region="R", item_id="P", due=at(10)) for i in range(orders)),
        lanes=(
            *(Lane(origin=p, destination="R", lead_time=timedelta(0)) for p in plants),
            *(
                Lane(origin=a, destination=b, lead_time=hours(24))
                for a in plants
                for b in plants
                if a != b
            ),
        ),
        materials=(Material(id="copper", unit="kg"),),
        skills=("turner",),
    )
    network = replace(network, **extra)  # type: ignore[arg-type]
    validate_network(network)
    return network


def _solve(network: Network) -> Plan:
    result = plan(network, FAST)
    assert result.schedule is not None
    assert validate_plan(network, result.schedule, unplanned=result.unplanned_orders) == ()
    return result


def _first_start(result: Plan) -> timedelta:
    assert result.schedule is not None
    return min(op.start for op in result.schedule.operations) - START


def test_work_waits_for_a_supply_of_material() -> None:
    needs_copper = (MaterialLine(material_id="copper", quantity=10),)
    supply = Supply(
        plant_id="A",
        material_id="copper",
        quantity=10,
        arrives=at(48),
        source="donated scrap copper",
    )
    waiting = _solve(_network(materials=needs_copper, supplies=(supply,)))
    free = _solve(_network())
    assert _first_start(free) == timedelta(0)
    assert _first_start(waiting) == hours(48)
    assert waiting.tardiness_hours == 48


def test_material_is_transferred_from_another_warehouse() -> None:
    needs_copper = (MaterialLine(material_id="copper", quantity=10),)
    stock = (StockLot(plant_id="B", material_id="copper", quantity=10),)
    result = _solve(_network(materials=needs_copper, stock=stock, plants=("A", "B")))
    assert result.schedule is not None
    (draw,) = result.schedule.material_draws
    assert (draw.origin, draw.destination, draw.quantity) == ("B", "A", 10)
    assert draw.is_transfer
    assert _first_start(result) == hours(24)


def test_order_beyond_all_material_is_unplanned_with_the_shortage() -> None:
    needs_copper = (MaterialLine(material_id="copper", quantity=10),)
    stock = (StockLot(plant_id="A", material_id="copper", quantity=15),)
    result = _solve(_network(materials=needs_copper, stock=stock, orders=2))
    assert len(result.unplanned_orders) == 1
    (note,) = [e for e in result.explanations if e.kind == "unplanned"]
    assert "short of material: copper (needs 10, 5 left" in note.message


def test_one_turner_cannot_run_two_lathes_at_once() -> None:
    crew = (CrewNeed(skill="turner", size=1),)
    staffing = (Staffing(plant_id="A", skill="turner", headcount=1),)
    limited = _solve(_network(crew=crew, staffing=staffing, units=2, orders=2))
    free = _solve(_network(units=2, orders=2))
    assert free.makespan == hours(10)
    assert limited.makespan == hours(20)


def test_secondment_lowers_capacity_from_its_start() -> None:
    crew = (CrewNeed(skill="turner", size=1),)
    staffing = (Staffing(plant_id="A", skill="turner", headcount=2),)
    away = (Secondment(plant_id="A", skill="turner", count=1, start=START, region="R"),)
    result = _solve(_network(crew=crew, staffing=staffing, secondments=away, units=2, orders=2))
    assert result.makespan == hours(20)


def test_trainees_add_capacity_when_training_ends() -> None:
    crew = (CrewNeed(skill="turner", size=1),)
    trainees = (Training(plant_id="A", skill="turner", count=1, start=START, duration=hours(30)),)
    result = _solve(_network(crew=crew, trainings=trainees))
    assert _first_start(result) == hours(30)


def _rules(network: Network, result: Plan) -> set[str]:
    assert result.schedule is not None
    return {v.rule for v in validate_plan(network, result.schedule)}


def test_validator_catches_a_missing_or_excessive_draw() -> None:
    needs_copper = (MaterialLine(material_id="copper", quantity=10),)
    stock = (StockLot(plant_id="A", material_id="copper", quantity=10),)
    network = _network(materials=needs_copper, stock=stock)
    result = _solve(network)
    assert result.schedule is not None
    (draw,) = result.schedule.material_draws
    without = replace(result, schedule=replace(result.schedule, material_draws=()))
    assert "material" in _rules(network, without)
    greedy = replace(
        result,
        schedule=replace(result.schedule, material_draws=(draw, replace(draw, step=1))),
    )
    assert "stock" in _rules(network, greedy)


def test_validator_catches_an_overbooked_crew() -> None:
    crew = (CrewNeed(skill="turner", size=1),)
    staffing = (Staffing(plant_id="A", skill="turner", headcount=1),)
    network = _network(crew=crew, staffing=staffing, units=2, orders=2)
    result = _solve(network)
    assert result.schedule is not None
    first, second = sorted(result.schedule.operations, key=lambda op: op.start)
    moved = replace(second, start=first.start, end=first.end, unit=1 - first.unit)
    together = replace(result, schedule=replace(result.schedule, operations=(first, moved)))
    assert "crew" in _rules(network, together)


def test_late_order_names_the_material_it_waited_for() -> None:
    needs_copper = (MaterialLine(material_id="copper", quantity=10),)
    supply = Supply(
        plant_id="A",
        material_id="copper",
        quantity=10,
        arrives=at(48),
        source="donated scrap copper",
    )
    result = _solve(_network(materials=needs_copper, supplies=(supply,)))
    (note,) = [e for e in result.explanations if e.kind == "late"]
    assert "waits for material: 10 kg copper for P (donated scrap copper reaching A" in note.message


def test_material_is_pooled_from_several_warehouses() -> None:
    needs_copper = (MaterialLine(material_id="copper", quantity=10),)
    stock = (
        StockLot(plant_id="A", material_id="copper", quantity=6),
        StockLot(plant_id="B", material_id="copper", quantity=6),
    )
    result = _solve(_network(materials=needs_copper, stock=stock, plants=("A", "B")))
    assert result.schedule is not None
    assert not result.unplanned_orders
    draws = result.schedule.material_draws
    assert sum(d.quantity for d in draws) == 10
    assert {d.origin for d in draws} == {"A", "B"}
    assert _first_start(result) == hours(24)  # B's share travels a day


def test_on_time_order_that_waited_for_material_is_named() -> None:
    needs_copper = (MaterialLine(material_id="copper", quantity=10),)
    supply = Supply(plant_id="A", material_id="copper", quantity=10, arrives=at(48))
    network = _network(materials=needs_copper, supplies=(supply,))
    network = replace(network, orders=(replace(network.orders[0], due=at(100)),))
    result = _solve(network)
    (note,) = [e for e in result.explanations if e.kind == "material wait"]
    assert note.subject == "o0"
    assert "10 kg copper for P (receipt reaching A" in note.message
