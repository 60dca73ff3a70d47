"""The progress file format as pydantic models: what a YAML or JSON progress may say.

These models check the file's shape, types and ranges only, in the scenario's style
(:mod:`xiezuo.io.scenario_schema`: unknown fields are errors, booleans and whole
numbers are never text, dates are ISO text). Turning them into domain records, and
every rule that needs the network, lives in :mod:`xiezuo.io.progress` and
:func:`xiezuo.domain.progress_rules.check_progress`. Field docstrings become the
descriptions of the published JSON Schema.

After changing a model, rewrite the committed schema with
``python -m xiezuo.io.export_schema docs/progress.schema.json progress``; a test fails
while the two differ.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from xiezuo.domain.explosion import MAX_BATCH_UNITS, MAX_STEP_TIME
from xiezuo.io.scenario_schema import (
    MAX_STEP,
    MAX_STOCK,
    MAX_UNITS,
    Number,
    SecondmentSpec,
    When,
    Whole,
)

MAX_WORK_HOURS: Final = MAX_STEP_TIME.total_seconds() / 3600
"""Most working hours one step of one work order may take, so may have had."""

Count = Annotated[Whole, Field(ge=0, le=MAX_BATCH_UNITS)]


class _Spec(BaseModel):
    # As the scenario's: a misspelt key must not silently fall back to a default.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        coerce_numbers_to_str=True,
        use_attribute_docstrings=True,
    )


class StepSpec(_Spec):
    """One routing step of one work order: done, or under way on a machine unit."""

    work_order: str
    """Work order ID: the order, a colon, then the item path, ``YN-MILL-01:MILL-10K/ROLL-10K``."""
    step: Whole = Field(ge=1, le=MAX_STEP)
    """1-based step of the work order's routing."""
    status: Literal["done", "started"]
    """``done``: every unit made good, with its ``end``. ``started``: at work at the
    status date, continuing on its unit."""
    plant: str
    """Plant doing the work; every report of a work order names the same plant."""
    machine: str | None = None
    """Machine group ID at that plant; omit it for engineering work (no machine)."""
    unit: Whole = Field(default=0, ge=0, le=MAX_UNITS - 1)
    """0-based unit of the machine group the step runs on."""
    start: When
    """When the step started; a date alone means 00:00 that day."""
    end: When | None = None
    """When a done step ended; a date alone means 00:00 that day. Omit for a started step."""
    work_done_hours: Annotated[Number, Field(ge=0, le=MAX_WORK_HOURS)] | None = None
    """Started steps only: working hours of the step behind it (setup included)."""
    quantity_done: Count | None = None
    """Units made good so far; a done step has made all of the work order's units."""
    scrapped: Count = 0
    """Started steps only: units scrapped and to be made again within the step."""


class FinishedSpec(_Spec):
    """A whole work order, and so everything below it in the BOM, made at a plant."""

    work_order: str
    """Work order ID, as for step reports."""
    plant: str
    """Plant that made it, where it now stands ready."""
    finished: When
    """When it was finished; a date alone means 00:00 that day."""


class PartsSpec(_Spec):
    """Finished parts of an item lying at a plant, free for any order that needs them."""

    plant: str
    """Plant where the parts lie; a plant that can make the item."""
    item: str
    """ID of the item."""
    quantity: Whole = Field(ge=1, le=MAX_BATCH_UNITS)
    """Units of the item."""


class CountSpec(_Spec):
    """A warehouse's counted stock of a material at the status date."""

    plant: str
    """Plant whose warehouse was counted."""
    material: str
    """ID of a declared material."""
    quantity: Whole = Field(ge=0, le=MAX_STOCK)
    """Whole units counted, in the material's unit; replaces the level the plan expected."""


class ReceiptSpec(_Spec):
    """Material that arrived at a plant's warehouse by the status date."""

    plant: str
    """Plant whose warehouse received it."""
    material: str
    """ID of a declared material."""
    quantity: Whole = Field(ge=1, le=MAX_STOCK)
    """Whole units received, in the material's unit."""
    arrived: When
    """When it arrived; a date alone means 00:00 that day."""


class DownSpec(_Spec):
    """Units of a machine group out of use for a while, or until further notice."""

    plant: str
    """Plant of the machine group."""
    machine: str
    """Machine group ID."""
    units: Whole | None = Field(default=None, ge=1, le=MAX_UNITS)
    """Units out of use; omit for the whole group."""
    from_: When = Field(alias="from")
    """First instant out of use; a date alone means 00:00 that day."""
    until: When | None = None
    """Instant back in use; a date alone means the end of that day. Omit until further
    notice."""


class ProgressSpec(_Spec):
    """A xiezuo progress: what has happened in a scenario's network by a status date."""

    model_config = ConfigDict(title="xiezuo progress")

    as_of: When
    """The status date: everything reported happened by then, and a replan starts
    nothing before it. A date alone means 00:00 that day."""
    steps: list[StepSpec] = []
    """Routing steps done or under way."""
    finished: list[FinishedSpec] = []
    """Whole work orders finished, for plants that do not report step by step."""
    parts: list[PartsSpec] = []
    """Finished parts in stock at plants."""
    counts: list[CountSpec] = []
    """Warehouse counts of materials at the status date."""
    receipts: list[ReceiptSpec] = []
    """Material that arrived, besides the scenario's supplies."""
    down: list[DownSpec] = []
    """Machine units out of use."""
    secondments: list[SecondmentSpec] = []
    """People sent away since the scenario was written, added to its secondments."""


def progress_json_schema() -> dict[str, Any]:
    """The JSON Schema of a progress file, for editors and for tools that write one.

    Returns
    -------
    dict
        A JSON Schema (draft 2020-12) generated from the pydantic models, so it cannot
        drift from what :func:`xiezuo.io.load_progress` accepts.
    """
    schema = ProgressSpec.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
