"""The docs' own examples work as written: a newcomer copies them first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xiezuo import PlanParams, PlanStatus, find_issues, load_scenario, plan, validate_plan

ROOT = Path(__file__).parents[1]
MINIMAL = ROOT / "examples" / "minimal.yaml"


def test_scenario_format_starts_with_the_minimal_example_file() -> None:
    text = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    first_yaml = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert first_yaml is not None
    assert first_yaml.group(1) == MINIMAL.read_text(encoding="utf-8")


def test_minimal_example_is_complete_and_plans_on_time() -> None:
    network = load_scenario(MINIMAL)
    assert find_issues(network) == ()
    result = plan(network, PlanParams(time_limit_s=5, workers=1))
    assert result.status is PlanStatus.OPTIMAL
    assert result.schedule is not None
    assert validate_plan(network, result.schedule) == ()
    assert [d.is_late for d in result.schedule.deliveries] == [False]


@pytest.mark.parametrize("lane", ["{from: FORGE, to: WORKS", "{from: WORKS, to: North"])
def test_minimal_example_needs_both_kinds_of_lane(lane: str, tmp_path: Path) -> None:
    """The walk-through says a missing plant-to-plant or plant-to-region lane is an error."""
    text = MINIMAL.read_text(encoding="utf-8")
    kept = "\n".join(line for line in text.splitlines() if lane not in line)
    assert kept != text
    broken = tmp_path / "broken.yaml"
    broken.write_text(kept, encoding="utf-8")
    with pytest.raises(ValueError, match="no lane from"):
        load_scenario(broken)


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's API example, with a shorter time limit, runs and its audit passes."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert block is not None
    code = block.group(1).replace("time_limit_s=20", "time_limit_s=3")
    code = code.replace('"examples/', f'"{ROOT}/examples/')
    assert "time_limit_s=3" in code
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "plan.json").is_file()
