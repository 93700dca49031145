"""The donor report on both databases: every figure checked against the ledger computed
apart (the physical side of the postings and `stock.on_hand`, where the report reads the
virtual side), the tie-out holding and failing when a posting is edited behind the
ledger's back, the PDF in English and Arabic and the XLSX carrying the figures, bad
input, an empty period, and stored reports with their inputs hash."""

import datetime as dt
import io
import re
from collections import defaultdict

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from aidhub.cli.app import app
from aidhub.documents.donor_report import render_pdf
from aidhub.documents.report_xlsx import render_xlsx
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.waybills import PodLine
from aidhub.services import (
    channels,
    consignments,
    delivery,
    donor_report,
    receiving,
    reference,
    report_store,
    stock,
    waybills,
)
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.donor_report import TieOut
from aidhub.services.movements import LineRequest, MovementRequest, post_movement
from aidhub.services.receiving import CountLine
from aidhub.store.tables import items, locations, movements, organisations, postings
from tests.helpers import TODAY, make_outbound_hub
from tests.integration.test_outbound import TRUCK, picked, released

pytestmark = pytest.mark.usefixtures("midday")
START, END = TODAY - dt.timedelta(days=5), TODAY


def at(days_ago: int) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12), dt.UTC)


@pytest.fixture
def donated(ctx):
    """ECHO's goods: 100 bags of rice received straight away (no GRN), 40 of them shipped
    to DP-A (P-code SY0200) where 35 arrive and 5 are short, 4 more taken to DP-B by hand
    (3 arrive, 1 lost); a consignment from ECHO by
    LB-ROAD announcing 50 tarpaulins (45 good, 3 damaged, closed short) and 30 boxes of
    paracetamol expiring in 20 days, received with a GRN; 20 tarpaulins received 15 days
    ago (before the period), of which 2 lost in a count and 3 disposed of in the period.
    WFP's rice shares the waybill and must not show."""
    make_outbound_hub(ctx)
    reference.add_location(ctx, key="recv", site_code="DAM-HUB", code="RECV", kind="zone")
    reference.add_site(ctx, key="poe", code="MASNAA", name="Masnaa", kind="point_of_entry",
                       pcode="SY03")
    channels.add_channel(ctx, key="ch", code="LB-ROAD", name="Beirut by road", mode="road",
                         route="commercial", provider_type="un_agency")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="gs1")
    post_movement(ctx, MovementRequest("receipt", [LineRequest(
        "TARP", 20, "DAM-HUB/EXTERNAL", "DAM-HUB/A-02", None, None, "ECHO")], "old", at(15)))
    post_movement(ctx, MovementRequest("adjustment", [LineRequest(
        "TARP", 2, "DAM-HUB/A-02", "DAM-HUB/LOST", None, None, "ECHO")], "count", at(3),
        reference="CNT-1", note="torn in the count"))
    post_movement(ctx, MovementRequest("disposal", [LineRequest(
        "TARP", 3, "DAM-HUB/A-02", "DAM-HUB/DISPOSED", None, None, "ECHO")], "bin", at(2),
        note="rotten"))
    expiry = (TODAY + dt.timedelta(days=20)).isoformat()
    number = consignments.register_preadvice(ctx, PreAdvice(
        hub="DAM-HUB", consignor="WFP", consignee="WFP", donor="ECHO", channel="LB-ROAD",
        point_of_entry="MASNAA", eta=TODAY.isoformat(), document_type="cmr",
        document_number="CMR-9", vehicle="LB 9", driver="Hassan", seals="S-1",
        lines=[AdviceLine(50, item="TARP"), AdviceLine(30, item="PARA", batch="P1",
                                                       expiry=expiry)]), key="pa")["number"]
    for n, state in enumerate(["in_transit", "arrived", "screening", "cleared"]):
        consignments.change_state(ctx, number, state, key=f"st-{n}")
    grn = receiving.receive(ctx, number, [
        CountLine(1, good=45, damaged=3, close=True, priority=2),
        CountLine(2, good=30, batch="P1", expiry=expiry, priority=1)],
        key="grn", received_by="Amal")["grn"]
    _, ro = released(ctx, 100)
    picked(ctx, ro)
    wb = waybills.issue(ctx, ro, "DP-A", key="wb", vehicle=TRUCK, driver="Khaled Haddad",
                        transporter="TRANSCO")["waybill"]
    waybills.dispatch(ctx, wb, key="go")
    waybills.track(ctx, wb, "arrived", key="arr")
    pod = delivery.confirm(ctx, wb, [PodLine(1, good=35, short=5), PodLine(2, good=55,
                                                                          damaged=5)],
                           key="pod", signer="Amal", seal_state="intact")
    # by hand, with no waybill: 4 more bags to DP-B, of which 1 falls off the truck
    post_movement(ctx, MovementRequest("dispatch", [LineRequest(
        "RICE", 4, "DAM-HUB/A-01", "DP-B/IN-TRANSIT", "B1", None, "ECHO")], "hand"))
    post_movement(ctx, MovementRequest("delivery", [
        LineRequest("RICE", 3, "DP-B/IN-TRANSIT", "DP-B/DISTRIBUTED", "B1", None, "ECHO"),
        LineRequest("RICE", 1, "DP-B/IN-TRANSIT", "DP-B/LOST", "B1", None, "ECHO")],
        "hand-pod", note="fell off the truck"))
    return {"ctx": ctx, "consignment": number, "grn": grn, "waybill": wb,
            "loss_report": pod["loss_report"]}


