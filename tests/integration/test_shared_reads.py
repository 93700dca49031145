"""One connection per request: the units of work of a request share a connection and its
reads a snapshot, a write in the middle is seen by the reads after it, a unit of work
inside another never ends the transaction of the outer one, an error in one read does not
spoil the next, and a page or command takes one connection from the pool however many
units of work it opens."""

import contextlib

import pytest
from sqlalchemy import event, text

from aidhub.services import reference, stock
from aidhub.store.uow import shared_connection
from tests.helpers import make_hub, receive, web_client


def _checkouts(engine) -> list[int]:
    taken: list[int] = []
    event.listen(engine, "checkout", lambda *a: taken.append(1))
    return taken


def test_the_reads_of_a_block_share_one_connection(ctx):
    make_hub(ctx)
    taken = _checkouts(ctx.engine)
    with shared_connection(ctx.engine):
        with ctx.uow() as first:
            assert first.conn.execute(text("SELECT count(*) FROM sites")).scalar_one() == 2
        with ctx.uow() as second:
            assert second.conn is first.conn
        assert {s.code for s in reference.list_sites(ctx)} == {"DAM-HUB", "ALP-HUB"}
    assert len(taken) == 1


def test_a_snapshot_read_sees_one_moment_even_inside_a_block(ctx):
    make_hub(ctx)

    def name(uow) -> str:
        return uow.conn.execute(
            text("SELECT name FROM sites WHERE code = 'ALP-HUB'")).scalar_one()

    for block in (False, True):
        with contextlib.ExitStack() as stack:
            if block:
                stack.enter_context(shared_connection(ctx.engine))
            with ctx.uow(snapshot=True) as uow:
                before = name(uow)
                with ctx.engine.begin() as other:  # someone renames the hub meanwhile
                    other.execute(text("UPDATE sites SET name = name || '!' "
                                       "WHERE code = 'ALP-HUB'"))
                assert name(uow) == before  # the report keeps the moment it began with


def test_what_a_block_writes_is_seen_by_what_it_reads_next(ctx):
    make_hub(ctx)
    with shared_connection(ctx.engine):
        assert stock.on_hand(ctx, site="DAM-HUB") == []
        receive(ctx, "RICE", 10, key="r1")  # a write unit of work of its own
        assert [r.quantity for r in stock.on_hand(ctx, site="DAM-HUB")] == [10]


def test_a_unit_of_work_inside_another_leaves_the_outer_transaction_alone(ctx):
    make_hub(ctx)
    with shared_connection(ctx.engine), ctx.uow() as outer:
        outer.conn.execute(text("SELECT count(*) FROM sites"))
        receive(ctx, "RICE", 10, key="inside-a-read")  # takes a connection of its own
        assert outer.conn.in_transaction()
        assert outer.conn.execute(text("SELECT count(*) FROM sites")).scalar_one() == 2
    with shared_connection(ctx.engine), ctx.uow(write=True) as write:
        with ctx.uow() as read:  # a read inside a write cannot share its transaction
            assert read.conn is not write.conn
        assert write.conn.in_transaction()
    assert [r.quantity for r in stock.on_hand(ctx, site="DAM-HUB")] == [10]


def test_an_error_in_one_read_does_not_spoil_the_next(ctx):
    make_hub(ctx)
    with shared_connection(ctx.engine):
        with pytest.raises(Exception, match=r"no_such_table|does not exist"), \
                ctx.uow() as uow:
            uow.conn.execute(text("SELECT * FROM no_such_table"))
        assert {s.code for s in reference.list_sites(ctx)} == {"DAM-HUB", "ALP-HUB"}


def test_after_the_block_ends_reads_take_their_own_connection(ctx):
    make_hub(ctx)
    with shared_connection(ctx.engine) as reads:
        with ctx.uow() as inside:
            conn = inside.conn
        reads.close()
        with ctx.uow() as after:
            assert after.conn is not conn
            assert after.conn.execute(text("SELECT count(*) FROM sites")).scalar_one() == 2


def test_a_command_takes_one_connection_from_the_pool(ctx):
    from aidhub.services import channels, consignments
    from aidhub.services.consignments import AdviceLine, PreAdvice

    make_hub(ctx)
    reference.add_location(ctx, key="recv", site_code="DAM-HUB", code="RECV", kind="zone")
    channels.set_setting(ctx, "gs1.company_prefix", "0614141", key="gs1")
    number = consignments.register_preadvice(ctx, PreAdvice(
        hub="DAM-HUB", consignor="WFP", consignee="WFP",
        lines=[AdviceLine(10, item="RICE", batch="B1", expiry="2028-06-30")]),
        key="pa")["number"]
    for k, state in enumerate(("in_transit", "arrived", "screening", "cleared")):
        consignments.change_state(ctx, number, state, key=f"s{k}")
    client = web_client(ctx)
    assert client.get("/api/v1/consignments").status_code == 200  # signed in
    taken = _checkouts(ctx.engine)
    answer = client.post(f"/api/v1/consignments/{number}/grns", json={
        "counts": [{"line": 1, "good": 10, "priority": 1}], "received_by": "tester"},
        headers={"Idempotency-Key": "grn-1"})
    assert answer.status_code == 201, answer.text
    assert len(taken) == 1
    assert [r.quantity for r in stock.on_hand(ctx, site="DAM-HUB")] == [10]


@pytest.mark.parametrize(("path", "shows"), [
    ("/dashboard", "Food and drink"), ("/stock?site=DAM-HUB", "RICE"),
    ("/api/v1/stock?site=DAM-HUB", "RICE"), ("/consignments", "Consignments")])
def test_a_page_takes_one_connection_from_the_pool(ctx, path, shows):
    make_hub(ctx)
    receive(ctx, "RICE", 10, key="r1")
    client = web_client(ctx)
    assert client.get(path).status_code == 200  # signs in (a write) the first time
    taken = _checkouts(ctx.engine)
    page = client.get(path)
    assert page.status_code == 200 and shows in page.text
    assert len(taken) == 1
