"""Random damage to valid scenarios either loads or fails with a located input error.

Each example takes a valid scenario (the small test files and the Chongqing example),
breaks it once, the way a hurried editor or a hostile file would, and runs what
``xiezuo check`` runs: the loader and :func:`~xiezuo.domain.find_issues`. Anything but
a network, an :class:`InputError` or a :class:`ModelError` is a bug.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.domain import find_issues
from xiezuo.errors import InputError, ModelError
from xiezuo.io import parse_scenario

if TYPE_CHECKING:
    import random

ROOT = Path(__file__).parents[2]
BASES = (
    ROOT / "tests" / "data" / "scenarios" / "small.yaml",
    ROOT / "tests" / "data" / "scenarios" / "small.json",
    ROOT / "examples" / "chongqing-1958.yaml",
)
ODD_VALUES: tuple[object, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**63,
    10**30,
    -(10**30),
    1e308,
    -1e308,
    1e-9,
    5e-324,
    float("nan"),
    float("inf"),
    float("-inf"),
    2.0,
    2.5,
    "",
    " ",
    "yes",
    "a b",
    " padded ",
    "\udcff",
    "\x00\x07",
    "[/x]",
    "x" * 5000,
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-12:00",
    "1958-02-30",
    "1958-07-01T25:00",
    [],
    {},
    [1, [2, [3]]],
    {"id": "x"},
)
YAML_SNIPPETS = (
    "!!int 0x10",
    "!!float abc",
    "!!bool maybe",
    "!!timestamp x",
    "!!timestamp 2001-12-14",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/object/apply:os.getpid []",
    "!!str",
    "!custom 1",
    "&a [*a]",
    "*undefined",
    "[" * 3000 + "]" * 3000,
    "{a: " * 3000 + "1" + "}" * 3000,
)
JSON_SNIPPETS = (
    "[" * 3000 + "]" * 3000,
    '{"a": ' * 3000 + "1" + "}" * 3000,
    "NaN",
    "-Infinity",
    "1e400",
    "1" + "0" * 5000,
    '"\\udcff"',
    '"\\u0000"',
)
BILLION_LAUGHS = "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 9)}]\n" for i in range(1, 10))


@cache
def base_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def base_data(path: Path) -> Any:
    text = base_text(path)
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for idx, value in enumerate(node):
            found += _paths(value, (*path, idx))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _typo(key: str, rng: random.Random) -> str:
    if len(key) > 1 and rng.random() < 0.5:
        cut = rng.randrange(len(key))
        return key[:cut] + key[cut + 1 :]
    return key + rng.choice(["s", "_", "x"])


def mutate_data(data: Any, rng: random.Random) -> Any:
    """One edit of a copy of ``data``: drop, rename, replace, duplicate or scale a value."""
    data = json.loads(json.dumps(data, default=str))
    path = rng.choice(_paths(data)[1:])
    parent, last = _parent(data, path), path[-1]
    kind = rng.randrange(5)
    if kind == 0 and isinstance(parent, dict):
        del parent[last]
    elif kind == 1 and isinstance(parent, dict):
        parent[_typo(last, rng)] = parent.pop(last)
    elif kind == 2 and isinstance(parent, list):
        parent.insert(last, json.loads(json.dumps(parent[last])))
    elif kind == 3 and isinstance(parent[last], int | float) and not isinstance(parent[last], bool):
        parent[last] = parent[last] * rng.choice([10**6, 10**12, 10**20, -1, 1e-12, 1e300])
    else:
        parent[last] = rng.choice(ODD_VALUES)
    return data


def render(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=1)
    try:
        return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=False, sort_keys=False)
    except UnicodeEncodeError:  # libyaml cannot emit a lone surrogate; PyYAML escapes it
        return yaml.safe_dump(data, allow_unicode=False, sort_keys=False)


def mutate_text(text: str, fmt: str, rng: random.Random) -> str:
    """Damage the text itself: a control character, a tag, an alias bomb, deep nesting."""
    kind = rng.randrange(4)
    if kind == 0:
        cut = rng.randrange(len(text))
        return (
            text[:cut] + rng.choice("\x00\x01\x07\x0b\x1b\x7f\x85\ufeff\u2028\udcff") + text[cut:]
        )
    if kind == 1:
        lines = text.splitlines(keepends=True)
        idx = rng.randrange(len(lines))
        return "".join([*lines[: idx + 1], lines[idx], *lines[idx + 1 :]])
    snippets = JSON_SNIPPETS if fmt == "json" else YAML_SNIPPETS
    snippet = rng.choice(snippets)
    if kind == 2 and fmt == "yaml":
        text = BILLION_LAUGHS + text
        snippet = "*x9"
    anchor = ": " if fmt == "yaml" else '": '
    positions = [i for i in range(len(text)) if text.startswith(anchor, i)]
    cut = rng.choice(positions) + len(anchor)
    end = min(
        (i for i in (text.find(c, cut) for c in ",\n}") if i >= 0),
        default=len(text),
    )
    return text[:cut] + snippet + text[end:]


def bad_scenario(rng: random.Random, base: Path) -> tuple[str, str]:
    """A damaged copy of ``base`` as (text, format)."""
    fmt = "json" if base.suffix == ".json" else "yaml"
    if rng.random() < 0.7:
        return render(mutate_data(base_data(base), rng), fmt), fmt
    return mutate_text(base_text(base), fmt, rng), fmt


def outcome(text: str, fmt: str) -> str:
    """What ``xiezuo check`` makes of a scenario: ``loaded``, or the error message."""
    try:
        find_issues(parse_scenario(text, f"fuzzed.{fmt}", fmt))
    except (InputError, ModelError) as exc:
        return str(exc)
    return "loaded"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from(BASES))
def test_damaged_scenario_loads_or_fails_with_input_or_model_error(
    rng: random.Random, base: Path
) -> None:
    text, fmt = bad_scenario(rng, base)
    result = outcome(text, fmt)
    assert result == "loaded" or result.startswith(f"fuzzed.{fmt}: ")
