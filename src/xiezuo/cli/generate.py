"""``xiezuo generate``: a realistic seeded network of a chosen size, for benchmarks and tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from xiezuo.cli._shared import check_writable, fail, guarded, say
from xiezuo.io.scenario_data import dump_scenario
from xiezuo.io.yaml_source import MAX_FILE_BYTES, MAX_YAML_BYTES
from xiezuo.scenarios.generate import (
    MAX_OPERATIONS,
    MAX_PLANTS,
    MIN_OPERATIONS,
    GeneratorOptions,
    MaterialLevel,
    generate_scenario,
)
from xiezuo.services.display import plural

_FORMAT_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def generate(
    ops: Annotated[
        int,
        typer.Option(
            "--ops",
            help=f"Operations after BOM explosion ({MIN_OPERATIONS:,} to {MAX_OPERATIONS:,}); "
            "met exactly.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            help="Scenario file to write: .json, or .yaml/.yml (YAML is read far more "
            "slowly; write big networks as JSON).",
            show_default=False,
        ),
    ],
    plants: Annotated[
        int | None,
        typer.Option(
            help=f"Plants (1 to {MAX_PLANTS}); default: 4 at 1,000 operations, growing "
            "with the square root of the size to 40 at 100,000."
        ),
    ] = None,
    materials: Annotated[
        MaterialLevel,
        typer.Option(
            help="Raw materials: none; light (a few, ample stock); heavy (steel grades, "
            "fasteners and paint; half in stock, the rest in receipts over eight weeks)."
        ),
    ] = MaterialLevel.NONE,
    seed: Annotated[
        int,
        typer.Option(min=0, max=2**31 - 1, help="Random seed; the same seed gives the same file."),
    ] = 0,
) -> None:
    """Write a generated network: plants of five kinds, multi-level BOMs, orders.

    The same options give the same file. docs/scale.md describes what is in it and
    how its due dates were calibrated (towards 10-30 % of orders late in a first plan).
    Exit status: 0 when written, 2 for bad options or an unwritable file.
    """
    fmt = _FORMAT_BY_SUFFIX.get(out.suffix.lower())
    if fmt is None:
        fail(f"{out}: unknown scenario format {out.suffix!r}; use .json, .yaml or .yml")
    check_writable(out, "scenario")
    options = guarded(
        lambda: GeneratorOptions(operations=ops, plants=plants, materials=materials, seed=seed)
    )
    data = generate_scenario(options)
    text = dump_scenario(data, fmt).encode("utf-8")
    limit = MAX_YAML_BYTES if fmt == "yaml" else MAX_FILE_BYTES
    if len(text) > limit:
        hint = "; write it as .json" if fmt == "yaml" else "; ask for fewer operations"
        fail(
            f"{out}: the network would take {len(text):,} bytes, more than the "
            f"{limit:,} bytes a {fmt.upper()} scenario may have{hint}"
        )
    _write_atomically(out, text)
    say(
        "Wrote ",
        (str(out), "bold"),
        f": {plural(len(data['plants']), 'plant')}, {plural(len(data['items']), 'item')}, "
        f"{plural(len(data['orders']), 'order')}, {ops:,} operations (seed {seed}).",
    )


def _write_atomically(path: Path, text: bytes) -> None:
    """Write beside the target and rename, so no half-written scenario is ever left."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(text)
            # mkstemp makes the file private; give it the mode a plain open() would.
            umask = os.umask(0)
            os.umask(umask)
            Path(temporary).chmod(0o666 & ~umask)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        fail(f"{path}: could not write the scenario: {exc.strerror or exc}; it is not saved")
