"""A central server and three site nodes as real processes, with offline periods, links
cut in the middle of a batch (by killing the sync and by closing the socket), batches
replayed and sent out of order; then everything must converge (issue #10).

The scenario is seeded; AIDHUB_SYNC_SEED picks another one, AIDHUB_SYNC_ROUNDS makes it
longer."""

import os
import random

import pytest
from sqlalchemy import func, select

from aidhub.domain.sync import Batch, SyncError
from aidhub.interop.sync_client import CentralClient
from aidhub.services import consignments, reference, screening, stock, sync_central
from aidhub.services.consignments import AdviceLine, PreAdvice
from aidhub.services.context import open_context
from aidhub.services.verify import verify_audit, verify_ledger
from aidhub.store.capture import outbox_json
from aidhub.store.tables import movements, nodes, sync_outbox, sync_peers
from tests.helpers import make_planning_hub, move, receive
from tests.integration.test_sync import UN, locations_of, site_movements, site_stock
from tests.reliability.sync_world import Central, Link, Node

SEED = int(os.environ.get("AIDHUB_SYNC_SEED", "10"))
ROUNDS = int(os.environ.get("AIDHUB_SYNC_ROUNDS", "4"))
SITES = {"dam-node": "DAM-HUB", "alp-node": "ALP-HUB", "hms-node": "HMS-HUB"}


def build_central(ctx) -> None:
    make_planning_hub(ctx)
    reference.add_site(ctx, key="site-hms", code="HMS-HUB", name="Homs hub", kind="hub",
                       pcode="SY04", operator="WFP")
    for code in ("A-01", "A-02"):
        reference.add_location(ctx, key=f"loc-hms-{code}", site_code="HMS-HUB", code=code,
                               kind="bin")
    receive(ctx, "TARP", 300, key="hms-stock", to="HMS-HUB/A-01", batch="T1", expiry=None)


def offline_work(node_ctx, site: str, rng: random.Random, tag: str) -> int:
    """A few moves between the site's bins of what the node holds: what staff do."""
    done = 0
    for n in range(rng.randint(1, 3)):
        held = [r for r in stock.on_hand(node_ctx, site=site)
                if r.location in ("A-01", "A-02") and r.quantity > 0]
        if not held:
            return done
        r = rng.choice(held)
        other = "A-02" if r.location == "A-01" else "A-01"
        qty = rng.randint(1, max(1, min(r.quantity, 20)))
        move(node_ctx, "transfer", r.item, qty, f"{site}/{r.location}", f"{site}/{other}",
             key=f"{tag}-{n}", batch=r.batch or None, owner=r.owner)
        done += 1
    return done


def own_movements(ctx) -> tuple:
    with ctx.uow() as uow:
        local = uow.audit.local_node_id()
        seqs = uow.conn.execute(select(movements.c.seq).where(movements.c.node_id == local)
                                .order_by(movements.c.seq)).scalars().all()
    return local, seqs


