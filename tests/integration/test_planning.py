"""Requests, allocation plans and release orders through the services, on both databases."""

import io

import pytest
from pypdf import PdfReader

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InvalidInput
from aidhub.domain.screening import FourEyes
from aidhub.services import planning, reference, release_orders, requests, verify
from aidhub.services.requests import LineInput
from tests.helpers import make_planning_hub, move


@pytest.fixture
def hub(ctx):
    make_planning_hub(ctx)
    return ctx


def approved_request(ctx, point, lines, key, org="SARC"):
    number = requests.create(ctx.as_actor("partner"), key=key, organisation_code=org,
                             point=point, lines=lines, submit=True)["request"]
    requests.change_state(ctx.as_actor("coordinator"), number, "approved", key=f"{key}-ok")
    return number


def rice(qty, priority=1):
    return [LineInput(item="RICE", quantity=qty, priority=priority)]


def test_request_life_cycle_and_four_eyes(hub):
    partner = hub.as_actor("partner")
    number = requests.create(partner, key="q1", organisation_code="SARC", point="DP-A",
                             lines=rice(40))["request"]
    assert number.startswith("REQ-SARC-") and requests.view(hub, number).state == "draft"
    requests.add_lines(partner, number, [LineInput(item="TARP", quantity=10, priority=3)],
                       key="q1-add")
    requests.change_state(partner, number, "submitted", key="q1-sub")
    with pytest.raises(InvalidInput, match="only a draft can be changed"):
        requests.add_lines(partner, number, rice(1), key="q1-add2")
    with pytest.raises(FourEyes, match="four-eyes"):
        requests.change_state(partner, number, "approved", key="q1-self")
    with pytest.raises(IllegalTransition, match="say why"):
        requests.change_state(hub, number, "rejected", key="q1-rej")
    requests.change_state(hub, number, "rejected", key="q1-rej2", reason="duplicate")
    with pytest.raises(IllegalTransition, match="rejected is final"):
        requests.change_state(hub, number, "approved", key="q1-again")
    view = requests.view(hub, number)
    assert (view.state, view.reason, [ln.item for ln in view.lines]) == (
        "rejected", "duplicate", ["RICE", "TARP"])


def test_lines_need_item_quantity_and_priority(hub):
    with pytest.raises(InvalidInput, match=r"lines\[1\]\.priority"):
        requests.create(hub, key="bad", organisation_code="SARC", point="DP-A",
                        lines=[LineInput(item="RICE", quantity=5)])
    with pytest.raises(InvalidInput, match="not a distribution point"):
        requests.create(hub, key="bad2", organisation_code="SARC", point="DAM-HUB",
                        lines=rice(5))


def test_figure_lines_are_computed_and_explained(hub):
    catalog = (b"code,name_en,suma_category,unit,weight_kg,volume_m3,shelf_life,cold_chain\n"
               b"WASH-JERRY-20L,Jerrycan 20 L,water_sanitation,piece,1.1,0.03,no,no\n")
    reference.import_catalog(hub, catalog, key="cat2")
    requests.set_site_figures(hub, "DP-A", key="fig", households=210)
    number = requests.create(hub, key="fig-q", organisation_code="SARC", point="DP-A",
                             lines=[LineInput(figure="water_containers")])["request"]
    (line,) = requests.view(hub, number).lines
    assert (line.item, line.quantity, line.priority) == ("WASH-JERRY-20L", 420, 2)
    assert "Sphere 2018" in line.basis and "210 households" in line.basis


def test_plan_shares_scarce_stock_fairly_and_approval_reserves_it(hub):
    a = approved_request(hub, "DP-A", rice(100), "qa")
    b = approved_request(hub, "DP-B", rice(100), "qb")
    problem, _ = planning.problem(hub)
    assert {h["id"] for h in problem["hubs"]} == {"DAM-HUB", "ALP-HUB"}
    result = planning.solve(hub.as_actor("planner"), key="plan1")
    plan = planning.view(hub, result["plan"])
    assert plan.state == "draft"
    planned = {(n["point"], n["planned"]) for n in plan.result["needs"]}
    # 160 bags at the only hub with an open route, shared equally; ALP's route is closed
    assert planned == {("DP-A", 80), ("DP-B", 80)}
    reasons = " ".join(r for n in plan.result["needs"] for r in n["reasons"])
    assert "closed" in reasons
    # the short-dated lot B2 (March) goes out before B1 (June)
    shipped = {}
    for s in plan.result["shipments"]:
        shipped[s["lot"]] = shipped.get(s["lot"], 0) + s["quantity"]
    assert shipped == {"B2": 60, "B1": 100}

    done = planning.approve(hub.as_actor("manager"), result["plan"], key="ok1")
    (ro,) = done["release_orders"]
    assert ro.startswith("RO-DAM-HUB-")
    order = release_orders.view(hub, ro)
    assert order.state == "verified" and order.reserved == 160
    assert sum(ln.quantity for ln in order.lines) == 160
    assert {requests.view(hub, n).state for n in (a, b)} == {"planned"}
    assert requests.view(hub, a).planned == 80
    # the stock is promised: nothing is left for the next plan at DAM-HUB
    problem, _ = planning.problem(hub)
    assert not any(h["lots"] for h in problem["hubs"] if h["id"] == "DAM-HUB")
    with pytest.raises(IllegalTransition, match="approved is final"):
        planning.approve(hub, result["plan"], key="ok2")
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok


