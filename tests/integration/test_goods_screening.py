"""Goods against the controlled-goods list: held until a person decides, never cleared
automatically, and decided by someone other than who submitted them."""

import pytest

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InvalidInput
from aidhub.domain.screening import FourEyes
from aidhub.services import consignments, receiving, reference, screening
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.receiving import CountLine
from tests.helpers import web_client
from tests.integration.test_inbound import hub  # noqa: F401

DRONES = b"""code,name_en,name_ar,suma_category,unit,hs_code
DRONE-MAP,Mapping drone (quadcopter) with camera,,logistics_administration,piece,8806.22
"""


def test_a_controlled_item_holds_the_consignment_until_decided(hub):  # noqa: F811
    reference.import_catalog(hub, DRONES, key="drones")
    advice = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(2, item="DRONE-MAP"),
                                                 AdviceLine(10, item="TARP")])
    number = consignments.register_preadvice(hub, advice, key="pa")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(hub, number, state, key=f"s{n}")
    view = consignments.view(hub, number)
    assert view.consignment.state.value == "held"  # put on hold by screening
    hits = screening.list_hits(hub, state="open")
    assert [(h.kind, h.entry_id) for h in hits] == [("goods", "DRONES")]
    assert "8806" in hits[0].explanation
    consignments.change_state(hub, number, "under_review", key="r", reason="classify drone")
    with pytest.raises(IllegalTransition, match="undecided screening hit"):
        consignments.change_state(hub, number, "cleared", key="c")
    with pytest.raises(FourEyes, match="four-eyes"):
        screening.decide(hub, hits[0].id, "clear", key="d1", reason="mapping drone, EU "
                         "licence not needed")
    reviewer = hub.as_actor("screening officer")
    with pytest.raises(InvalidInput, match="licence reference"):
        screening.decide(reviewer, hits[0].id, "clear", key="d2", reason="licensed",
                         exemption="licence")
    screening.decide(reviewer, hits[0].id, "clear", key="d3", reason="civil mapping drone "
                     "below 9A012 thresholds", exemption="licence", licence="EXP-2026-114")
    consignments.change_state(hub, number, "cleared", key="c2")
    receiving.receive(hub, number, [CountLine(1, good=2, close=True, priority=2),
                                    CountLine(2, good=10, close=True, priority=2)],
                      key="g", received_by="Amal")


def test_keywords_work_in_arabic_and_do_not_match_inside_words(hub):  # noqa: F811
    from aidhub.domain.screening import screen_goods

    with hub.uow() as uow:
        rules = screening.goods_rules(uow)
    assert [h.rule.code for h in screen_goods(rules, hs_code=None,
                                              texts=["طائرة مسيرة للمسح"])] == ["DRONES"]
    assert screen_goods(rules, hs_code="3004.90", texts=["Paracetamol, begun course"]) == []
    assert [h.rule.code for h in screen_goods(rules, hs_code="9306.21",
                                              texts=["sporting goods"])] == ["ARMS"]


def test_a_goods_hit_is_never_cleared_automatically():
    from aidhub.domain.screening import Decision, Exemption, HitState, check_decision

    with pytest.raises(InvalidInput, match="never cleared automatically"):
        check_decision(state=HitState.OPEN, submitted_by="a", decided_by="system",
                       decision=Decision.CLEAR, reason="auto", exemption=Exemption.NONE,
                       automatic=True, goods=True)


def test_the_screening_page_shows_the_evidence(hub):  # noqa: F811


    reference.import_catalog(hub, DRONES, key="drones")
    advice = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(2, item="DRONE-MAP")])
    consignments.register_preadvice(hub, advice, key="pa")
    page = web_client(hub).get("/hits")
    assert page.status_code == 200
    assert "DRONES" in page.text and "8806.22" in page.text and "four-eyes" in page.text
