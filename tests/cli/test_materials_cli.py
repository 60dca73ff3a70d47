"""``xiezuo materials``: balances, pegging and uncovered orders, and its exit codes."""

from __future__ import annotations

import re
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
    assert re.search(r"copper +16 kg +10 kg +5 kg +1 kg +1958-07-19 16:00", out)
    assert "8 kg stock at P1" in out
    for source in ("2 kg stock at P1", "5 kg donated scrap copper → P1 1958-07-15"):
        assert source in out
    assert "1 kg not covered" in out
    assert "1 order not covered: ORD-2" in out
    assert "Times are in Asia/Shanghai (UTC+08:00)." in out


def test_materials_at_60_columns_keeps_ids_dates_and_quantities_whole(tmp_path: Path) -> None:
    narrow = CliRunner(env={"COLUMNS": "60"})
    result = narrow.invoke(app, ["materials", str(write(tmp_path, copper_scenario()))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 60
    for text in ("ORD-1", "ORD-2", "1958-07-09 16:00", "1958-07-19 16:00", "16 kg"):
        assert any(text in line for line in lines), text
    assert "Left out for width: incoming." in result.stdout


def test_materials_without_pegging_prints_only_balances(tmp_path: Path) -> None:
    path = write(tmp_path, copper_scenario())
    result = runner.invoke(app, ["materials", str(path), "--no-pegging"])
    assert result.exit_code == 0, result.output
    assert "Materials" in result.stdout
    assert "Pegging" not in result.stdout


def test_materials_of_a_scenario_without_materials_says_so(tmp_path: Path) -> None:
    data = copper_scenario()
    for key in ("materials", "stock", "supplies"):
        del data[key]
    del data["items"][0]["materials"]
    result = runner.invoke(app, ["materials", str(write(tmp_path, data))])
    assert result.exit_code == 0, result.output
    assert result.stdout == "The scenario has no materials section: there is nothing to net.\n"


def test_pinned_shortage_covered_from_the_pool_is_explained(tmp_path: Path) -> None:
    """Orders pinned to P2 find no copper there; the pooled netting covers them from P1."""
    data = copper_scenario()
    data["plants"].append({**data["plants"][0], "id": "P2"})
    data["lanes"].append({"from": "P2", "to": "East", "lead_days": 1})
    data["orders"] = [{**data["orders"][0], "plant": "P2"}]
    del data["supplies"]
    result = runner.invoke(app, ["materials", str(write(tmp_path, data))])
    assert result.exit_code == 0, result.output
    assert re.search(r"copper +P2 +8 kg +0 kg +0 kg +8 kg", result.stdout)
    assert (
        "No order is left uncovered with stock and supplies pooled across the network, "
        "but orders pinned to P2 need more than their own plant has (copper at P2)"
    ) in result.stdout


def test_materials_has_no_benchmark_format_option() -> None:
    result = runner.invoke(app, ["materials", "--help"])
    assert result.exit_code == 0
    assert "--format" not in result.stdout


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
