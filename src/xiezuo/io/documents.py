"""Input documents in the scenario's syntax: YAML or JSON read within limits, checked
for plain printable data, and pydantic errors turned into located messages.

The scenario, progress and variant files share this: each names its own root model and
what it holds, and gets the same file/line/path messages (``steps[3].unit (line 12)``).
"""

from __future__ import annotations

import difflib
import json
import re
import reprlib
from typing import TYPE_CHECKING

from xiezuo.errors import InputError
from xiezuo.io.yaml_source import MAX_DEPTH, line_of, position_of, read_yaml

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import yaml
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

Path = tuple[str | int, ...]
# Control characters but tab, newline and carriage return, and lone surrogates: text that
# cannot be printed or written back out as UTF-8.
BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def read_data(
    text: str, source: str, fmt: str, kind: str, *, empty: str = "the file is empty"
) -> tuple[object, Locator]:
    """Plain, bounded data of a ``kind`` file, and a locator of its paths; ``empty`` is
    the message for a file without data."""
    root: yaml.Node | None = None
    if fmt == "yaml":
        data, root = read_yaml(text, source)
    elif fmt == "json":
        data = read_json(text, source)
    else:
        raise InputError(source, "", f"unknown {kind} format {fmt!r}; use 'yaml' or 'json'")
    locate = Locator(root)
    if data is None:
        raise InputError(source, "", empty)
    check_plain_data(data, source, locate, kind)
    return data, locate


class RepeatedKey:
    """Stands in for a JSON object that gives ``key`` twice, until its path is known."""

    def __init__(self, key: str) -> None:
        self.key = key


def read_json(text: str, source: str) -> object:
    def unique_keys(pairs: list[tuple[str, object]]) -> object:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                return RepeatedKey(key)
            seen.add(key)
        return dict(pairs)

    def number(digits: str) -> int | float:
        # A long integer is beyond every limit; int() of thousands of digits only costs time.
        return int(digits) if len(digits) <= 30 else float(digits)

    try:
        return json.loads(text, object_pairs_hook=unique_keys, parse_int=number)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(source, where, f"JSON syntax error: {exc.msg}") from exc
    except RecursionError:
        depth = 0
        for match in _JSON_TOKEN.finditer(text):
            depth += {"[": 1, "{": 1, "]": -1, "}": -1}.get(match[0], 0)
            if depth > MAX_DEPTH:
                raise InputError(
                    source,
                    position_of(text, match.start()),
                    f"objects and arrays are nested more than {MAX_DEPTH} levels deep, the limit",
                ) from None
        raise


def check_plain_data(data: object, source: str, locate: Locator, kind: str) -> None:
    """Refuse repeated keys, nesting beyond :data:`MAX_DEPTH` and unprintable text."""
    if _is_plain(data):
        return
    stack: list[tuple[object, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise InputError(
                source,
                locate(path[:MAX_DEPTH]),
                f"mappings and lists are nested more than {MAX_DEPTH} levels deep, the limit",
            )
        if isinstance(value, RepeatedKey):
            raise InputError(
                source, locate(path), f"the key {value.key!r} appears twice in the same object"
            )
        if isinstance(value, dict):
            for key, child in value.items():
                check_text(str(key), source, locate, (*path, str(key)), kind)
                stack.append((child, (*path, str(key))))
        elif isinstance(value, list):
            stack.extend((child, (*path, idx)) for idx, child in enumerate(value))
        elif isinstance(value, str):
            check_text(value, source, locate, path, kind)


def _is_plain(data: object) -> bool:
    # The quick pass over millions of values: no paths, which only a failure needs.
    stack: list[tuple[object, int]] = [(data, 0)]
    search = BAD_CHARACTER.search
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if search(value):
                return False
        elif isinstance(value, dict):
            if depth >= MAX_DEPTH or any(search(str(key)) for key in value):
                return False
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            if depth >= MAX_DEPTH:
                return False
            stack.extend((child, depth + 1) for child in value)
        elif isinstance(value, RepeatedKey):
            return False
    return True


def check_text(text: str, source: str, locate: Locator, path: Path, kind: str) -> None:
    bad = BAD_CHARACTER.search(text)
    if bad is None:
        return
    code = ord(bad[0])
    what = (
        f"a lone surrogate (U+{code:04X}), which is not a character"
        if 0xD800 <= code <= 0xDFFF
        else f"the control character U+{code:04X}"
    )
    raise InputError(
        source,
        locate(path),
        f"the text {reprlib.repr(text)} holds {what}; a {kind} holds printable text only",
    )


class Locator:
    """Formats an entity path, with its YAML line when the file was YAML."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def __call__(self, path: Sequence[str | int]) -> str:
        text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
        text = text.removeprefix(".")
        line = line_of(self.root, path)
        return f"{text} (line {line})" if line is not None and text else text


def input_error(
    exc: ValidationError, source: str, locate: Locator, root: type[object]
) -> InputError:
    errors = exc.errors(include_url=False)
    # A misspelt field is also a missing one; the misspelling is the cause to report.
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    first = unknown[0] if unknown else errors[0]
    problem = describe(first, root)
    if len(errors) > 1:
        more = len(errors) - 1
        problem += f" (and {more} more problem{'s' if more > 1 else ''} after this one)"
    return InputError(source, locate(first["loc"]), problem)


def describe(error: ErrorDetails, root: type[object]) -> str:
    loc, kind = error["loc"], error["type"]
    if kind == "extra_forbidden":
        allowed = fields_at(loc[:-1], root)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown field {loc[-1]!r}{hint} (expected one of: {', '.join(allowed)})"
    if kind in ("model_type", "model_attributes_type"):
        fields = ", ".join(fields_at(loc, root))
        return f"expected a mapping with the fields {fields}, not {reprlib.repr(error['input'])}"
    if kind == "missing":
        return f"the required field {loc[-1]!r} is missing"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{error['msg']} (got {reprlib.repr(error['input'])})"


def fields_at(path: Sequence[str | int], root: type[object]) -> list[str]:
    """Field names (by alias) of the model that ``path`` leads to from ``root``."""
    model: type[object] = root
    for step in path:
        if isinstance(step, int) or not hasattr(model, "model_fields"):
            continue
        info = model.model_fields.get(step)
        if info is None:  # a key given by its alias ("from" of a lane or a downtime)
            info = next((f for f in model.model_fields.values() if f.alias == step), None)
        model = object if info is None else next(models_in(info.annotation), object)
    fields = getattr(model, "model_fields", {})
    return [info.alias or name for name, info in fields.items()]


def models_in(annotation: object) -> Iterator[type[object]]:
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from models_in(arg)
