"""Reading stock: on hand, the stock (bin) card, recent movements."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from aidhub.domain.access import EVERYTHING, Scope
from aidhub.domain.catalog import ExpiryAlert, Item, alert_until
from aidhub.domain.errors import InvalidInput, NotFound
from aidhub.domain.ledger import Movement
from aidhub.services import reference
from aidhub.services.context import Context
from aidhub.store.repositories.ledger import CardLine, StockFilter, StockRow, StockTotals


def on_hand(ctx: Context, *, site: str | None = None, location: str | None = None,
            item: str | None = None, owner: str | None = None,
            include_virtual: bool = False, scope: Scope = EVERYTHING,
            lot: str | None = None) -> list[StockRow]:
    """Stock on hand by site, location, item, lot and owner, with expiry; within
    ``scope``, only the stock at the caller's hubs or owned by its organisations.
    ``lot`` is a batch number (the lot of an item not tracked by batch has none)."""
    with ctx.uow() as uow:
        return uow.ledger.stock(_filter(uow, site, location, item, owner, lot,
                                        include_virtual=include_virtual, scope=scope))


@dataclass(frozen=True)
class StockPage:
    """A page of stock lines, and how many lines (and how much) the whole filter holds."""

    rows: list[StockRow]
    totals: StockTotals

    @classmethod
    def empty(cls) -> "StockPage":
        return cls([], StockTotals(0, 0, Decimal(0), Decimal(0)))

    def pages(self, per_page: int) -> int:
        """How many pages of ``per_page`` lines the whole filter fills (at least one)."""
        return max(1, -(-self.totals.lines // per_page))


def on_hand_page(ctx: Context, *, limit: int, offset: int = 0, site: str | None = None,
                 location: str | None = None, item: str | None = None,
                 owner: str | None = None, lot: str | None = None,
                 expires_before: dt.date | None = None,
                 scope: Scope = EVERYTHING) -> StockPage:
    """``limit`` lines of stock on hand from ``offset`` (in the order of ``on_hand``)
    with the count and sums of every line the filters keep: what a page or an API list
    shows, read without building the lines it does not show."""
    with ctx.uow() as uow:
        where = _filter(uow, site, location, item, owner, lot, scope=scope,
                        expires_before=expires_before)
        return StockPage(*uow.ledger.stock_page(where, limit=limit, offset=offset))


def weight_by_expiry(ctx: Context, *, today: dt.date, scope: Scope = EVERYTHING
                     ) -> dict[str, dict[str, Decimal]]:
    """The weight of physical stock (kg) per item category, in expiry bands: expired, red,
    yellow (see ``expiry_alert``), later, and none for goods that do not expire."""
    bands = [(alert.value, alert_until(alert, today))
             for alert in (ExpiryAlert.EXPIRED, ExpiryAlert.RED, ExpiryAlert.YELLOW)]
    out: dict[str, dict[str, Decimal]] = {}
    with ctx.uow() as uow:
        for category, band, kg in uow.ledger.weight_by_category_and_expiry(
                _filter(uow, None, None, None, None, None, scope=scope), bands):
            out.setdefault(category, {})[band] = kg
    return out


def _filter(uow, site: str | None, location: str | None, item: str | None,
            owner: str | None, lot: str | None, *, scope: Scope,
            include_virtual: bool = False,
            expires_before: dt.date | None = None) -> StockFilter:
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
    return StockFilter(site_id=site_id, location_id=location_id, item_id=item_id,
                       owner_id=owner_id, batch=lot.strip() if lot and lot.strip() else None,
                       expires_before=expires_before, include_virtual=include_virtual,
                       hub_ids=None if scope.everything else frozenset(scope.hub_ids or ()),
                       owner_ids=None if scope.everything
                       else frozenset(scope.organisation_ids or ()))


@dataclass(frozen=True)
class StockCard:
    """The stock (bin) card of one item at a site or one of its locations (of one lot,
    and of some owners only, when it is limited to them)."""

    item: Item
    place: str
    since: dt.datetime | None
    opening: int
    lines: list[tuple[CardLine, int]]  # each line with the running balance after it
    site: str = ""
    site_name: str = ""
    location: str | None = None
    lot: str | None = None
    expiry: dt.date | None = None
    owners: tuple[str, ...] = ()  # the owners it is limited to; () for every owner
    until: dt.date | None = None

    @property
    def closing(self) -> int:
        return self.lines[-1][1] if self.lines else self.opening

    @property
    def total_in(self) -> int:
        return sum(line.quantity_in for line, _ in self.lines)

    @property
    def total_out(self) -> int:
        return sum(line.quantity_out for line, _ in self.lines)


def card(ctx: Context, item: str, *, site: str, location: str | None = None,
         since: dt.date | None = None, until: dt.date | None = None,
         lot: str | None = None, owner: str | None = None,
         scope: Scope = EVERYTHING) -> StockCard:
    """Opening balance, every movement and the running balance of an item at a site's
    physical locations (or at one location), of one lot and one owner when given.

    Within ``scope``: at one of the caller's hubs the whole card; elsewhere only the
    goods its organisations own (a partner's or donor's card), and nothing at all
    (NotFound, as if there were no such card) for anyone else's goods."""
    with ctx.uow() as uow:
        the_item = reference.item(uow, item)
        the_site = reference.site(uow, site)
        locations = [loc for loc in uow.reference.locations(the_site.id) if loc.physical]
        place = the_site.code
        loc_code = None
        if location:
            loc = reference.location(uow, the_site, location)
            locations = [loc]
            place = f"{the_site.code}/{loc.code}"
            loc_code = loc.code
        the_lot = None
        if lot:
            the_lot = uow.reference.lot(the_item.id, lot.strip())
            if the_lot is None:
                raise NotFound("item %(item)s has no lot '%(lot)s'", item=the_item.code,
                               lot=lot.strip())
        owner_ids: set | None = None
        if owner:
            owner_ids = {reference.organisation(uow, owner).id}
        if not scope.everything and the_site.id not in (scope.hub_ids or ()):
            mine = set(scope.organisation_ids or ())
            if not mine or (owner_ids is not None and not owner_ids <= mine):
                raise NotFound("no stock card of %(item)s at %(site)s "
                               "among the goods you may see", item=the_item.code,
                               site=the_site.code)
            if owner_ids is None:
                owner_ids = mine
        start = _day_start(since)
        end = _day_start(until + dt.timedelta(days=1)) if until else None
        opening, lines = uow.ledger.card(the_item.id, [loc.id for loc in locations], end, start,
                                         lot_id=the_lot.id if the_lot else None,
                                         owner_ids=owner_ids)
        owners = tuple(sorted(uow.reference.organisation_by_id(o).code
                              for o in owner_ids)) if owner_ids is not None else ()
    running = opening
    with_balance = []
    for line in lines:
        running += line.quantity_in - line.quantity_out
        with_balance.append((line, running))
    return StockCard(the_item, place, start, opening, with_balance, site=the_site.code,
                     site_name=the_site.name, location=loc_code,
                     lot=the_lot.batch if the_lot else None,
                     expiry=the_lot.expiry if the_lot else None, owners=owners, until=until)


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


