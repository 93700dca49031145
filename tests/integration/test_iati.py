"""The IATI export of the whole outbound chain (pre-advice → GRN → ... → proof of delivery),
on both databases: the right transactions, quantities, values and organisations, valid
against the IATI 2.03 schema and rulesets."""

import datetime as dt

import pytest
from lxml import etree
from typer.testing import CliRunner

from aidhub.cli import app
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.interop.iati import validate
from aidhub.services import consignments, iati, receiving
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.receiving import CountLine
from tests.helpers import TODAY
from tests.integration import test_outbound_chain as chain

hub = chain.hub  # the chain's hub: DAM-HUB operated by WFP, point DP-A, partner SARC
pytestmark = pytest.mark.usefixtures("midday")
PERIOD = {"hub": "DAM-HUB", "start": TODAY - dt.timedelta(days=1), "end": TODAY}


@pytest.fixture
def chained(hub):
    """The chain run to its proof of delivery (100 bags of rice G1 from ECHO with no
    declared value; 70 delivered good to SARC at DP-A), then 40 more bags of G1 given by
    WFP with a declared value of 800 USD: 20 USD a bag, which values the delivery too."""
    chain.test_from_pre_advice_to_proof_of_delivery(hub)
    number = consignments.register_preadvice(hub, PreAdvice(
        hub="DAM-HUB", consignor="WFP", consignee="WFP", donor="WFP", channel="LB-ROAD",
        point_of_entry="JDEIDET-YABOUS", eta=str(TODAY), document_type="cmr",
        document_number="CMR-2", lines=[AdviceLine(
            40, item="RICE", batch="G1", expiry="2027-09-30", value="800", currency="USD")]),
        key="pa2")["number"]
    for n, state in enumerate(["in_transit", "arrived", "screening", "cleared"]):
        consignments.change_state(hub, number, state, key=f"st2-{n}")
    receiving.receive(hub, number, [CountLine(1, good=40, priority=1)], key="grn2",
                      received_by="Amal")
    return hub


def transactions(xml: bytes) -> list[dict]:
    out = []
    for t in etree.fromstring(xml).iter("transaction"):
        out.append({
            "type": t.find("transaction-type").get("code"),
            "value": t.findtext("value"), "currency": t.find("value").get("currency"),
            "provider": t.findtext("provider-org/narrative"),
            "provider_ref": t.find("provider-org").get("ref"),
            "receiver": t.findtext("receiver-org/narrative"),
            "description": t.findtext("description/narrative"),
            "humanitarian": t.get("humanitarian")})
    return out


def test_the_chain_exported_as_an_iati_activity(chained):
    result = iati.export_activity(chained, **PERIOD, reporting_org="XM-DAC-41140",
                                  org_refs={"ECHO": "XI-IATI-EC_ECHO"})
    assert validate(result.xml) == []
    assert (result.identifier, result.currency) == ("XM-DAC-41140-DAM-HUB", "USD")
    assert (result.received, result.delivered, result.unvalued) == (2, 1, 1)
    echo = "European Commission humanitarian aid (ECHO)"
    got = {(t["type"], t["provider"], t["receiver"]): t for t in transactions(result.xml)}
    assert set(got) == {("1", echo, "World Food Programme"),
                        ("1", "World Food Programme", "World Food Programme"),
                        ("3", "World Food Programme", "Syrian Arab Red Crescent")}
    gift = got[("1", echo, "World Food Programme")]
    assert (gift["value"], gift["provider_ref"]) == ("0.00", "XI-IATI-EC_ECHO")
    assert "100 bag RICE" in gift["description"] and "not valued" in gift["description"]
    bought = got[("1", "World Food Programme", "World Food Programme")]
    assert bought["value"] == "800.00" and "40 bag RICE" in bought["description"]
    assert bought["provider_ref"] == "XM-DAC-41140"  # the publisher's identifier throughout
    delivered = got[("3", "World Food Programme", "Syrian Arab Red Crescent")]
    assert delivered["value"] == "1400.00"  # 70 bags good at 20 USD
    assert "70 bag RICE" in delivered["description"] and "DP-A" in delivered["description"]
    assert {t["humanitarian"] for t in got.values()} == {"1"}

    act = etree.fromstring(result.xml).find("iati-activity")
    assert act.get("humanitarian") == "1" and act.get("default-currency") == "USD"
    assert act.find("reporting-org").get("ref") == "XM-DAC-41140"
    assert [(s.get("code"), s.get("percentage")) for s in act.iter("sector")] == [
        ("72040", "100.00")]
    assert act.find("recipient-country").get("code") == "SY"
    places = {loc.get("ref"): loc.findtext("description/narrative")
              for loc in act.iter("location")}
    assert places == {"DAM-HUB": "OCHA P-code SY01 (admin level 1)",
                      "DP-A": "OCHA P-code SY0200 (admin level 2)"}
    roles = {(p.get("role"), p.findtext("narrative")) for p in act.iter("participating-org")}
    assert {("1", echo), ("4", "Syrian Arab Red Crescent")} <= roles


