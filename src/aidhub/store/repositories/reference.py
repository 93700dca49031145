"""Organisations, sites, locations, items and lots: the reference data stock refers to."""

import enum
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from aidhub.domain.catalog import Item, Lot, SumaCategory
from aidhub.domain.organisations import Organisation, OrganisationType
from aidhub.domain.sites import Location, LocationKind, Site, SiteKind
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


class ReferenceRepository:
    """Reads are cached for the life of the unit of work: codes resolve once."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self._items: dict[str, Item] = {}
        self._sites: dict[str, Site] = {}
        self._locations: dict[tuple[uuid.UUID, str], Location] = {}
        self._locations_by_id: dict[uuid.UUID, Location] = {}
        self._organisations: dict[str, Organisation] = {}
        self._lots: dict[tuple[uuid.UUID, str], Lot] = {}

    # organisations -------------------------------------------------------------------
    def add_organisation(self, org: Organisation) -> None:
        self.conn.execute(insert(organisations).values(**_values(org)))

    def organisation(self, code: str) -> Organisation | None:
        if code not in self._organisations:
            row = self.conn.execute(
                select(organisations).where(organisations.c.code == code)
            ).one_or_none()
            if row is None:
                return None
            self._organisations[code] = _organisation(row)
        return self._organisations[code]

    def organisations(self) -> list[Organisation]:
        rows = self.conn.execute(select(organisations).order_by(organisations.c.code))
        return [_organisation(r) for r in rows]

    # sites and locations -------------------------------------------------------------
    def add_site(self, site: Site) -> None:
        self.conn.execute(insert(sites).values(**_values(site)))

    def site(self, code: str) -> Site | None:
        if code not in self._sites:
            row = self.conn.execute(select(sites).where(sites.c.code == code)).one_or_none()
            if row is None:
                return None
            self._sites[code] = _site(row)
        return self._sites[code]

    def site_by_id(self, site_id: uuid.UUID) -> Site | None:
        for known in self._sites.values():
            if known.id == site_id:
                return known
        row = self.conn.execute(select(sites).where(sites.c.id == site_id)).one_or_none()
        if row is None:
            return None
        self._sites[row.code] = _site(row)
        return self._sites[row.code]

    def sites(self) -> list[Site]:
        return [_site(r) for r in self.conn.execute(select(sites).order_by(sites.c.code))]

    def add_locations(self, new: list[Location]) -> None:
        if new:
            self.conn.execute(
                insert(locations),
                [{**_values(loc), "physical": loc.physical} for loc in new],
            )

    def location(self, site_id: uuid.UUID, code: str) -> Location | None:
        key = (site_id, code)
        if key not in self._locations:
            row = self.conn.execute(
                select(locations).where(locations.c.site_id == site_id,
                                        locations.c.code == code)
            ).one_or_none()
            if row is None:
                return None
            self._remember(_location(row))
        return self._locations[key]

    def _remember(self, loc: Location) -> None:
        self._locations[(loc.site_id, loc.code)] = loc
        self._locations_by_id[loc.id] = loc

    def locations(self, site_id: uuid.UUID | None = None) -> list[Location]:
        query = select(locations).order_by(locations.c.code)
        if site_id is not None:
            query = query.where(locations.c.site_id == site_id)
        return [_location(r) for r in self.conn.execute(query)]

    def locations_by_id(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Location]:
        missing = [i for i in set(ids) if i not in self._locations_by_id]
        for chunk in _chunks(missing):
            for r in self.conn.execute(select(locations).where(locations.c.id.in_(chunk))):
                self._remember(_location(r))
        return self._locations_by_id

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
            row = self.conn.execute(select(items).where(items.c.code == code)).one_or_none()
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

    def item_codes(self) -> set[str]:
        return set(self.conn.execute(select(items.c.code)).scalars())

    def lot(self, item_id: uuid.UUID, batch: str) -> Lot | None:
        """The lot of an item with that batch number, if there is one."""
        key = (item_id, batch)
        if key not in self._lots:
            row = self.conn.execute(
                select(lots).where(lots.c.item_id == item_id, lots.c.batch == batch)
            ).one_or_none()
            if row is None:
                return None
            self._lots[key] = _lot(row)
        return self._lots[key]

    def lot_by_id(self, lot_id: uuid.UUID) -> Lot | None:
        for known in self._lots.values():
            if known.id == lot_id:
                return known
        row = self.conn.execute(select(lots).where(lots.c.id == lot_id)).one_or_none()
        return _lot(row) if row is not None else None

    def add_lots(self, new: list[Lot]) -> None:
        if new:
            self.conn.execute(insert(lots), [_values(lot) for lot in new])
            self._lots.update({(lot.item_id, lot.batch): lot for lot in new})


def _values(record: Any) -> dict[str, Any]:
    """A dataclass as column values (enums as their text)."""
    return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in asdict(record).items()}
