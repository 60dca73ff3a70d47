"""Use case: will the material be there? Net and peg a scenario's material need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xiezuo.planning.netting import Netting, net_materials
from xiezuo.services.planning import load_network

if TYPE_CHECKING:
    from pathlib import Path


def material_report(path: Path, fmt: str | None = None) -> Netting:
    """Load a scenario (or benchmark instance) and net its material need against stock.

    Parameters
    ----------
    path
        Scenario file, or a standard benchmark instance (which has no materials).
    fmt
        Benchmark instance format; ``None`` infers it from the file.

    Returns
    -------
    Netting
        Balances per material, pegs per order and material, and the uncovered and
        late-covered orders; see :mod:`xiezuo.planning.netting` for the approximations.

    Raises
    ------
    InputError
        If the file cannot be read or parsed.
    ModelError
        If the network it describes breaks a domain rule.
    """
    return net_materials(load_network(path, fmt))