# the figures, computed apart -------------------------------------------------------------
def physical_flows(ctx, owner: str, start: dt.date, end: dt.date) -> dict[tuple, int]:
    """(item, movement kind) -> sum of the owner's postings at physical locations of
    movements in the period: the other side of the ledger from what the report reads."""
    since = dt.datetime.combine(start, dt.time(), dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    query = (select(items.c.code, movements.c.kind, func.sum(postings.c.quantity))
             .join(movements, postings.c.movement_id == movements.c.id)
             .join(locations, postings.c.location_id == locations.c.id)
             .join(items, postings.c.item_id == items.c.id)
             .join(organisations, postings.c.owner_id == organisations.c.id)
             .where(locations.c.physical, organisations.c.code == owner,
                    movements.c.at >= since, movements.c.at < until)
             .group_by(items.c.code, movements.c.kind))
    with ctx.engine.connect() as conn:
        return {(item, kind): int(q) for item, kind, q in conn.execute(query)}


def expected_tie_out(ctx, owner: str) -> dict[str, tuple]:
    """Per item, from the physical postings of the period and today's balances."""
    flows = physical_flows(ctx, owner, START, END)
    closing: dict[str, int] = defaultdict(int)
    for r in stock.on_hand(ctx, owner=owner):
        closing[r.item] += r.quantity
    out = {}
    for item in {i for i, _ in flows} | set(closing):
        moved = {kind: q for (i, kind), q in flows.items() if i == item}
        opening = closing[item] - sum(moved.values())
        out[item] = (opening, moved.get("receipt", 0), -moved.get("dispatch", 0),
                     -moved.get("adjustment", 0), -moved.get("disposal", 0),
                     -moved.get("return", 0), closing[item])
    return out


def figures(t: TieOut) -> tuple:
    return (t.opening, t.received, t.dispatched, t.lost, t.disposed, t.returned, t.closing)


def test_the_tie_out_is_the_ledger_seen_from_both_sides(donated):
    ctx = donated["ctx"]
    report = donor_report.build(ctx, "ECHO", START, END)
    assert {t.item: figures(t) for t in report.tie_out} == expected_tie_out(ctx, "ECHO")
    assert {t.item: figures(t) for t in report.tie_out} == {
        "RICE": (0, 100, 44, 0, 0, 0, 56),
        "TARP": (20, 48, 0, 2, 3, 0, 63),
        "PARA": (0, 30, 0, 0, 0, 0, 30)}
    assert report.balanced and all(t.ok for t in report.tie_out)
    wfp = donor_report.build(ctx, "WFP", START, END)
    assert {t.item: figures(t) for t in wfp.tie_out} == expected_tie_out(ctx, "WFP")
    assert {t.item for t in report.tie_out} == {"RICE", "TARP", "PARA"}


def test_each_section_has_the_ledgers_figures(donated):
    ctx = donated["ctx"]
    r = donor_report.build(ctx, "ECHO", START, END)
    assert {(x.source_kind, x.source, x.category, x.item, x.quantity) for x in r.received} == {
        ("direct", "", "food_drink", "RICE", 100),
        ("channel", "LB-ROAD", "shelter_construction", "TARP", 48),
        ("channel", "LB-ROAD", "pharmaceutical", "PARA", 30)}
    assert sum(x.weight_kg for x in r.received if x.item == "TARP") == r.weight("TARP", 48)
    (tarp, para) = sorted(r.announced, key=lambda a: a.line_no)
    assert (tarp.consignment, tarp.grns, tarp.announced, tarp.good, tarp.damaged,
            tarp.short, tarp.difference) == (donated["consignment"], (donated["grn"],),
                                             50, 45, 3, 2, -2)
    assert set(tarp.findings) == {"damaged", "short"} and para.findings == ()
    # stock at the end of the period is what `stock.on_hand` says, lot by lot
    held: dict[tuple, int] = defaultdict(int)
    for row in stock.on_hand(ctx, owner="ECHO"):
        held[(row.site, row.item, row.batch)] += row.quantity
    assert {(s.site, s.item, s.batch): s.quantity for s in r.stock} == held
    assert {s.item: s.band for s in r.stock} == {"RICE": "later", "TARP": "none",
                                                 "PARA": "30"}
    assert [(d.adm1, d.destination, d.item, d.dispatched, d.delivered, d.lost)
            for d in r.deliveries] == [("SY02", "DP-A", "RICE", 40, 35, 5),
                                       ("SY02", "DP-B", "RICE", 4, 3, 1)]
    assert r.governorates == {"SY02": ("Aleppo", "حلب")}
    assert {(x.kind, x.item, x.quantity, x.reason) for x in r.losses} == {
        ("short", "RICE", 5, ""), ("lost", "RICE", 1, "fell off the truck"),
        ("adjustment", "TARP", 2, "torn in the count"), ("disposal", "TARP", 3, "rotten")}
    on_the_way = sum(x.quantity for x in r.losses if x.kind in ("damaged", "short", "lost"))
    assert on_the_way == sum(d.lost for d in r.deliveries)
    (short,) = [x for x in r.losses if x.kind == "short"]
    assert short.document == f"{donated['waybill']} · {donated['loss_report']}"
    trace = {(t.item, t.batch): t for t in r.trace}
    assert trace[("RICE", "B1")].waybill == donated["waybill"]
    assert (trace[("RICE", "B1")].shipped, trace[("RICE", "B1")].good,
            trace[("RICE", "B1")].lost) == (40, 35, 5)
    assert trace[("PARA", "P1")].grns == ((donated["grn"], TODAY, 30),)
    assert trace[("PARA", "P1")].waybill is None


def test_the_period_bounds_what_is_counted(donated):
    ctx = donated["ctx"]
    before = donor_report.build(ctx, "ECHO", TODAY - dt.timedelta(days=20),
                                TODAY - dt.timedelta(days=6))
    assert [(t.item, figures(t)) for t in before.tie_out] == [
        ("TARP", (0, 20, 0, 0, 0, 0, 20))]
    assert before.deliveries == () and before.announced == () and before.losses == ()
    middle = donor_report.build(ctx, "ECHO", TODAY - dt.timedelta(days=3),
                                TODAY - dt.timedelta(days=3))
    assert [(t.item, figures(t)) for t in middle.tie_out] == [
        ("TARP", (20, 0, 0, 2, 0, 0, 18))]
    assert [x.kind for x in middle.losses] == ["adjustment"]


def test_an_edited_posting_shows_in_the_tie_out(donated):
    ctx = donated["ctx"]
    with ctx.engine.begin() as conn:
        rice_in = (select(postings.c.movement_id, postings.c.line_no)
                   .join(locations, postings.c.location_id == locations.c.id)
                   .join(items, postings.c.item_id == items.c.id)
                   .where(items.c.code == "RICE", locations.c.physical,
                          postings.c.quantity == 100))
        movement_id, line_no = conn.execute(rice_in).first()
        conn.execute(update(postings).where(postings.c.movement_id == movement_id,
                                            postings.c.line_no == line_no)
                     .values(quantity=105))
    report = donor_report.build(ctx, "ECHO", START, END)
    (bad,) = [t for t in report.tie_out if not t.ok]
    assert (bad.item, bad.received, bad.closing, bad.difference) == ("RICE", 100, 61, 5)
    assert not report.balanced
    text = pdf_text(render_pdf(report))
    assert "✗ +5" in text and "1 of 3 items do not tie out ✗" in text
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    checks = {row[0]: row[-1] for row in book["Tie-out"].iter_rows(min_row=2,
                                                                   values_only=True)}
    assert checks == {"PARA": "✓", "RICE": "✗", "TARP": "✓"}


def test_the_tie_out_check_itself():
    assert TieOut("X", 10, 5, 3, 1, 1, 0, 10).ok
    wrong = TieOut("X", 10, 5, 3, 1, 1, 0, 9)
    assert (wrong.ok, wrong.expected_closing, wrong.difference) == (False, 10, -1)
    assert not TieOut("X", 0, 0, 0, 0, 0, 1, 0).ok  # returned to the source, but no stock


# documents ------------------------------------------------------------------------------
def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def arabic_forms(data: bytes) -> dict[str, int]:
    """Per Arabic letter, how many glyphs of the Arabic font stand for it (read from the
    font's ToUnicode map): shaped text uses initial, medial and final forms."""
    glyphs: dict[str, set[str]] = defaultdict(set)
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "NotoNaskhArabic" not in str(font["/BaseFont"]) or "/ToUnicode" not in font:
                continue
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for glyph, char in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", cmap):
                if 0x0600 <= int(char, 16) <= 0x06FF:
                    glyphs[chr(int(char, 16))].add(glyph)
    return {letter: len(found) for letter, found in glyphs.items()}


def test_the_pdf_in_english_prints_the_figures(donated):
    report = donor_report.build(donated["ctx"], "ECHO", START, END)
    text = pdf_text(render_pdf(report, "en"))
    for expected in (f"DR-ECHO-{START:%Y%m%d}-{END:%Y%m%d}", "Donor Report",
                     report.inputs_hash, "All 3 items tie out ✓", "LB-ROAD · Beirut by road",
                     "Received without a GRN", donated["grn"], donated["waybill"],
                     donated["loss_report"], "SY02 · Aleppo", "torn in the count", "rotten",
                     "Expires within 30 days", "7. Tie-out"):
        assert expected in text, expected
    tie = text.split("7. Tie-out")[-1]
    assert re.search(r"TARP · Tarpaulin.*?20 48 0 2 3 0 63 63 ✓", tie, re.S)
    assert re.search(r"RICE · Rice, 25 kg bag.*?0 100 44 0 0 0 56 56 ✓", tie, re.S)


def test_the_pdf_in_arabic_is_shaped_and_in_reading_order(donated):
    report = donor_report.build(donated["ctx"], "ECHO", START, END)
    data = render_pdf(report, "ar")
    text = pdf_text(data)
    # whole phrases (pypdf reorders runs that mix Arabic with digits or brackets)
    for words in ("تقرير المانح", "المستلم مقابل المُعلَن", "المفقود في الطريق",
                  "جميع الأصناف", "متطابقة", "أرز", "حلب", "استلام دون إشعار استلام"):
        assert words in text, words
    assert "ناحملا ريرقت" not in text  # not in visual (reversed) order
    forms = arabic_forms(data)
    assert max(forms.values()) >= 3 and forms["ل"] >= 2  # contextual forms: shaped
    assert report.inputs_hash in text and "63" in text and donated["waybill"] in text


def test_the_xlsx_has_every_section_and_its_figures(donated):
    report = donor_report.build(donated["ctx"], "ECHO", START, END)
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert book.sheetnames == ["Summary", "Received", "Announced", "Stock", "Deliveries",
                               "Losses", "Traceability", "Tie-out", "Charts"]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert (summary["donor"], summary["inputs hash (SHA-256 of the figures)"],
            summary["tie-out"]) == ("ECHO", report.inputs_hash, "✓")
    tie = {row[0]: row[3:11] for row in book["Tie-out"].iter_rows(min_row=2,
                                                                  values_only=True)}
    assert tie == {t.item: (*figures(t)[:6], t.expected_closing, t.closing)
                   for t in report.tie_out}
    delivered = list(book["Deliveries"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], r[5], r[8], r[9], r[10]) for r in delivered] == [
        ("SY02", "Aleppo", "DP-A", "RICE", 40, 35, 5), ("SY02", "Aleppo", "DP-B", "RICE",
                                                        4, 3, 1)]
    assert book["Charts"]._charts  # native charts


