"""Site nodes working offline and syncing with the central server (on SQLite and on
PostgreSQL for the central; a node is always its own SQLite file). The central server's
API is called through its real HTTP routes (a test client), so tokens, signatures, the
batch chain and the problem answers are all exercised."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from aidhub.domain.sync import Batch, SyncError
from aidhub.interop.sync_client import CentralClient, Unreachable
from aidhub.services import consignments, screening, stock, sync_central, sync_node
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import open_context
from aidhub.services.verify import verify_audit, verify_ledger
from aidhub.store.tables import movements, postings
from aidhub.web.app import create_app
from tests.helpers import make_planning_hub, move, receive

UN = (Path(__file__).parents[1] / "fixtures" / "lists" / "un-consolidated-2020.xml").read_bytes()
SITE = "DAM-HUB"


@pytest.fixture
def central(ctx):
    make_planning_hub(ctx)
    return ctx


def attach(central, tmp_path, name="dam-node", site=SITE):
    token = sync_central.add_node(central, name, site, key=f"node-{name}")["token"]
    client = CentralClient("http://testserver", token,
                           client=TestClient(create_app(central)))
    node = open_context(f"sqlite:///{tmp_path}/{name}.sqlite")
    sync_node.init_node(node, client, "http://testserver")
    return node, client


def site_stock(ctx, site=SITE):
    return sorted((r.location, r.item, r.batch, r.owner, r.quantity)
                  for r in stock.on_hand(ctx, site=site))


def site_movements(ctx, site_locations):
    with ctx.uow() as uow:
        rows = uow.conn.execute(select(movements.c.id).distinct().join(
            postings, postings.c.movement_id == movements.c.id).where(
            postings.c.location_id.in_(site_locations))).all()
    return {r.id for r in rows}


def locations_of(ctx, site=SITE):
    with ctx.uow() as uow:
        s = uow.reference.site(site)
        from aidhub.store.tables import locations
        return [r.id for r in uow.conn.execute(
            select(locations.c.id).where(locations.c.site_id == s.id))]


def assert_converged(central, node):
    assert site_stock(node) == site_stock(central)
    where = locations_of(central)
    assert site_movements(node, where) == site_movements(central, where)
    for ctx in (central, node):
        ledger = verify_ledger(ctx)
        assert ledger.ok, ledger.differences
        audit = verify_audit(ctx)
        assert audit.ok, audit.problem


def test_a_new_node_pulls_its_sites_stock_and_nothing_of_other_sites(central, tmp_path):
    node, _ = attach(central, tmp_path)
    assert site_stock(node) and site_stock(node) == site_stock(central)
    assert site_stock(node, "ALP-HUB") == []  # another hub's stock stays at the centre
    assert_converged(central, node)
    state = sync_node.status(node)
    assert state["node"] and state["initial_pull_done"] and state["waiting"] == 0


def test_offline_work_reaches_the_central_server_once(central, tmp_path):
    node, client = attach(central, tmp_path)
    move(node, "transfer", "RICE", 10, "DAM-HUB/A-01", "DAM-HUB/A-02", key="offline-1")
    receive(node, "TARP", 40, key="offline-2", batch="T9", expiry=None)
    assert sync_node.status(node)["waiting"] > 0
    result = sync_node.sync(node, client)
    assert result.pushed > 0 and result.batches == 1 and result.conflicts == 0
    assert sync_node.status(node)["waiting"] == 0
    assert ("A-02", "RICE", "B1", "ECHO", 10) in site_stock(central)
    assert_converged(central, node)
    again = sync_node.sync(node, client)
    assert again.pushed == 0
    assert_converged(central, node)


def test_work_at_the_centre_reaches_the_node(central, tmp_path):
    node, client = attach(central, tmp_path)
    receive(central, "PARA", 7, key="central-1", batch="P1", expiry="2028-01-31")
    result = sync_node.sync(node, client)
    assert result.pulled > 0
    assert ("A-01", "PARA", "P1", "ECHO", 7) in site_stock(node)
    assert_converged(central, node)


def test_a_batch_whose_answer_was_lost_is_sent_again_and_applied_once(central, tmp_path):
    node, client = attach(central, tmp_path)
    move(node, "transfer", "RICE", 5, "DAM-HUB/A-01", "DAM-HUB/A-02", key="offline-1")
    real_push = client.push

    def push_then_cut(batch):
        real_push(batch)  # the central server applies it...
        raise Unreachable("link cut before the answer came")  # ...the node never hears

    client.push = push_then_cut
    with pytest.raises(Unreachable):
        sync_node.sync(node, client)
    assert sync_node.status(node)["error"]
    move(node, "transfer", "RICE", 1, "DAM-HUB/A-01", "DAM-HUB/A-02", key="offline-2")
    client.push = real_push
    first = sync_node.sync(node, client)  # the same batch again, then the next one
    assert first.batches == 2
    assert ("A-02", "RICE", "B1", "ECHO", 6) in site_stock(central)
    assert_converged(central, node)


def test_an_altered_a_missing_and_a_foreign_batch_are_refused(central, tmp_path):
    node, client = attach(central, tmp_path)
    move(node, "transfer", "RICE", 5, "DAM-HUB/A-01", "DAM-HUB/A-02", key="offline-1")
    with node.uow() as uow:
        from aidhub.store.capture import outbox_json
        from aidhub.store.tables import sync_outbox, sync_peers
        entries = [outbox_json(r) for r in uow.conn.execute(
            select(sync_outbox).order_by(sync_outbox.c.seq))]
        peer = uow.conn.execute(select(sync_peers)).one()
        local = str(uow.audit.local_node_id())
    good = Batch.make(local, 1, "0" * 64, entries, peer.key_hash).as_json()
    altered = json.loads(json.dumps(good))
    altered["entries"][0]["row"] = dict(altered["entries"][0]["row"] or {}, note="edited")
    with pytest.raises(SyncError, match="altered"):
        client.push(altered)
    with pytest.raises(SyncError, match="missing") as missing:
        client.push(Batch.make(local, 3, "0" * 64, entries, peer.key_hash).as_json())
    assert missing.value.expected == 1
    with pytest.raises(SyncError, match="signature"):
        client.push(Batch.make(local, 1, "0" * 64, entries, "not the key").as_json())
    assert client.push(good)["duplicate"] is False
    assert client.push(good)["duplicate"] is True  # sent twice: applied once
    sync_node.sync(node, client)
    assert ("A-02", "RICE", "B1", "ECHO", 5) in site_stock(central)
    assert_converged(central, node)


def test_a_revoked_node_is_turned_away(central, tmp_path):
    node, client = attach(central, tmp_path)
    sync_central.revoke_node(central, "dam-node", key="revoke")
    with pytest.raises(SyncError):
        sync_node.sync(node, client)


def test_a_lot_taken_at_both_ends_is_a_conflict_resolved_by_a_movement(central, tmp_path):
    node, client = attach(central, tmp_path)
    # apart: the centre writes the bin's 100 bags off as lost; the node moves 30 of them
    move(central, "adjustment", "RICE", 100, "DAM-HUB/A-01", "DAM-HUB/LOST", key="c-loss")
    move(node, "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/A-02", key="n-move")
    result = sync_node.sync(node, client)
    assert result.conflicts == 1
    (conflict,) = sync_central.list_conflicts(central)
    assert conflict["kind"] == "overdrawn" and conflict["site"] == SITE
    assert conflict["detail"]["quantity"] == -30
    assert site_stock(node) == site_stock(central)  # the same books at both ends
    with pytest.raises(Exception, match="still -30"):
        sync_central.resolve(central, conflict["id"], reason="checked", key="resolve-0")
    sync_central.resolve(central, conflict["id"], key="resolve-1", adjust=True,
                         reason="30 bags were still there: the loss was counted wrong")
    assert sync_central.list_conflicts(central) == []
    sync_node.sync(node, client)
    assert ("A-01", "RICE", "B1", "ECHO", 0) not in site_stock(node)
    assert all(q >= 0 for *_, q in site_stock(node))
    assert_converged(central, node)


def test_a_document_number_used_at_both_ends_is_kept_twice_and_reported(central, tmp_path):
    node, client = attach(central, tmp_path)
    advice = PreAdvice(SITE, "WFP", "WFP", [AdviceLine(10, item="TARP")])
    at_centre = consignments.register_preadvice(central, advice, key="pa-c")["number"]
    at_node = consignments.register_preadvice(node, advice, key="pa-n")["number"]
    assert at_centre == at_node  # numbered apart from the same counter
    result = sync_node.sync(node, client)
    assert result.conflicts == 1
    (conflict,) = sync_central.list_conflicts(central)
    assert conflict["kind"] == "duplicate_number"
    renamed = conflict["detail"]["kept_as"]
    assert renamed == f"{at_node}-DAM-NODE"
    for ctx in (central, node):
        assert consignments.view(ctx, at_centre).consignment.number == at_centre
        assert consignments.view(ctx, renamed).consignment.number == renamed
    # and numbering goes on past both
    again = consignments.register_preadvice(node, advice, key="pa-n2")["number"]
    assert again not in (at_centre, renamed)


def test_a_party_cleared_offline_against_an_old_list_is_screened_again(central, tmp_path):
    node, client = attach(central, tmp_path)
    screening.load_list(central, UN, key="un-2020")  # the node has not pulled it yet
    added = screening.add_party(node, key="p", kind="person", name="Abu Mohamad al-Golani")
    assert added["hits"] == 0  # cleared at the node: it has no list
    result = sync_node.sync(node, client)
    assert result.conflicts == 1
    (conflict,) = sync_central.list_conflicts(central)
    assert conflict["kind"] == "stale_list"
    assert [h for h in screening.list_hits(central, state="open") if h.kind == "party"]
    status = {n["name"]: n for n in sync_central.node_status(central)}["dam-node"]
    assert status["open_conflicts"] == 1 and status["list_current"]


def test_the_node_api_refuses_people_and_bad_cursors(central, tmp_path):
    _, client = attach(central, tmp_path)
    http = TestClient(create_app(central))
    assert http.get("/api/v1/sync/hello").status_code == 401
    assert http.get("/api/v1/sync/hello",
                    headers={"Authorization": "Bearer nope"}).status_code == 401
    headers = {"Authorization": f"Bearer {client.token}"}
    bad = http.get("/api/v1/sync/snapshot", params={"table": "sessions"}, headers=headers)
    assert bad.status_code == 400 and "not a table" in bad.json()["detail"]
    bad = http.get("/api/v1/sync/snapshot", params={"table": "items", "after": "[1"},
                   headers=headers)
    assert bad.status_code == 400
    garbage = http.post("/api/v1/sync/batches", json={"node": "x"}, headers=headers)
    assert garbage.status_code in (400, 409)


def test_the_node_shows_its_state_and_syncs_from_the_browser(central, tmp_path,
                                                            monkeypatch):
    from tests.helpers import web_client

    node, client = attach(central, tmp_path)
    move(node, "transfer", "RICE", 3, "DAM-HUB/A-01", "DAM-HUB/A-02", key="offline-1")
    browser = web_client(node, "hub_manager", hub=SITE)
    page = browser.get("/")
    assert 'id="node-banner"' in page.text and "waiting to be sent" in page.text
    assert "never synced" in page.text
    # the node's own sync goes to the real central app through the test client
    monkeypatch.setattr(sync_node, "client_for", lambda ctx, **kw: client)
    browser.get("/sign-in")
    token = browser.cookies.get("aidhub_csrf")
    done = browser.post("/node/sync", data={"csrf_token": token},
                        headers={"referer": "http://testserver/stock"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/stock"
    assert sync_node.status(node)["waiting"] == 0
    assert "Site node: online" in browser.get("/").text
    assert 'id="node-banner"' not in web_client(central).get("/").text


def test_a_hub_manager_resolves_a_conflict_in_the_browser(central, tmp_path):
    from tests.helpers import web_client

    node, client = attach(central, tmp_path)
    move(central, "adjustment", "RICE", 100, "DAM-HUB/A-01", "DAM-HUB/LOST", key="c-loss")
    move(node, "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/A-02", key="n-move")
    sync_node.sync(node, client)
    elsewhere = web_client(central, "hub_manager", username="alp-manager", hub="ALP-HUB")
    assert "No open conflict" in elsewhere.get("/nodes").text  # another hub's conflict
    browser = web_client(central, "hub_manager", hub=SITE)
    page = browser.get("/nodes")
    assert "dam-node" in page.text and "30 more were taken" in page.text
    (conflict,) = sync_central.list_conflicts(central)
    for b in (browser, elsewhere):
        b.get("/sign-in")
    token = browser.cookies.get("aidhub_csrf")
    url = f"/conflicts/{conflict['id']}/resolve"
    refused = browser.post(url, data={"csrf_token": token, "key": "k1", "reason": "ok"})
    assert refused.status_code == 400 and "still -30" in refused.text
    assert elsewhere.post(url, data={"csrf_token": elsewhere.cookies.get("aidhub_csrf"),
                                     "key": "k0", "reason": "x"}).status_code == 404
    done = browser.post(url, data={"csrf_token": token, "key": "k2", "adjust": "yes",
                                   "reason": "recounted: the bags were there"},
                        follow_redirects=False)
    assert done.status_code == 303
    assert sync_central.list_conflicts(central) == []
    assert "recounted" in browser.get("/nodes").text


def outbox_size(ctx) -> int:
    from sqlalchemy import func

    from aidhub.store.tables import sync_outbox
    with ctx.uow() as uow:
        return uow.conn.execute(select(func.count()).select_from(sync_outbox)).scalar()


def test_the_outbox_holds_only_what_someone_still_needs(central, tmp_path):
    assert outbox_size(central) == 0  # no site node: nothing is kept for one
    node, client = attach(central, tmp_path)
    receive(central, "PARA", 7, key="central-1", batch="P1", expiry="2028-01-31")
    assert outbox_size(central) > 0  # kept for the node until it pulls
    move(node, "transfer", "RICE", 3, "DAM-HUB/A-01", "DAM-HUB/A-02", key="offline-1")
    assert outbox_size(node) > 0
    sync_node.sync(node, client)
    assert outbox_size(node) == 0  # acknowledged by the central server
    assert outbox_size(central) == 0  # the only node has pulled everything
    assert_converged(central, node)


def test_an_initial_pull_cut_half_way_resumes_with_the_right_balances(central, tmp_path,
                                                                     monkeypatch):
    for n in range(12):
        move(central, "transfer", "RICE", 1, "DAM-HUB/A-01", "DAM-HUB/A-02", key=f"h{n}")
    monkeypatch.setattr(sync_node, "SNAPSHOT_PAGE", 4)
    token = sync_central.add_node(central, "dam-node", SITE, key="node-dam")["token"]
    client = CentralClient("http://testserver", token,
                           client=TestClient(create_app(central)))
    real, calls = client.snapshot, []

    def cut(table, after, limit):
        calls.append(table)
        if table == "movements" and calls.count("movements") == 3:
            raise Unreachable("link cut in the middle of the movements")
        return real(table, after, limit)

    client.snapshot = cut
    node = open_context(f"sqlite:///{tmp_path}/node.sqlite")
    with pytest.raises(Unreachable):
        sync_node.init_node(node, client, "http://testserver")
    assert not sync_node.status(node)["initial_pull_done"]
    client.snapshot = real
    sync_node.init_node(node, client, "http://testserver")
    assert_converged(central, node)
