"""The inbound work from the terminal."""

import json

from tests.integration.test_cli import aidhub, hub  # noqa: F401
from tests.integration.test_inbound import PACKING_LIST


def test_advise_arrive_count_triage_and_put_away(hub, tmp_path):  # noqa: F811
    hub("locations", "add", "DAM-HUB", "RECV", "--kind", "zone")
    hub("orgs", "add", "ECHO", "European Commission humanitarian aid", "--type", "government")
    hub("settings", "set", "gs1.company_prefix", "0614141")
    hub("channels", "add", "LB-ROAD", "Beirut by road", "--mode", "road", "--route",
        "commercial", "--provider", "ngo")
    out = hub("consignments", "advise", "--hub", "DAM-HUB", "--consignor", "WFP",
              "--consignee", "WFP", "--donor", "ECHO", "--channel", "LB-ROAD",
              "--line", "RICE:100:B1:2027-06-30", "--line", "?Blankets:20:piece").output
    number = out.split("consignment ")[1].split()[0]
    hub("consignments", "set-state", number, "in_transit")
    hub("consignments", "arrive", number, "--documents", "CMR,packing list", "--seal",
        "intact", "--clearance", "cleared")
    refused = hub("grn", "issue", number, "--count", "1:10", "--received-by", "Amal", ok=False)
    assert refused.exit_code == 1 and "cannot go from arrived to received" in refused.output
    hub("consignments", "set-state", number, "screening")
    hub("consignments", "set-state", number, "cleared")
    out = hub("grn", "issue", number, "--count", "1:95+3,close,per=50",
              "--count", "2:20,item=TARP,close", "--received-by", "Amal").output
    grn = out.split()[1]
    assert "partially" not in out and "is now received" in out
    pallets = [line.split()[-1] for line in out.splitlines() if "pallet " in line]
    assert len(pallets) == 3  # 95 rice in 50 + 45, 20 tarpaulins
    refused = hub("putaway", pallets[0], "--to", "A-01", ok=False)
    assert refused.exit_code == 1 and "triage" in refused.output
    hub("triage", grn, "1", "--priority", "1")
    hub("putaway", f"(00){pallets[0]}", "--to", "A-01")
    found = json.loads(hub("scan", pallets[0], "--json").output)
    assert (found["location"], found["quantity"], found["item"]) == ("A-01", 50, "RICE")
    shown = json.loads(hub("consignments", "show", number, "--json").output)
    assert [ln["received"] for ln in shown["lines"]] == [98, 20]
    assert "put away" in hub("consignments", "show", number).output
    labels = tmp_path / "labels.pdf"
    hub("grn", "labels", grn, "-o", str(labels))
    assert labels.read_bytes().startswith(b"%PDF")
    assert "written" in hub("grn", "pdf", grn, "-o", str(tmp_path / "grn.pdf")).output
    stock = json.loads(hub("stock", "--site", "DAM-HUB", "--json").output)
    assert {(r["location"], r["item"], r["quantity"]) for r in stock} == {
        ("A-01", "RICE", 50), ("RECV", "RICE", 45), ("QUARANTINE", "RICE", 3),
        ("RECV", "TARP", 20)}


def test_import_shows_its_guesses_and_waits_for_yes(hub, tmp_path):  # noqa: F811
    hub("orgs", "add", "ECHO", "European Commission humanitarian aid", "--type", "government")
    path = tmp_path / "packing.csv"
    path.write_text(PACKING_LIST)
    first = hub("consignments", "import", str(path), "--hub", "DAM-HUB", "--consignor", "WFP",
                "--consignee", "WFP", ok=False)
    assert first.exit_code == 1 and "run again with --yes" in first.output
    assert "Exp. date" in first.output and "unidentified" in first.output
    done = hub("consignments", "import", str(path), "--hub", "DAM-HUB", "--consignor", "WFP",
               "--consignee", "WFP", "--yes")
    assert "registered with 3 lines" in done.output
    pipeline = json.loads(hub("consignments", "pipeline", "--json").output)
    assert pipeline[0]["stage"] == "expected" and pipeline[0]["announced"] == 152


def test_everything_expected_can_be_received_good_in_one_go(hub, tmp_path):  # noqa: F811
    hub("locations", "add", "DAM-HUB", "RECV", "--kind", "zone")
    hub("settings", "set", "gs1.company_prefix", "0614141")
    out = hub("consignments", "advise", "--hub", "DAM-HUB", "--consignor", "WFP",
              "--consignee", "WFP", "--line", "TARP:120", "--line", "RICE:30:B4:2027-01-31",
              "--line", "?Mixed clothes:5:carton").output
    number = out.split("consignment ")[1].split()[0]
    for state in ("arrived", "screening", "cleared"):
        hub("consignments", "set-state", number, state)
    out = hub("grn", "issue", number, "--all-good", "--priority", "1", "--per", "50",
              "--received-by", "Amal").output
    assert "partially received" in out  # the unidentified line still waits to be counted
    assert out.count("pallet ") == 4  # 50 + 50 + 20 tarpaulins, 30 rice