def test_scoped_to_one_donor(chained):
    echo = iati.export_activity(chained, **PERIOD, reporting_org="XM-DAC-41140",
                                organisation="ECHO")
    assert (echo.received, echo.delivered) == (1, 1)
    wfp = iati.export_activity(chained, **PERIOD, reporting_org="XM-DAC-41140",
                               organisation="WFP")
    assert (wfp.received, wfp.delivered) == (1, 0)
    assert [t["value"] for t in transactions(wfp.xml)] == ["800.00"]


def test_clear_errors(chained):
    with pytest.raises(InvalidInput, match=r"field .to.*before it starts"):
        iati.export_activity(chained, hub="DAM-HUB", start="2026-12-31", end="2026-01-01",
                             reporting_org="XM-DAC-41140")
    with pytest.raises(NotFound, match="no site with code 'NOWHERE'"):
        iati.export_activity(chained, hub="NOWHERE", start=TODAY, end=TODAY,
                             reporting_org="XM-DAC-41140")
    with pytest.raises(NotFound, match=r"no goods received.* from 2001-01-01 to 2001-12-31"):
        iati.export_activity(chained, hub="DAM-HUB", start="2001-01-01", end="2001-12-31",
                             reporting_org="XM-DAC-41140")
    with pytest.raises(InvalidInput, match="DP-A is a distribution point"):
        iati.export_activity(chained, hub="DP-A", start=TODAY, end=TODAY,
                             reporting_org="XM-DAC-41140")
    with pytest.raises(InvalidInput, match=r"field .reporting_org.*--reporting-org"):
        iati.export_activity(chained, **PERIOD)  # WFP's code is no IATI identifier
    with pytest.raises(InvalidInput, match="not an IATI organisation identifier"):
        iati.export_activity(chained, **PERIOD, reporting_org="XM/DAC")


def test_from_the_command_line(chained, db_url, tmp_path):
    target = tmp_path / "dam.xml"
    result = CliRunner().invoke(app, [
        "--database", db_url, "export-iati", "--hub", "DAM-HUB", "--from",
        str(PERIOD["start"]), "--to", str(TODAY), "-o", str(target),
        "--reporting-org", "XM-DAC-41140", "--org-ref", "ECHO=XI-IATI-EC_ECHO"])
    assert result.exit_code == 0, result.output
    assert "2 incoming and 1 disbursement" in result.output and "1 transaction" in result.output
    assert validate(target.read_bytes()) == []
    wrong = CliRunner().invoke(app, [
        "--database", db_url, "export-iati", "--hub", "DAM-HUB", "--from", str(TODAY),
        "--to", "2001-01-01", "-o", str(target)])
    assert wrong.exit_code == 1 and "before it starts" in wrong.output
