"""The demo scenario: realistic, deterministic, consistent."""

import datetime as dt

from aidhub.demo.scenario import HUBS, load
from aidhub.services import reference, stock, verify

START = dt.date(2026, 10, 1)


def snapshot(ctx):
    return sorted((r.site, r.location, r.item, r.batch, r.owner, r.quantity)
                  for r in stock.on_hand(ctx, include_virtual=True))


def test_the_demo_is_a_consistent_syria_response(ctx):
    counts = load(ctx, seed=3, start=START, weeks=2)
    assert counts["movements"] > 200
    sites = {s.code: s for s in reference.list_sites(ctx)}
    for code in ("DAM-HUB", "ALP-HUB", "HMS-HUB", "LTK-HUB", "TRT-HUB", "SRM-HUB",
                 "BAB-AL-HAWA", "BAB-AL-SALAM", "AL-RAEE", "SYDAM", "SYALP", "SYLTK",
                 "SYLTK-PORT", "SYTTS"):
        assert code in sites, code
    assert sites["SYTTS"].locode == "SYTTS" and sites["SRM-HUB"].pcode == "SY07"
    items = reference.list_items(ctx)
    assert len(items) >= 40
    assert len({i.category for i in items}) >= 9
    assert all(i.name_ar and i.name_ru for i in items)
    on_hand = stock.on_hand(ctx)
    assert {r.site for r in on_hand} == {h.code for h in HUBS}
    assert any(r.expiry for r in on_hand) and any(not r.batch for r in on_hand)
    assert verify.verify_ledger(ctx).ok and verify.verify_audit(ctx).ok


def test_the_same_seed_gives_the_same_scenario(ctx, tmp_path):
    from aidhub.services.context import open_context

    load(ctx, seed=11, start=START, weeks=1)
    other = open_context(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    load(other, seed=11, start=START, weeks=1)
    assert snapshot(ctx) == snapshot(other)
    third = open_context(f"sqlite:///{tmp_path / 'third.sqlite3'}")
    load(third, seed=12, start=START, weeks=1)
    assert snapshot(third) != snapshot(ctx)


def test_loading_again_after_an_interruption_changes_nothing(ctx):
    load(ctx, seed=5, start=START, weeks=1)
    before = snapshot(ctx)
    load(ctx, seed=5, start=START, weeks=1)  # every command replays its idempotency key
    assert snapshot(ctx) == before
