"""Random and damaged progress files either load or fail with a located input error.

The damaged ones start from valid progress files (the Chongqing day-one example and a
progress on the small test scenario, as YAML and as JSON) and break them once, with
the scenario fuzz test's edits: a value dropped, renamed, duplicated, scaled or
replaced by an odd one, a control character, a tag, an alias bomb, deep nesting. The
random ones are any JSON-like documents, some shaped like a progress. Anything but a
:class:`~xiezuo.domain.Progress` or an :class:`InputError` is a bug.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.io.test_scenario_fuzz import mutate_data, mutate_text, render
from xiezuo.errors import InputError
from xiezuo.io import load_scenario, parse_progress

if TYPE_CHECKING:
    import random

    from xiezuo.domain import Network

ROOT = Path(__file__).parents[2]
SMALL_PROGRESS = {
    "as_of": "1958-07-03",
    "steps": [
        {
            "work_order": "YN-1:MILL/HOUSING",
            "step": 1,
            "status": "done",
            "plant": "CMT",
            "machine": "lathe",
            "start": "1958-07-02T06:00",
            "end": "1958-07-02T08:00",
        },
        {
            "work_order": "SC-1:MILL/HOUSING",
            "step": 1,
            "status": "started",
            "plant": "CMT",
            "machine": "lathe",
            "unit": 1,
            "start": "1958-07-02T06:00",
            "quantity_done": 1,
            "work_done_hours": 20,
        },
    ],
    "finished": [],
    "parts": [{"plant": "CMT", "item": "MILL", "quantity": 1}],
    "down": [{"plant": "WJ", "machine": "foundry", "units": 1, "from": "1958-07-03"}],
    "secondments": [],
}
# (network file, progress text, format) of each valid base.
BASES = (
    ("examples/chongqing-1958.yaml", "examples/progress-day1.yaml", "yaml"),
    ("tests/data/scenarios/small.yaml", "small", "yaml"),
    ("tests/data/scenarios/small.yaml", "small", "json"),
)
KEYS = ("as_of", "steps", "finished", "parts", "counts", "receipts", "down", "secondments")


@cache
def network(path: str) -> Network:
    return load_scenario(ROOT / path)


@cache
def base_data(progress: str) -> Any:
    if progress == "small":
        return SMALL_PROGRESS
    return json.loads(json.dumps(yaml.safe_load((ROOT / progress).read_text()), default=str))


def outcome(text: str, fmt: str, network_path: str) -> str:
    """``loaded``, or the error message of a refused progress."""
    try:
        parse_progress(text, f"fuzzed.{fmt}", fmt, network(network_path))
    except InputError as exc:
        return str(exc)
    return "loaded"


def test_the_bases_load() -> None:
    for network_path, progress, fmt in BASES:
        assert outcome(render(base_data(progress), fmt), fmt, network_path) == "loaded"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from(BASES), st.booleans())
def test_damaged_progress_loads_or_fails_with_a_located_input_error(
    rng: random.Random, base: tuple[str, str, str], damage_text: bool
) -> None:
    network_path, progress, fmt = base
    data = base_data(progress)
    text = (
        mutate_text(render(data, fmt), fmt, rng)
        if damage_text
        else render(mutate_data(data, rng), fmt)
    )
    result = outcome(text, fmt, network_path)
    assert result == "loaded" or result.startswith(f"fuzzed.{fmt}: ")


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_DOCUMENTS = _VALUES | st.dictionaries(st.sampled_from(KEYS), _VALUES, max_size=4)


@settings(max_examples=50, deadline=None)
@given(_DOCUMENTS, st.sampled_from(["yaml", "json"]))
def test_random_documents_load_or_fail_with_an_input_error(document: Any, fmt: str) -> None:
    result = outcome(render(document, fmt), fmt, "tests/data/scenarios/small.yaml")
    assert result == "loaded" or result.startswith(f"fuzzed.{fmt}: ")


# Records made of the small network's names and instants around its status date, so
# that most pass the shape checks and meet the network rules in random combinations.
_INSTANTS = st.sampled_from(
    (
        "1958-06-30",
        "1958-07-01T06:00",
        "1958-07-02T06:00",
        "1958-07-02T08:00",
        "1958-07-02T22:00+00:00",
        "1958-07-03",
        "1958-07-04",
        "1968-07-04",
    )
)
_PLANTS = st.sampled_from(["CMT", "WJ", "XX"])
_MACHINES = st.sampled_from(["lathe", "bay", "foundry", "press"])
_STEPS = st.fixed_dictionaries(
    {
        "work_order": st.sampled_from(
            ["YN-1:MILL", "YN-1:MILL/HOUSING", "SC-1:MILL", "SC-1:MILL/HOUSING", "YN-1:HOUSING"]
        ),
        "step": st.integers(1, 3),
        "status": st.sampled_from(["done", "started"]),
        "plant": _PLANTS,
        "start": _INSTANTS,
    },
    optional={
        "machine": _MACHINES,
        "unit": st.integers(0, 2),
        "end": _INSTANTS,
        "work_done_hours": st.sampled_from([0, 1.5, 30, 100]),
        "quantity_done": st.integers(0, 5),
        "scrapped": st.integers(0, 2),
    },
)
_REPORTS = st.fixed_dictionaries(
    {"as_of": st.sampled_from(["1958-07-03", "1958-07-02T07:00"])},
    optional={
        "steps": st.lists(_STEPS, max_size=6),
        "finished": st.lists(
            st.fixed_dictionaries(
                {
                    "work_order": st.sampled_from(["YN-1:MILL/HOUSING", "SC-1:MILL"]),
                    "plant": _PLANTS,
                    "finished": _INSTANTS,
                }
            ),
            max_size=2,
        ),
        "down": st.lists(
            st.fixed_dictionaries(
                {"plant": _PLANTS, "machine": _MACHINES, "from": _INSTANTS},
                optional={"units": st.integers(1, 3), "until": _INSTANTS},
            ),
            max_size=3,
        ),
    },
)


@settings(max_examples=150, deadline=None)
@given(_REPORTS, st.sampled_from(["yaml", "json"]))
def test_random_reports_load_or_fail_with_an_input_error(document: Any, fmt: str) -> None:
    result = outcome(render(document, fmt), fmt, "tests/data/scenarios/small.yaml")
    assert result == "loaded" or result.startswith(f"fuzzed.{fmt}: ")
