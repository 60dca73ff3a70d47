"""The committed JSON Schema is the one the pydantic models generate."""

from __future__ import annotations

import json
from pathlib import Path

from xiezuo.io import scenario_json_schema
from xiezuo.io.export_schema import render_scenario_json_schema

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "scenario.schema.json"


def test_committed_schema_is_in_sync_with_the_models() -> None:
    """If this fails, run: python -m xiezuo.io.export_schema docs/scenario.schema.json"""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_scenario_json_schema()


def test_schema_rejects_unknown_fields_at_every_level() -> None:
    schema = scenario_json_schema()
    definitions = [schema, *schema["$defs"].values()]
    objects = [d for d in definitions if d.get("type") == "object"]
    assert objects
    assert all(d["additionalProperties"] is False for d in objects)


def test_schema_names_lane_ends_from_and_to() -> None:
    lane = scenario_json_schema()["$defs"]["LaneSpec"]
    assert {"from", "to", "lead_days"} <= set(lane["required"])
    assert json.dumps(lane).count("from_") == 0
