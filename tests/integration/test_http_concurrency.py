"""32 clients at once over HTTP against a real server, on both databases (PostgreSQL's row
locks; SQLite through the app's own write serialisation): receiving into the same bin,
promising the same lot to transfers, deciding the same screening hit, loading the same
picked lots onto waybills and dispatching them. Nothing is oversold, no document number
is given twice, no update is lost, and no decision is made twice."""

import contextlib
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from aidhub.domain.loads import Vehicle
from aidhub.services import (
    consignments,
    picking,
    planning,
    release_orders,
    requests,
    screening,
    stock,
    verify,
    waybills,
)
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.requests import LineInput
from aidhub.store.tables import audit_records, balances, grns, movements, reservations
from aidhub.store.tables import waybills as waybills_table
from aidhub.web.app import create_app
from tests.helpers import make_outbound_hub, receive, signed_in
from tests.integration.test_inbound import hub  # noqa: F401
from tests.integration.test_screening import UN

CLIENTS = 32


@contextlib.contextmanager
def serving(ctx):
    """The app on a real uvicorn server in a thread; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(hub):  # noqa: F811
    with serving(hub) as base:
        yield base


def at_once(base: str, headers: dict[str, str], posts: list[tuple[str, dict]],
            keys: list[str] | None = None) -> list[httpx.Response]:
    """Send the POSTs from CLIENTS threads released together by a barrier, each with its
    own idempotency key (or ``keys[n]``: the same key twice is one command retried)."""
    barrier = threading.Barrier(len(posts))

    def send(n: int) -> httpx.Response:
        url, body = posts[n]
        with httpx.Client(base_url=base, timeout=60) as client:
            barrier.wait()
            return client.post(url, json=body, headers={
                **headers, "Idempotency-Key": keys[n] if keys else f"race-{url}-{n}"})

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        return list(pool.map(send, range(len(posts))))


def count(ctx, query) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_receiving_into_the_same_bin_loses_nothing_and_numbers_each_grn_once(hub, server):  # noqa: F811
    numbers = []
    for n in range(CLIENTS):
        number = consignments.register_preadvice(hub, PreAdvice(
            "DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="RICE", batch="B1",
                                                 expiry="2027-06-30")], donor="ECHO"),
            key=f"pa-{n}")["number"]
        for k, state in enumerate(["in_transit", "arrived", "screening", "cleared"]):
            consignments.change_state(hub, number, state, key=f"{number}-{k}")
        numbers.append(number)
    answers = at_once(server, signed_in(hub, "reception"), [
        (f"/api/v1/consignments/{n}/grns",
         {"counts": [{"line": 1, "good": 10}], "received_by": "Amal"}) for n in numbers])
    assert [a.status_code for a in answers] == [201] * CLIENTS, answers[0].text
    issued = {a.json()["grn"] for a in answers}
    assert len(issued) == CLIENTS == count(hub, select(func.count()).select_from(grns))
    received = sum(r.quantity for r in stock.on_hand(hub, site="DAM-HUB", location="RECV"))
    assert received == 10 * CLIENTS
    assert verify.verify_ledger(hub).ok and verify.verify_audit(hub).ok


def test_a_lot_promised_to_many_transfers_at_once_is_never_oversold(hub, server):  # noqa: F811
    receive(hub, "RICE", 100, key="stock", to="DAM-HUB/A-01")
    answers = at_once(server, signed_in(hub, "hub_manager"), [
        ("/api/v1/transfers", {"hub": "DAM-HUB", "to": "ALP-HUB", "reason": f"race {n}",
                               "lines": [{"item": "RICE", "quantity": 7}]})
        for n in range(CLIENTS)])
    made = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code == 400]
    assert len(made) == 100 // 7 and len(made) + len(refused) == CLIENTS
    assert all("can be promised" in a.json()["detail"] for a in refused)
    promised = count(hub, select(func.coalesce(func.sum(reservations.c.quantity), 0)))
    assert promised == 7 * len(made) <= 100
    report = verify.verify_ledger(hub)
    assert report.ok and report.warnings == []  # nothing reserved beyond the stock


def test_a_screening_hit_is_decided_once_however_many_decide_at_once(hub, server):  # noqa: F811
    screening.load_list(hub, UN, key="un")
    number = consignments.register_preadvice(hub, PreAdvice(
        "DAM-HUB", "WFP", "WFP", [AdviceLine(10, item="TARP")],
        driver="Abu Mohamad al-Golani"), key="pa")["number"]
    for n, state in enumerate(["arrived", "screening", ]):
        consignments.change_state(hub, number, state, key=f"s{n}")
    (hit,) = [h for h in screening.list_hits(hub, state="open") if h.kind == "party"]
    answers = at_once(server, signed_in(hub, "screening"), [
        (f"/api/v1/hits/{hit.id}/decision", {"decision": "clear",
                                             "reason": f"officer {n}: not him"})
        for n in range(CLIENTS)])
    codes = sorted(a.status_code for a in answers)
    assert codes.count(200) == 1 and all(c in (400, 409) for c in codes if c != 200), codes
    decided = count(hub, select(func.count()).select_from(audit_records).where(
        audit_records.c.action == "hit.decide"))
    assert decided == 1
    assert verify.verify_audit(hub).ok


TRUCK = {"capacity_kg": 20000, "capacity_m3": 60, "driver": "Khaled Haddad",
         "transporter": "TRANSCO", "point": "DP-A"}


@pytest.fixture
def picked(ctx):
    """All 160 bags of rice at DAM-HUB (lot B1: 100 in A-01, B2: 60 in A-02) released to
    DP-A and picked to staging: (ctx, release order, {batch: pick line id})."""
    make_outbound_hub(ctx)
    number = requests.create(ctx.as_actor("partner"), key="rq", organisation_code="SARC",
                             point="DP-A", submit=True,
                             lines=[LineInput(item="RICE", quantity=160, priority=1)]
                             )["request"]
    requests.change_state(ctx.as_actor("coordinator"), number, "approved", key="rq-ok")
    plan = planning.solve(ctx.as_actor("planner"), key="plan")["plan"]
    (ro,) = planning.approve(ctx.as_actor("manager"), plan, key="plan-ok")["release_orders"]
    release_orders.change_state(ctx.as_actor("manager"), ro, "accepted", key="ro-acc")
    pl = picking.generate(ctx.as_actor("picker"), ro, key="pl")["pick_list"]
    lines = picking.view(ctx, pl).lines
    for x in lines:
        picking.confirm(ctx.as_actor("picker"), pl, x.line_no, key=f"pick-{x.line_no}")
    (load,), _ = waybills.propose(ctx, ro, [Vehicle("SY-1", Decimal(20000), Decimal(60))])
    by_batch = {x["batch"]: str(x["pick_line"]) for x in load.lines}
    assert sorted(by_batch) == ["B1", "B2"]
    return ctx, ro, by_batch


@pytest.fixture
def outbound_server(picked):
    with serving(picked[0]) as base:
        yield base


def waybill_body(ro: str, pick_line: str, quantity: int, n: int) -> dict:
    return {"release_order": ro, **TRUCK, "plate": f"SY-{10000 + n}",
            "seals": [f"S-{n:04d}"], "lines": [{"pick_line": pick_line, "quantity": quantity}]}


def staged(ctx) -> int:
    return sum(r.quantity for r in stock.on_hand(ctx, site="DAM-HUB", location="STAGE"))


def in_transit(ctx) -> int:
    return sum(r.quantity for r in stock.on_hand(ctx, site="DP-A", location="IN-TRANSIT",
                                                 include_virtual=True))


def nothing_negative(ctx) -> bool:
    return count(ctx, select(func.count()).select_from(balances).where(
        balances.c.physical, balances.c.quantity < 0)) == 0


def test_vehicles_loaded_and_dispatched_from_the_same_lots_at_once_take_each_unit_once(
        picked, outbound_server):
    ctx, ro, line = picked
    headers = signed_in(ctx, "dispatcher")
    # 32 vehicles asking for 7 bags each, half from each lot: B1 (100) fills 14 of them,
    # B2 (60) fills 8; the others are refused, never loaded beyond what was picked
    answers = at_once(outbound_server, headers, [
        ("/api/v1/waybills", waybill_body(ro, line["B1" if n % 2 else "B2"], 7, n))
        for n in range(CLIENTS)])
    codes = [a.status_code for a in answers]
    made = [a.json()["waybill"] for a in answers if a.status_code == 201]
    assert len(made) == 14 + 8 and codes.count(400) == CLIENTS - len(made), codes
    assert all("waiting to be loaded" in a.json()["detail"]
               for a in answers if a.status_code == 400)
    assert len(set(made)) == len(made) == count(ctx, select(func.count()).select_from(
        waybills_table))  # no waybill number given twice
    assert staged(ctx) == 160  # issuing moves nothing

    # then 32 dispatchers at once: every waybill once, the first 10 a second time too
    # (another clerk pressing "dispatch" on the same paper, with its own key)
    targets = made + made[:CLIENTS - len(made)]
    answers = at_once(outbound_server, headers, [
        (f"/api/v1/waybills/{wb}/dispatch", {}) for wb in targets])
    codes = [a.status_code for a in answers]
    assert all(c < 500 for c in codes), codes
    left = [a.json() for a in answers if a.status_code == 200]
    assert sorted(x["waybill"] for x in left) == sorted(made), codes  # each left once
    assert all(c in (400, 409) for c in codes if c != 200)
    assert len({x["movement"] for x in left}) == len(made) == count(ctx, select(
        func.count()).select_from(movements).where(movements.c.kind == "dispatch"))
    with ctx.engine.connect() as conn:
        states = conn.execute(select(waybills_table.c.state, waybills_table.c.number)).all()
    assert {s for s, _ in states} == {"dispatched"}
    shipped = 7 * len(made)
    assert staged(ctx) == 160 - shipped and in_transit(ctx) == shipped
    assert nothing_negative(ctx)
    for batch, lot_size, loaded in (("B1", 100, 14 * 7), ("B2", 60, 8 * 7)):
        at_hub = stock.on_hand(ctx, site="DAM-HUB", lot=batch)
        moving = stock.on_hand(ctx, site="DP-A", location="IN-TRANSIT", lot=batch,
                               include_virtual=True)
        assert sum(r.quantity for r in moving) == loaded  # what left = what was dispatched
        assert sum(r.quantity for r in at_hub) == lot_size - loaded
    report = verify.verify_ledger(ctx)
    assert report.ok and report.warnings == [], report
    assert verify.verify_audit(ctx).ok


def test_one_waybill_dispatched_by_32_clerks_at_once_leaves_once(picked, outbound_server):
    ctx, ro, line = picked
    headers = signed_in(ctx, "dispatcher")
    with httpx.Client(base_url=outbound_server, timeout=60, headers=headers) as client:
        wb = client.post("/api/v1/waybills", json=waybill_body(ro, line["B1"], 40, 0),
                         headers={"Idempotency-Key": "wb"}).json()["waybill"]
    url = f"/api/v1/waybills/{wb}/dispatch"
    # every other clerk retries one command (the same key), the rest each send their own
    answers = at_once(outbound_server, headers, [(url, {})] * CLIENTS,
                      keys=["go" if n % 2 else f"own-{n}" for n in range(CLIENTS)])
    codes = [a.status_code for a in answers]
    assert all(c in (200, 400, 409) for c in codes), codes
    oks = [a.json() for a in answers if a.status_code == 200]
    assert oks and all(x == oks[0] for x in oks), codes  # the one dispatch (or its replay)
    assert all("dispatched" in a.json()["detail"] for a in answers if a.status_code == 400)
    assert count(ctx, select(func.count()).select_from(movements).where(
        movements.c.kind == "dispatch")) == 1
    with httpx.Client(base_url=outbound_server, timeout=60, headers=headers) as client:
        late = client.post(url, headers={"Idempotency-Key": "late"})
        assert late.status_code == 400 and "dispatched" in late.json()["detail"]
        replay = client.post(url, headers={"Idempotency-Key": "go"})
        assert replay.status_code in (200, 400)
        if replay.status_code == 200:
            assert replay.json() == oks[0]
    assert staged(ctx) == 120 and in_transit(ctx) == 40 and nothing_negative(ctx)
    decided = count(ctx, select(func.count()).select_from(audit_records).where(
        audit_records.c.action == "waybill.dispatch"))
    assert decided == 1
    assert verify.verify_ledger(ctx).ok and verify.verify_audit(ctx).ok
