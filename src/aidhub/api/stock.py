"""JSON API for stock: sites, stock on hand a page at a time, stock cards, recent
movements."""

from typing import Any

from fastapi import APIRouter, Query

from aidhub.api import PREFIX
from aidhub.api.paging import Page
from aidhub.domain.access import Permission as P
from aidhub.domain.errors import NotFound
from aidhub.domain.values import parse_date
from aidhub.interop.jsonable import jsonable
from aidhub.services import reference, stock
from aidhub.services.context import Context
from aidhub.store.repositories.ledger import StockRow
from aidhub.web.auth import Seen, needs


def router(ctx: Context) -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["stock"], dependencies=[needs(P.READ)])

    @api.get("/sites")
    def sites() -> list[dict[str, Any]]:
        return jsonable(reference.list_sites(ctx))

    @api.get("/stock")
    def on_hand(scope: Seen, page: Page, site: str | None = None,
                location: str | None = None, item: str | None = None,
                owner: str | None = None, lot: str | None = None) -> list[StockRow]:
        """Stock on hand: at the caller's hubs, or owned by its organisation; by site,
        location (with site), item, lot (batch number) and owner. (Typed: Pydantic writes
        the rows straight from the dataclasses, ten times faster than making them
        JSON-ready first, and the OpenAPI document shows their fields.)"""
        found = stock.on_hand_page(ctx, limit=page.limit, offset=page.offset, site=site,
                                   location=location, item=item, owner=owner, lot=lot,
                                   scope=scope)
        return page.window(found.rows, found.totals.lines)

    @api.get("/stock/card")
    def card(scope: Seen, page: Page, item: str, site: str, location: str | None = None,
             lot: str | None = None, owner: str | None = None,
             since: str | None = Query(None, alias="from"),
             until: str | None = Query(None, alias="to")) -> dict[str, Any]:
        """The stock card of an item at a site (or one location, lot or owner): the
        opening balance, then every movement in and out with the balance after it, a
        page of lines at a time. Partners and donors see their own goods only."""
        c = stock.card(ctx, item, site=site, location=location, lot=lot, owner=owner,
                       since=parse_date(since, "from") if since else None,
                       until=parse_date(until, "to") if until else None, scope=scope)
        lines = [{**jsonable(line), "balance": balance} for line, balance in c.lines]
        return {"item": c.item.code, "unit": c.item.unit, "site": c.site,
                "location": c.location, "lot": c.lot, "expiry": jsonable(c.expiry),
                "owners": list(c.owners), "from": jsonable(c.since), "to": jsonable(c.until),
                "opening": c.opening, "total_in": c.total_in, "total_out": c.total_out,
                "closing": c.closing, "lines": page(lines)}

    @api.get("/movements")
    def movements(scope: Seen, site: str | None = None,
                  limit: int = Query(20, ge=1, le=500)) -> list[dict[str, Any]]:
        """Recent movements: everywhere for admins and coordinators, else at one of the
        caller's hubs (``site`` required)."""
        if not scope.everything:
            own = {s.code for s in reference.list_sites(ctx) if s.id in (scope.hub_ids or ())}
            if (site or "").strip().upper() not in own:
                raise NotFound("no site %(site)s among your hubs; give one of %(sites)s",
                               site=site or "-", sites=", ".join(sorted(own)) or "-")
        return jsonable(stock.recent_movements(ctx, limit=limit, site=site))

    return api
