"""Variant files: each change edits the base network as stated; bad changes fail located."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from xiezuo.domain import Machine, Network, Order, Secondment
from xiezuo.errors import InputError, ModelError
from xiezuo.io import load_scenario
from xiezuo.io.variant import (
    is_variant_file,
    load_variant,
    render_variant_json_schema,
    variant_json_schema,
)

EXAMPLES = Path(__file__).parents[2] / "examples"
EXAMPLE = EXAMPLES / "chongqing-1958.yaml"
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def base() -> Network:
    return load_scenario(EXAMPLE)


def day(text: str, hour: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(hour=hour, tzinfo=ZONE)


def write_variant(tmp_path: Path, *changes: dict[str, Any], name: str = "v.yaml") -> Path:
    path = tmp_path / name
    data = {"base": str(EXAMPLE), "name": "what if", "changes": list(changes)}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def apply(tmp_path: Path, *changes: dict[str, Any]) -> Network:
    network, _ = load_variant(write_variant(tmp_path, *changes))
    return network


def with_order(network: Network, order_id: str, **fields: Any) -> Network:
    orders = tuple(replace(o, **fields) if o.id == order_id else o for o in network.orders)
    return replace(network, orders=orders)


def with_machine(network: Network, plant_id: str, machine: Machine | None, old_id: str) -> Network:
    """``network`` with machine ``old_id`` of the plant replaced (or removed when None)."""
    plants = []
    for plant in network.plants:
        if plant.id == plant_id:
            machines = [m for m in plant.machines if m.id != old_id or machine is not None]
            machines = [machine if m.id == old_id and machine else m for m in machines]
            plant = replace(plant, machines=tuple(machines))
        plants.append(plant)
    return replace(network, plants=tuple(plants))


def machine_of(network: Network, plant_id: str, machine_id: str) -> Machine:
    plant = next(p for p in network.plants if p.id == plant_id)
    return next(m for m in plant.machines if m.id == machine_id)


# -- each change kind edits exactly what it says ---------------------------------------


def test_set_order_changes_due_priority_and_quantity(tmp_path: Path, base: Network) -> None:
    change = {"change": "set_order", "order": "YN-MILL-01", "due": "1958-08-31"}
    got = apply(tmp_path, {**change, "priority": 3, "quantity": 2})
    assert got == with_order(base, "YN-MILL-01", due=day("1958-09-01"), priority=3, quantity=2)


def test_add_order_appends_it(tmp_path: Path, base: Network) -> None:
    new = {"id": "YN-MILL-09", "region": "Yunnan", "item": "MILL-10K", "due": "1958-12-20"}
    got = apply(tmp_path, {"change": "add_order", "order": new})
    order = Order(id="YN-MILL-09", region="Yunnan", item_id="MILL-10K", due=day("1958-12-21"))
    assert got == replace(base, orders=(*base.orders, order))


def test_cancel_order_drops_it(tmp_path: Path, base: Network) -> None:
    got = apply(tmp_path, {"change": "cancel_order", "order": "GZ-EAF-02"})
    assert got == replace(base, orders=tuple(o for o in base.orders if o.id != "GZ-EAF-02"))


def test_add_machine_adds_a_shed_from_a_date(tmp_path: Path, base: Network) -> None:
    shed = {"id": "shed", "process": "machining", "units": 2, "max_weight_t": 20}
    shed |= {"precision_grade": 9, "available_from": "1958-09-01"}
    got = apply(tmp_path, {"change": "add_machine", "plant": "CTS", "machine": shed})
    added = Machine(
        id="shed",
        process="machining",
        units=2,
        max_weight_t=20,
        precision_grade=9,
        available_from=day("1958-09-01"),
    )
    plants = tuple(
        replace(p, machines=(*p.machines, added)) if p.id == "CTS" else p for p in base.plants
    )
    assert got == replace(base, plants=plants)


def test_add_units_enlarges_the_group(tmp_path: Path, base: Network) -> None:
    got = apply(tmp_path, {"change": "add_units", "plant": "WJ", "machine": "lathes", "units": 2})
    lathes = machine_of(base, "WJ", "lathes")
    assert got == with_machine(base, "WJ", replace(lathes, units=lathes.units + 2), "lathes")


def test_set_machine_closes_a_group_from_a_date(tmp_path: Path, base: Network) -> None:
    change = {"change": "set_machine", "plant": "CTS", "machine": "foundry"}
    got = apply(tmp_path, change | {"available_until": "1958-10-31"})
    foundry = replace(machine_of(base, "CTS", "foundry"), available_until=day("1958-11-01"))
    assert got == with_machine(base, "CTS", foundry, "foundry")


def test_delay_machine_moves_available_from(tmp_path: Path, base: Network) -> None:
    change = {"change": "delay_machine", "plant": "CAC", "machine": "heavy-borer", "days": 14}
    got = apply(tmp_path, change)
    borer = machine_of(base, "CAC", "heavy-borer")
    assert borer.available_from == day("1958-08-18")
    moved = replace(borer, available_from=day("1958-09-01"))
    assert got == with_machine(base, "CAC", moved, "heavy-borer")


def test_delay_machine_without_a_date_counts_from_the_start(tmp_path: Path, base: Network) -> None:
    change = {"change": "delay_machine", "plant": "CIS", "machine": "press", "days": 14}
    got = apply(tmp_path, change)
    press = replace(machine_of(base, "CIS", "press"), available_from=day("1958-07-15"))
    assert got == with_machine(base, "CIS", press, "press")


def test_remove_machine_drops_the_group(tmp_path: Path, base: Network) -> None:
    got = apply(tmp_path, {"change": "remove_machine", "plant": "CMT", "machine": "hobbers"})
    assert got == with_machine(base, "CMT", None, "hobbers")


@pytest.mark.parametrize(
    ("name", "moved"),
    [
        pytest.param({"index": 5}, {"delay_days": 7}, id="by index, moved by days"),
        pytest.param(
            {"plant": "CAC", "material": "copper", "arrives": "1958-08-18"},
            {"new_arrives": "1958-08-25"},
            id="by plant, material and arrival, to a date",
        ),
    ],
)
def test_change_supply_moves_its_arrival(
    tmp_path: Path, base: Network, name: dict[str, object], moved: dict[str, object]
) -> None:
    got = apply(tmp_path, {"change": "change_supply", **name, **moved})
    supplies = list(base.supplies)
    assert (supplies[5].plant_id, supplies[5].arrives) == ("CAC", day("1958-08-18"))
    supplies[5] = replace(supplies[5], arrives=day("1958-08-25"))
    assert got == replace(base, supplies=tuple(supplies))


def test_change_supply_by_plant_and_material_alone_when_unique(
    tmp_path: Path, base: Network
) -> None:
    change = {"change": "change_supply", "plant": "CMT", "material": "copper", "quantity": 900}
    got = apply(tmp_path, change)
    supplies = [
        replace(s, quantity=900) if (s.plant_id, s.material_id) == ("CMT", "copper") else s
        for s in base.supplies
    ]
    assert got == replace(base, supplies=tuple(supplies))


def test_add_secondment_appends_it(tmp_path: Path, base: Network) -> None:
    sent = {"plant": "CMT", "skill": "turner", "count": 2, "start": "1958-08-01"}
    got = apply(tmp_path, {"change": "add_secondment", "secondment": sent})
    added = Secondment(plant_id="CMT", skill="turner", count=2, start=day("1958-08-01"))
    assert got == replace(base, secondments=(*base.secondments, added))


def test_cancel_secondment_drops_it(tmp_path: Path, base: Network) -> None:
    change = {"change": "cancel_secondment", "plant": "CIS", "skill": "turner"}
    got = apply(tmp_path, change)
    kept = tuple(s for s in base.secondments if (s.plant_id, s.skill) != ("CIS", "turner"))
    assert len(kept) == len(base.secondments) - 1
    assert got == replace(base, secondments=kept)


def test_move_secondment_moves_start_and_end(tmp_path: Path, base: Network) -> None:
    got = apply(tmp_path, {"change": "move_secondment", "index": 1, "delay_days": 10})
    secondments = list(base.secondments)
    moved = secondments[1]
    assert moved.end is not None
    secondments[1] = replace(
        moved, start=moved.start + timedelta(days=10), end=moved.end + timedelta(days=10)
    )
    assert got == replace(base, secondments=tuple(secondments))


def test_set_lane_changes_both_directions(tmp_path: Path, base: Network) -> None:
    got = apply(tmp_path, {"change": "set_lane", "from": "CAC", "to": "CMT", "lead_days": 3})
    lanes = tuple(
        replace(lane, lead_time=timedelta(days=3))
        if {lane.origin, lane.destination} == {"CMT", "CAC"}
        else lane
        for lane in base.lanes
    )
    assert sum(lane != old for lane, old in zip(lanes, base.lanes, strict=True)) == 2
    assert got == replace(base, lanes=lanes)


def test_changes_apply_in_order(tmp_path: Path, base: Network) -> None:
    first = {"change": "set_order", "order": "YN-MILL-01", "due": "1958-08-31"}
    second = {"change": "set_order", "order": "YN-MILL-01", "due": "1958-08-15"}
    assert apply(tmp_path, first, second) == with_order(base, "YN-MILL-01", due=day("1958-08-16"))


def test_info_names_the_base_and_describes_each_change(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path,
        {"change": "set_order", "order": "YN-MILL-01", "due": "1958-08-31"},
        {"change": "cancel_order", "order": "GZ-EAF-02"},
    )
    _, info = load_variant(path)
    assert (info.name, info.base) == ("what if", EXAMPLE)
    assert info.changes == ("order YN-MILL-01: due 1958-08-31", "order GZ-EAF-02 cancelled")


def test_the_examples_load_with_their_edit(base: Network) -> None:
    mill, _ = load_variant(EXAMPLES / "variants" / "mill-1-august.yaml")
    assert mill == with_order(base, "YN-MILL-01", due=day("1958-09-01"))
    borer, info = load_variant(EXAMPLES / "variants" / "cac-borer-late.yaml")
    assert machine_of(borer, "CAC", "heavy-borer").available_from == day("1958-09-01")
    assert info.base == EXAMPLE


def test_the_docs_examples_load(tmp_path: Path) -> None:
    """Every YAML example of docs/variants.md loads, its base found beside the examples."""
    text = (EXAMPLES.parent / "docs" / "variants.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 2
    variants = tmp_path / "variants"
    variants.mkdir()
    (tmp_path / EXAMPLE.name).write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for idx, block in enumerate(blocks):
        path = variants / f"doc-{idx}.yaml"
        path.write_text(block, encoding="utf-8")
        _, info = load_variant(path)
        assert len(info.changes) == block.count("change:")


def test_a_variant_may_build_on_a_variant(tmp_path: Path, base: Network) -> None:
    inner = write_variant(tmp_path, {"change": "cancel_order", "order": "GZ-EAF-02"})
    outer = tmp_path / "outer.yaml"
    outer.write_text(
        "base: v.yaml\nchanges:\n  - {change: set_order, order: YN-MILL-01, priority: 2}\n",
        encoding="utf-8",
    )
    network, info = load_variant(outer)
    expected = with_order(base, "YN-MILL-01", priority=2)
    expected = replace(expected, orders=tuple(o for o in expected.orders if o.id != "GZ-EAF-02"))
    assert network == expected
    assert (info.name, info.base) == ("outer", inner)


def test_is_variant_file_tells_variants_from_scenarios(tmp_path: Path) -> None:
    assert is_variant_file(write_variant(tmp_path, {"change": "cancel_order", "order": "X"}))
    assert not is_variant_file(EXAMPLE)


def test_json_schema_lists_every_change_kind() -> None:
    schema = variant_json_schema()
    kinds = {
        entry["properties"]["change"]["const"]
        for entry in schema["$defs"].values()
        if "change" in entry.get("properties", {})
    }
    assert len(kinds) == 17


def test_committed_json_schema_is_current() -> None:
    """If this fails, rewrite it as render_variant_json_schema's docstring says."""
    committed = (EXAMPLES.parent / "docs" / "variant.schema.json").read_text(encoding="utf-8")
    assert committed == render_variant_json_schema()


