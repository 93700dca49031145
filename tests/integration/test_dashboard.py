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


def _pipeline_by_hand(ctx, scope):
    """The pipeline summed consignment by consignment, line by line: what pipeline() must
    give, however it reads the records."""
    from collections import Counter, defaultdict

    with ctx.uow() as uow:
        code = {o.id: o.code for o in uow.reference.organisations()}
    counted, sums = Counter(), defaultdict(lambda: [0, 0, 0, D(0)])
    for c, hub in consignments.list_consignments(ctx, scope=scope):
        stage = consignments.STAGE_OF.get(c.state)
        if stage is None:
            continue
        seen = set()
        view = consignments.view(ctx, c.number, scope=scope)
        for line, _item in view.lines:
            donor = code.get(line.donor_id or c.donor_id, "")
            key = (hub, view.channel, donor, stage)
            if key not in seen:
                counted[key] += 1
                seen.add(key)
            s = sums[key]
            s[0] += line.quantity
            s[1] += line.received
            s[2] += line.outstanding
            s[3] += line.weight_kg or 0
    return {k: (counted[k], *v) for k, v in sums.items()}


def test_the_pipeline_adds_up_the_lines_of_what_each_user_may_see(ctx):
    make_hub(ctx)
    reference.add_organisation(ctx, key="org-sarc", code="SARC", name="SARC", type="ngo")
    for site in ("DAM-HUB", "ALP-HUB"):
        reference.add_location(ctx, key=f"recv-{site}", site_code=site, code="RECV",
                               kind="zone")
    advices = [
        ("DAM-HUB", "WFP", "WFP", None, [AdviceLine(5, item="TARP", donor="ECHO"),
                                         AdviceLine(7, item="RICE", weight_kg="175.7")]),
        ("DAM-HUB", "WFP", "SARC", "ECHO", [AdviceLine(3, item="PARA")]),
        ("ALP-HUB", "WFP", "WFP", "WFP", [AdviceLine(9, item="RICE", donor="ECHO"),
                                          AdviceLine(2, item="TARP")]),
        ("ALP-HUB", "SARC", "SARC", None, [AdviceLine(4, item="TARP")]),
    ]
    for n, (hub, consignor, consignee, donor, lines) in enumerate(advices):
        number = consignments.register_preadvice(ctx, PreAdvice(
            hub=hub, consignor=consignor, consignee=consignee, donor=donor, lines=lines),
            key=f"p{n}")["number"]
        if n % 2:
            consignments.change_state(ctx, number, "in_transit", key=f"t{n}")
            consignments.change_state(ctx, number, "arrived", key=f"a{n}")
    with ctx.uow() as uow:
        org = {code: reference.organisation(uow, code).id for code in ("WFP", "ECHO", "SARC")}
        hub = {code: reference.site(uow, code).id for code in ("DAM-HUB", "ALP-HUB")}
        operators = {s.id: s.operator_id for s in uow.reference.sites()}
    people = [
        Principal(org["WFP"], "admin", "A", (Grant(Role.ADMIN, org["WFP"]),)),
        Principal(org["WFP"], "clerk", "C", (Grant(Role.RECEPTION, org["WFP"],
                                                   hub["ALP-HUB"]),)),
        Principal(org["ECHO"], "auditor", "D", (Grant(Role.DONOR, org["ECHO"]),)),
        Principal(org["SARC"], "partner", "P", (Grant(Role.PARTNER, org["SARC"]),)),
    ]
    seen_by = {}
    for who in people:
        scope = scope_of(who, operators)
        rows = consignments.pipeline(ctx, scope=scope)
        got = {(r.hub, r.channel, r.donor, r.stage): (r.consignments, r.announced,
                                                      r.received, r.outstanding, r.weight_kg)
               for r in rows}
        assert got == _pipeline_by_hand(ctx, scope), who.username
        seen_by[who.username] = sum(r.announced for r in rows)
    # the admin sees all 30 units; the Aleppo clerk its hub's 15; ECHO the whole of the
    # three consignments it gave to (26, other donors' lines included); SARC the 7 of the
    # two it sends or receives
    assert seen_by == {"admin": 30, "clerk": 15, "auditor": 26, "partner": 7}


def test_vehicles_plans_and_loss_reports_are_counted_as_their_pages_list_them(ctx):
    from aidhub.domain.waybills import PodLine
    from aidhub.services import delivery, planning, requests, waybills
    from aidhub.services.requests import LineInput
    from tests.helpers import make_outbound_hub
    from tests.integration.test_outbound import TRUCK, picked, released

    make_outbound_hub(ctx)
    _, ro = released(ctx, 100)
    picked(ctx, ro)
    wb = waybills.issue(ctx.as_actor("dispatcher"), ro, "DP-A", key="wb", vehicle=TRUCK,
                        driver="Khaled Haddad", transporter="TRANSCO")["waybill"]
    issued = dashboard.build(ctx)
    assert (issued.on_the_road, issued.stale) == (0, 0)  # issued is not on the road yet
    waybills.dispatch(ctx.as_actor("dispatcher"), wb, key="go")
    for hours, stale in ((1, 0), (23, 0), (25, 1)):
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
        d = dashboard.build(ctx, now=later)
        board = [b for b in waybills.board(ctx, now=later)
                 if b.state in ("dispatched", "arrived")]
        assert (d.on_the_road, d.stale) == (len(board), stale)
        assert d.stale == sum(1 for b in board if b.hours > 24)
    more = requests.create(ctx.as_actor("partner"), key="rq-2", organisation_code="SARC",
                           point="DP-A", submit=True,
                           lines=[LineInput(item="RICE", quantity=5, priority=1)])["request"]
    requests.change_state(ctx.as_actor("coordinator"), more, "approved", key="rq-2-ok")
    planning.solve(ctx.as_actor("planner"), key="plan-2")  # a draft awaiting approval
    delivery.confirm(ctx.as_actor("receiver"), wb, [PodLine(1, good=40),
                                                      PodLine(2, good=55, damaged=2)],
                     key="pod", signer="Amal", seal_state="intact")
    d = dashboard.build(ctx)
    assert (d.on_the_road, d.stale) == (0, 0)
    assert d.open_loss_reports == len(delivery.loss_reports(ctx, "open")) == 1
    assert d.plans_awaiting == sum(1 for p in planning.list_plans(ctx)
                                   if p.state == "draft") == 1
    partner = dashboard.build(ctx, staff=False)
    assert (partner.plans_awaiting, partner.open_loss_reports) == (None, None)
