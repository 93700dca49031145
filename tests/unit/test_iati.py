"""IATI 2.03 activity XML from plain data: valid against the IATI schema, rulesets and
codelists, and every kind of break is caught."""

import csv
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from lxml import etree

from aidhub.interop import iati
from aidhub.interop.iati import Activity, Goods, Org, Place, Transaction

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
WFP = Org("World Food Programme", "XM-DAC-41140", "40", "برنامج الأغذية العالمي")
ECHO = Org("European Commission (ECHO)", "XI-IATI-EC_ECHO", "10")
SARC = Org("Syrian Arab Red Crescent", None, iati.NATIONAL_NGO)
CATALOG = Path(iati.__file__).parents[1] / "demo" / "data" / "catalog.csv"


def activity(**changes) -> Activity:
    places = (Place("DAM-HUB", "Damascus hub", "SY", "SY01", D("33.51"), D("36.29")),
              Place("DP-A", "Atmeh camps area", "SY", "SY0703", beneficiaries=True))
    rice, tarp = Goods("RICE", "bag", 100, iati.FOOD, D("25.1")), Goods(
        "TARP", "piece", 50, iati.RELIEF_ITEMS, D("4.2"))
    txs = (Transaction(iati.INCOMING_FUNDS, "GRN-1:ECHO", dt.date(2026, 11, 2), D("2500.5"),
                       "USD", ECHO, WFP, (rice, tarp), "DAM-HUB", "GRN GRN-1"),
           Transaction(iati.DISBURSEMENT, "WB-1:ECHO", dt.date(2026, 11, 5), None, "USD",
                       WFP, SARC, (Goods("RICE", "bag", 70, iati.FOOD, D("25.1")),), "DP-A"))
    base = {"identifier": "XM-DAC-41140-DAM-HUB", "internal_ref": "DAM-HUB",
            "reporting_org": WFP, "title": "In-kind aid through Damascus hub",
            "description": "Goods received and delivered", "start": dt.date(2026, 1, 10),
            "currency": "USD", "places": places, "transactions": txs, "generated": NOW}
    return Activity(**{**base, **changes})


def test_built_from_plain_data_it_validates():
    xml = iati.activity_xml(activity())
    assert iati.validate(xml, NOW) == []
    act = etree.fromstring(xml).find("iati-activity")
    assert act.get("humanitarian") == "1"
    sectors = {s.get("code"): D(s.get("percentage")) for s in act.iter("sector")}
    assert set(sectors) == {iati.FOOD, iati.RELIEF_ITEMS} and sum(sectors.values()) == 100
    (unvalued,) = [t for t in act.iter("transaction") if t.findtext("value") == "0.00"]
    assert "not valued" in unvalued.findtext("description/narrative")
    assert [v.text for v in act.iter("value")] == ["2500.50", "0.00"]
    assert act.find("location/administrative").attrib == {"vocabulary": "A4", "level": "0",
                                                          "code": "SY"}


def _drop(path):
    def go(doc):
        el = doc.find(path)
        el.getparent().remove(el)
    return go


def _set(path, attr, value):
    def go(doc):
        doc.find(path).set(attr, value)
    return go


def _country_on_transaction(doc):
    etree.SubElement(doc.find(".//transaction"), "recipient-country", code="SY")


def _identifier_of_another_org(doc):
    doc.find(".//iati-identifier").text = "XM-DAC-99999-DAM-HUB"


def _narrative_without_language(doc):
    del doc.find("iati-activity").attrib["{http://www.w3.org/XML/1998/namespace}lang"]


@pytest.mark.parametrize(("breaks", "says"), [
    (_drop(".//title"), "schema:"),
    (_set(".//value", "value-date", "31/12/2026"), "schema:"),
    (_set(".//sector", "percentage", "40"), "strict_sum_per_vocabulary"),
    (_set(".//transaction-date", "iso-date", "2027-01-01"), "date_order"),
    (_set(".//activity-date", "iso-date", "2027-01-01"), "date_order"),
    (_set(".//provider-org", "ref", "XI/IATI"), "regex_matches"),
    (_set(".//recipient-country", "percentage", "90"), "rule sum"),
    (_country_on_transaction, "only_one_of"),
    (_narrative_without_language, "one_or_all"),
    (_drop(".//other-identifier"), "atleast_one"),
    (_identifier_of_another_org, "should start with"),
    (_set(".//transaction-type", "code", "99"), "codelist"),
    (_set(".//sector", "code", "72099"), "codelist"),
    (_set(".//recipient-country", "code", "XX"), "codelist"),
    (_set(".//location/administrative", "vocabulary", "P1"), "codelist"),
    (_set(".//value", "currency", "DOLLARS"), "codelist"),
])
def test_a_broken_file_fails_validation(breaks, says):
    doc = etree.fromstring(iati.activity_xml(activity()))
    breaks(doc)
    problems = iati.validate(etree.tostring(doc), NOW)
    assert any(says in p for p in problems), problems


def test_last_updated_in_the_future_fails():
    xml = iati.activity_xml(activity(generated=NOW + dt.timedelta(days=2)))
    assert any("date_now" in p for p in iati.validate(xml, NOW))


def test_shares_sum_to_exactly_100():
    got = iati.shares({"a": D(1), "b": D(1), "c": D(1)})
    assert got == {"a": D("33.33"), "b": D("33.33"), "c": D("33.34")}
    assert sum(iati.shares({"x": D("0.1"), "y": D(7), "z": D(3)}).values()) == 100
    assert iati.shares({"a": D(0), "b": D(0)}) == {"a": D(50), "b": D(50)}


def test_every_catalog_category_has_a_humanitarian_sector():
    with CATALOG.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[1:]  # the second row holds the HXL hashtags
    sectors = {r["suma_category"]: iati.sector_of(r["suma_category"]) for r in rows}
    assert set(sectors.values()) == {iati.FOOD, iati.RELIEF_ITEMS, iati.SUPPORT}
    assert sectors["food_drink"] == "72040" and sectors["logistics_administration"] == "72050"
    assert sectors["pharmaceutical"] == sectors["shelter_construction"] == "72010"


@pytest.mark.parametrize("code", ["XM-DAC-41140", "GB-CHC-202918", "XI-IATI-EC_ECHO", "GB-1"])
def test_organisation_identifiers(code):
    assert iati.ORG_ID.fullmatch(code)


@pytest.mark.parametrize("code", ["WFP", "UN-HABITAT", "XM-DAC-4/1", "SARC"])
def test_codes_that_are_no_organisation_identifier(code):
    assert not iati.ORG_ID.fullmatch(code)
