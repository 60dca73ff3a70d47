"""Write the scenario JSON Schema to a file: ``python -m xiezuo.io.export_schema PATH``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from xiezuo.io.scenario_schema import scenario_json_schema


def render_scenario_json_schema() -> str:
    """The schema as the text committed in ``docs/scenario.schema.json``."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(render_scenario_json_schema(), encoding="utf-8")
