"""Requests and plans from the terminal: the same services, one-line errors."""

import json

import pytest
from typer.testing import CliRunner

from aidhub.cli.app import app
from tests.helpers import make_planning_hub


@pytest.fixture
def run(ctx, db_url):
    make_planning_hub(ctx)
    runner = CliRunner()

    def invoke(who: str, *args: str, ok: bool = True):
        result = runner.invoke(app, ["--database", db_url, "--as", who, *args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def test_request_plan_approve_and_print_from_the_terminal(run, tmp_path):
    out = run("partner", "requests", "new", "SARC", "DP-A", "--line", "RICE:100:1",
              "--line", "TARP:5:3:2026-12-24", "--submit").output
    number = out.split("request ")[1].split()[0]
    refused = run("partner", "requests", "approve", number, ok=False)
    assert refused.exit_code == 1 and "four-eyes" in refused.output
    run("coordinator", "requests", "approve", number)
    run("coordinator", "requests", "new", "SARC", "DP-B", "--line", "RICE:100:1", "--submit")
    second = json.loads(run("x", "requests", "list", "--state", "submitted", "--json").output)
    run("partner", "requests", "approve", second[0]["number"])

    problem = tmp_path / "problem.json"
    run("planner", "plan", "export", "-o", str(problem))
    what_if = run("planner", "plan", "solve", str(problem), "--json").output
    assert json.loads(what_if)["summary"]["min_fill_rate"]["1"] == pytest.approx(0.8)

    out = run("planner", "plan", "solve").output
    assert "drafted" in out and "no hub holds TARP" in out
    plan = json.loads(run("planner", "plan", "list", "--json").output)[0]["number"]
    shown = json.loads(run("x", "plan", "show", plan, "--json").output)
    assert {(n["point"], n["item"], n["planned"]) for n in shown["needs"]} == {
        ("DP-A", "RICE", 80), ("DP-B", "RICE", 80), ("DP-A", "TARP", 0)}
    refused = run("planner", "plan", "approve", plan, ok=False)
    assert refused.exit_code == 1 and "four-eyes" in refused.output
    out = run("manager", "plan", "approve", plan).output
    order = out.split("release order(s) ")[1].strip()
    assert order.startswith("RO-DAM-HUB-")
    listed = json.loads(run("x", "release-orders", "list", "--json").output)
    assert [o["number"] for o in listed] == [order] and listed[0]["reserved"] == 160
    pdf = tmp_path / "ro.pdf"
    run("x", "release-orders", "pdf", order, "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    run("manager", "release-orders", "accept", order)
    bad = run("manager", "release-orders", "accept", order, ok=False)
    assert bad.exit_code == 1 and "cannot go from accepted to accepted" in bad.output


def test_compare_needs_approved_requests_and_says_so(run):
    out = run("x", "plan", "compare", ok=False)
    assert out.exit_code == 1 and "no approved request" in out.output


def test_routes_and_figures_from_the_terminal(run):
    run("x", "routes", "set", "ALP-HUB", "DP-A", "--cost-per-kg", "0.02", "--lead-days", "3",
        "--capacity-kg", "500")
    routes = json.loads(run("x", "routes", "list", "--hub", "ALP-HUB", "--json").output)
    assert {(r["point"], r["open"]) for r in routes} == {("DP-A", True), ("DP-B", False)}
    bad = run("x", "routes", "set", "DAM-HUB", "DP-A", "--cost-per-kg", "1", "--lead-days",
              "1", "--closed", ok=False)
    assert "say why the route is closed" in bad.output
    run("x", "sites", "figures", "DP-A", "--households", "200")
    out = run("x", "needs", "compute", "hygiene_kit", "--point", "DP-A", "--days", "30").output
    assert "HYG-KIT-FAM5: 200" in out
    assert "Sphere 2018" in run("x", "needs", "figures").output