# bad input and empty periods ------------------------------------------------------------
def test_a_period_with_nothing_says_so(donated):
    report = donor_report.build(donated["ctx"], "ECHO", dt.date(2020, 1, 1),
                                dt.date(2020, 1, 31))
    assert report.empty and report.balanced and report.tie_out == ()
    for language in ("en", "ar"):
        assert render_pdf(report, language).startswith(b"%PDF-")
    assert "Nothing of ECHO's was received" in pdf_text(render_pdf(report))
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    (first,) = book["Tie-out"].iter_rows(min_row=2, values_only=True)
    assert first[0] == "None in this period"


def test_unknown_and_hidden_donors_are_alike(donated):
    ctx = donated["ctx"]
    with pytest.raises(NotFound) as unknown:
        donor_report.build(ctx, "NOBODY", START, END)
    wfp = reference.list_organisations(ctx)
    wfp_id = next(o.id for o in wfp if o.code == "WFP")
    with pytest.raises(NotFound) as hidden:
        donor_report.build(ctx, "ECHO", START, END, organisation_id=wfp_id)
    assert str(hidden.value) == str(unknown.value).replace("NOBODY", "ECHO")
    own = donor_report.build(ctx, "WFP", START, END, organisation_id=wfp_id)
    assert own.donor == "WFP"
    with pytest.raises(InvalidInput, match="the period is reversed"):
        donor_report.build(ctx, "ECHO", END, START)
    with pytest.raises(InvalidInput, match="choose en or ar"):
        render_pdf(own, "fr")


