"""``xiezuo gaps`` as a use case: a scenario file's capability gaps, each with the
smallest fix in numbers, in the words the terminal, the page and the JSON share."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from xiezuo.planning.analysis.gaps import find_gaps
from xiezuo.services import display
from xiezuo.services.planning import load_network

if TYPE_CHECKING:
    from datetime import date, tzinfo
    from pathlib import Path

    from xiezuo.domain import Network
    from xiezuo.planning.analysis.gaps import (
        Gaps,
        LeverFix,
        MissingItem,
        MonthLoad,
        PlantReach,
        SinglePlantItem,
    )

GAPS_FORMAT = 1
"""Version of the ``--json`` document; raised when a key changes meaning."""


def gaps_of_file(path: Path, fmt: str | None = None) -> tuple[Network, Gaps]:
    """Load and validate a scenario file (or benchmark instance) and find its gaps.

    Raises
    ------
    InputError, ModelError
        The file cannot be read or breaks a rule of the network.
    """
    network = load_network(path, fmt)
    return network, find_gaps(network)


def month_label(month: date) -> str:
    """``1958-08``."""
    return f"{month:%Y-%m}"


def units_short(units: float | None) -> str:
    """``1.4``: units short rounded *up* to a tenth, so that many close the gap."""
    if units is None:
        return display.NONE
    return f"{math.ceil(units * 10 - 1e-9) / 10:.1f}"


def units_needed(units: float | None) -> str:
    """``1.4 more units``."""
    if units is None:
        return "more hours (no unit of the class works that month)"
    figure = units_short(units)
    return f"{figure} more unit{'' if figure == '1.0' else 's'}"


def overload_fix(load: MonthLoad) -> str:
    """``1.4 more units of machining ≥ 50 t in 1958-08``."""
    units = units_needed(load.units_short)
    return f"{units} of {load.weight_class.label} in {month_label(load.month)}"


def reach_text(reach: PlantReach) -> str:
    """``CAC lacks step 1: casting for 32 t at IT13 or finer``."""
    return f"{reach.plant_id} lacks {'; '.join(step.text for step in reach.missing_steps)}"


def reach_brief(reach: PlantReach) -> str:
    """``CAC: casting 32 t IT13``, ``+2 steps`` when more are missing: for narrow tables."""
    first = reach.missing_steps[0]
    brief = f"{reach.plant_id}: {first.process} {first.weight_t:g} t IT{first.precision_grade}"
    more = len(reach.missing_steps) - 1
    return f"{brief} +{display.plural(more, 'step')}" if more else brief


def lever_text(fix: LeverFix | None, zone: tzinfo | None) -> str:
    """``shed CMT-SHED at CMT from 1958-07-21, cost 80,000 (adds 320.0 h)``, or ``–``."""
    if fix is None:
        return display.NONE
    added = "" if fix.added_h is None else f" (adds {display.hours(fix.added_h)})"
    return (
        f"shed {fix.lever_id} at {fix.plant_id} from "
        f"{display.instants([fix.usable_from], zone)[0]}, cost {fix.cost:,.0f}{added}"
    )


def missing_fix(missing: MissingItem) -> str:
    """A plant able to make the item, and the plant nearest to it."""
    if not missing.closest:
        return f"a plant able to make {missing.item_id}"
    return f"a plant able to make {missing.item_id}; nearest: {reach_text(missing.closest[0])}"


def single_fix(single: SinglePlantItem) -> str:
    """A second plant, and the one nearest to it."""
    wanted = f"a second plant able to make {single.item_id}"
    if not single.closest:
        return f"{wanted}; the network has no other plant"
    return f"{wanted}; nearest: {reach_text(single.closest[0])}"


def summary(network: Network, gaps: Gaps) -> str:
    """One sentence on the horizon, the work and what was found."""
    span = (
        month_label(gaps.months[0])
        if len(gaps.months) == 1
        else f"{month_label(gaps.months[0])} to {month_label(gaps.months[-1])}"
    )
    over = gaps.overloads
    orders = display.plural(len(network.orders), "order")
    if gaps.not_counted:
        orders += f" ({len(gaps.not_counted)} not counted)"
    verb = "needs" if len(network.orders) == 1 else "need"
    worst = f" (worst: {overload_fix(over[0])})." if over else "."
    return (
        f"{orders} {verb} {display.hours(gaps.total_work_h)} of machine work ({span}). "
        f"{display.plural(len(gaps.missing), 'item')} nobody can make, "
        f"{display.plural(len(gaps.single_plant), 'item')} only one plant can make, "
        f"{display.plural(len(over), 'class-month')} over capacity{worst}"
    )


def gaps_record(network: Network, gaps: Gaps) -> dict[str, Any]:
    """The whole answer as JSON data: hours as numbers, shares as fractions."""
    return {
        "format": GAPS_FORMAT,
        "network": network.name,
        "start": gaps.start.isoformat(),
        "months": [month_label(m) for m in gaps.months],
        "total_work_h": round(gaps.total_work_h, 3),
        "missing": [
            {
                "item": m.item_id,
                "orders": list(m.order_ids),
                "message": m.message,
                "closest": [_reach_record(r) for r in m.closest],
                "fix": missing_fix(m),
                "lever": _lever_record(m.lever),
            }
            for m in gaps.missing
        ],
        "single_plant": [
            {
                "item": s.item_id,
                "plant": s.plant_id,
                "orders": list(s.order_ids),
                "work_h": round(s.work_h, 3),
                "network_share": round(s.network_share, 6),
                "plant_capacity_h": round(s.plant_capacity_h, 3),
                "plant_share": None if s.plant_share is None else round(s.plant_share, 6),
                "closest": [_reach_record(r) for r in s.closest],
                "fix": single_fix(s),
                "lever": _lever_record(s.lever),
            }
            for s in gaps.single_plant
        ],
        "load": [_load_record(load) for load in gaps.loads],
        "over_capacity": [
            {**_load_record(load), "fix": overload_fix(load), "lever": _lever_record(load.lever)}
            for load in gaps.overloads
        ],
        "not_counted": [
            {"order": u.order_id, "reason": u.reason.value, "message": u.message}
            for u in gaps.not_counted
        ],
    }


def _reach_record(reach: PlantReach) -> dict[str, Any]:
    return {
        "plant": reach.plant_id,
        "routing": reach.routing_id,
        "missing_steps": [
            {
                "step": step.step,
                "process": step.process,
                "weight_t": step.weight_t,
                "precision_grade": step.precision_grade,
            }
            for step in reach.missing_steps
        ],
    }


def _load_record(load: MonthLoad) -> dict[str, Any]:
    return {
        "process": load.weight_class.process,
        "min_weight_t": load.weight_class.min_weight_t,
        "month": month_label(load.month),
        "load_h": round(load.load_h, 3),
        "own_load_h": round(load.own_load_h, 3),
        "capacity_h": round(load.capacity_h, 3),
        "over_h": round(load.over_h, 3),
        "unit_h": round(load.unit_h, 3),
        "units_short": None if load.units_short is None else round(load.units_short, 4),
    }


def _lever_record(fix: LeverFix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "lever": fix.lever_id,
        "plant": fix.plant_id,
        "cost": fix.cost,
        "usable_from": fix.usable_from.isoformat(),
        "added_h": None if fix.added_h is None else round(fix.added_h, 3),
    }
