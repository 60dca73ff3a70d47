"""Write a file format's JSON Schema: ``python -m xiezuo.io.export_schema PATH [FORMAT]``.

``FORMAT`` is ``scenario`` (the default) or ``progress``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from xiezuo.io.progress_schema import progress_json_schema
from xiezuo.io.scenario_schema import scenario_json_schema


def render_scenario_json_schema() -> str:
    """The schema as the text committed in ``docs/scenario.schema.json``."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def render_progress_json_schema() -> str:
    """The schema as the text committed in ``docs/progress.schema.json``."""
    return json.dumps(progress_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    render = {"scenario": render_scenario_json_schema, "progress": render_progress_json_schema}
    kind = sys.argv[2] if len(sys.argv) > 2 else "scenario"
    Path(sys.argv[1]).write_text(render[kind](), encoding="utf-8")