@pytest.mark.parametrize("rounds", [ROUNDS])
def test_three_nodes_cut_off_killed_and_replayed_converge(ctx, db_url, tmp_path, rounds):
    rng = random.Random(SEED)
    build_central(ctx)
    tokens = {name: sync_central.add_node(ctx, name, site, key=f"add-{name}")["token"]
              for name, site in SITES.items()}
    server = Central(db_url)
    link = Link(server.port)
    world = {name: Node(tmp_path / f"{name}.sqlite", site) for name, site in SITES.items()}
    try:
        for name, node in world.items():
            done = node.init(link.url, tokens[name])
            assert done.returncode == 0, done.stderr
        ctxs = {name: open_context(node.url) for name, node in world.items()}

        # the seeded business conflicts, made while the nodes are apart
        move(ctx, "adjustment", "RICE", 100, "DAM-HUB/A-01", "DAM-HUB/LOST", key="c-loss")
        move(ctxs["dam-node"], "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/A-02",
             key="n-move")
        advice = PreAdvice("HMS-HUB", "WFP", "WFP", [AdviceLine(10, item="TARP")])
        number = consignments.register_preadvice(ctx, advice, key="pa-c")["number"]
        assert consignments.register_preadvice(ctxs["hms-node"], advice,
                                               key="pa-n")["number"] == number
        screening.load_list(ctx, UN, key="un-2020")
        screening.add_party(ctxs["alp-node"], key="p", kind="person",
                            name="Abu Mohamad al-Golani")

        killed = cut = clean = 0
        for r in range(rounds):
            for name in world:
                offline_work(ctxs[name], SITES[name], rng, f"r{r}-{name}")
            site = rng.choice(list(SITES.values()))
            receive(ctx, "TARP", rng.randint(1, 9), key=f"central-{r}", to=f"{site}/A-02",
                    batch="T1", expiry=None)
            for name in rng.sample(list(world), len(world)):
                how = rng.choice(["kill", "cut", "down", "clean"])
                if how == "kill":
                    world[name].sync(kill_after=rng.uniform(0.3, 3.0))
                    killed += 1
                elif how == "cut":
                    link.cut_after = rng.randint(200, 30000)
                    world[name].sync()
                    cut += 1
                elif how == "down":
                    link.up = False
                    status, err = world[name].sync()
                    assert status == 1 and "did not answer" in err
                    link.up = True
                else:
                    status, err = world[name].sync()
                    assert status == 0, err
                    clean += 1

        # a batch replayed and batches out of order, straight at the API
        reorder_and_replay(ctxs["hms-node"], link.url, tokens["hms-node"])

        # the link comes back for good: everyone syncs until there is nothing left
        link.up, link.cut_after = True, None
        for _ in range(2):
            for node in world.values():
                status, err = node.sync()
                assert status == 0, err

        for name, node_ctx in ctxs.items():
            site = SITES[name]
            with node_ctx.uow() as uow:
                pending = uow.conn.execute(select(func.count()).select_from(sync_outbox).where(
                    sync_outbox.c.seq > select(sync_peers.c.pushed_seq).scalar_subquery()
                )).scalar()
            assert pending == 0, f"{name} still has {pending} change(s) to send"
            assert site_stock(node_ctx, site) == site_stock(ctx, site), name
            where = locations_of(ctx, site)
            assert site_movements(node_ctx, where) == site_movements(ctx, where), name
            local, seqs = own_movements(node_ctx)
            assert seqs == list(range(1, len(seqs) + 1))  # none lost at the node
            with ctx.uow() as uow:  # and each exactly once at the centre
                at_centre = uow.conn.execute(
                    select(movements.c.seq).where(movements.c.node_id == local)
                    .order_by(movements.c.seq)).scalars().all()
            assert at_centre == seqs, name
            for c in (node_ctx, ctx):
                ledger = verify_ledger(c)
                assert ledger.ok, (name, ledger.differences)
                audit = verify_audit(c)
                assert audit.ok, (name, audit.problem)

        kinds = {c["kind"] for c in sync_central.list_conflicts(ctx, state=None)}
        assert {"overdrawn", "duplicate_number", "stale_list"} <= kinds
        status = {n["name"]: n for n in sync_central.node_status(ctx)}
        assert all(s["behind"] == 0 for s in status.values()), status
        assert killed + cut + clean > 0 and link.connections > 0
    finally:
        link.close()
        server.stop()


def reorder_and_replay(node_ctx, url: str, token: str) -> None:
    """Two batches of new work sent second-first (refused: the first is missing), then in
    order, then the first again (acknowledged, not applied twice)."""
    from aidhub.services import sync_node

    client = CentralClient(url, token)
    with node_ctx.uow() as uow:
        peer = uow.conn.execute(select(sync_peers)).one()
    if peer.inflight_seq > peer.pushed_seq:  # a killed sync left a batch on its way
        sync_node.sync(node_ctx, client)
    for key in ("ro-1", "ro-2"):
        move(node_ctx, "transfer", "TARP", 1, "HMS-HUB/A-01", "HMS-HUB/A-02", key=key,
             batch="T1", owner="ECHO")
    with node_ctx.uow() as uow:
        peer = uow.conn.execute(select(sync_peers)).one()
        local = str(uow.conn.execute(select(nodes.c.id).where(nodes.c.is_local)).scalar())
        rows = [outbox_json(r) for r in uow.conn.execute(
            select(sync_outbox).where(sync_outbox.c.seq > peer.pushed_seq)
            .order_by(sync_outbox.c.seq))]
    assert len(rows) >= 2
    half = len(rows) // 2
    first = Batch.make(local, peer.pushed_batches + 1, peer.pushed_hash or "0" * 64,
                       rows[:half], peer.key_hash)
    second = Batch.make(local, peer.pushed_batches + 2, first.hash, rows[half:],
                        peer.key_hash)
    with pytest.raises(SyncError, match="missing"):
        client.push(second.as_json())
    assert client.push(first.as_json())["duplicate"] is False
    assert client.push(second.as_json())["duplicate"] is False
    assert client.push(first.as_json())["duplicate"] is True
    with node_ctx.uow(write=True) as uow:  # what the node's own push would have recorded
        uow.conn.execute(sync_peers.update().values(
            pushed_seq=rows[-1]["seq"], pushed_batches=second.batch_no,
            pushed_hash=second.hash, inflight_seq=0))
        uow.commit()
