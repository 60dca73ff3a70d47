"""``xiezuo materials``: balances, pegging and uncovered orders, and its exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from xiezuo.cli.main import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongqing-1958.yaml"

# Wide enough that no table row is wrapped, so assertions see whole lines.
runner = CliRunner(env={"COLUMNS": "1000"})


def copper_scenario() -> dict[str, Any]:
    """One plant, 10 kg of copper in stock and 5 arriving; orders need 8 and 8 kg."""
    return {
        "network": {"name": "Copper", "start": "1958-07-01", "timezone": "Asia/Shanghai"},
        "processes": ["assembly"],
        "regions": ["East"],
        "plants": [
            {
                "id": "P1",
                "machines": [
                    {"id": "bay", "process": "assembly", "max_weight_t": 10, "precision_grade": 9}
                ],
            }
        ],
        "items": [
            {
                "id": "MOTOR",
                "kind": "product",
                "weight_t": 1,
                "precision_grade": 9,
                "operations": [{"process": "assembly", "run_hours_per_unit": 1}],
                "materials": [{"material": "copper", "quantity": 1}],
            }
        ],
        "orders": [
            {"id": "ORD-1", "region": "East", "item": "MOTOR", "quantity": 8, "due": "1958-07-10"},
            {"id": "ORD-2", "region": "East", "item": "MOTOR", "quantity": 8, "due": "1958-07-20"},
        ],
        "lanes": [{"from": "P1", "to": "East", "lead_days": 1}],
        "materials": [{"id": "copper", "unit": "kg"}],
        "stock": [{"plant": "P1", "material": "copper", "quantity": 10}],
        "supplies": [
            {
                "plant": "P1",
                "material": "copper",
                "quantity": 5,
                "arrives": "1958-07-15",
                "source": "donated scrap copper",
            }
        ],
    }


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_materials_prints_balance_pegs_and_the_uncovered_order(tmp_path: Path) -> None:
    result = runner.invoke(app, ["materials", str(write(tmp_path, copper_scenario()))])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "│ copper   │ kg   │         16 │      10 │        5 │            1 │" in out
    assert "8 stock at P1" in out
    assert "2 stock at P1; 5 donated scrap copper → P1 1958-07-15; 1 not covered" in out
    assert "Uncovered orders (1): ORD-2" in out


def test_materials_without_pegging_prints_only_balances(tmp_path: Path) -> None:
    path = write(tmp_path, copper_scenario())
    result = runner.invoke(app, ["materials", str(path), "--no-pegging"])
    assert result.exit_code == 0, result.output
    assert "Materials" in result.stdout
    assert "Pegging" not in result.stdout


def test_materials_on_a_bad_file_exits_two_without_traceback(tmp_path: Path) -> None:
    data = copper_scenario()
    data["stock"][0]["material"] = "tin"
    result = runner.invoke(app, ["materials", str(write(tmp_path, data))])
    assert result.exit_code == 2
    assert "tin" in result.stderr
    assert "Traceback" not in result.output


def test_materials_on_the_bundled_example_exits_zero_with_its_tables() -> None:
    result = runner.invoke(app, ["materials", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    for header in ("material", "gross need", "on hand", "incoming", "net shortage"):
        assert header in result.stdout
    assert "first runs out" in result.stdout
    assert "Pegging" in result.stdout
