"""32 clients at once over HTTP against a real server, on both databases (PostgreSQL's row
locks; SQLite through the app's own write serialisation): receiving into the same bin,
promising the same lot to transfers, and deciding the same screening hit. Nothing is
oversold, no document number is given twice, no update is lost, and no decision is made
twice."""

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from aidhub.services import consignments, screening, stock, verify
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.store.tables import audit_records, grns, reservations
from aidhub.web.app import create_app
from tests.helpers import receive, signed_in
from tests.integration.test_inbound import hub  # noqa: F401
from tests.integration.test_screening import UN

CLIENTS = 32


@pytest.fixture
def server(hub):  # noqa: F811
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(hub), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def at_once(base: str, headers: dict[str, str], requests: list[tuple[str, dict]]
            ) -> list[httpx.Response]:
    """Send the POSTs from CLIENTS threads released together by a barrier."""
    barrier = threading.Barrier(len(requests))

    def send(n: int) -> httpx.Response:
        url, body = requests[n]
        with httpx.Client(base_url=base, timeout=60) as client:
            barrier.wait()
            return client.post(url, json=body,
                               headers={**headers, "Idempotency-Key": f"race-{url}-{n}"})

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, range(len(requests))))


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