# stored reports -------------------------------------------------------------------------
def test_stored_reports_keep_their_file_and_inputs_hash(donated):
    ctx = donated["ctx"]
    first = donor_report.build(ctx, "ECHO", START, END)
    again = donor_report.build(ctx, "ECHO", START, END)
    assert first.inputs_hash == again.inputs_hash and len(first.inputs_hash) == 64
    content = render_pdf(first)
    report_id = report_store.save(ctx, kind="donor", params={"donor": "ECHO"},
                                  inputs_hash=first.inputs_hash, filename="echo.pdf",
                                  media_type="application/pdf", content=content)
    stored, got = report_store.get(ctx, report_id)
    assert got == content
    assert (stored.kind, stored.params, stored.inputs_hash, stored.filename, stored.size) == (
        "donor", {"donor": "ECHO"}, first.inputs_hash, "echo.pdf", len(content))
    assert [r.id for r in report_store.list_reports(ctx, "donor")] == [report_id]
    assert report_store.list_reports(ctx, "hub") == []
    post_movement(ctx, MovementRequest("adjustment", [LineRequest(
        "TARP", 1, "DAM-HUB/A-02", "DAM-HUB/LOST", None, None, "ECHO")], "one-more"))
    assert donor_report.build(ctx, "ECHO", START, END).inputs_hash != first.inputs_hash
    with pytest.raises(NotFound, match="no report"):
        report_store.get(ctx, "not-an-id")


