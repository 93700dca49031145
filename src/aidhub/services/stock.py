"""Reading stock: on hand, the stock (bin) card, recent movements."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.catalog import Item
from aidhub.domain.ledger import Movement
from aidhub.services import reference
from aidhub.services.context import Context
from aidhub.store.repositories.ledger import CardLine, StockRow


def on_hand(ctx: Context, *, site: str | None = None, location: str | None = None,
            item: str | None = None, owner: str | None = None,
            include_virtual: bool = False, scope: Scope = EVERYTHING) -> list[StockRow]:
    """Stock on hand by site, location, item, lot and owner, with expiry; within
    ``scope``, only the stock at the caller's hubs or owned by its organisations."""
    with ctx.uow() as uow:
        site_id = location_id = item_id = owner_id = None
        if site:
            the_site = reference.site(uow, site)
            site_id = the_site.id
            if location:
                location_id = reference.location(uow, the_site, location).id
        if item:
            item_id = reference.item(uow, item).id
        if owner:
            owner_id = reference.organisation(uow, owner).id
        rows = uow.ledger.stock(site_id=site_id, location_id=location_id, item_id=item_id,
                                owner_id=owner_id, include_virtual=include_virtual)
        if scope.everything:
            return rows
        hubs = {uow.reference.site_by_id(h).code for h in scope.hub_ids or ()}
        orgs = {uow.reference.organisation_by_id(o).code for o in scope.organisation_ids or ()}
        return [r for r in rows if r.site in hubs or r.owner in orgs]


@dataclass(frozen=True)
class StockCard:
    """The stock (bin) card of one item at a site or one of its locations."""

    item: Item
    place: str
    since: dt.datetime | None
    opening: int
    lines: list[tuple[CardLine, int]]  # each line with the running balance after it

    @property
    def closing(self) -> int:
        return self.lines[-1][1] if self.lines else self.opening


def card(ctx: Context, item: str, *, site: str, location: str | None = None,
         since: dt.date | None = None, until: dt.date | None = None) -> StockCard:
    """Opening balance, every movement and the running balance of an item at a site's
    physical locations (or at one location)."""
    with ctx.uow() as uow:
        the_item = reference.item(uow, item)
        the_site = reference.site(uow, site)
        locations = [loc for loc in uow.reference.locations(the_site.id) if loc.physical]
        place = the_site.code
        if location:
            loc = reference.location(uow, the_site, location)
            locations = [loc]
            place = f"{the_site.code}/{loc.code}"
        start = _day_start(since)
        end = _day_start(until + dt.timedelta(days=1)) if until else None
        opening, lines = uow.ledger.card(the_item.id, [loc.id for loc in locations], end, start)
    running = opening
    with_balance = []
    for line in lines:
        running += line.quantity_in - line.quantity_out
        with_balance.append((line, running))
    return StockCard(the_item, place, start, opening, with_balance)


def _day_start(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def lost_kg_since(ctx: Context, since: dt.datetime, *, scope: Scope = EVERYTHING
                  ) -> Decimal:
    """Kilograms written off to LOST since ``since`` (in transit, on counts, on proofs of
    delivery), at the caller's hubs or of its organisations' goods."""
    with ctx.uow() as uow:
        total = Decimal(0)
        for r in uow.ledger.written_off_since(since):
            if not scope.everything and not scope.allows(r.site_id, {r.owner_id}):
                continue
            total += uow.reference.item_by_id(r.item_id).weight_kg * int(r.quantity)
        return total


def recent_movements(ctx: Context, *, limit: int = 20, site: str | None = None
                     ) -> list[Movement]:
    with ctx.uow() as uow:
        site_id = reference.site(uow, site).id if site else None
        return uow.ledger.recent_movements(limit, site_id)
