"""The hub report and the site map on both databases, on the whole outbound chain (pre-advice
→ GRN → request → plan → pick → waybill → proof of delivery with a short) plus a little
more at DAM-HUB: stock of other categories and expiries, a write-off, a disposal, a
consignment held by goods screening, one cleared and waiting for its GRN, a convoy.

Every figure is worked out here from what the scenario did, not read back from the
ledger, and compared with the report; the PDF is read back with pypdf."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from aidhub.documents import site_map as map_document
from aidhub.documents.hub_report import render_pdf
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.services import (
    consignments,
    hub_report,
    reference,
    screening,
    site_map,
    waybills,
)
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import utcnow
from tests.helpers import move, receive
from tests.integration import test_outbound_chain as chain
from tests.integration.test_outbound_chain import hub  # noqa: F401  (a fixture)

RICE, PARA, TARP = D("25.1"), D("1.1"), D("4.2")  # kg per unit, as in tests/helpers.py
DRONE = b"""code,name_en,suma_category,unit,weight_kg,hs_code
DRONE-MAP,Mapping drone (quadcopter) with camera,logistics_administration,piece,3,8806.22
"""


def t(kg: D) -> D:
    return (kg / 1000).quantize(D("0.001"))


def months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError


def band(expiry: dt.date, today: dt.date) -> str:
    if expiry < today:
        return "expired"
    if expiry < months_later(today, 3):
        return "red"
    return "yellow" if expiry < months_later(today, 9) else "later"


@pytest.fixture
def scene(hub):  # noqa: F811
    """The outbound chain, then more goods, losses, screening and a convoy at DAM-HUB."""
    chain.test_from_pre_advice_to_proof_of_delivery(hub)
    today = utcnow().date()
    soon, later = today + dt.timedelta(days=30), today + dt.timedelta(days=200)
    receive(hub, "PARA", 40, key="x-para", to="DAM-HUB/A-02", batch="P1",
            expiry=soon.isoformat())
    receive(hub, "TARP", 50, key="x-tarp", to="DAM-HUB/A-02", batch=None, expiry=None)
    receive(hub, "RICE", 10, key="x-rice", to="DAM-HUB/A-02", batch="Y1",
            expiry=later.isoformat())
    move(hub, "adjustment", "TARP", 2, "DAM-HUB/A-02", "DAM-HUB/LOST", key="x-count",
         batch=None)
    move(hub, "disposal", "PARA", 1, "DAM-HUB/A-02", "DAM-HUB/DISPOSED", key="x-dispose",
         batch="P1")
    reference.import_catalog(hub, DRONE, key="drone")
    held = consignments.register_preadvice(hub, PreAdvice(
        "DAM-HUB", "WFP", "WFP", [AdviceLine(2, item="DRONE-MAP")]), key="x-pa1")["number"]
    waiting = consignments.register_preadvice(hub, PreAdvice(
        "DAM-HUB", "WFP", "WFP", [AdviceLine(5, item="TARP")]), key="x-pa2")["number"]
    for number in (held, waiting):
        for state in ("arrived", "screening"):
            consignments.change_state(hub, number, state, key=f"{number}-{state}")
    consignments.change_state(hub, waiting, "cleared", key="x-clear")
    (hit,) = screening.list_hits(hub, state="open")
    screening.decide(hub.as_actor("screening officer"), hit.id, "escalate", key="x-esc",
                     reason="drone with a camera: ask the export-control adviser")
    waybills.create_convoy(hub, "DAM-HUB", key="x-cv", route="Damascus – Point A",
                           notification="HNS-1")
    reference.add_site(hub, key="x-dp", code="DP-Z", name="Point Z",
                       kind="distribution_point", pcode="SY0200", lat="33.9", lon="36.6")
    return {"ctx": hub, "today": today, "soon": soon, "later": later, "held": held,
            "waiting": waiting}


def week(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=6), today


def test_every_figure_of_the_hub_report(scene):
    ctx, today = scene["ctx"], scene["today"]
    start, end = week(today)
    r = hub_report.build(ctx, "DAM-HUB", start, end)

    assert (r.hub, r.start, r.end, r.stock_as_at) == ("DAM-HUB", start, end, today)
    # throughput: the GRN of 100 bags and three receipts in, the 80 bags dispatched out
    tonnes_in = t(100 * RICE) + t(40 * PARA) + t(50 * TARP) + t(10 * RICE)
    assert [(d.day, d.tonnes_in, d.tonnes_out) for d in r.throughput] == [
        (start + dt.timedelta(days=n), D(0), D(0)) for n in range(6)
    ] + [(today, t(100 * RICE + 40 * PARA + 50 * TARP + 10 * RICE), t(80 * RICE))]
    assert r.tonnes_in == tonnes_in == D("3.015") and r.tonnes_out == D("2.008")

    # stock now: 20 + 10 bags of rice, 39 boxes of paracetamol, 48 tarpaulins
    assert [(c.category, c.lots, c.quantity, c.tonnes) for c in r.stock] == [
        ("food_drink", 2, 30, t(30 * RICE)),
        ("shelter_construction", 1, 48, t(48 * TARP)),
        ("pharmaceutical", 1, 39, t(39 * PARA)),
    ]
    expected_bands = {"expired": D(0), "red": t(39 * PARA), "yellow": D(0), "later": D(0),
                      "none": t(48 * TARP)}
    expected_bands[band(scene["later"], today)] += t(10 * RICE)
    expected_bands[band(dt.date(2027, 9, 30), today)] += t(20 * RICE)  # the chain's lot G1
    assert {b.band: b.tonnes for b in r.expiry} == expected_bands
    assert [(x.item, x.batch, x.expiry, x.days_left, x.quantity, x.tonnes)
            for x in r.expiring if x.item == "PARA"] == [
        ("PARA", "P1", scene["soon"], 30, 39, t(39 * PARA))]

    # screening: the drone is held by the goods list and its hit escalated, still waiting;
    # two consignments cleared, one held
    s = r.screening
    assert (s.open_hits, s.escalated_hits, s.in_screening) == (0, 1, 1)
    assert s.oldest_open is not None and s.oldest_open.date() == today
    assert s.hits_decided == {"escalated": 1}
    assert s.consignments == {"cleared": 2, "held": 1}

    # requests: DP-A asked for 80 bags, 70 arrived good
    (point,) = r.requests
    assert (point.point, point.requests, point.approved) == ("DP-A", 1, 1)
    assert (point.requested_t, point.delivered_t) == (t(80 * RICE), t(70 * RICE))
    assert point.fill_rate == D("0.875") == r.fill_rate
    assert r.request_states == {"partly_fulfilled": 1}

    (convoy,) = r.convoys
    assert (convoy.route, convoy.notification, convoy.waybills, convoy.delivered) == (
        "Damascus – Point A", "HNS-1", 0, 0)

    x = r.losses
    assert (x.shipped_t, x.damaged_t, x.short_t, x.lost_t) == (
        t(80 * RICE), D(0), t(10 * RICE), D(0))
    assert x.transit_rate == t(10 * RICE) / t(80 * RICE)
    assert (x.damaged_on_arrival_t, x.written_off_t, x.disposed_t) == (
        D(0), t(2 * TARP), t(1 * PARA))

    # the pipeline now: the chain's consignment received, one in screening, one cleared
    assert [(p.stage, p.channel, p.consignments, p.announced, p.received, p.outstanding)
            for p in r.pipeline] == [("in screening", "", 1, 2, 0, 2),
                                     ("cleared", "", 1, 5, 0, 5),
                                     ("received", "LB-ROAD", 1, 100, 100, 0)]
    d = r.documents
    assert d.awaiting_grn == [scene["waiting"]] and d.untriaged_grn_lines == 0
    assert d.awaiting_pod == []
    (report,) = d.loss_reports
    assert report.number.startswith("LR-DAM-HUB-") and report.share == D("0.125")
    assert not r.empty and len(r.inputs_hash) == 64


def test_the_pdf_says_the_same_in_english_and_arabic(scene):
    ctx, today = scene["ctx"], scene["today"]
    report = hub_report.build(ctx, "DAM-HUB", *week(today))
    for language, words in (("en", ["Hub report", "Key figures", "Fill rate"]),
                            ("ar", [])):
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
            render_pdf(report, language))).pages).replace("\u200e", "")
        for figure in (f"{report.tonnes_in:,.2f}", f"{D('2.008'):,.2f}", "87.5 %", "12.5 %",
                       f"{t(80 * RICE):,.2f}", f"{t(70 * RICE):,.2f}", "DP-A", "LB-ROAD",
                       scene["waiting"], "DAM-HUB", "PARA", today.isoformat(), *words):
            assert figure in text, (language, figure)
    arabic = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        render_pdf(report, "ar"))).pages)
    assert "الأرقام" in arabic or "الرئيسية" in arabic  # shaped Arabic text is there


def test_an_empty_period_says_so(scene):
    ctx = scene["ctx"]
    report = hub_report.build(ctx, "DAM-HUB", dt.date(2020, 1, 1), dt.date(2020, 1, 7))
    assert report.empty and report.stock == [] and report.tonnes_in == 0
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        render_pdf(report, "en"))).pages)
    assert "Nothing happened at DAM-HUB in this period" in text
    assert "No request was submitted in this period" in text


def test_unknown_hubs_reversed_dates_and_scope(scene):
    ctx, today = scene["ctx"], scene["today"]
    with pytest.raises(NotFound, match="no hub with code 'NOPE'") as unknown:
        hub_report.build(ctx, "nope", today, today)
    with ctx.uow() as uow:
        wfp = uow.reference.organisation("WFP").id  # operates DAM-HUB
        sarc = uow.reference.organisation("SARC").id
    with pytest.raises(NotFound) as hidden:
        hub_report.build(ctx, "DAM-HUB", today, today, organisation_id=sarc)
    assert str(hidden.value) == str(unknown.value).replace("NOPE", "DAM-HUB")
    assert hub_report.build(ctx, "DAM-HUB", today, today, organisation_id=wfp).hub == \
        "DAM-HUB"
    with pytest.raises(InvalidInput, match="field 'from': the period is reversed"):
        hub_report.build(ctx, "DAM-HUB", today, today - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="field 'hub': DP-A is a distribution point"):
        hub_report.build(ctx, "DP-A", today, today)
    with pytest.raises(InvalidInput, match="field 'language'"):
        render_pdf(hub_report.build(ctx, "DAM-HUB", today, today), "fr")


def test_periods():
    assert hub_report.period_end(dt.date(2026, 11, 1), "week") == dt.date(2026, 11, 7)
    assert hub_report.period_end(dt.date(2026, 11, 1), "Month") == dt.date(2026, 11, 30)
    assert hub_report.period_end(dt.date(2026, 12, 15), "month") == dt.date(2027, 1, 14)
    assert hub_report.period_end(dt.date(2026, 1, 31), "month") == dt.date(2026, 2, 27)
    with pytest.raises(InvalidInput, match="field 'period'"):
        hub_report.period_end(dt.date(2026, 1, 1), "year")


def test_the_site_map(scene):
    ctx, today = scene["ctx"], scene["today"]
    figures = site_map.build(ctx, start=today - dt.timedelta(days=6), end=today)
    sites = {s.code: s for s in figures.sites}
    assert sites["DP-A"].fill.rate == D("0.875")
    assert sites["DP-Z"].fill.rate is None  # no request
    assert sites["JDEIDET-YABOUS"].received_t == t(100 * RICE)
    assert sites["DAM-HUB"].kind == sites["ALP-HUB"].kind == "hub"
    assert {s.code for s in figures.placed} == {"DAM-HUB", "DP-Z"}
    assert {s.code for s in figures.unplaced} == {"ALP-HUB", "DP-A", "JDEIDET-YABOUS"}
    # 87.5 % falls in the fourth class (75–90 %), light blue; no requests is grey
    assert map_document.fill_colour(float(sites["DP-A"].fill.rate)) == "#abd9e9"
    assert map_document.fill_colour(None) == map_document.NO_REQUESTS
    png = map_document.render(figures, "png")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    svg = map_document.render(figures, "svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    note = map_document.unplaced_note(figures.unplaced)
    assert note.startswith("Not placed (no coordinates): ") and "DP-A (distribution point)" \
        in note
    # before the period nothing was received or delivered
    old = site_map.build(ctx, start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 7))
    assert {s.code: s.received_t for s in old.sites if s.kind == "point_of_entry"} == {
        "JDEIDET-YABOUS": 0}
    with pytest.raises(InvalidInput, match="field 'from'"):
        site_map.build(ctx, start=today, end=today - dt.timedelta(days=1))


def test_the_commands_write_store_and_refuse(scene, db_url, tmp_path):
    from typer.testing import CliRunner

    from aidhub.cli import app
    from aidhub.services import report_store

    ctx, today = scene["ctx"], scene["today"]
    start = today - dt.timedelta(days=6)

    def run(*args: str):
        return CliRunner().invoke(app, ["--database", db_url, "--as", "tester", "report",
                                        *args])

    pdf, charts = tmp_path / "week.pdf", tmp_path / "charts"
    done = run("hub", "--hub", "dam-hub", "--period", "week", "--from", start.isoformat(),
               "-o", str(pdf), "--language", "ar", "--charts", str(charts))
    assert done.exit_code == 0, done.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in charts.iterdir()) == [
        f"hub-DAM-HUB-{start}-{name}-ar.png" for name in ("expiry", "stock", "throughput")]
    (stored,) = report_store.list_reports(ctx, "hub")
    assert stored.params == {"hub": "DAM-HUB", "period": "week", "from": start.isoformat(),
                             "to": today.isoformat(), "language": "ar"}
    assert stored.inputs_hash == hub_report.build(ctx, "DAM-HUB", start, today).inputs_hash
    assert report_store.get(ctx, stored.id)[1] == pdf.read_bytes()

    done = run("map", "-o", str(tmp_path / "sites.png"), "--from", start.isoformat())
    assert done.exit_code == 0, done.output
    assert "2 sites placed, 3 without coordinates" in done.output
    for args, message in (
            (("map", "-o", str(tmp_path / "sites.jpg")), "write the map to a .png or .svg"),
            (("hub", "--hub", "NOPE", "--from", start.isoformat(), "-o", str(pdf)),
             "no hub with code 'NOPE'"),
            (("hub", "--hub", "DAM-HUB", "--period", "year", "--from", "2026-01-01"),
             "field 'period'")):
        refused = run(*args)
        assert refused.exit_code == 1 and message in refused.output, refused.output