def check_filters(ctx: Context, *, site: str | None = None, location: str | None = None,
                  item: str | None = None, owner: str | None = None) -> None:
    """That each code typed in a stock filter names something known; otherwise
    InvalidInput naming the field, so that a form can say which one is wrong."""
    with ctx.uow() as uow:
        the_site = None
        for field, code, find in (("site", site, reference.site), ("item", item, reference.item),
                                  ("owner", owner, reference.organisation)):
            if not code:
                continue
            try:
                found = find(uow, code)
            except (NotFound, InvalidInput) as exc:
                raise InvalidInput(exc.template or str(exc), field=field,
                                   **exc.values) from None
            if field == "site":
                the_site = found
        if location:
            if the_site is None:
                raise InvalidInput("choose the site of the location first", field="location")
            try:
                reference.location(uow, the_site, location)
            except (NotFound, InvalidInput) as exc:
                raise InvalidInput(exc.template or str(exc), field="location",
                                   **exc.values) from None


def bin_card_pdf(ctx: Context, item: str, *, site: str, location: str | None = None,
                 lot: str | None = None, owner: str | None = None,
                 since: dt.date | None = None, until: dt.date | None = None,
                 scope: Scope = EVERYTHING, printed_at: dt.datetime | None = None) -> bytes:
    """The stock card printed as a bin card (A4 landscape, English and Arabic)."""
    from aidhub.documents.bin_card import BinCardDocument, BinCardLine, render_bin_card

    c = card(ctx, item, site=site, location=location, lot=lot, owner=owner, since=since,
             until=until, scope=scope)
    doc = BinCardDocument(
        item_code=c.item.code, name_en=c.item.name_en, name_ar=c.item.name_ar,
        unit=c.item.unit, hub_code=c.site, hub_name=c.site_name, location=c.location,
        lot=c.lot, expiry=c.expiry, owners=c.owners, since=since, until=until,
        opening=c.opening,
        lines=tuple(BinCardLine(seq=line.seq, at=line.at, kind=line.kind,
                                reference=line.reference, batch=line.batch, owner=line.owner,
                                counterpart=line.counterpart, quantity_in=line.quantity_in,
                                quantity_out=line.quantity_out, balance=balance)
                    for line, balance in c.lines))
    return render_bin_card(doc, printed_at=printed_at or dt.datetime.now(dt.UTC))
