"""A process-wide cache of reference records that never change once written.

Sites, locations, organisations and lots are only ever added, never edited or removed, so
once one has been read from the database it can be reused by every later unit of work of
the same engine. Records a unit of work creates itself are published here only when it
commits (a rolled-back record must not be remembered). Items are not cached here: their
descriptions can be updated by a catalog import.
"""

import threading
import uuid
from dataclasses import dataclass, field

from aidhub.domain.catalog import Lot
from aidhub.domain.organisations import Organisation
from aidhub.domain.sites import Location, Site


@dataclass
class ReferenceCache:
    sites: dict[str, Site] = field(default_factory=dict)
    sites_by_id: dict[uuid.UUID, Site] = field(default_factory=dict)
    locations: dict[tuple[uuid.UUID, str], Location] = field(default_factory=dict)
    locations_by_id: dict[uuid.UUID, Location] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    lots: dict[tuple[uuid.UUID, str], Lot] = field(default_factory=dict)
    lots_by_id: dict[uuid.UUID, Lot] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_site(self, site: Site) -> None:
        self.sites[site.code] = site
        self.sites_by_id[site.id] = site

    def add_location(self, loc: Location) -> None:
        self.locations[(loc.site_id, loc.code)] = loc
        self.locations_by_id[loc.id] = loc

    def add_organisation(self, org: Organisation) -> None:
        self.organisations[org.code] = org

    def add_lot(self, lot: Lot) -> None:
        self.lots[(lot.item_id, lot.batch)] = lot
        self.lots_by_id[lot.id] = lot

    def merge(self, other: "ReferenceCache") -> None:
        with self.lock:
            for site in other.sites.values():
                self.add_site(site)
            for loc in other.locations.values():
                self.add_location(loc)
            for org in other.organisations.values():
                self.add_organisation(org)
            for lot in other.lots.values():
                self.add_lot(lot)
