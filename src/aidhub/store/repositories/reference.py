"""Organisations, sites, locations, items and lots: the reference data stock refers to."""

import enum
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from aidhub.domain.catalog import Item, Lot, SumaCategory
from aidhub.domain.organisations import Organisation, OrganisationType
from aidhub.domain.sites import Location, LocationKind, Site, SiteKind
from aidhub.store.cache import ReferenceCache
from aidhub.store.tables import items, locations, lots, organisations, sites


def _organisation(r: Row) -> Organisation:
    return Organisation(r.id, r.code, r.name, OrganisationType(r.type), r.name_ar, r.country)


def _site(r: Row) -> Site:
    return Site(r.id, r.code, r.name, SiteKind(r.kind), r.pcode, r.locode, r.lat, r.lon,
                r.operator_id, r.population)


def _location(r: Row) -> Location:
    return Location(r.id, r.site_id, r.code, r.name, LocationKind(r.kind))


def _item(r: Row) -> Item:
    return Item(r.id, r.code, r.name_en, SumaCategory(r.category), r.unit, r.name_ar,
                r.name_ru, r.weight_kg, r.volume_m3, r.shelf_life, r.cold_chain, r.hs_code,
                r.gtin)


def _lot(r: Row) -> Lot:
    return Lot(r.id, r.item_id, r.batch, r.expiry)


