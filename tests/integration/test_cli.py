"""The `aidhub` command as a hub manager uses it."""

import json

import pytest
from typer.testing import CliRunner

from aidhub.cli import app

CATALOG = """code,name_en,suma_category,unit,shelf_life
RICE,"Rice, 25 kg bag",food_drink,bag,yes
TARP,Tarpaulin 4x6 m,shelter_construction,piece,no
"""


@pytest.fixture
def aidhub(db_url):
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, ["--database", db_url, "--as", "tester", *args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture
def hub(aidhub, tmp_path):
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(CATALOG)
    aidhub("orgs", "add", "WFP", "World Food Programme", "--type", "un_agency")
    aidhub("sites", "add", "DAM-HUB", "Damascus hub", "--kind", "hub", "--pcode", "SY01",
           "--operator", "WFP")
    aidhub("locations", "add", "DAM-HUB", "A-01")
    aidhub("locations", "add", "DAM-HUB", "A-02")
    out = aidhub("items", "import", str(catalog)).output
    assert "2 added" in out
    return aidhub


def test_receive_move_and_read_stock(hub):
    out = hub("receive", "RICE", "100", "--site", "DAM-HUB", "--to", "A-01", "--lot", "B7",
              "--expiry", "2027-05-31", "--ref", "GRN-1").output
    assert "receipt posted as movement 1" in out
    hub("transfer", "RICE", "40", "--site", "DAM-HUB", "--from", "A-01", "--to", "A-02")
    hub("dispatch", "RICE", "15", "--site", "DAM-HUB", "--from", "A-02")
    hub("adjust", "RICE", "--missing", "2", "--site", "DAM-HUB", "--location", "A-01",
        "--reason", "torn bags")
    rows = json.loads(hub("stock", "--site", "DAM-HUB", "--json").output)
    assert {(r["location"], r["quantity"], r["expiry"]) for r in rows} == {
        ("A-01", 58, "2027-05-31"), ("A-02", 25, "2027-05-31")}
    card = json.loads(hub("stock", "card", "RICE", "--site", "DAM-HUB", "--json").output)
    assert [(ln["kind"], ln["balance"]) for ln in card["lines"]] == [
        ("receipt", 100), ("transfer", 100), ("dispatch", 85), ("adjustment", 83)]
    assert "closing balance 83 bag" in hub("stock", "card", "RICE", "--site", "DAM-HUB").output
    assert "ledger verified: 4 movements" in hub("ledger", "verify").output
    assert "audit chain verified" in hub("audit", "verify").output
    moves = json.loads(hub("movements", "--json").output)
    assert [m["kind"] for m in moves] == ["adjustment", "dispatch", "transfer", "receipt"]


def test_a_retried_command_with_its_key_does_nothing_twice(hub):
    args = ("receive", "TARP", "5", "--site", "DAM-HUB", "--to", "A-01", "--key", "grn-9")
    hub(*args)
    assert "nothing changed" in hub(*args).output
    assert json.loads(hub("stock", "--json").output)[0]["quantity"] == 5


@pytest.mark.parametrize("args,message", [
    (("receive", "RICE", "1.5", "--site", "DAM-HUB", "--to", "A-01", "--lot", "B",
      "--expiry", "2027-01-01"), "whole number"),
    (("receive", "RICE", "1", "--site", "DAM-HUB", "--to", "A-01", "--lot", "B",
      "--expiry", "31.02.2027"), "field 'expiry'"),
    (("receive", "SOAP", "1", "--site", "DAM-HUB", "--to", "A-01"), "no item with code 'SOAP'"),
    (("dispatch", "TARP", "1", "--site", "DAM-HUB", "--from", "A-01"), "holds no TARP"),
    (("stock", "--site", "NOWHERE"), "no site with code 'NOWHERE'"),
    (("adjust", "TARP", "--site", "DAM-HUB", "--location", "A-01", "--reason", "x"),
     "give either --found N or --missing N"),
    (("adjust", "TARP", "--found", "0", "--site", "DAM-HUB", "--location", "A-01",
      "--reason", "x"), "above zero"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_1(hub, args, message):
    result = hub(*args, ok=False)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.startswith("error:")
    assert "Traceback" not in result.output


def test_ledger_verify_exits_1_on_a_difference(hub, db_url):
    from sqlalchemy import update

    from aidhub.store import database
    from aidhub.store.tables import balances

    hub("receive", "TARP", "5", "--site", "DAM-HUB", "--to", "A-01")
    engine = database.create(db_url)
    with engine.begin() as conn:
        conn.execute(update(balances).where(balances.c.quantity == 5).values(quantity=6))
    engine.dispose()
    result = hub("ledger", "verify", ok=False)
    assert result.exit_code == 1
    assert "DAM-HUB/A-01 TARP: balance table says 6, movements sum to 5" in result.output


def test_reverse_from_the_command_line(hub):
    hub("receive", "TARP", "5", "--site", "DAM-HUB", "--to", "A-01")
    assert "movement 1 reversed by movement 2" in hub("reverse", "1", "--reason",
                                                      "duplicate entry").output
    assert json.loads(hub("stock", "--json").output) == []


def test_db_upgrade_and_status(aidhub):
    assert "up to date" in aidhub("db", "upgrade").output
    assert json.loads(aidhub("db", "status", "--json").output)["up_to_date"] is True
