"""Raw materials, warehouse stock and what arrives: the copper and steel a plan uses.

Quantities are whole numbers in each material's own unit (kg, t, pieces): stock is
counted, never measured in floats. Consumption is declared on items (``MaterialLine``)
and happens at the start of a routing step, or of the work order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xiezuo.errors import ModelError

if TYPE_CHECKING:
    from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Material:
    """A raw material counted in ``unit`` (``kg``, ``t``, ``piece``)."""

    id: str
    name: str = ""
    unit: str

    def __post_init__(self) -> None:
        problems = []
        if not self.id or self.id != self.id.strip():
            problems.append("the ID must be non-empty without surrounding spaces")
        if not self.unit:
            problems.append("a unit is required")
        ModelError.check(problems, f"material {self.id!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class MaterialLine:
    """``quantity`` of a material per unit of the item, taken when ``step`` starts.

    ``step`` is the 1-based routing step; ``None`` means the start of the work order.
    """

    material_id: str
    quantity: int
    step: int | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.quantity < 1:
            problems.append(f"quantity per unit must be at least 1, not {self.quantity}")
        if self.step is not None and self.step < 1:
            problems.append(f"step must be 1 or more, not {self.step}")
        ModelError.check(problems, f"material line {self.material_id!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class StockLot:
    """What a plant's warehouse holds of a material at the horizon start."""

    plant_id: str
    material_id: str
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 0:
            raise ModelError(
                [
                    f"stock of {self.material_id!r} at plant {self.plant_id!r}: quantity must "
                    f"not be negative, not {self.quantity}"
                ]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Supply:
    """Material arriving at a plant on a date: a scheduled receipt, or one-off stock.

    ``source`` says where it comes from, in the planners' words: ``receipt``,
    ``found when the warehouse was cleared``, ``donated scrap copper``.
    """

    plant_id: str
    material_id: str
    quantity: int
    arrives: datetime
    source: str = "receipt"

    def __post_init__(self) -> None:
        problems = []
        if self.quantity < 1:
            problems.append(f"quantity must be at least 1, not {self.quantity}")
        if self.arrives.tzinfo is None:
            problems.append("the arrival must carry a time zone")
        ModelError.check(problems, f"supply of {self.material_id!r} to plant {self.plant_id!r}")
