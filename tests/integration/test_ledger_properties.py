"""Random sequences of movements through the real services and database agree with the
in-memory model of the ledger, and keep every invariant."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidhub.domain.errors import InsufficientStock, NotFound
from aidhub.services import reference, stock, verify
from tests.helpers import make_hub, move, receive

counter = itertools.count()

step = st.tuples(
    st.sampled_from(["receive", "transfer", "dispatch", "adjust-out", "adjust-in", "reverse"]),
    st.integers(1, 40),
    st.sampled_from(["A-01", "A-02"]),
    st.sampled_from(["B1", "B2"]),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=25))
def test_random_sequences_keep_the_books_right(ctx, steps):
    run = next(counter)
    if run == 0 or not reference.list_sites(ctx):
        make_hub(ctx)
    site = f"S{run}"
    reference.add_site(ctx, key=f"site-{run}", code=site, name=site, kind="hub",
                       operator="WFP")
    for loc in ("A-01", "A-02"):
        reference.add_location(ctx, key=f"loc-{run}-{loc}", site_code=site, code=loc,
                               kind="bin")
    model: dict[tuple[str, str], int] = {}
    posted = []
    for n, (action, qty, loc, batch) in enumerate(steps):
        key = f"{run}-{n}"
        here = f"{site}/{loc}"
        other = f"{site}/{'A-02' if loc == 'A-01' else 'A-01'}"
        expiry = "2027-01-31" if batch == "B1" else "2027-02-28"
        try:
            if action == "receive":
                posted.append(receive(ctx, "RICE", qty, key=key, to=here, batch=batch,
                                      expiry=expiry))
                changes = {(loc, batch): qty}
            elif action == "transfer":
                posted.append(move(ctx, "transfer", "RICE", qty, here, other, key=key,
                                   batch=batch))
                changes = {(loc, batch): -qty, (other.split("/")[1], batch): qty}
            elif action == "dispatch":
                posted.append(move(ctx, "dispatch", "RICE", qty, here, f"{site}/DISTRIBUTED",
                                   key=key, batch=batch))
                changes = {(loc, batch): -qty}
            elif action == "adjust-out":
                posted.append(move(ctx, "adjustment", "RICE", qty, here, f"{site}/LOST",
                                   key=key, batch=batch))
                changes = {(loc, batch): -qty}
            elif action == "adjust-in":
                if (loc, batch) not in model and not any(b == batch for _, b in model):
                    continue  # the lot does not exist yet
                posted.append(move(ctx, "adjustment", "RICE", qty, f"{site}/LOST", here,
                                   key=key, batch=batch))
                changes = {(loc, batch): qty}
            else:
                continue
        except (InsufficientStock, NotFound):  # NotFound: a lot never received anywhere
            changes = {}
            assert any(model.get(k, 0) + v < 0 for k, v in
                       _would_change(action, qty, loc, batch).items())
        for k, v in changes.items():
            model[k] = model.get(k, 0) + v
    held = {(r.location, r.batch): r.quantity for r in stock.on_hand(ctx, site=site)}
    assert held == {k: v for k, v in model.items() if v}
    assert all(v >= 0 for v in held.values())
    assert verify.verify_ledger(ctx).ok


def _would_change(action, qty, loc, batch):
    other = "A-02" if loc == "A-01" else "A-01"
    if action == "transfer":
        return {(loc, batch): -qty, (other, batch): qty}
    return {(loc, batch): -qty}
