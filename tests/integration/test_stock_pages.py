"""A page of stock read in SQL is the same slice of the same list, with the same count and
sums, as the whole list read and cut in Python: for each filter and each caller's scope."""

import datetime as dt
import itertools

from aidhub.domain.access import Grant, Principal, Role, scope_of
from aidhub.domain.catalog import ExpiryAlert, alert_until, expiry_alert
from aidhub.services import reference, stock
from tests.helpers import TODAY, make_hub, receive


def _stocked(ctx):
    make_hub(ctx)
    reference.add_organisation(ctx, key="org-sarc", code="SARC", name="SARC", type="ngo")
    dated = [("RICE", day) for day in (-10, 20, 100, 400)]  # expired, red, yellow, later
    lines = itertools.product(("DAM-HUB", "ALP-HUB"), [*dated, ("TARP", None)],
                              ("ECHO", "WFP", "SARC"), ("B1", "b2"))
    for n, (site, (item, day), owner, batch) in enumerate(lines, start=1):
        expiry = None if day is None else (TODAY + dt.timedelta(days=day)).isoformat()
        receive(ctx, item, n, key=f"s{n}", to=f"{site}/A-0{1 + n % 2}",
                batch=f"{batch}-{day}", expiry=expiry, owner=owner)


def test_a_page_of_stock_is_the_slice_of_the_whole_list(ctx):
    _stocked(ctx)
    with ctx.uow() as uow:
        org = {c: reference.organisation(uow, c).id for c in ("WFP", "ECHO", "SARC")}
        alp = reference.site(uow, "ALP-HUB").id
        operators = {s.id: s.operator_id for s in uow.reference.sites()}
    scopes = {
        "admin": scope_of(Principal(org["WFP"], "a", "A", (Grant(Role.ADMIN, org["WFP"]),)),
                          operators),
        "aleppo": scope_of(Principal(org["WFP"], "w", "W", (
            Grant(Role.WAREHOUSE, org["WFP"], alp),)), operators),
        "sarc": scope_of(Principal(org["SARC"], "p", "P", (Grant(Role.PARTNER,
                                                                  org["SARC"]),)), operators),
    }
    filters = [{}, {"site": "DAM-HUB"}, {"site": "ALP-HUB", "location": "A-02"},
               {"item": "TARP"}, {"owner": "ECHO"}, {"lot": "B1-20"}, {"lot": "B2-100"},
               {"site": "DAM-HUB", "item": "RICE", "owner": "SARC"}]
    bands = [None, ExpiryAlert.EXPIRED, ExpiryAlert.RED, ExpiryAlert.YELLOW]
    everything = stock.on_hand(ctx)
    hub_code = {s.id: s.code for s in reference.list_sites(ctx)}
    org_code = {v: k for k, v in org.items()}

    def by_hand(scope, where):  # the list filtered in Python, row by row
        return [r for r in everything
                if (scope.everything or r.site in {hub_code[h] for h in scope.hub_ids or ()}
                    or r.owner in {org_code[o] for o in scope.organisation_ids or ()})
                and all(r.batch.casefold() == v.casefold() if k == "lot" else
                        getattr(r, k) == v for k, v in where.items())]

    for (who, scope), where, band in itertools.product(scopes.items(), filters, bands):
        whole = by_hand(scope, where)
        assert stock.on_hand(ctx, scope=scope, **where) == whole
        if band is not None:
            worse = {a for a in ExpiryAlert if alert_until(a, TODAY) <= alert_until(band, TODAY)}
            whole = [r for r in whole if expiry_alert(r.expiry, TODAY) in worse]
        for limit, offset in ((7, 0), (7, 7), (50, 3), (5, len(whole))):
            page = stock.on_hand_page(ctx, limit=limit, offset=offset, scope=scope,
                                      expires_before=alert_until(band, TODAY) if band
                                      else None, **where)
            assert page.rows == whole[offset:offset + limit], (who, where, band)
            assert page.totals.lines == len(whole)
            assert page.totals.quantity == sum(r.quantity for r in whole)
            assert page.totals.weight_kg == sum((r.weight_kg for r in whole), 0)
            assert page.totals.volume_m3 == sum((r.volume_m3 for r in whole), 0)
    # what each sees: everything; only Aleppo's; only SARC's goods, at either hub
    assert {r.site for r in stock.on_hand(ctx, scope=scopes["aleppo"])} == {"ALP-HUB"}
    assert {r.owner for r in stock.on_hand(ctx, scope=scopes["sarc"])} == {"SARC"}
    assert len(everything) == 2 * 5 * 3 * 2  # sites, items with expiries, owners, batches