def _chunks(values: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_ITEM = select(items).where(items.c.code == bindparam("code"))
_LOT = select(lots).where(lots.c.item_id == bindparam("item"), lots.c.batch == bindparam("batch"))


class ReferenceRepository:
    """Reference data inside one unit of work.

    Sites, locations, organisations and lots come from the engine's shared
    :class:`ReferenceCache` when they were read before; records created here are kept in
    ``self.created`` until the unit of work commits and publishes them. Items are cached
    for the life of the unit of work only.
    """

    def __init__(self, conn: Connection, shared: ReferenceCache | None = None):
        self.conn = conn
        self.shared = shared if shared is not None else ReferenceCache()
        self.created = ReferenceCache()
        self._items: dict[str, Item] = {}

    def publish(self) -> None:
        """Share what this unit of work created (call after it committed)."""
        self.shared.merge(self.created)

    # organisations -------------------------------------------------------------------
    def add_organisation(self, org: Organisation) -> None:
        self.conn.execute(insert(organisations).values(**_values(org)))
        self.created.add_organisation(org)

    def _cached(self, index: str, key: Any, query: Callable[[], Any],
                 convert: Callable[[Row], Any], remember: Callable[[Any], None]) -> Any:
        """A record from this unit of work, the shared cache, or the database (then shared).
        ``query`` builds the statement only when it is needed: building one costs more than
        a cache hit."""
        found = getattr(self.created, index).get(key) or getattr(self.shared, index).get(key)
        if found is None:
            row = self.conn.execute(query()).one_or_none()
            if row is None:
                return None
            found = convert(row)
            remember(found)
        return found

    def organisation(self, code: str) -> Organisation | None:
        def query():
            return select(organisations).where(organisations.c.code == code)

        return self._cached("organisations", code, query, _organisation,
                            self.shared.add_organisation)

    def organisation_by_id(self, org_id: uuid.UUID) -> Organisation | None:
        for org in (*self.created.organisations.values(), *self.shared.organisations.values()):
            if org.id == org_id:
                return org
        row = self.conn.execute(select(organisations).where(organisations.c.id == org_id)
                                ).one_or_none()
        if row is None:
            return None
        found = _organisation(row)
        self.shared.add_organisation(found)
        return found

    def organisations(self) -> list[Organisation]:
        rows = self.conn.execute(select(organisations).order_by(organisations.c.code))
        return [_organisation(r) for r in rows]

    # sites and locations -------------------------------------------------------------
    def add_site(self, site: Site) -> None:
        self.conn.execute(insert(sites).values(**_values(site)))
        self.created.add_site(site)

    def site(self, code: str) -> Site | None:
        return self._cached("sites", code, lambda: select(sites).where(sites.c.code == code),
                            _site, self.shared.add_site)

    def site_by_id(self, site_id: uuid.UUID) -> Site | None:
        return self._cached("sites_by_id", site_id,
                            lambda: select(sites).where(sites.c.id == site_id), _site,
                            self.shared.add_site)

    def sites(self) -> list[Site]:
        return [_site(r) for r in self.conn.execute(select(sites).order_by(sites.c.code))]

    def add_locations(self, new: list[Location]) -> None:
        if new:
            self.conn.execute(
                insert(locations),
                [{**_values(loc), "physical": loc.physical} for loc in new],
            )
            for loc in new:
                self.created.add_location(loc)

    def location(self, site_id: uuid.UUID, code: str) -> Location | None:
        def query():
            return select(locations).where(locations.c.site_id == site_id,
                                           locations.c.code == code)

        return self._cached("locations", (site_id, code), query, _location,
                            self.shared.add_location)

    def locations(self, site_id: uuid.UUID | None = None) -> list[Location]:
        query = select(locations).order_by(locations.c.code)
        if site_id is not None:
            query = query.where(locations.c.site_id == site_id)
        return [_location(r) for r in self.conn.execute(query)]

    def locations_by_id(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Location]:
        """The locations with these ids (those that exist)."""
        result: dict[uuid.UUID, Location] = {}
        missing = []
        for i in set(ids):
            found = self.created.locations_by_id.get(i) or self.shared.locations_by_id.get(i)
            if found is None:
                missing.append(i)
            else:
                result[i] = found
        for chunk in _chunks(missing):
            for r in self.conn.execute(select(locations).where(locations.c.id.in_(chunk))):
                loc = _location(r)
                self.shared.add_location(loc)
                result[loc.id] = loc
        return result

    # items and lots ------------------------------------------------------------------
    def add_items(self, new: list[Item]) -> None:
        if new:
            self.conn.execute(insert(items), [_values(i) for i in new])

    def update_items(self, changed: list[Item]) -> None:
        for item in changed:
            values = _values(item)
            self.conn.execute(update(items).where(items.c.id == item.id).values(**values))
            self._items[item.code] = item

    def item(self, code: str) -> Item | None:
        if code not in self._items:
            row = self.conn.execute(_ITEM, {"code": code}).one_or_none()
            if row is None:
                return None
            self._items[code] = _item(row)
        return self._items[code]

    def item_by_id(self, item_id: uuid.UUID) -> Item | None:
        for known in self._items.values():
            if known.id == item_id:
                return known
        row = self.conn.execute(select(items).where(items.c.id == item_id)).one_or_none()
        if row is None:
            return None
        self._items[row.code] = _item(row)
        return self._items[row.code]

    def items(self) -> list[Item]:
        return [_item(r) for r in self.conn.execute(select(items).order_by(items.c.code))]

    def lot(self, item_id: uuid.UUID, batch: str) -> Lot | None:
        """The lot of an item with that batch number, if there is one."""
        return self._cached("lots", (item_id, batch),
                            lambda: _LOT.params(item=item_id, batch=batch), _lot,
                            self.shared.add_lot)

    def lot_by_id(self, lot_id: uuid.UUID) -> Lot | None:
        return self._cached("lots_by_id", lot_id,
                            lambda: select(lots).where(lots.c.id == lot_id), _lot,
                            self.shared.add_lot)

    def add_lots(self, new: list[Lot]) -> None:
        if new:
            self.conn.execute(insert(lots), [_values(lot) for lot in new])
            for lot in new:
                self.created.add_lot(lot)


def _values(record: Any) -> dict[str, Any]:
    """A dataclass as column values (enums as their text)."""
    return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in asdict(record).items()}
