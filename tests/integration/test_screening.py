"""Screening parties against a real sanctions list (the UN list of 2020), on both
databases: holds, four-eyes decisions, remembered clearances, list versions."""

import json
import re
from pathlib import Path

import pytest

from aidhub.domain.consignments import IllegalTransition
from aidhub.domain.errors import InvalidInput
from aidhub.domain.screening import FourEyes
from aidhub.services import consignments, receiving, screening
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.receiving import CountLine
from tests.integration.test_inbound import hub  # noqa: F401

UN = (Path(__file__).parents[1] / "fixtures" / "lists" / "un-consolidated-2020.xml").read_bytes()


@pytest.fixture
def listed(hub):  # noqa: F811
    result = screening.load_list(hub, UN, key="un-2020")
    assert result["entries"] == 1018 and result["added"] == 1018
    return hub


def test_loading_the_same_file_twice_is_refused_and_a_new_version_is_diffed(listed):
    with pytest.raises(InvalidInput, match="already the newest version"):
        screening.load_list(listed, UN, key="again")
    text = UN.decode()
    # a newer file: one entry removed, one changed, generated later
    first = text.index("<INDIVIDUAL>")
    end_first = text.index("</INDIVIDUAL>", first) + len("</INDIVIDUAL>")
    newer = text[:first] + text[end_first:]
    newer = newer.replace("Amjad Muzaffar Hussein Ali al-Naimi",
                          "Amjad Muzaffar Hussein Ali al-Nuaimi")
    newer = re.sub(r'dateGenerated="[^"]+"', 'dateGenerated="2020-12-01T00:00:00Z"', newer)
    result = screening.load_list(listed, newer.encode(), key="un-2020-12")
    assert (result["removed"], result["changed"]) == (1, 1)
    assert "QDi.317" in result["changed_ids"]
    assert len(screening.list_versions(listed)) == 2


def test_a_listed_driver_holds_the_consignment_until_another_officer_decides(listed):
    advice = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="TARP")],
                       driver="Abu Mohamad al-Golani")
    number = consignments.register_preadvice(listed, advice, key="pa")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(listed, number, state, key=f"s{n}")
    assert consignments.view(listed, number).consignment.state.value == "held"
    (hit,) = [h for h in screening.list_hits(listed, state="open") if h.kind == "party"]
    assert hit.entry_id == "QDi.317" and hit.score >= screening.alert_threshold()
    assert hit.explanation
    evidence = screening.evidence(listed, hit.id)
    assert evidence.ours["name"] == "Abu Mohamad al-Golani"
    assert "1975" in evidence.theirs["born"]
    consignments.change_state(listed, number, "under_review", key="r", reason="check driver")
    with pytest.raises(FourEyes):
        screening.decide(listed, hit.id, "clear", key="d0", reason="not him")
    officer = listed.as_actor("screening officer")
    screening.decide(officer, hit.id, "clear", key="d1", reason="driver is 24, born in "
                     "Homs, national ID checked", exemption="unsc_2664")
    consignments.change_state(listed, number, "cleared", key="c")
    receiving.receive(listed, number, [CountLine(1, good=10, close=True, priority=1)],
                      key="g", received_by="Amal")
    # the clearance is remembered: screening him again raises nothing new
    again = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(5, item="TARP")],
                      driver="Abu Mohamad al-Golani")
    assert consignments.register_preadvice(listed, again, key="pa2")["hits"] == 0


def test_a_confirmed_hit_rejects_the_consignment(listed):
    advice = PreAdvice("DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="TARP")],
                       driver="Abu Mohammed al-Jawlani")
    number = consignments.register_preadvice(listed, advice, key="pa")["number"]
    for n, state in enumerate(["arrived", "screening"]):
        consignments.change_state(listed, number, state, key=f"s{n}")
    (hit,) = [h for h in screening.list_hits(listed, state="open") if h.kind == "party"]
    result = screening.decide(listed.as_actor("officer"), hit.id, "confirm", key="d",
                              reason="same person: photo and ID match")
    assert result["rejected"] == [number]
    assert consignments.view(listed, number).consignment.state.value == "rejected"
    with pytest.raises(IllegalTransition):
        receiving.receive(listed, number, [CountLine(1, good=1)], key="g", received_by="A")


def test_common_names_alone_do_not_alert(listed):
    for n, name in enumerate(["Mohammed Khaled Haddad", "Mohammed Ali Hassan al-Khatib"]):
        assert screening.add_party(listed, key=f"p{n}", kind="person", name=name)["hits"] == 0


def test_screening_a_csv_of_names(listed):
    data = (b"name,kind,birth_date\nAbu Mohamed al-Jawlani,person,\n"
            b"Fatima Hassan Khoury,person,1990-04-02\n")
    rows = screening.screen_names(listed, data)
    assert [r["row"] for r in rows] == [1, 2]
    best = rows[0]["matches"][0]
    assert best["entry_id"] == "QDi.317" and best["alert"] is True
    assert set(best) == {"list", "entry_id", "name", "score", "alert", "explanation"}
    assert not any(m["alert"] for m in rows[1]["matches"])
    json.dumps(rows)
    with pytest.raises(InvalidInput, match="row 3"):
        screening.screen_names(listed, b"name,kind\nOk Name,person\n ,person\n")


def test_an_xml_bomb_is_refused_and_nothing_is_loaded(hub):  # noqa: F811
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<CONSOLIDATED_LIST>&lol2;</CONSOLIDATED_LIST>')
    with pytest.raises(InvalidInput):
        screening.load_list(hub, bomb, key="bomb", format="un-xml")
    assert screening.list_versions(hub) == []
