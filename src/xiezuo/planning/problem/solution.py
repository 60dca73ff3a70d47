"""A solution in the engine's own terms: indices and minutes, before it becomes a Plan."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OpPlacement:
    """An operation on ``gang`` units of a machine: ``unit`` alone, or every unit of
    ``units`` once a gang's units are handed out."""

    machine_idx: int
    unit: int
    start: int
    end: int
    gang: int = 1
    units: tuple[int, ...] = ()

    @property
    def held_units(self) -> tuple[int, ...]:
        return self.units or (self.unit,)


@dataclass(frozen=True, slots=True)
class WorkOrderPlacement:
    option_idx: int
    ops: tuple[OpPlacement, ...]
    # Per material need of the option, in order: (source plant, quantity) drawn from each
    # warehouse that supplies it.
    draws: tuple[tuple[tuple[int, int], ...], ...] = ()

    @property
    def start(self) -> int:
        return self.ops[0].start

    @property
    def end(self) -> int:
        return self.ops[-1].end


# One placement per compiled work order, in the problem's work-order order.
Solution = tuple[WorkOrderPlacement, ...]
