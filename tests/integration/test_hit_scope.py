"""Screening hits are seen, and decided, within the caller's hubs, on both databases: a
screening officer of one hub does not see (404, as for an unknown hit) nor decide a hit
that concerns only another hub's consignment, sees those at their own hub and those at
no hub yet (a party screened on registration), and admins see them all."""

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aidhub.domain.access import Scope
from aidhub.domain.errors import NotFound
from aidhub.services import consignments, reference, screening, waybills
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.web.app import create_app
from tests.helpers import make_outbound_hub, signed_in
from tests.integration.test_inbound import hub  # noqa: F401
from tests.integration.test_outbound import TRUCK, picked, released

FTM = (Path(__file__).parents[1] / "fixtures" / "lists" / "opensanctions-sample.ftm.json"
       ).read_bytes()
DRONES = b"""code,name_en,name_ar,suma_category,unit,hs_code
DRONE-MAP,Mapping drone (quadcopter) with camera,,logistics_administration,piece,8806.22
"""


def _held(ctx, at: str, key: str, driver: str = "", item: str = "TARP") -> str:
    """A consignment at hub ``at`` taken into screening by the reception officer amal."""
    reception = ctx.as_actor("amal")
    number = consignments.register_preadvice(reception, PreAdvice(
        at, "WFP", "WFP", [AdviceLine(2, item=item)], driver=driver), key=key)["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(reception, number, state, key=f"{key}-s{n}")
    assert consignments.view(ctx, number).consignment.state.value == "held"
    return number


@pytest.fixture
def hits(hub):  # noqa: F811
    """Four open hits: a driver at DAM-HUB, a driver at ALP-HUB, a controlled item at
    ALP-HUB, and a party registered on its own (at no hub)."""
    reference.add_location(hub, key="recv-alp", site_code="ALP-HUB", code="RECV", kind="zone")
    screening.load_list(hub, FTM, key="ftm")
    reference.import_catalog(hub, DRONES, key="drones")
    _held(hub, "DAM-HUB", "dam", driver="Karim Mahmoud al-Halabi")
    _held(hub, "ALP-HUB", "alp", driver="Samira Ahmad al-Darwish")
    _held(hub, "ALP-HUB", "alp-goods", item="DRONE-MAP")
    added = screening.add_party(hub.as_actor("amal"), key="party", kind="organization",
                                name="Nour Al-Sham Trading Company LLC")
    assert added["hits"] == 1
    found = screening.list_hits(hub, state="open")
    by = {h.subject: h.id for h in found if h.kind == "party"}
    (goods,) = [h.id for h in found if h.kind == "goods"]
    return hub, {"dam": by["Karim Mahmoud al-Halabi"], "alp": by["Samira Ahmad al-Darwish"],
                 "alp_goods": goods, "nowhere": by["Nour Al-Sham Trading Company LLC"]}


def _client(ctx, username: str, hub_code: str | None = None, role: str = "screening"):
    return TestClient(create_app(ctx), headers=signed_in(ctx, role, username=username,
                                                         hub=hub_code))


def test_a_screener_sees_and_decides_only_the_hits_of_their_hub(hits):
    ctx, ids = hits
    dam = _client(ctx, "dam-screener", "DAM-HUB")
    listed = {h["id"] for h in dam.get("/api/v1/hits", params={"state": "open"}).json()}
    assert listed == {ids["dam"], ids["nowhere"]}
    assert dam.get(f"/api/v1/hits/{ids['dam']}").status_code == 200
    assert dam.get(f"/api/v1/hits/{ids['nowhere']}").status_code == 200
    for other in (ids["alp"], ids["alp_goods"]):
        hidden = dam.get(f"/api/v1/hits/{other}")
        unknown = dam.get(f"/api/v1/hits/{uuid.uuid4()}")
        assert hidden.status_code == unknown.status_code == 404  # existence does not leak
        refused = dam.post(f"/api/v1/hits/{other}/decision", headers={
            "Idempotency-Key": f"k-{other}"}, json={"decision": "clear", "reason": "not her"})
        assert refused.status_code == 404, refused.text
    states = {h.id: h.state for h in screening.list_hits(ctx)}
    assert states[ids["alp"]] == states[ids["alp_goods"]] == "open"  # nothing was decided
    with ctx.uow() as uow:
        assert not uow.commands.find([f"k-{ids['alp']}"])  # the key was not used up
    done = dam.post(f"/api/v1/hits/{ids['dam']}/decision", headers={"Idempotency-Key": "ok"},
                    json={"decision": "clear", "reason": "driver born 1990, ID checked"})
    assert done.status_code == 200 and done.json()["state"] == "cleared"
    nowhere = dam.post(f"/api/v1/hits/{ids['nowhere']}/decision",
                       headers={"Idempotency-Key": "ok2"},
                       json={"decision": "escalate", "reason": "ask head office"})
    assert nowhere.status_code == 200 and nowhere.json()["state"] == "escalated"

    # the other hub's officer sees the reverse; a WFP officer for every hub it runs, and
    # an admin, see everything
    alp = _client(ctx, "alp-screener", "ALP-HUB")
    assert {h["id"] for h in alp.get("/api/v1/hits").json()} == {
        ids["alp"], ids["alp_goods"], ids["nowhere"]}
    assert alp.get(f"/api/v1/hits/{ids['dam']}").status_code == 404
    everyone = set(ids.values())
    wfp = _client(ctx, "wfp-screener")
    assert {h["id"] for h in wfp.get("/api/v1/hits").json()} == everyone
    admin = _client(ctx, "root", role="admin")
    assert {h["id"] for h in admin.get("/api/v1/hits").json()} == everyone


def test_the_pages_show_and_decide_only_the_hits_of_the_officers_hub(hits):
    ctx, ids = hits
    dam = _client(ctx, "dam-screener", "DAM-HUB")
    queue = dam.get("/hits")
    assert queue.status_code == 200
    assert f'href="/hits/{ids["dam"]}"' in queue.text
    assert f'href="/hits/{ids["nowhere"]}"' in queue.text
    assert ids["alp"] not in queue.text and ids["alp_goods"] not in queue.text
    assert dam.get(f"/hits/{ids['dam']}").status_code == 200
    assert dam.get(f"/hits/{ids['nowhere']}").status_code == 200
    token = dam.cookies.get("aidhub_csrf")
    for other in (ids["alp"], ids["alp_goods"]):
        assert dam.get(f"/hits/{other}").status_code == 404
        refused = dam.post(f"/hits/{other}/decision", data={
            "csrf_token": token, "key": f"w-{other}", "decision": "clear",
            "reason": "looks fine"}, follow_redirects=False)
        assert refused.status_code == 404
    assert {h.id: h.state for h in screening.list_hits(ctx)}[ids["alp"]] == "open"
    done = dam.post(f"/hits/{ids['dam']}/decision", data={
        "csrf_token": token, "key": "w-ok", "decision": "clear",
        "reason": "driver born 1990 in Homs; ID checked"}, follow_redirects=False)
    assert done.status_code == 303
    alp = _client(ctx, "alp-screener", "ALP-HUB")
    page = alp.get("/hits", params={"state": ""})
    assert ids["alp"] in page.text and ids["dam"] not in page.text
    assert alp.get(f"/hits/{ids['alp_goods']}").status_code == 200


def test_the_service_keeps_the_rule(hits):
    ctx, ids = hits
    sites = {s.code: s.id for s in reference.list_sites(ctx)}
    dam = Scope(frozenset({sites["DAM-HUB"]}), frozenset())
    assert {h.id for h in screening.list_hits(ctx, scope=dam)} == {ids["dam"], ids["nowhere"]}
    with pytest.raises(NotFound):
        screening.review(ctx, ids["alp"], dam)
    with pytest.raises(NotFound):
        screening.evidence(ctx, ids["alp_goods"], dam)
    with pytest.raises(NotFound):
        screening.decide(ctx.as_actor("omar"), ids["alp"], "clear", key="svc",
                         reason="not her", scope=dam)
    assert screening.review(ctx, ids["alp"]).consignments[0].hub == "ALP-HUB"
    # the holds in force the dashboard counts: those of the hits the scope sees (the DAM-HUB
    # driver and their consignment, the party at no hub)
    assert screening.count_active_holds(ctx, dam) == 3
    assert screening.count_active_holds(ctx) == 7
    # no hub at all in scope (a screener whose organisation runs no hub): only the hits
    # at no hub yet
    assert {h.id for h in screening.list_hits(ctx, scope=Scope(frozenset(), frozenset()))
            } == {ids["nowhere"]}


def test_a_hit_on_a_driver_of_a_waybill_is_seen_at_the_hub_that_issued_it(ctx):
    """A driver known only from a waybill (no consignment): the hit concerns the hub that
    dispatched it and the destination, not the other hubs."""
    make_outbound_hub(ctx)
    _, ro = released(ctx, 10)
    picked(ctx, ro)
    waybills.issue(ctx.as_actor("dispatcher"), ro, "DP-A", key="wb", vehicle=TRUCK,
                   driver="Karim Mahmoud al-Halabi", transporter="TRANSCO")
    screening.load_list(ctx, FTM, key="ftm")  # the driver is listed after the fact
    (hit,) = [h for h in screening.list_hits(ctx, state="open")
              if h.subject == "Karim Mahmoud al-Halabi"]
    sites = {s.code: s.id for s in reference.list_sites(ctx)}
    with ctx.uow() as uow:
        (row,) = [h for h in uow.screening.hits() if str(h.id) == hit.id]
        assert screening.hubs_of_hits(uow, [row])[row.id] == {sites["DAM-HUB"],
                                                              sites["DP-A"]}
    dam = Scope(frozenset({sites["DAM-HUB"]}), frozenset())
    alp = Scope(frozenset({sites["ALP-HUB"]}), frozenset())
    assert hit.id in {h.id for h in screening.list_hits(ctx, scope=dam)}
    assert hit.id not in {h.id for h in screening.list_hits(ctx, scope=alp)}
    with pytest.raises(NotFound):
        screening.decide(ctx.as_actor("omar"), hit.id, "clear", key="no", reason="x",
                         scope=alp)
    assert screening.decide(ctx.as_actor("omar"), hit.id, "escalate", key="yes",
                            reason="ask head office", scope=dam)["state"] == "escalated"
