"""Property: whatever the interleaving of offline work and syncs (which node's batches
reach the central server first, how much work happens between two syncs, syncs that
carry nothing), every node and the central server end with the books a simple model
predicts, and with each other's (issue #10). SQLite only: a node always is, and the
property is about order, not the database."""

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidhub.interop.sync_client import CentralClient
from aidhub.services import stock, sync_central, sync_node
from aidhub.services.context import open_context
from aidhub.services.verify import verify_audit, verify_ledger
from aidhub.web.app import create_app
from tests.helpers import make_planning_hub, move, receive

NODES = {"dam": "DAM-HUB", "alp": "ALP-HUB"}


@pytest.fixture(scope="module")
def template(tmp_path_factory, sqlite_template) -> tuple[Path, dict[str, str]]:
    """A central server with two site nodes set up, kept as files to copy."""
    folder = tmp_path_factory.mktemp("sync-world")
    shutil.copy(sqlite_template, folder / "central.sqlite3")
    central = open_context(f"sqlite:///{folder / 'central.sqlite3'}")
    make_planning_hub(central)
    tokens = {}
    http = TestClient(create_app(central))
    for name, site in NODES.items():
        tokens[name] = sync_central.add_node(central, name, site, key=f"add-{name}")["token"]
        node = open_context(f"sqlite:///{folder / name}.sqlite3")
        sync_node.init_node(node, CentralClient("http://testserver", tokens[name],
                                                client=http), "http://testserver")
        node.engine.dispose()
    central.engine.dispose()
    return folder, tokens


def book(ctx, site):
    return {(r.location, r.item, r.batch, r.owner): r.quantity
            for r in stock.on_hand(ctx, site=site) if r.quantity}


steps = st.lists(st.one_of(
    st.tuples(st.just("work"), st.sampled_from(sorted(NODES)), st.integers(1, 5)),
    st.tuples(st.just("central"), st.sampled_from(sorted(NODES)), st.integers(1, 9)),
    st.tuples(st.just("sync"), st.sampled_from(sorted(NODES)), st.just(0)),
), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_any_order_of_work_and_syncs_gives_the_books_the_model_predicts(template, tmp_path,
                                                                      steps):
    folder, tokens = template
    world = tmp_path / f"w{abs(hash(tuple(steps)))}"
    shutil.copytree(folder, world)
    central = open_context(f"sqlite:///{world / 'central.sqlite3'}")
    http = TestClient(create_app(central))
    nodes = {n: open_context(f"sqlite:///{world / n}.sqlite3") for n in NODES}
    clients = {n: CentralClient("http://testserver", tokens[n], client=http) for n in NODES}
    model = {site: book(central, site) for site in NODES.values()}
    try:
        for i, (what, name, qty) in enumerate(steps):
            site = NODES[name]
            if what == "work":  # rice moves between the node's two bins, both ways
                held = book(nodes[name], site)
                source = max(("A-01", "A-02"),
                             key=lambda b: sum(q for k, q in held.items() if k[0] == b))
                lots = [k for k in held if k[0] == source and k[1] == "RICE"]
                if not lots:
                    continue
                _, item, batch, owner = lots[0]
                qty = min(qty, held[lots[0]])
                target = "A-02" if source == "A-01" else "A-01"
                move(nodes[name], "transfer", item, qty, f"{site}/{source}",
                     f"{site}/{target}", key=f"w{i}", batch=batch, owner=owner)
                for b, sign in ((source, -1), (target, 1)):
                    k = (b, item, batch, owner)
                    model[site][k] = model[site].get(k, 0) + sign * qty
            elif what == "central":
                receive(central, "TARP", qty, key=f"c{i}", to=f"{site}/A-02", batch="T1",
                        expiry=None)
                k = ("A-02", "TARP", "T1", "ECHO")
                model[site][k] = model[site].get(k, 0) + qty
            else:
                sync_node.sync(nodes[name], clients[name])
        for name in sorted(NODES, key=lambda n: steps[-1][1] == n):  # last-touched last
            sync_node.sync(nodes[name], clients[name])
        for name, site in NODES.items():
            want = {k: q for k, q in model[site].items() if q}
            assert book(central, site) == want
            assert book(nodes[name], site) == want
            for ctx in (nodes[name], central):
                assert verify_ledger(ctx).ok
                assert verify_audit(ctx).ok
        assert sync_central.list_conflicts(central) == []
    finally:
        for ctx in (central, *nodes.values()):
            ctx.engine.dispose()
