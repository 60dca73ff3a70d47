"""Use case: will the material be there? Net and peg a scenario's material need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiezuo.planning.analysis.netting import Netting, net_materials
from xiezuo.services.planning import load_network

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class MaterialReport:
    """A scenario's netting with what a reader needs beside it.

    ``start`` is the horizon start, whose time zone the report's dates are read in;
    ``has_materials`` is false for a scenario without a materials section, whose
    empty netting says nothing about material.
    """

    netting: Netting
    start: datetime
    has_materials: bool

    @property
    def unit_by_material(self) -> dict[str, str]:
        return {b.material_id: b.unit for b in self.netting.balances}

    @property
    def pinned_short(self) -> tuple[tuple[str, str], ...]:
        """``(plant, material)`` where orders pinned to the plant outrun its own stock.

        The network-wide pegging pools every plant's stock, so these shortages leave
        no order uncovered there; they are transfers the planner must arrange.
        """
        return tuple(
            (plant.plant_id, balance.material_id)
            for balance in self.netting.balances
            for plant in balance.by_plant
            if plant.net_shortage
        )


def material_report(path: Path) -> MaterialReport:
    """Load a scenario and net its material need against stock and supplies.

    Parameters
    ----------
    path
        Scenario file; a benchmark instance loads too, and has no materials.

    Returns
    -------
    MaterialReport
        Balances per material, pegs per order and material, and the uncovered and
        late-covered orders; see :mod:`xiezuo.planning.analysis.netting` for the approximations.

    Raises
    ------
    InputError
        If the file cannot be read or parsed.
    ModelError
        If the network it describes breaks a domain rule.
    """
    network = load_network(path)
    return MaterialReport(
        netting=net_materials(network),
        start=network.start,
        has_materials=bool(network.materials),
    )
