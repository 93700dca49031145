"""Editing history behind aidhub's back is found by `ledger verify` and `audit verify`."""

import pytest
from sqlalchemy import delete, select, update

from aidhub.services import verify
from aidhub.store.tables import audit_records, balances, nodes, postings
from tests.helpers import make_hub, move, receive


@pytest.fixture
def books(ctx):
    make_hub(ctx)
    receive(ctx, "RICE", 100, key="k1")
    move(ctx, "transfer", "RICE", 30, "DAM-HUB/A-01", "DAM-HUB/A-02", key="k2")
    move(ctx, "dispatch", "RICE", 10, "DAM-HUB/A-02", "DAM-HUB/DISTRIBUTED", key="k3")
    assert verify.verify_ledger(ctx).ok and verify.verify_audit(ctx).ok
    return ctx


def test_an_edited_balance_is_reported(books):
    with books.engine.begin() as conn:
        conn.execute(update(balances).where(balances.c.quantity == 70).values(quantity=75))
    report = verify.verify_ledger(books)
    assert not report.ok
    assert report.differences == [
        "DAM-HUB/A-01 RICE lot B1: balance table says 75, movements sum to 70"]


def test_an_edited_posting_breaks_the_ledger_and_the_audit(books):
    with books.engine.begin() as conn:
        conn.execute(update(postings).where(postings.c.quantity == -10).values(quantity=-9))
    ledger = verify.verify_ledger(books)
    assert any("postings sum to 1, not 0" in d for d in ledger.differences)
    audit = verify.verify_audit(books)
    assert not audit.ok and "differ from its audit record" in audit.problem


def test_an_edited_audit_record_is_reported_with_its_number(books):
    with books.engine.begin() as conn:
        conn.execute(update(audit_records).where(audit_records.c.seq == 3)
                     .values(actor="someone else"))
    report = verify.verify_audit(books)
    assert not report.ok and report.first_break == 3 and "edited" in report.problem


def test_removing_the_newest_audit_records_is_reported(books):
    with books.engine.begin() as conn:
        last = conn.execute(select(nodes.c.audit_seq)).scalar_one()
        conn.execute(delete(audit_records).where(audit_records.c.seq == last))
    report = verify.verify_audit(books)
    assert not report.ok and "records were removed" in report.problem
