"""The dashboard's figures on both databases, each checked against the records, and
narrowed to what the user may see."""

import datetime as dt
from decimal import Decimal as D

from aidhub.domain.access import Grant, Principal, Role, scope_of
from aidhub.services import consignments, dashboard, movements, reference
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.movements import LineRequest, MovementRequest
from tests.helpers import make_hub, receive


def test_the_dashboard_counts_what_the_records_hold(ctx):
    make_hub(ctx)
    today = dt.date.today()
    receive(ctx, "RICE", 100, key="r1", expiry=(today + dt.timedelta(days=40)).isoformat())
    receive(ctx, "TARP", 10, key="r2", batch=None, expiry=None, owner="WFP")
    movements.post_movement(ctx, MovementRequest("adjustment", [LineRequest(
        "RICE", 4, "DAM-HUB/A-01", "DAM-HUB/LOST", "B1", None, "ECHO")], "lost"))
    consignments.register_preadvice(ctx, PreAdvice(
        hub="DAM-HUB", consignor="WFP", consignee="WFP", lines=[AdviceLine(5, item="TARP")]),
        key="c1")
    d = dashboard.build(ctx, can_screen=True)
    assert dict(d.pipeline)["expected"] == 1 and sum(n for _, n in d.pipeline) == 1
    food = next(c for c in d.stock if c.category == "food_drink")
    assert food.kg["red"] == D("25.1") * 96  # expires within 3 months
    shelter = next(c for c in d.stock if c.category == "shelter_construction")
    assert shelter.kg["none"] == D("4.2") * 10
    assert d.lost_kg_this_month == D("25.1") * 4
    assert (d.screening_queue, d.open_holds, d.plans_awaiting, d.on_the_road) == (0, 0, 0, 0)

    # a donor sees only its own goods, and no screening or hub figures
    with ctx.uow() as uow:
        echo = reference.organisation(uow, "ECHO").id
        operators = {s.id: s.operator_id for s in uow.reference.sites()}
    donor = Principal(echo, "auditor", "Auditor", (Grant(Role.DONOR, echo),))
    seen = dashboard.build(ctx, scope=scope_of(donor, operators), staff=False)
    assert [c.category for c in seen.stock] == ["food_drink"]
    assert seen.screening_queue is None and seen.plans_awaiting is None
    assert dict(seen.pipeline)["expected"] == 0  # the consignment is WFP's


def test_the_dashboard_page_draws_its_charts_on_the_server(ctx):
    from tests.helpers import web_client

    make_hub(ctx)
    receive(ctx, "RICE", 100, key="r1")
    page = web_client(ctx).get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert 'id="stock-chart"' in html and "<rect" in html and "Food and drink" in html
    assert "screening hits to decide" in html  # an admin screens
    assert "<script" not in html.split("</head>")[1]  # nothing drawn in the browser
    partner = web_client(ctx, "partner", organisation="ECHO").get("/dashboard").text
    assert "screening hits to decide" not in partner and "plans awaiting" not in partner
