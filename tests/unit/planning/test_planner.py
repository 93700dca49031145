"""The planner as a whole: progress, the time limit, the plan's statistics, and the
package staying free of the database and the web."""

import ast
from pathlib import Path

import pytest

from aidhub.domain.errors import InvalidInput
from aidhub.planning import parse_problem, plan_to_json, solve
from tests.unit.planning.builders import hub, item, lot, need, point, problem, route

PACKAGE = Path(__file__).parents[3] / "src" / "aidhub" / "planning"
FORBIDDEN = ("sqlalchemy", "fastapi", "starlette", "typer", "rich", "alembic", "psycopg",
             "aidhub.store", "aidhub.services", "aidhub.web", "aidhub.cli", "aidhub.api")


def sample():
    return parse_problem(problem(
        [item("A"), item("B", kg=5)],
        [hub("H1", lot("A", "L1", 100), lot("B", "L2", 10)), hub("H2", lot("A", "L3", 40))],
        [point("P1", need("A", 80), need("B", 10, 2)), point("P2", need("A", 80, 1),
                                                             need("B", 10, 3))],
        [route("H1", "P1"), route("H2", "P1"), route("H1", "P2")]))


def test_progress_is_reported_stage_by_stage():
    seen = []
    solve(sample(), progress=lambda stage, done, total: seen.append((stage, done, total)))
    stages = list(dict.fromkeys(s for s, _, _ in seen))
    assert stages == ["tier 1", "tier 2", "tier 3", "cost", "expiry", "rounding"]
    assert ("tier 1", 2, 2) in seen and seen[-1] == ("rounding", 1, 1)


def test_statistics_say_how_big_the_lp_was_and_what_each_stage_cost():
    stats = plan_to_json(solve(sample()))["stats"]
    assert stats["rows"] > 0 and stats["cols"] > 0 and stats["nonzeros"] > 0
    assert stats["lp_solves"] == sum(s["solves"] for s in stats["stages"].values())
    assert stats["stages"]["tier 1"]["rounds"] >= 1


def test_a_time_limit_gives_a_feasible_plan_and_says_it_is_not_final():
    plan = solve(sample(), time_limit=1e-9)
    assert plan.status == "time_limit"
    assert "time limit" in plan.message and "not final" in plan.message
    assert all(n.planned <= n.needed for n in plan.needs)
    with pytest.raises(InvalidInput, match="more than 0 seconds"):
        solve(sample(), time_limit=0)


def test_a_generous_time_limit_changes_nothing():
    assert plan_to_json(solve(sample(), time_limit=60))["shipments"] == plan_to_json(
        solve(sample()))["shipments"]


def test_the_planning_package_imports_no_database_web_or_cli_code():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
