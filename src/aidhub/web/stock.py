"""Pages for stock: what is on hand (filtered by site, location, item, lot, owner and
expiry band, a page at a time) and the stock card of an item at a site or location
(every movement in and out with the running balance), which also prints as a bin card.

Everyone who reads sees the stock of their scope: hub staff the stock at their hubs,
partners and donors the goods their organisation owns wherever they are.
"""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from aidhub.domain.access import Permission as P
from aidhub.domain.catalog import ExpiryAlert, alert_until, expiry_alert
from aidhub.domain.errors import AidhubError, InvalidInput
from aidhub.services import reference, stock
from aidhub.services.context import Context
from aidhub.web import forms
from aidhub.web.auth import Seen, needs
from aidhub.web.forms import translate

PER_PAGE = 100
BANDS = ("expired", "red", "yellow")  # the expiry bands of domain.catalog.expiry_alert
FILTERS = ("site", "location", "item", "lot", "owner", "band")


def _clean(values: dict[str, str | None]) -> dict[str, str]:
    return {k: (v or "").strip() for k, v in values.items()}


def _day(request: Request, name: str, text: str) -> dt.date | None:
    return forms.date(forms.Posted({name: text}, request), name)


def router(ctx: Context, templates: Jinja2Templates) -> APIRouter:
    pages = APIRouter(dependencies=[needs(P.READ)], include_in_schema=False)

    def hubs() -> list[Any]:
        return [s for s in reference.list_sites(ctx) if s.kind.value in ("hub", "warehouse")]

    @pages.get("/stock", response_class=HTMLResponse)
    def on_hand(request: Request, scope: Seen, site: str | None = None,
                location: str | None = None, item: str | None = None,
                lot: str | None = None, owner: str | None = None,
                band: str | None = None, page: int = Query(1, ge=1)):
        values = _clean({"site": site, "location": location, "item": item, "lot": lot,
                         "owner": owner, "band": band})
        values["site"] = values["site"].upper()
        values["location"] = values["location"].upper()
        values["item"] = values["item"].upper()
        values["owner"] = values["owner"].upper()
        errors: dict[str, str] = {}
        found = stock.StockPage.empty()
        today = dt.date.today()

        def read(number: int) -> stock.StockPage:
            # a band takes in the worse ones: under 9 months includes under 3 and expired
            return stock.on_hand_page(
                ctx, limit=PER_PAGE, offset=(number - 1) * PER_PAGE,
                site=values["site"] or None, location=values["location"] or None,
                item=values["item"] or None, lot=values["lot"] or None,
                owner=values["owner"] or None, scope=scope,
                expires_before=(alert_until(ExpiryAlert(values["band"]), today)
                                if values["band"] else None))

        try:
            if values["band"] and values["band"] not in BANDS:
                raise InvalidInput(translate(request, "choose an expiry band from the list"),
                                   field="band")
            stock.check_filters(ctx, site=values["site"] or None,
                                location=values["location"] or None,
                                item=values["item"] or None, owner=values["owner"] or None)
            found = read(page)
            if page > found.pages(PER_PAGE):  # past the end: the last page
                page = found.pages(PER_PAGE)
                found = read(page)
        except AidhubError as exc:
            errors = forms.errors(request, exc)
        pages_count = found.pages(PER_PAGE)
        shown = found.rows
        chosen = {k: v for k, v in values.items() if v}

        def link(**change: Any) -> str:
            return "/stock?" + urlencode({**chosen, **change})

        sites = hubs()

        def card_link(r) -> str:
            """The card of exactly this line: its place, lot and owner."""
            query = {"item": r.item, "site": r.site, "location": r.location}
            if r.batch:
                query["lot"] = r.batch
            query["owner"] = r.owner
            return "/stock/card?" + urlencode(query)

        site_record = next((s for s in sites if s.code == values["site"]), None)
        locations = ([loc for _, loc in reference.list_locations(ctx, site_record.code)
                      if loc.physical] if site_record else [])
        items = {i.code: i for i in reference.list_items(ctx)}
        return templates.TemplateResponse(request, "stock.html", {
            "rows": shown, "count": found.totals.lines, "page": page, "pages": pages_count,
            "first": (page - 1) * PER_PAGE + 1 if shown else 0,
            "last": (page - 1) * PER_PAGE + len(shown),
            "values": values, "errors": errors, "hubs": sites, "locations": locations,
            "items": items, "orgs": reference.list_organisations(ctx), "bands": BANDS,
            "alert": lambda day: getattr(expiry_alert(day, today), "value", ""),
            "total_qty": found.totals.quantity, "total_kg": found.totals.weight_kg,
            "total_m3": found.totals.volume_m3,
            "link": link, "card_link": card_link,
        }, status_code=400 if errors else 200)

    def _card_args(request: Request, values: dict[str, str]) -> dict[str, Any]:
        if not values["item"]:
            raise InvalidInput(translate(request, "give the item"), field="item")
        if not values["site"]:
            raise InvalidInput(translate(request, "give the site"), field="site")
        since = _day(request, "from", values["from"])
        until = _day(request, "to", values["to"])
        if since and until and since > until:
            raise InvalidInput(translate(request, "the first day comes after the last"),
                               field="from")
        return {"item": values["item"], "site": values["site"],
                "location": values["location"] or None, "lot": values["lot"] or None,
                "owner": values["owner"] or None, "since": since, "until": until}

    def _card_values(item, site, location, lot, owner, since, until) -> dict[str, str]:
        values = _clean({"item": item, "site": site, "location": location, "lot": lot,
                         "owner": owner, "from": since, "to": until})
        for name in ("item", "site", "location", "owner"):
            values[name] = values[name].upper()
        return values

    @pages.get("/stock/card", response_class=HTMLResponse)
    def card(request: Request, scope: Seen, item: str | None = None,
             site: str | None = None, location: str | None = None, lot: str | None = None,
             owner: str | None = None, since: str | None = Query(None, alias="from"),
             until: str | None = Query(None, alias="to")):
        values = _card_values(item, site, location, lot, owner, since, until)
        errors: dict[str, str] = {}
        result = None
        try:
            args = _card_args(request, values)
            stock.check_filters(ctx, site=args["site"], location=args["location"],
                                item=args["item"], owner=args["owner"])
        except InvalidInput as exc:
            errors = forms.errors(request, exc)
        else:  # unknown lot, or goods the reader may not see: NotFound, 404
            result = stock.card(ctx, scope=scope, **args)
        query = {k: v for k, v in values.items() if v}
        return templates.TemplateResponse(request, "stock_card.html", {
            "c": result, "values": values, "errors": errors, "hubs": hubs(),
            "orgs": reference.list_organisations(ctx),
            "items": {i.code: i for i in reference.list_items(ctx)},
            "pdf": "/stock/card.pdf?" + urlencode(query),
            "back": "/stock?" + urlencode({k: query[k] for k in ("site", "item", "location",
                                                                  "lot", "owner")
                                           if k in query}),
        }, status_code=400 if errors else 200)

    @pages.get("/stock/card.pdf")
    def card_pdf(request: Request, scope: Seen, item: str | None = None,
                 site: str | None = None,
                 location: str | None = None, lot: str | None = None,
                 owner: str | None = None, since: str | None = Query(None, alias="from"),
                 until: str | None = Query(None, alias="to")):
        values = _card_values(item, site, location, lot, owner, since, until)
        args = _card_args(request, values)
        pdf = stock.bin_card_pdf(ctx, scope=scope, **args)
        name = "-".join(v for v in (args["item"], args["site"], args["location"],
                                    args["lot"]) if v)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="bin-card-{safe}.pdf"'})

    return pages