def test_the_cli_writes_stores_lists_and_gets_reports(donated, db_url, tmp_path):
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, ["--database", db_url, "--as", "tester", *args])
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    out = tmp_path / "echo.pdf"
    said = run("report", "donor", "--donor", "ECHO", "--from", START.isoformat(), "--to",
               END.isoformat(), "-o", str(out), "--language", "ar")
    report_id = re.search(r"stored as report (\S+)", said).group(1)
    inputs = re.search(r"inputs hash ([0-9a-f]{64})", said).group(1)
    assert "all 3 items tie out" in said and out.read_bytes().startswith(b"%PDF-")
    run("report", "donor", "--donor", "ECHO", "--from", START.isoformat(), "--to",
        END.isoformat(), "-o", str(tmp_path / "echo.xlsx"))
    listed = run("report", "list", "--json")
    assert listed.count(inputs) == 2 and report_id in listed
    copy = tmp_path / "copy.pdf"
    run("report", "get", report_id, "-o", str(copy))
    assert copy.read_bytes() == out.read_bytes()
    assert "ending in .pdf or .xlsx" in run(
        "report", "donor", "--donor", "ECHO", "--from", "2026-01-01", "--to", "2026-01-31",
        "-o", str(tmp_path / "x.docx"), ok=False)
    assert "no donor NOBODY" in run(
        "report", "donor", "--donor", "NOBODY", "--from", "2026-01-01", "--to",
        "2026-01-31", "-o", str(tmp_path / "x.pdf"), ok=False)
