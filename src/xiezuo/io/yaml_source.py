"""Reading YAML so that it means what JSON would, and remembering where each value was.

PyYAML follows YAML 1.1, which turns ``NO`` into ``False``, ``16:00`` into ``960``
and ``010`` into ``8``. Scenario files are read with the YAML 1.2 core schema
instead: only ``true``/``false`` are booleans, only decimal digits are integers,
and dates stay text for the file schema to parse, exactly as in JSON.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

from xiezuo.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence


class _Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types."""


_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    (
        "float",
        r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"
        r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$",
        "-+0123456789.",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^<<$", "<"),
):
    _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def _construct_decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    return int(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_decimal_int)


def read_yaml(text: str, source: str) -> tuple[object, yaml.Node | None]:
    """Parse YAML text into plain data and the node tree that records line numbers.

    Raises
    ------
    InputError
        On a syntax error (with line and column) or a key given twice in one mapping.
    """
    try:
        return _compose_and_construct(text, source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = "; ".join(part for part in (exc.context, exc.problem) if part)
        raise InputError(source, where, f"YAML syntax error: {what}") from exc
    except yaml.YAMLError as exc:
        raise InputError(source, "", f"YAML syntax error: {exc}") from exc


def _compose_and_construct(text: str, source: str) -> tuple[object, yaml.Node | None]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check_unique_keys(root, source)
        return loader.construct_document(root), root
    finally:
        loader.dispose()


def _check_unique_keys(node: yaml.Node, source: str) -> None:
    # YAML keeps the last of two equal keys without a word; in a plan file that hides a typo.
    if isinstance(node, yaml.MappingNode):
        seen: set[object] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                if key.value in seen:
                    raise InputError(
                        source,
                        f"line {key.start_mark.line + 1}",
                        f"the key {key.value!r} appears twice in the same mapping",
                    )
                seen.add(key.value)
            _check_unique_keys(value, source)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _check_unique_keys(child, source)


def line_of(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node on ``path`` that exists in the tree.

    A path into a mapping ends on the key's line, so a missing or unknown field points
    at its parent's key and an unknown field at itself.
    """
    if root is None:
        return None
    node, line = root, root.start_mark.line
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            match = next((pair for pair in node.value if pair[0].value == step), None)
            if match is None:
                break
            line, node = match[0].start_mark.line, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
            line = node.start_mark.line
        else:
            break
    return line + 1
