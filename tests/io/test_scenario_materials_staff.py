"""Materials, stock, supplies, skills, staffing, secondments, trainings and crews in files."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from xiezuo.domain import (
    CrewNeed,
    Material,
    MaterialLine,
    Network,
    Secondment,
    Staffing,
    StockLot,
    Supply,
    Training,
    explode_orders,
    validate_network,
)
from xiezuo.errors import InputError, ModelError
from xiezuo.io import load_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Line numbers in the error tests below count from the first line of this text.
SCENARIO = """\
network: {start: 1958-07-01, timezone: Asia/Shanghai}
processes: [casting, winding]
regions: [Yunnan]
plants:
  - id: P1
    machines:
      - {id: foundry, process: casting, max_weight_t: 10, precision_grade: 12}
      - {id: winders, process: winding, max_weight_t: 10, precision_grade: 9}
items:
  - id: STATOR
    weight_t: 5
    precision_grade: 9
    materials:
      - {material: pig-iron, quantity: 6}
      - {material: copper, quantity: 900, step: 2}
    operations:
      - {process: casting, run_hours_per_unit: 8, crew: [{skill: moulder, size: 3}]}
      - {process: winding, run_hours_per_unit: 40,
         crew: [{skill: fitter, size: 2}, {skill: turner, size: 1}]}
orders:
  - {id: YN-1, region: Yunnan, item: STATOR, quantity: 2}
lanes:
  - {from: P1, to: Yunnan, lead_days: 8}
materials:
  - {id: copper, name: Copper wire, unit: kg}
  - {id: pig-iron, unit: t}
stock:
  - {plant: P1, material: copper, quantity: 500}
  - {plant: P1, material: pig-iron, quantity: 12}
supplies:
  - {plant: P1, material: copper, quantity: 1300, arrives: 1958-08-12}
  - {plant: P1, material: copper, quantity: 200, arrives: "1958-07-20T14:00",
     source: donated scrap copper}
skills: [turner, moulder, fitter]
staffing:
  - {plant: P1, skill: turner, headcount: 4}
  - {plant: P1, skill: moulder, headcount: 6}
  - {plant: P1, skill: fitter, headcount: 5}
secondments:
  - {plant: P1, skill: turner, count: 2, start: 1958-08-01, end: 1958-09-30, region: Yunnan}
  - {plant: P1, skill: moulder, count: 1, start: "1958-07-15T06:00"}
trainings:
  - {plant: P1, skill: fitter, count: 3, start: 1958-07-07, duration_days: 42, trainers: 1}
  - {plant: P1, skill: turner, count: 2, start: 1958-07-14, duration_days: 28.5,
     trainers: 1, trainer_skill: fitter}
