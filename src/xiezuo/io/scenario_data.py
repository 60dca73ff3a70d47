"""Scenario file data held in memory (the server's store): checked like a file, written back.

The server keeps a network as its scenario file's data, so a request's edit is checked
by the same stages as a file (:mod:`xiezuo.io.scenario`) and an export writes data that
reads back to the same data: the YAML writer quotes every text that the YAML 1.2 core
schema of :mod:`xiezuo.io.yaml_source` would read as a number, boolean or null.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from pydantic import ValidationError

from xiezuo.errors import InputError
from xiezuo.io.documents import Locator, check_plain_data, input_error
from xiezuo.io.scenario_schema import ScenarioSpec

# Plain scalars the core schema reads as something other than text (yaml_source's
# resolvers), plus YAML 1.1's, which PyYAML's writer already quotes.
_NOT_TEXT = re.compile(
    r"(?:true|True|TRUE|false|False|FALSE|~|null|Null|NULL|<<|)"
    r"|[-+]?[0-9]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def spec_from_data(data: object, source: str) -> ScenarioSpec:
    """Stages 1 and 2 for scenario data already in memory (a request body, a stored row).

    Raises
    ------
    InputError
        The data holds repeated keys, nesting too deep or unprintable text, or does
        not fit the file schema; ``location`` is the entity path (``orders[3].due``).
    """
    locate = Locator(None)
    if data is None:
        raise InputError(source, "", "the scenario is empty")
    check_plain_data(data, source, locate, "scenario")
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, source, locate, ScenarioSpec) from None


class _Dumper(yaml.SafeDumper):
    def represent_str(self, data: str) -> yaml.ScalarNode:
        if _NOT_TEXT.fullmatch(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump_scenario(data: Any, fmt: str) -> str:
    """Scenario data as the text of a ``yaml`` or ``json`` file that reads back to ``data``."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    raise InputError("export", "format", f"unknown scenario format {fmt!r}; use 'yaml' or 'json'")
