"""`aidhub plan solve` and `aidhub plan compare` on a problem file."""

import json

import jsonschema
from typer.testing import CliRunner

from aidhub.cli.plan import plan
from aidhub.planning.validate import schema
from tests.unit.planning.builders import hub, item, lot, need, point, problem, route

runner = CliRunner()


def write(tmp_path, data) -> str:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data))
    return str(path)


def sample() -> dict:
    return problem([item("WASH-KIT", kg=4.0)],
                   [hub("H1", lot("WASH-KIT", "L-0042", 150)), hub("H2")],
                   [point("P1", need("WASH-KIT", 100)), point("P2", need("WASH-KIT", 100)),
                    point("P9", need("WASH-KIT", 20, 2))],
                   [route("H1", "P1"), route("H1", "P2", cost=2), route("H2", "P1")])


def test_solve_prints_each_need_and_writes_the_plan(tmp_path):
    out = tmp_path / "plan.json"
    result = runner.invoke(plan, ["solve", write(tmp_path, sample()), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Needs" in result.output and "Summary by tier" in result.output
    assert "no route reaches P9" in result.output
    assert f"plan written to {out}" in result.output
    data = json.loads(out.read_text())
    jsonschema.validate(data, schema("plan"))
    assert data["summary"]["min_fill_rate"] == {"1": 0.75, "2": 0.0, "3": None}
    assert sum(s["quantity"] for s in data["shipments"]) == 150


def test_solve_json_and_only_the_needs_not_served(tmp_path):
    path = write(tmp_path, sample())
    result = runner.invoke(plan, ["solve", path, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["policy"] == "fair-share"
    result = runner.invoke(plan, ["solve", path, "--unmet", "--time-limit", "30"])
    assert result.exit_code == 0 and "P9" in result.output


def test_compare_shows_both_policies_per_tier(tmp_path):
    data = sample()
    data["points"][1]["needs"][0]["submitted"] = "2026-10-01T07:00:00Z"
    data["points"][0]["needs"][0]["submitted"] = "2026-10-01T09:00:00Z"
    path = write(tmp_path, data)
    result = runner.invoke(plan, ["compare", path])
    assert result.exit_code == 0, result.output
    assert "Fair share against greedy" in result.output and "Totals" in result.output
    result = runner.invoke(plan, ["compare", path, "--json"])
    figures = json.loads(result.output)
    assert figures["optimiser"]["tiers"]["1"]["min_fill_rate"] == 0.75
    assert figures["greedy"]["tiers"]["1"]["min_fill_rate"] == 0.5
    assert figures["greedy"]["tiers"]["1"]["gini"] > figures["optimiser"]["tiers"]["1"]["gini"]


def test_bad_files_get_one_line_naming_the_field_and_exit_1(tmp_path):
    data = sample()
    data["hubs"][0]["lots"][0]["quantity"] = -1
    result = runner.invoke(plan, ["solve", write(tmp_path, data)])
    assert result.exit_code == 1
    assert "hubs[0].lots[0].quantity" in result.output and "negative" in result.output
    path = tmp_path / "broken.json"
    path.write_text("{")
    result = runner.invoke(plan, ["compare", str(path)])
    assert result.exit_code == 1 and "not JSON" in result.output