# -- bad changes fail once, at the change ----------------------------------------------

BAD_CHANGES = [
    pytest.param(
        {"change": "set_order", "order": "YN-MILL-1", "due": "1958-08-31"},
        r"v\.yaml: changes\[1\]\.order \(line \d+\): the base has no order 'YN-MILL-1'; "
        r"did you mean 'YN-MILL-01'\?",
        id="unknown order",
    ),
    pytest.param(
        {"change": "set_order", "order": "YN-MILL-01", "due": "end of August"},
        r"changes\[1\]\.due \(line \d+\): expected a date like 1958-07-01",
        id="bad date",
    ),
    pytest.param(
        {"change": "set_order", "order": "YN-MILL-01"},
        r"changes\[1\] \(line \d+\): give at least one of due, priority, quantity, release, "
        r"due_ex_works, deadline, group",
        id="set_order changing nothing",
    ),
    pytest.param(
        {"change": "set_order", "order": "YN-MILL-01", "quantity": 0},
        r"changes\[1\]\.quantity \(line \d+\): Input should be greater than or equal to 1",
        id="quantity out of range",
    ),
    pytest.param(
        {"change": "set_ordr", "order": "YN-MILL-01"},
        r"changes\[1\] \(line \d+\): unknown change 'set_ordr'; did you mean 'set_order'\?",
        id="unknown change kind",
    ),
    pytest.param(
        {"change": "cancel_order", "order": "YN-MILL-01", "reason": "x"},
        r"changes\[1\]\.reason \(line \d+\): unknown field 'reason' \(expected one of: "
        r"change, order\)",
        id="unknown field",
    ),
    pytest.param(
        {"change": "add_order", "order": {"id": "YN-MILL-01", "region": "Yunnan", "item": "X"}},
        r"changes\[1\]\.order\.id \(line \d+\): order 'YN-MILL-01' is already in the base",
        id="added order already there",
    ),
    pytest.param(
        {"change": "add_order", "order": {"id": "NEW", "region": "Yunnan", "item": "MILL-1K"}},
        r"changes\[1\] \(line \d+\): unknown item 'MILL-1K'; did you mean 'MILL-10K'\?.* "
        r"\(with this change, at orders\[44\]\.item of the merged scenario\)",
        id="added order of an unknown item",
    ),
    pytest.param(
        {"change": "delay_machine", "plant": "CAC", "machine": "borer", "days": 14},
        r"changes\[1\]\.machine \(line \d+\): the base has no machine group at CAC 'borer'; "
        r"did you mean 'heavy-borer'\?",
        id="unknown machine",
    ),
    pytest.param(
        {"change": "add_units", "plant": "CQ", "machine": "lathes", "units": 1},
        r"changes\[1\]\.plant \(line \d+\): the base has no plant 'CQ'",
        id="unknown plant",
    ),
    pytest.param(
        {"change": "set_machine", "plant": "CAC", "machine": "heavy-borer"}
        | {"available_until": "1958-08-01"},
        r"changes\[1\] \(line \d+\): .*available.* \(with this change, at "
        r"plants\[2\]\.machines\[0\] of the merged scenario\)",
        id="closed before it opens",
    ),
    pytest.param(
        {"change": "change_supply", "plant": "CAC", "material": "copper", "quantity": 5},
        r"changes\[1\] \(line \d+\): 6 supplies have plant 'CAC' material 'copper' "
        r"\(arrives 1958-07-08, .*\); give arrives",
        id="supply named ambiguously",
    ),
    pytest.param(
        {"change": "change_supply", "plant": "CAC", "material": "copper"}
        | {"arrives": "1958-07-09", "quantity": 5},
        r"changes\[1\]\.arrives \(line \d+\): no supply with plant 'CAC' material 'copper' "
        r"has arrives 1958-07-09",
        id="supply with no such arrival",
    ),
    pytest.param(
        {"change": "change_supply", "index": 99, "quantity": 5},
        r"changes\[1\]\.index \(line \d+\): there is no supply 99: the base has 30 supplies",
        id="supply index out of range",
    ),
    pytest.param(
        {"change": "change_supply", "index": 0, "plant": "WJ", "quantity": 5},
        r"changes\[1\] \(line \d+\): name it by index, or by plant and material",
        id="supply named two ways",
    ),
    pytest.param(
        {"change": "change_supply", "index": 0, "delay_days": 3, "new_arrives": "1958-07-09"},
        r"changes\[1\] \(line \d+\): delay_days moves by days; give it or new_arrives, "
        r"not both",
        id="supply moved two ways",
    ),
    pytest.param(
        {"change": "change_supply", "index": 0, "delay_days": 4000},
        r"changes\[1\]\.delay_days \(line \d+\): Input should be less than or equal to 3653",
        id="supply moved too far",
    ),
    pytest.param(
        {"change": "move_secondment", "plant": "CMT", "skill": "turner", "delay_days": 3},
        r"changes\[1\] \(line \d+\): no secondment in the base has plant 'CMT' skill 'turner'",
        id="unknown secondment",
    ),
    pytest.param(
        {"change": "move_secondment", "index": 1, "new_end": "1958-07-01"},
        r"changes\[1\] \(line \d+\): .*end.* \(with this change, at secondments\[1\]",
        id="secondment back before it leaves",
    ),
    pytest.param(
        {"change": "set_lane", "from": "CMT", "to": "Tibet", "lead_days": 3},
        r"changes\[1\] \(line \d+\): the base has no lane from 'CMT' to 'Tibet'",
        id="unknown lane",
    ),
    pytest.param(
        {"change": "set_lane", "from": "CMT", "to": "WJ", "lead_days": -1},
        r"changes\[1\]\.lead_days \(line \d+\): Input should be greater than or equal to 0",
        id="negative lead time",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_CHANGES)
def test_a_bad_change_is_refused_at_the_change(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    harmless = {"change": "set_order", "order": "GZ-EAF-02", "priority": 6}
    with pytest.raises(InputError, match=message):
        load_variant(write_variant(tmp_path, harmless, change))


def test_a_rule_broken_where_no_change_touched_says_so(tmp_path: Path) -> None:
    """Four more CIS turners away leave -1 at work; the rule names the base's secondment."""
    sent = {"plant": "CIS", "skill": "turner", "count": 4, "start": "1958-08-01"}
    path = write_variant(tmp_path, {"change": "add_secondment", "secondment": sent})
    with pytest.raises(
        ModelError,
        match=r"v\.yaml: with the changes applied, secondments\[2\]: plant 'CIS' would "
        r"have -1 people of skill 'turner'",
    ):
        load_variant(path)


def test_errors_of_the_base_name_the_base_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("due: 1958-07-31", "due: July"),
        encoding="utf-8",
    )
    variant = tmp_path / "v.yaml"
    variant.write_text("base: broken.yaml\nchanges: [{change: cancel_order, order: X}]\n")
    with pytest.raises(InputError, match=r"broken\.yaml: orders\[0\]\.due \(line \d+\)"):
        load_variant(variant)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "base: nowhere.yaml\nchanges: [{change: cancel_order, order: X}]\n",
            r"v\.yaml: base \(line 1\): the base scenario 'nowhere\.yaml' does not exist",
            id="missing base",
        ),
        pytest.param(
            "base: v.yaml\nchanges: [{change: cancel_order, order: X}]\n",
            r"v\.yaml: base \(line 1\): the bases form a cycle",
            id="base is itself",
        ),
        pytest.param(
            "base: x.yaml\nchanges: []\n",
            r"v\.yaml: changes \(line 2\): List should have at least 1 item",
            id="no changes",
        ),
        pytest.param(
            "base: x.yaml\nchanges: [{order: X}]\n",
            r"changes\[0\] \(line 2\): the required field 'change' is missing",
            id="change kind missing",
        ),
        pytest.param(
            "bsae: x.yaml\nchanges: [{change: cancel_order, order: X}]\n",
            r"v\.yaml: bsae \(line 1\): unknown field 'bsae'; did you mean 'base'\?",
            id="misspelt base",
        ),
    ],
)
def test_a_bad_variant_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_variant(path)


def test_a_chain_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "v0.yaml").write_text(
        f"base: {EXAMPLE}\nchanges: [{{change: cancel_order, order: GZ-EAF-02}}]\n"
    )
    for level in range(1, 5):
        (tmp_path / f"v{level}.yaml").write_text(
            f"base: v{level - 1}.yaml\n"
            "changes: [{change: set_order, order: YN-MILL-01, priority: 2}]\n"
        )
    load_variant(tmp_path / "v3.yaml")
    with pytest.raises(InputError, match=r"stacked more than 4 deep"):
        load_variant(tmp_path / "v4.yaml")


def test_a_variant_sets_an_orders_deadline_ex_works_date_and_group(tmp_path: Path) -> None:
    """Dates alone mean the end of that day, as in the scenario."""
    network = apply(
        tmp_path,
        {
            "change": "set_order",
            "order": "YN-MILL-01",
            "deadline": "1958-08-05",
            "due_ex_works": "1958-07-28T12:00",
            "group": "YN-STEELWORKS",
        },
    )
    order = next(o for o in network.orders if o.id == "YN-MILL-01")
    assert order.deadline == day("1958-08-06")
    assert order.due_ex_works == day("1958-07-28", hour=12)
    assert order.group == "YN-STEELWORKS"