"""


def load(tmp_path: Path, *edits: tuple[str, str]) -> Network:
    """Load ``SCENARIO`` from ``scenario.yaml`` after replacing each ``(old, new)`` once."""
    text = SCENARIO
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


@pytest.fixture
def network(tmp_path: Path) -> Network:
    return load(tmp_path)


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(1958, month, day, hour, tzinfo=SHANGHAI)


# ---- each field becomes the right domain objects -------------------------------------


def test_materials_keep_their_units(network: Network) -> None:
    assert network.materials == (
        Material(id="copper", name="Copper wire", unit="kg"),
        Material(id="pig-iron", unit="t"),
    )


def test_item_material_lines_are_taken_at_the_work_order_or_a_step(network: Network) -> None:
    assert network.item_by_id["STATOR"].materials == (
        MaterialLine(material_id="pig-iron", quantity=6),
        MaterialLine(material_id="copper", quantity=900, step=2),
    )


def test_stock_is_per_plant_and_material(network: Network) -> None:
    assert network.stock == (
        StockLot(plant_id="P1", material_id="copper", quantity=500),
        StockLot(plant_id="P1", material_id="pig-iron", quantity=12),
    )


def test_supply_arrives_at_midnight_of_a_date_and_defaults_to_a_receipt(
    network: Network,
) -> None:
    assert network.supplies[0] == Supply(
        plant_id="P1",
        material_id="copper",
        quantity=1300,
        arrives=at(8, 12),
        source="receipt",
    )


def test_supply_keeps_its_time_and_source(network: Network) -> None:
    supply = network.supplies[1]
    assert (supply.arrives, supply.source) == (at(7, 20, 14), "donated scrap copper")


def test_skills_and_staffing_are_read(network: Network) -> None:
    assert network.skills == ("turner", "moulder", "fitter")
    assert network.staffing[0] == Staffing(plant_id="P1", skill="turner", headcount=4)


def test_operation_crews_are_read(network: Network) -> None:
    casting, winding = network.item_by_id["STATOR"].routings[0].operations
    assert casting.crew == (CrewNeed(skill="moulder", size=3),)
    assert winding.crew == (CrewNeed(skill="fitter", size=2), CrewNeed(skill="turner", size=1))


def test_secondment_with_a_date_end_lasts_to_the_end_of_that_day(network: Network) -> None:
    assert network.secondments[0] == Secondment(
        plant_id="P1",
        skill="turner",
        count=2,
        start=at(8, 1),
        end=at(10, 1),
        region="Yunnan",
    )


def test_secondment_without_an_end_is_for_good(network: Network) -> None:
    secondment = network.secondments[1]
    assert (secondment.start, secondment.end, secondment.region) == (at(7, 15, 6), None, "")


def test_training_duration_is_in_days_and_trainers_teach_their_own_skill(
    network: Network,
) -> None:
    assert network.trainings[0] == Training(
        plant_id="P1",
        skill="fitter",
        count=3,
        start=at(7, 7),
        duration=timedelta(days=42),
        trainer_skill="fitter",
        trainers=1,
    )


def test_training_may_name_another_trainer_skill(network: Network) -> None:
    training = network.trainings[1]
    assert training.duration == timedelta(days=28, hours=12)
    assert (training.trainer_skill, training.trainers) == ("fitter", 1)


def test_staff_capacity_follows_secondments_and_trainings(network: Network) -> None:
    assert network.staff_capacity("P1", "turner") == (
        (at(7, 1), 4),
        (at(8, 1), 2),
        (at(8, 11, 12), 4),
        (at(10, 1), 6),
    )


def test_a_training_without_trainers_needs_no_trainer_skill(tmp_path: Path) -> None:
    network = load(tmp_path, ("duration_days: 42, trainers: 1}", "duration_days: 42}"))
    assert (network.trainings[0].trainer_skill, network.trainings[0].trainers) == (None, 0)


# ---- the bundled example ---------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Network:
    return load_scenario(EXAMPLE)


def test_example_validates_with_materials_and_staff(example: Network) -> None:
    validate_network(example)
    assert {m.id for m in example.materials} == {"steel-plate", "steel-bar", "copper", "pig-iron"}
    assert example.stock
    assert example.supplies
    assert example.secondments
    assert example.trainings
    assert {s.plant_id for s in example.secondments} == {"CIS", "CTS"}
    assert {s.region for s in example.secondments} == {"Yunnan", "Guizhou"}


def test_example_has_one_off_supplies_besides_receipts(example: Network) -> None:
    sources = {s.source for s in example.supplies}
    assert "receipt" in sources
    assert "found when the warehouse was cleared" in sources
    assert any("scrap copper" in source for source in sources)


def test_example_material_is_short_at_the_start_but_enough_in_the_end(example: Network) -> None:
    need: Counter[str] = Counter()
    for wo in explode_orders(example):
        for line in example.item_by_id[wo.item_id].materials:
            need[line.material_id] += line.quantity * wo.quantity
    stock = Counter({m.id: 0 for m in example.materials})
    for lot in example.stock:
        stock[lot.material_id] += lot.quantity
    supplied = Counter(stock)
    for supply in example.supplies:
        supplied[supply.material_id] += supply.quantity
    for material in example.materials:
        assert stock[material.id] < need[material.id] <= supplied[material.id], material.id


def test_example_mills_are_drawn_before_anything_is_made(example: Network) -> None:
    for mill in ("MILL-10K", "MILL-50K"):
        (design,) = [line for line in example.item_by_id[mill].bom if line.is_design]
        (drawing,) = example.item_by_id[design.item_id].routings[0].operations
        assert drawing.is_staff_only
        assert CrewNeed(skill="draughtsman", size=2) in drawing.crew


def test_example_staff_never_falls_below_zero(example: Network) -> None:
    for plant in example.plants:
        for skill in example.skills:
            assert all(level >= 0 for _, level in example.staff_capacity(plant.id, skill))


# ---- bad input names the file, the entity path and the cause ---------------------------


def test_negative_stock_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"scenario\.yaml: stock\[0\]\.quantity \(line 28\): "
        r".*greater than or equal to 0 \(got -500\)",
    ):
        load(tmp_path, ("copper, quantity: 500", "copper, quantity: -500"))


def test_material_that_is_never_defined_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"scenario\.yaml: items\[0\]\.materials\[1\]\.material \(line 15\): "
        r"unknown material 'coper'; did you mean 'copper'\?",
    ):
        load(tmp_path, ("{material: copper, quantity: 900", "{material: coper, quantity: 900"))


def test_stock_of_an_undefined_material_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"stock\[1\]\.material \(line 29\): unknown material 'tin'; "
        r"declare it under materials",
    ):
        load(tmp_path, ("material: pig-iron, quantity: 12", "material: tin, quantity: 12"))


def test_secondment_of_more_people_than_the_plant_has_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        ModelError,
        match=r"scenario\.yaml: secondments\[0\] \(line 40\): plant 'P1' would have -2 "
        r"people of skill 'turner' from 1958-08-01 00:00: more people are seconded",
    ):
        load(tmp_path, ("turner, count: 2, start", "turner, count: 6, start"))


def test_trainers_that_leave_too_few_people_point_at_the_training(tmp_path: Path) -> None:
    with pytest.raises(
        ModelError,
        match=r"trainings\[0\] \(line 43\): plant 'P1' would have -1 people of skill "
        r"'fitter' from 1958-07-14",
    ):
        load(tmp_path, ("duration_days: 42, trainers: 1}", "duration_days: 42, trainers: 5}"))


def test_training_that_ends_before_it_starts_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"scenario\.yaml: trainings\[0\]\.duration_days \(line 43\): "
        r"a training must end after it starts: duration_days must be more than 0, not -7",
    ):
        load(tmp_path, ("duration_days: 42", "duration_days: -7"))


def test_training_of_no_days_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"trainings\[0\]\.duration_days .*not 0$"):
        load(tmp_path, ("duration_days: 42", "duration_days: 0"))


def test_secondment_that_ends_before_it_starts_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"secondments\[0\] \(line 40\): secondment of 'turner' from plant 'P1': "
        r"the secondment must end after it starts",
    ):
        load(tmp_path, ("end: 1958-09-30", "end: 1958-07-30"))


def test_unknown_skill_in_staffing_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"staffing\[0\]\.skill \(line 36\): unknown skill 'tuner'; did you mean 'turner'\?",
    ):
        load(tmp_path, ("skill: turner, headcount", "skill: tuner, headcount"))


def test_unknown_crew_skill_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"items\[0\]\.operations\[0\]\.crew\[0\]\.skill \(line 17\): "
        r"unknown skill 'smith'; declare it under skills",
    ):
        load(tmp_path, ("{skill: moulder, size: 3}", "{skill: smith, size: 3}"))


def test_unknown_trainer_skill_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"trainings\[1\]\.trainer_skill \(line 45\): unknown skill 'welder'"
    ):
        load(tmp_path, ("trainer_skill: fitter", "trainer_skill: welder"))


def test_unknown_plant_of_a_supply_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"scenario\.yaml: supplies\[0\]\.plant \(line 31\): unknown plant 'P9'; "
        r"declare it under plants",
    ):
        load(
            tmp_path,
            (
                "{plant: P1, material: copper, quantity: 1300",
                "{plant: P9, material: copper, quantity: 1300",
            ),
        )


def test_unknown_plant_of_a_secondment_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"secondments\[1\]\.plant \(line 41\): unknown plant 'X'"):
        load(
            tmp_path,
            ("{plant: P1, skill: moulder, count: 1", "{plant: X, skill: moulder, count: 1"),
        )


def test_unknown_secondment_region_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"secondments\[0\]\.region \(line 40\): unknown region 'Yunan'"
    ):
        load(tmp_path, ("region: Yunnan}", "region: Yunan}"))


def test_stock_given_twice_names_both_entries(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"stock\[1\] \(line 29\): stock of 'copper' at plant 'P1' is already given at "
        r"stock\[0\] \(line 28\); add the quantities",
    ):
        load(tmp_path, ("material: pig-iron, quantity: 12", "material: copper, quantity: 12"))


def test_material_taken_at_a_step_the_routing_lacks_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(
        ModelError,
        match=r"scenario\.yaml: items\[0\]\.materials\[1\] \(line 15\): item 'STATOR': "
        r"material 'copper' is taken at step 3, but a routing has only 2 steps",
    ):
        load(tmp_path, ("quantity: 900, step: 2", "quantity: 900, step: 3"))


def test_material_without_a_unit_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"materials\[1\]\.unit \(line 26\): the required field 'unit'"
    ):
        load(tmp_path, ("{id: pig-iron, unit: t}", "{id: pig-iron}"))


def test_zero_crew_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"operations\[0\]\.crew\[0\]\.size \(line 17\): .*greater than or"
    ):
        load(tmp_path, ("{skill: moulder, size: 3}", "{skill: moulder, size: 0}"))