def test_approval_stops_when_stock_was_promised_meanwhile(hub):
    approved_request(hub, "DP-A", rice(200), "qa")
    first = planning.solve(hub.as_actor("planner"), key="p1")["plan"]
    second = planning.solve(hub.as_actor("planner"), key="p2")["plan"]
    planning.approve(hub, first, key="ok1")
    with pytest.raises(InvalidInput, match="solve a new plan"):
        planning.approve(hub, second, key="ok2")
    assert planning.view(hub, second).state == "draft"
    assert len(release_orders.list_orders(hub)) == 1


def test_cancelling_a_release_order_frees_stock_and_reopens_requests(hub):
    a = approved_request(hub, "DP-A", rice(50), "qa")
    plan = planning.solve(hub.as_actor("planner"), key="p1")["plan"]
    (ro,) = planning.approve(hub, plan, key="ok")["release_orders"]
    release_orders.change_state(hub, ro, "accepted", key="acc")
    with pytest.raises(IllegalTransition, match="say why"):
        release_orders.change_state(hub, ro, "cancelled", key="c0")
    result = release_orders.change_state(hub, ro, "cancelled", key="c1", reason="road cut")
    assert result["freed"] == 50
    assert release_orders.view(hub, ro).reserved == 0
    r = requests.view(hub, a)
    assert (r.state, r.planned) == ("approved", 0)
    problem, _ = planning.problem(hub)
    dam = next(h for h in problem["hubs"] if h["id"] == "DAM-HUB")
    assert sum(lot["quantity"] for lot in dam["lots"]) == 160


def test_reopened_request_asks_only_for_what_is_missing(hub):
    a = approved_request(hub, "DP-A", rice(300), "qa")
    plan = planning.solve(hub.as_actor("planner"), key="p1")["plan"]
    planning.approve(hub, plan, key="ok")
    assert requests.view(hub, a).planned == 160
    requests.change_state(hub, a, "approved", key="again")
    problem, _ = planning.problem(hub)
    (point,) = problem["points"]
    assert point["needs"][0]["quantity"] == 140


def test_the_planner_cannot_approve_their_own_plan(hub):
    approved_request(hub, "DP-A", rice(10), "qa")
    plan = planning.solve(hub.as_actor("planner"), key="p1")["plan"]
    with pytest.raises(FourEyes, match="cannot approve"):
        planning.approve(hub.as_actor("planner"), plan, key="self")


def test_one_item_at_two_priorities_goes_to_the_urgent_need_first(hub):
    a = approved_request(hub, "DP-A", rice(100, 1) + rice(100, 2), "qa")
    plan = planning.solve(hub.as_actor("planner"), key="p1")["plan"]
    needs = {n["priority"]: n["planned"] for n in planning.view(hub, plan).result["needs"]}
    assert needs == {1: 100, 2: 60}
    (ro,) = planning.approve(hub, plan, key="ok")["release_orders"]
    by_priority = {}
    for line in release_orders.view(hub, ro).lines:
        by_priority[line.priority] = by_priority.get(line.priority, 0) + line.quantity
    assert by_priority == {1: 100, 2: 60}
    assert [ln.planned for ln in requests.view(hub, a).lines] == [100, 60]


def test_promises_broken_by_later_movements_are_reported(hub):
    approved_request(hub, "DP-A", rice(160), "qa")
    plan = planning.solve(hub.as_actor("planner"), key="p1")["plan"]
    planning.approve(hub, plan, key="ok")
    assert verify.verify_ledger(hub).warnings == []
    move(hub, "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/QUARANTINE", key="q",
         batch="B1")
    report = verify.verify_ledger(hub)
    assert report.ok and len(report.warnings) == 1
    assert "100 reserved for release orders but only 70 usable" in report.warnings[0]


def test_nothing_to_plan_is_said_plainly(hub):
    with pytest.raises(InvalidInput, match="no approved request"):
        planning.solve(hub.as_actor("planner"), key="empty")


def test_release_order_pdf_lists_its_lines(hub):
    approved_request(hub, "DP-A", rice(70), "qa")
    plan = planning.solve(hub.as_actor("planner"), key="p1")["plan"]
    (ro,) = planning.approve(hub, plan, key="ok")["release_orders"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        release_orders.pdf(hub, ro))).pages)
    assert ro in text and "RICE" in text and "DP-A" in text and plan in text
