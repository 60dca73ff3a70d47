"""Reading scenario text safely: bounded files, YAML that means what JSON would, and lines.

PyYAML follows YAML 1.1, which turns ``NO`` into ``False``, ``16:00`` into ``960``
and ``010`` into ``8``. Scenario files are read with the YAML 1.2 core schema
instead: only ``true``/``false`` are booleans, only decimal digits are integers,
and dates stay text for the file schema to parse, exactly as in JSON.

A file is untrusted input, so reading is bounded before anything is built: only a
regular file of at most :data:`MAX_FILE_BYTES` (:data:`MAX_YAML_BYTES` of YAML),
nesting at most :data:`MAX_DEPTH` levels deep, aliases that add at most
:data:`MAX_ALIAS_NODES` nodes and never refer to themselves, and no explicit tags but
``!!str`` (``!!python/...`` would run code, ``!!int 0x10`` would bypass the core
schema). Events come from libyaml when PyYAML has it, seven times faster than its
pure-Python parser.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, cast

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from xiezuo.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_FILE_BYTES: Final = 20 * 2**20
"""Largest scenario file read (20 MB); the Chongqing example is under 40 kB."""
MAX_YAML_BYTES: Final = 2 * 2**20
"""Largest YAML scenario: PyYAML reads a few hundred kilobytes a second, json a hundred
times that, so a bigger network is written as JSON."""
MAX_DEPTH: Final = 64
"""Deepest nesting of mappings and lists; a scenario needs about ten levels."""
MAX_ALIAS_NODES: Final = 100_000
"""Nodes that YAML aliases may add by repeating anchored parts (a billion-laughs guard)."""
_MAX_DIGITS: Final = 100  # int() of a longer number costs time and exceeds every limit
_STR_TAG: Final = "tag:yaml.org,2002:str"


def position_of(text: str, offset: int) -> str:
    """``line L, column C`` (1-based) of a character offset into ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"line {line}, column {column}"


if TYPE_CHECKING or yaml.__with_libyaml__:
    from yaml._yaml import CParser as _Parser
else:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


class _Loader(Composer, _Parser, SafeConstructor, Resolver):
    """A safe loader with the YAML 1.2 core schema's implicit types and bounded nesting."""

    depth = 0
    has_aliases = False

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.has_aliases = True
        # libyaml's marks have the line and column of PyYAML's, which is all errors use.
        mark = cast("yaml.error.Mark", getattr(event, "start_mark", None))
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", _STR_TAG) or (
            tag == _STR_TAG and not isinstance(event, yaml.ScalarEvent)
        ):
            raise ComposerError(
                None,
                None,
                f"the explicit tag {tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed; "
                "write the value plainly "
                "(only !!str may mark text)",
                mark,
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ComposerError(
                    None,
                    None,
                    f"mappings and lists are nested more than {MAX_DEPTH} levels deep, the limit",
                    mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


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


def _construct_decimal_int(loader: SafeConstructor, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if len(text.lstrip("+-")) > _MAX_DIGITS:
        raise ConstructorError(
            None,
            None,
            f"a number of {len(text.lstrip('+-')):,} digits is beyond every limit",
            node.start_mark,
        )
    return int(text)


_Loader.yaml_constructors = {
    **SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:int": _construct_decimal_int,
}


def read_yaml(text: str, source: str) -> tuple[object, yaml.Node | None]:
    """Parse YAML text into plain data and the node tree that records line numbers.

    Raises
    ------
    InputError
        On a syntax error or a character YAML forbids (with line and column), an
        explicit tag, nesting or alias expansion beyond the limits, or a key given
        twice in one mapping.
    """
    try:
        return _compose_and_construct(text, source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = "; ".join(part for part in (exc.context, exc.problem) if part)
        raise InputError(source, where, f"YAML syntax error: {what}") from exc
    except yaml.reader.ReaderError as exc:
        offset = exc.position
        if yaml.__with_libyaml__:  # libyaml counts bytes of UTF-8, not characters
            offset = len(text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "replace"))
        raise InputError(
            source,
            position_of(text, offset),
            f"the character {chr(exc.character)!r} (U+{exc.character:04X}) is not allowed "
            "in YAML; remove it or write it as an escape in a double-quoted string",
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(source, "", f"YAML syntax error: {exc}") from exc
    except UnicodeEncodeError as exc:  # text handed in directly, not read from a file
        raise InputError(
            source,
            position_of(text, exc.start),
            f"a lone surrogate (U+{ord(text[exc.start]):04X}) is not a character; "
            "the text is not valid Unicode",
        ) from exc


def _compose_and_construct(text: str, source: str) -> tuple[object, yaml.Node | None]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        if loader.has_aliases:
            _check_aliases(root, source)
        _check_unique_keys(root, source)
        return loader.construct_document(root), root
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: yaml.Node, source: str) -> None:
    """Refuse a node that contains itself, and aliases that blow the data up."""
    size_by_node: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size_by_node[key] = 1 + sum(size_by_node[id(c)] for c in _children(node))
            continue
        if key in size_by_node:
            continue
        if key in on_path:
            raise InputError(
                source,
                f"line {node.start_mark.line + 1}",
                "an alias refers to the node that contains it, which would never end",
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size_by_node)
    added = size_by_node[id(root)] - len(size_by_node)
    if added > MAX_ALIAS_NODES:
        raise InputError(
            source,
            "",
            f"aliases repeat anchored parts into {added:,} more nodes, over the limit of "
            f"{MAX_ALIAS_NODES:,}; write the repeated parts out or use fewer aliases",
        )


def _check_unique_keys(root: yaml.Node, source: str) -> None:
    # YAML keeps the last of two equal keys without a word; in a scenario that hides a typo.
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            line_by_key: dict[object, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1
                    if key.value in line_by_key:
                        where = _dotted(path)
                        raise InputError(
                            source,
                            f"{where} (line {line})" if where else f"line {line}",
                            f"the key {key.value!r} appears twice in the same mapping "
                            f"(first at line {line_by_key[key.value]})",
                        )
                    line_by_key[key.value] = line
                    stack.append((value, (*path, key.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*path, idx)) for idx, child in enumerate(node.value))


def _dotted(path: Sequence[str | int]) -> str:
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    return text.removeprefix(".")


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
