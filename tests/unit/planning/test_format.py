"""The JSON forms: the plan matches its schema; the problem schema is a valid schema and
the documentation's example is a valid problem."""

import json
import re
from pathlib import Path

import jsonschema

from aidhub.planning import greedy, parse_problem, plan_to_json, solve
from aidhub.planning.validate import schema
from tests.unit.planning.builders import hub, item, lot, need, point, problem, route

DOCS = Path(__file__).parents[3] / "docs" / "formats.md"


def test_both_schemas_are_valid_draft_2020_12():
    for name in ("problem", "plan"):
        jsonschema.Draft202012Validator.check_schema(schema(name))


def test_plans_match_the_plan_schema():
    data = problem([item("A", shelf_life=True), item("B", kg=2)],
                   [hub("H1", lot("A", "L1", 30, expiry=5), lot("A", "L2", 30, expiry=90),
                        lot("B", "LB", 10), capacity=50)],
                   [point("P1", need("A", 40), need("B", 30, 2)), point("P2", need("A", 10, 3))],
                   [route("H1", "P1", lead=2, capacity=60), route("H1", "P2", open=False)],
                   min_shelf_life_days=10)
    parsed = parse_problem(data)
    for plan in (solve(parsed), greedy(parsed)):
        out = plan_to_json(plan)
        jsonschema.validate(out, schema("plan"))
        json.dumps(out)  # JSON-ready as it is
    out = plan_to_json(solve(parsed))
    assert set(out) >= {"shipments", "summary", "needs", "status", "stats", "policy"}
    assert out["status"] == "optimal" and out["message"] is None
    assert set(out["stats"]) >= {"lp_solves", "rows", "cols", "nonzeros", "build_seconds",
                                 "solve_seconds", "stages"}
    assert out["summary"]["expiring_unused_30d"] == {"units": 30, "kg": 30.0}


def test_the_example_in_the_documentation_is_a_valid_problem():
    text = DOCS.read_text()
    example = re.search(r"```json\n(\{\n  \"plan_date\".*?)\n```", text, re.S).group(1)
    plan = solve(parse_problem(json.loads(example)))
    assert plan.needs
